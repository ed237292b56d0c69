"""Query worker process: ``python -m web.sparql_worker STORE_DIR``.

Reads length-prefixed JSON requests on stdin, answers each with a length-prefixed JSON header and
a length-prefixed body on stdout. It opens the store read-only and reopens it whenever the request's
``generation`` changes (after an update, so the snapshot includes it), and when files of its
snapshot were compacted away by the writing process (then the query is retried). The parent kills this
process when a query runs past its deadline: that is what makes the timeout real.
"""
from __future__ import annotations

import json
import struct
import sys
import time

_LEN = struct.Struct(">I")


def read_frame(stream) -> bytes | None:
    head = stream.read(_LEN.size)
    if len(head) < _LEN.size:
        return None
    (n,) = _LEN.unpack(head)
    data = stream.read(n)
    return data if len(data) == n else None


def write_frame(stream, data: bytes) -> None:
    stream.write(_LEN.pack(len(data)))
    stream.write(data)


_ATTEMPTS = 6


def _stale(message: str) -> bool:
    return "Corruption" in message or "No such file" in message or "IO error" in message


def main(argv: list[str]) -> int:
    import pyoxigraph as ox
    from web.sparql_exec import QueryError, execute

    path = argv[0]
    store, generation = None, None
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    write_frame(stdout, b'{"ready": true}')
    stdout.flush()
    while True:
        frame = read_frame(stdin)
        if frame is None:
            return 0
        req = json.loads(frame)
        try:
            for attempt in range(_ATTEMPTS):
                try:
                    if store is None or req.get("generation") != generation:
                        store = None
                        store = ox.Store.read_only(path)
                        generation = req.get("generation")
                    info, body = execute(store, req)
                    break
                except (QueryError, OSError, RuntimeError) as e:
                    # a read-only RocksDB snapshot loses files that the writer compacts away: reopen, retry
                    if attempt == _ATTEMPTS - 1 or not _stale(str(e)):
                        raise
                    store = None
                    time.sleep(0.02 * 2 ** attempt)
            info["ok"] = True
        except QueryError as e:
            info, body = {"ok": False, "status": e.status, "error": str(e)}, b""
        except Exception as e:  # noqa: BLE001 - reported to the parent, the worker lives on
            info, body = {"ok": False, "status": 500, "error": f"{type(e).__name__}: {e}"}, b""
        write_frame(stdout, json.dumps(info).encode())
        write_frame(stdout, body)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
