"""Query worker process: ``python -m service.sparql.worker STORE_DIR [--memory-mb N] [--in-memory] [--generation N]``.

Reads length-prefixed JSON requests on stdin, answers each with a length-prefixed JSON header and
a length-prefixed body on stdout. It opens the store read-only and reopens it whenever the request's
``generation`` changes (after an update, so the snapshot includes it), and when files of its
snapshot were compacted away by the writing process (then the query is retried).

With ``--in-memory`` it copies the store into an in-memory pyoxigraph store before it
says it is ready and answers every query from that copy: 4-10x faster on analyst queries over a
large store (RocksDB lookups dominate there), at ~400 bytes of memory per triple. The parent then
never sends it a request of another generation: it starts a fresh worker instead. The parent kills this
process when a query runs past its deadline: that is what makes the timeout real.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time

from config import value

from .execute import QueryError, execute

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

# --- no network in the worker: a seccomp filter makes socket(AF_INET/AF_INET6) fail with EACCES.
# The endpoint refuses SERVICE before a query gets here; this is the second line of defence, so that a
# federated query that slipped past the text check still cannot make the engine call out (SSRF).
_AUDIT_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}  # (AUDIT_ARCH_*, __NR_socket)


def deny_network() -> bool:
    """Install the filter for this process and the threads it starts later. False where unsupported."""
    import ctypes
    import platform

    arch = _AUDIT_ARCH.get(platform.machine())
    if sys.platform != "linux" or arch is None:
        return False
    audit_arch, nr_socket = arch
    ld_abs, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
    allow, deny = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES
    prog = [
        (ld_abs, 0, 0, 4),  # A = seccomp_data.arch
        (jeq, 0, 6, audit_arch),  # another ABI: allow
        (ld_abs, 0, 0, 0),  # A = seccomp_data.nr
        (jeq, 0, 4, nr_socket),
        (ld_abs, 0, 0, 16),  # A = low word of args[0] (the address family)
        (jeq, 1, 0, 2),  # AF_INET
        (jeq, 0, 1, 10),  # AF_INET6
        (ret, 0, 0, deny),
        (ret, 0, 0, allow),
    ]

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        filters = (SockFilter * len(prog))(*[SockFilter(*ins) for ins in prog])
        fprog = SockFprog(len(prog), filters)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    except (OSError, AttributeError):
        return False


def _stale(message: str) -> bool:
    return "Corruption" in message or "No such file" in message or "IO error" in message


def limit_memory(megabytes: int) -> None:
    """Cap this process's data segment (heap and anonymous maps): a query that sorts or groups a huge
    join then fails its allocation, and the process dies (Rust aborts), instead of the machine swapping
    or the kernel's OOM killer picking a victim. The parent answers 503 and starts a fresh worker."""
    if megabytes <= 0:
        return
    try:
        import resource

        limit = megabytes << 20
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard if hard != resource.RLIM_INFINITY else limit))
    except (ImportError, ValueError, OSError):
        pass


def data_mb() -> int:
    """This process's data segment (what RLIMIT_DATA counts), in MiB."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmData:")) >> 10
    except (OSError, StopIteration, ValueError):
        return 0


def in_memory_copy(ox, path: str):
    """The store at ``path`` copied into memory (quads streamed, no serialised intermediate)."""
    disk = ox.Store.read_only(path)
    mem = ox.Store()
    mem.bulk_extend(disk.quads_for_pattern(None, None, None))
    return mem


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.sparql.worker")
    parser.add_argument("store")
    parser.add_argument("--memory-mb", type=int, default=0, help="memory cap for queries (0: none)")
    parser.add_argument("--in-memory", action="store_true", help="copy the store into memory first")
    parser.add_argument("--generation", type=int, default=0, help="the data generation the copy serves")
    args = parser.parse_args(argv)
    path = args.store
    store, generation = None, None
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sandboxed = deny_network() if value("PLANKG_SPARQL_SANDBOX") != "0" else False
    in_memory, cap = args.in_memory, args.memory_mb
    if not in_memory:
        limit_memory(cap)
    import pyoxigraph as ox

    if in_memory:
        store, generation = in_memory_copy(ox, path), args.generation
        limit_memory(cap and data_mb() + cap)  # the cap is for queries, on top of the copy
    write_frame(stdout, json.dumps({"ready": True, "no_network": sandboxed, "in_memory": in_memory}).encode())
    stdout.flush()
    while True:
        frame = read_frame(stdin)
        if frame is None:
            return 0
        req = json.loads(frame)
        try:
            for attempt in range(_ATTEMPTS):
                try:
                    if store is None or (req.get("generation") != generation and not in_memory):
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
                    time.sleep(0.02 * 2**attempt)
            info["ok"] = True
        except QueryError as e:
            info, body = {"ok": False, "status": e.status, "error": str(e)}, b""
        except MemoryError:
            info, body = {"ok": False, "status": 503, "error": "out of memory", "out_of_memory": True}, b""
        except Exception as e:  # noqa: BLE001 - reported to the parent, the worker lives on
            info, body = {"ok": False, "status": 500, "error": f"{type(e).__name__}: {e}"}, b""
        write_frame(stdout, json.dumps(info).encode())
        write_frame(stdout, body)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
