"""Query execution with a hard time limit.

pyoxigraph cannot cancel a running query, and one blocking step (ORDER BY, GROUP BY, a big join)
may run for minutes inside a single call. So queries on an on-disk store run in a small pool of
worker processes (``service.sparql.worker``) that open the store read-only; the request thread waits
for the answer until the deadline and, past it, kills the worker (SIGKILL), which really stops the
query and frees the CPU, then answers 503. A fresh worker is started for the next query.
In-memory stores (tests, scratch) fall back to a thread with a deadline checked between rows.

``in_memory=True``: each worker copies the store into memory when it starts (see
``service.sparql.worker``) and serves one generation of the data; after an update the idle workers are
replaced by fresh copies, started in the background. A worker killed on its deadline or its result size,
or one that died, is replaced in the background the same way, so the pool is full again (``all_ready``
in /api/health) once the copy is made, without a request waiting for it.
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from config import value

from .execute import Deadline, QueryError, execute
from .worker import _LEN

ROOT = Path(__file__).resolve().parents[2]  # the folder holding the ``service`` package


class QueryTimeout(Exception):
    pass


class Busy(Exception):
    pass


class WorkerDied(Exception):
    pass


class OutOfMemory(WorkerDied):
    """The worker died on its memory limit (a Rust allocation failure aborts the process)."""


class ResultTooLarge(Exception):
    """The serialised result is over ``MAX_RESULT_BYTES`` (the server would hold it all in memory)."""


MAX_RESULT_BYTES = 64 << 20


class _Worker:
    def __init__(
        self,
        store_path: str,
        start_timeout: float = 30.0,
        memory_mb: int = 0,
        in_memory: bool = False,
        generation: int = 0,
    ):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.generation = generation
        argv = [
            sys.executable,
            "-m",
            "service.sparql.worker",
            store_path,
            "--memory-mb",
            str(int(memory_mb or 0)),
            "--generation",
            str(generation),
        ] + (["--in-memory"] if in_memory else [])
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0, cwd=str(ROOT), env=env, close_fds=True
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are pipes
        self._stdin, self._stdout = self.proc.stdin, self.proc.stdout
        self._out = self._stdout.fileno()
        ready = self._frame(time.monotonic() + start_timeout)
        if b"ready" not in ready:
            self.kill()
            raise WorkerDied("query worker did not start")
        self.no_network = b'"no_network": true' in ready  # see sparql_worker.deny_network

    def _read(self, n: int, deadline: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout()
            r, _, _ = select.select([self._out], [], [], left)
            if not r:
                raise QueryTimeout()
            chunk = os.read(self._out, min(n - len(buf), 1 << 20))
            if not chunk:
                raise WorkerDied("query worker exited")
            buf += chunk
        return bytes(buf)

    def _frame(self, deadline: float, limit: int | None = None) -> bytes:
        (n,) = _LEN.unpack(self._read(_LEN.size, deadline))
        if limit is not None and n > limit:
            raise ResultTooLarge(f"the result is {n / (1 << 20):.0f} MiB, more than the {limit >> 20} MiB allowed")
        return self._read(n, deadline)

    def call(self, req: dict, deadline: float) -> tuple[dict, bytes]:
        data = json.dumps(req).encode()
        try:
            self._stdin.write(_LEN.pack(len(data)) + data)
            self._stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise WorkerDied(str(e)) from e
        info = json.loads(self._frame(deadline))
        body = self._frame(deadline, MAX_RESULT_BYTES)
        return info, body

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001
            pass
        for f in (self._stdin, self._stdout):
            try:
                f.close()
            except Exception:  # noqa: BLE001
                pass


class ProcessQueryRunner:
    """At most ``size`` queries at once, each in its own killable worker process.

    Requests that find every worker busy wait for one (up to the timeout). While at most ``waiting``
    (``PLANKG_QUERY_QUEUE``, default 4) are waiting, any more wait too; beyond that, a request is
    refused at once (Busy -> 503 + Retry-After) when every worker has been on its query for more than
    ``stuck_after`` s (a quarter of the timeout, at least 2 s): then runaway queries hold the workers,
    and waiting would only tie up more of the server's request threads, which pages, search and
    health need. Ordinary queries (milliseconds) only ever queue, so a busy server answers them late
    rather than with 503."""

    def __init__(
        self,
        store_path: str,
        size: int = 2,
        timeout: float = 10.0,
        memory_mb: int = 0,
        waiting: int | None = None,
        in_memory: bool = False,
        start_timeout: float = 600.0,
    ):
        self.store_path = store_path
        self.memory_mb = memory_mb
        self.in_memory = in_memory
        self.start_timeout = start_timeout if in_memory else 30.0
        self.size = max(1, size)
        self.timeout = timeout
        if waiting is None:
            waiting = int(value("PLANKG_QUERY_QUEUE"))
        self._admitted = threading.BoundedSemaphore(self.size + max(0, waiting))
        self.stuck_after = max(2.0, timeout / 4)
        self._running: dict[int, float] = {}  # id of a running call -> when it started
        self.generation = 0
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._starting = 0
        self._prewarming: threading.Thread | None = None
        self.closed = False
        if in_memory:
            self.prewarm()

    def bump_generation(self) -> None:
        """The data changed (an update): workers reopen their read-only snapshot (in-memory
        workers are replaced)."""
        self.generation += 1
        if self.in_memory:
            self.prewarm()

    def prewarm(self, replace_stale: bool = True) -> None:
        """Replace idle workers of an older generation (``replace_stale``) and start workers up to
        ``size`` in the background, so that requests do not wait for a copy."""

        def start():
            if replace_stale:
                keep = list(self._pop_idle())
                for w in keep:
                    self._idle.put(w)
            while not self.closed:
                with self._lock:  # the check and the reservation at once: two prewarms never overshoot
                    if len(self._all) + self._starting >= self.size:
                        return
                    self._starting += 1
                try:
                    w = self._start(reserved=True)
                except Exception:  # noqa: BLE001 - a request will start one and report the error
                    return
                if self.closed:
                    self._drop(w)
                    return
                self._idle.put(w)

        self._prewarming = threading.Thread(target=start, daemon=True, name="sparql-prewarm")
        self._prewarming.start()

    def state(self) -> dict:
        """For /api/health: how many query workers are up, and whether copies are still being made
        (on-disk workers start when a query needs one, in a fraction of a second: never waited for)."""
        with self._lock:
            ready = sum(1 for w in self._all if self._usable(w))
            starting = self._starting
        prewarming = self._prewarming is not None and self._prewarming.is_alive()
        copied = ready >= self.size or not self.in_memory
        return {
            "kind": "process",
            "in_memory": self.in_memory,
            "size": self.size,
            "ready": ready,
            "starting": starting,
            "all_ready": copied and not starting and not prewarming,
        }

    def wait_ready(self, timeout: float) -> bool:
        """Wait (up to ``timeout`` s) until the prewarm in progress, if any, has ended."""
        t = self._prewarming
        if t is not None:
            t.join(timeout)
            return not t.is_alive()
        return True

    def _start(self, reserved: bool = False) -> _Worker:
        """A new worker (``reserved``: the caller already counted it in ``_starting``)."""
        if not reserved:
            with self._lock:
                self._starting += 1
        try:
            w = _Worker(
                self.store_path,
                self.start_timeout,
                memory_mb=self.memory_mb,
                in_memory=self.in_memory,
                generation=self.generation,
            )
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            self._all.add(w)
        return w

    def _usable(self, w: _Worker) -> bool:
        """Alive and, for an in-memory copy, of the current generation of the data."""
        return w.alive() and not (self.in_memory and w.generation != self.generation)

    def _pop_idle(self) -> Iterator[_Worker]:
        """Idle workers taken off the queue one by one; unusable ones are dropped on the way."""
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                return
            if self._usable(w):
                yield w
            else:
                self._drop(w)

    def _take(self) -> tuple[_Worker, bool]:
        """An idle worker of the current generation, or a freshly started one (True)."""
        w = next(self._pop_idle(), None)
        if w is not None:
            return w, False
        while self.in_memory and self._starting:  # copies are being made (prewarm): take one when ready
            try:
                w = self._idle.get(timeout=0.1)
            except queue.Empty:
                continue
            if self._usable(w):
                return w, True
            self._drop(w)
        return self._start(), True

    def _drop(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    def _replace(self, w: _Worker) -> None:
        """Drop a worker that was killed or died on a query; an in-memory pool starts its replacement in
        the background (an on-disk worker starts in a fraction of a second when a query needs one)."""
        self._drop(w)
        if self.in_memory and not self.closed:
            self.prewarm(replace_stale=False)

    def stuck(self) -> bool:
        """Every worker has been running its current query for more than ``stuck_after`` s."""
        now = time.monotonic()
        with self._lock:
            starts = list(self._running.values())
        return len(starts) >= self.size and now - max(starts) > self.stuck_after

    def run(self, req: dict, timeout: float | None = None) -> tuple[dict, bytes]:
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while not self._admitted.acquire(timeout=0.05):
            if self.stuck():
                raise Busy("every query worker is held by a long-running query and enough requests are waiting")
            if time.monotonic() >= deadline:
                raise Busy("all query workers are busy")
        try:
            return self._run(req, deadline)
        finally:
            self._admitted.release()

    def _run(self, req: dict, deadline: float) -> tuple[dict, bytes]:
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise Busy("all query workers are busy")
        key = id(req)
        try:
            t0 = time.monotonic()
            w, fresh = self._take()
            if fresh:  # the time limit is for the query, not for starting (or copying) a worker
                deadline += time.monotonic() - t0
            with self._lock:
                self._running[key] = time.monotonic()
            try:
                info, body = w.call({**req, "generation": self.generation}, deadline)
            except (QueryTimeout, ResultTooLarge):
                self._replace(w)  # killing it is the only way to stop a running pyoxigraph query
                raise
            except WorkerDied as e:
                self._replace(w)
                if w.proc.returncode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
                    raise OutOfMemory(f"the query needed more than the {self.memory_mb} MiB a query may use") from e
                raise
            self._idle.put(w)
        finally:
            with self._lock:
                self._running.pop(key, None)
            self._slots.release()
        if not info.get("ok"):
            if info.get("out_of_memory"):
                raise OutOfMemory(f"the query needed more than the {self.memory_mb} MiB a query may use")
            raise QueryError(info.get("error", "query failed"), int(info.get("status", 500)))
        return info, body

    def close(self) -> None:
        self.closed = True
        with self._lock:
            workers, self._all = list(self._all), set()
        for w in workers:
            w.kill()


class ThreadQueryRunner:
    """Fallback for in-memory stores: a thread per query, deadline checked between result rows.
    A query blocked inside one evaluation step cannot be stopped; its slot stays taken until it ends."""

    def __init__(self, ox_store, size: int = 2, timeout: float = 10.0):
        self.store = ox_store
        self.timeout = timeout
        self.size = max(1, size)
        self._slots = threading.BoundedSemaphore(self.size)

    def bump_generation(self) -> None:
        pass

    def state(self) -> dict:
        return {
            "kind": "thread",
            "in_memory": True,
            "size": self.size,
            "ready": self.size,
            "starting": 0,
            "all_ready": True,
        }

    def run(self, req: dict, timeout: float | None = None) -> tuple[dict, bytes]:
        timeout = self.timeout if timeout is None else timeout
        if not self._slots.acquire(timeout=timeout):
            raise Busy("all query slots are busy")
        deadline = time.monotonic() + timeout
        box: dict = {}

        def work():
            try:
                box["v"] = execute(self.store, req, deadline)
            except BaseException as e:  # noqa: BLE001
                box["e"] = e
            finally:
                self._slots.release()

        t = threading.Thread(target=work, daemon=True, name="sparql-query")
        t.start()
        t.join(timeout)
        if t.is_alive() or isinstance(box.get("e"), Deadline):
            raise QueryTimeout()
        if "e" in box:
            raise box["e"]
        return box["v"]

    def close(self) -> None:
        pass
