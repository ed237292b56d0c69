"""Micro-batching of concurrent query encodes: one forward pass for all the queries waiting at that moment.

A search thread that needs a new query's vector calls ``encoder.encode_queries([q])``. Under load many
threads do so at once, and a model encodes 32 queries together for much less than 32 times one
(docs/benchmarks.md, "Query encoding under concurrency"). ``BatchedEncoder`` wraps any encoder:

* leader / follower, no timer: a caller that finds no pass running leads at once, so a lone query
  costs what it costs unwrapped. Callers arriving while a pass runs queue up; when the pass ends its
  leader hands the lead to the first of them, who encodes everything queued at that moment (up to
  ``max_batch`` texts; a call is never split, the leader's own call is always in its batch).
  ``wait_ms`` > 0 lets a leader wait that long for more callers before its pass (off by default).
* the results are each caller's own rows, copied out of the batch.
* when a batched pass raises, each of its calls is run again alone, so an error reaches the caller
  whose text caused it and only that one (an encoder that fails for every text fails every call).
  The lead is handed on in any case: the batcher keeps working after an error.
* the lock, the queue and the state are made again in a forked child (gunicorn forks after the
  models load, possibly while a parent thread held them), as ``embeddings.engine`` does for its pool.

``encode_passages`` and every attribute other than ``encode_queries`` go to the wrapped encoder.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from typing import Any

import numpy as np


class _Call:
    __slots__ = ("texts", "done", "lead", "result", "error")

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.done = threading.Event()
        self.lead = False
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None


class _State:
    """One process's queue; ``busy`` while some caller leads a pass."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.queue: deque[_Call] = deque()
        self.busy = False
        self.passes = 0  # forward passes run, and texts in them (for benchmarks and tests)
        self.texts = 0


class BatchedEncoder:
    """``encoder`` with concurrent ``encode_queries`` calls merged into shared forward passes."""

    def __init__(self, encoder: Any, max_batch: int = 32, wait_ms: float = 0.0):
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1 (got {max_batch})")
        if wait_ms < 0:
            raise ValueError(f"wait_ms must not be negative (got {wait_ms})")
        self.inner = encoder
        self.name, self.spec, self.dim = encoder.name, encoder.spec, encoder.dim
        self.max_batch = int(max_batch)
        self.wait = float(wait_ms) / 1000.0
        self._st: _State | None = None

    def __getattr__(self, attr: str) -> Any:  # only for names not found on the wrapper itself
        if attr == "inner":
            raise AttributeError(attr)
        return getattr(self.inner, attr)

    def __repr__(self) -> str:
        return f"BatchedEncoder({self.inner!r}, max_batch={self.max_batch})"

    def _state(self) -> _State:
        st = self._st
        if st is None or st.pid != os.getpid():
            st = self._st = _State()
        return st

    def stats(self) -> tuple[int, int]:
        """(forward passes, texts encoded in them) in this process so far."""
        st = self._state()
        return st.passes, st.texts

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return self.inner.encode_passages(texts, batch_size=batch_size, progress=progress)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts or len(texts) >= self.max_batch:  # already a batch of its own
            return self.inner.encode_queries(texts)
        call = _Call(texts)
        st = self._state()
        with st.lock:
            st.queue.append(call)
            if st.busy:
                st.arrived.notify()
            else:
                st.busy = call.lead = True
        if not call.lead:
            call.done.wait()
        if call.lead:
            self._lead(st, call)
        if call.error is not None:
            raise call.error
        assert call.result is not None
        return call.result

    def _lead(self, st: _State, own: _Call) -> None:
        """Run one pass over the calls queued now (``own`` first), then hand the lead on."""
        try:
            with st.lock:
                if self.wait:
                    deadline = time.monotonic() + self.wait
                    while self._queued(st) < self.max_batch and (left := deadline - time.monotonic()) > 0:
                        st.arrived.wait(left)
                batch = [st.queue.popleft()]
                size = len(batch[0].texts)
                while st.queue and size + len(st.queue[0].texts) <= self.max_batch:
                    size += len(st.queue[0].texts)
                    batch.append(st.queue.popleft())
                st.passes += 1
                st.texts += size
            self._run(batch)
        finally:
            with st.lock:
                if own in st.queue:  # interrupted before its pass: never hand the lead to a caller gone
                    st.queue.remove(own)
                if st.queue:
                    nxt = st.queue[0]
                    nxt.lead = True
                    nxt.done.set()
                else:
                    st.busy = False

    def _queued(self, st: _State) -> int:
        return sum(len(c.texts) for c in st.queue)

    def _run(self, batch: list[_Call]) -> None:
        try:
            if len(batch) == 1:
                batch[0].result = np.asarray(self.inner.encode_queries(batch[0].texts))
            else:
                vecs = np.asarray(self.inner.encode_queries([t for c in batch for t in c.texts]))
                at = 0
                for c in batch:
                    c.result = vecs[at : at + len(c.texts)].copy()
                    at += len(c.texts)
        except Exception as e:
            if len(batch) == 1:
                batch[0].error = e
            else:  # which call's text failed? each alone: the error reaches its own caller
                for c in batch:
                    try:
                        c.result = np.asarray(self.inner.encode_queries(c.texts))
                    except Exception as err:
                        c.error = err
        finally:  # also on KeyboardInterrupt and the like, which go on up the leader's own thread
            for c in batch:
                if c.result is None and c.error is None:
                    c.error = RuntimeError(f"encoding the query failed in another thread ({self.name})")
                if not c.lead:
                    c.done.set()
