"""Micro-batched query encoding (embeddings/query_batcher.py): concurrent ``encode_queries`` calls share
forward passes, each caller gets its own rows back, errors reach the caller whose text caused them, and a
forked child keeps encoding.

The tests here use the model-free hashing encoder (a real encoder of the product, deterministic and
instant); a ``Gate`` around it holds the first forward pass until the other callers have queued, so which
calls share a pass is decided, not left to timing. The same checks with the real models are in
tests/test_search_encoders.py (slow tier).
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import numpy as np
import pytest

from config import SettingError
from embeddings.encoders import BatchedEncoder, HashingEncoder, load_encoder

QUERIES = [f"第{i}条查询：儿童{'溺水托育欺凌营养'[i % 4]}服务" for i in range(40)]


class Gate:
    """An encoder that records its forward passes; the first waits until ``queued`` callers wait behind it,
    and texts in ``poison`` make a pass fail (as a model would on input it cannot take)."""

    def __init__(self, inner, queued: int = 0, poison: frozenset[str] = frozenset()):
        self.inner, self.queued, self.poison = inner, queued, poison
        self.name, self.spec, self.dim = inner.name, inner.spec, inner.dim
        self.passes: list[list[str]] = []
        self.batcher: BatchedEncoder | None = None
        self.broken = False
        self.lock = threading.Lock()

    def encode_queries(self, texts):
        with self.lock:
            first = not self.passes
            self.passes.append(list(texts))
        if first and self.queued and self.batcher is not None:
            deadline = time.monotonic() + 20
            while len(self.batcher._state().queue) < self.queued:
                assert time.monotonic() < deadline, "the other callers never queued"
                time.sleep(0.002)
        if self.broken:
            raise RuntimeError("the model is broken")
        bad = [t for t in texts if t in self.poison]
        if bad:
            raise ValueError(f"cannot encode {bad[0]!r}")
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts, batch_size=32, progress=False):
        return self.inner.encode_passages(texts, batch_size=batch_size, progress=progress)


def gated(queued=0, poison=frozenset(), max_batch=32):
    gate = Gate(HashingEncoder(64), queued, frozenset(poison))
    batcher = BatchedEncoder(gate, max_batch=max_batch)
    gate.batcher = batcher
    return gate, batcher


def run_threads(fn, items):
    """``fn(item)`` on one thread per item, all released at once; {item: result or exception}."""
    out: dict = {}
    start = threading.Barrier(len(items))

    def work(item):
        start.wait()
        try:
            out[item] = fn(item)
        except Exception as e:  # noqa: BLE001 - the test looks at which caller got what
            out[item] = e

    threads = [threading.Thread(target=work, args=(it,)) for it in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a caller never returned"
    return out


def test_a_lone_query_is_one_pass_of_its_own_and_equals_the_plain_encoder():
    gate, batcher = gated()
    got = batcher.encode_queries(["溺水预防"])
    assert gate.passes == [["溺水预防"]]
    np.testing.assert_array_equal(got, HashingEncoder(64).encode_queries(["溺水预防"]))
    assert batcher.encode_queries([]).shape == (0, 64)


def test_callers_arriving_during_a_pass_share_the_next_one_and_get_their_own_rows():
    gate, batcher = gated(queued=15)
    out = run_threads(lambda q: batcher.encode_queries([q]), QUERIES[:16])
    plain = HashingEncoder(64)
    for q in QUERIES[:16]:
        np.testing.assert_array_equal(out[q], plain.encode_queries([q]))
    assert [len(p) for p in gate.passes] == [1, 15]  # the leader alone, then everyone who queued meanwhile
    assert batcher.stats() == (2, 16)


def test_calls_with_several_texts_are_kept_whole_and_batches_stay_under_the_maximum():
    gate, batcher = gated(queued=12, max_batch=8)
    items = [tuple(QUERIES[i : i + 1 + i % 3]) for i in range(13)]  # 1 to 3 texts per call
    out = run_threads(lambda texts: batcher.encode_queries(list(texts)), items)
    plain = HashingEncoder(64)
    for texts in items:
        np.testing.assert_array_equal(out[texts], plain.encode_queries(list(texts)))
    assert all(len(p) <= 8 for p in gate.passes)
    assert sum(len(p) for p in gate.passes) == sum(len(t) for t in items)
    assert len(gate.passes) < len(items)


def test_a_call_as_large_as_a_batch_goes_straight_to_the_model():
    gate, batcher = gated(max_batch=4)
    got = batcher.encode_queries(QUERIES[:6])
    assert gate.passes == [QUERIES[:6]] and batcher.stats() == (0, 0) and got.shape == (6, 64)


def test_an_error_reaches_only_the_caller_whose_text_caused_it():
    gate, batcher = gated(queued=7, poison={QUERIES[3]})
    out = run_threads(lambda q: batcher.encode_queries([q]), QUERIES[:8])
    assert isinstance(out[QUERIES[3]], ValueError) and QUERIES[3] in str(out[QUERIES[3]])
    plain = HashingEncoder(64)
    for q in QUERIES[:8]:
        if q != QUERIES[3]:
            np.testing.assert_array_equal(out[q], plain.encode_queries([q]))


def test_a_failing_forward_pass_reaches_every_waiting_caller_and_the_batcher_keeps_working():
    gate, batcher = gated(queued=9)
    gate.broken = True
    out = run_threads(lambda q: batcher.encode_queries([q]), QUERIES[:10])
    assert all(isinstance(v, RuntimeError) and "broken" in str(v) for v in out.values()), out
    assert not batcher._state().busy and not batcher._state().queue
    gate.broken = False
    out = run_threads(lambda q: batcher.encode_queries([q]), QUERIES[10:26])
    plain = HashingEncoder(64)
    for q in QUERIES[10:26]:
        np.testing.assert_array_equal(out[q], plain.encode_queries([q]))


def test_the_wrapper_is_transparent():
    enc = load_encoder("hash:32")
    assert isinstance(enc, BatchedEncoder) and isinstance(enc.inner, HashingEncoder)
    assert (enc.name, enc.spec, enc.dim) == ("hash-32", "hash:32", 32)
    texts = ["预防和控制儿童溺水。", "发展普惠托育服务体系。"]
    np.testing.assert_array_equal(enc.encode_passages(texts, batch_size=1), enc.inner.encode_passages(texts))
    assert enc._vec("x").shape == (32,)  # any other attribute is the model's
    assert not isinstance(load_encoder("hash:32", batched=False), BatchedEncoder)


def test_batch_settings_are_checked(monkeypatch):
    monkeypatch.setenv("PLANKG_QUERY_BATCH_MAX", "0")
    with pytest.raises(SettingError, match="PLANKG_QUERY_BATCH_MAX"):
        load_encoder("hash")
    monkeypatch.setenv("PLANKG_QUERY_BATCH_MAX", "1")  # 1: every call goes straight to the model
    assert load_encoder("hash").max_batch == 1
    monkeypatch.setenv("PLANKG_QUERY_BATCH_WAIT_MS", "-3")
    with pytest.raises(SettingError, match="PLANKG_QUERY_BATCH_WAIT_MS"):
        load_encoder("hash")
    monkeypatch.setenv("PLANKG_QUERY_BATCH_WAIT_MS", "soon")
    with pytest.raises(SettingError, match="PLANKG_QUERY_BATCH_WAIT_MS"):
        load_encoder("hash")


def test_a_wait_lets_a_leader_gather_callers_before_its_pass():
    gate = Gate(HashingEncoder(16))
    batcher = BatchedEncoder(gate, max_batch=4, wait_ms=2000)
    out = run_threads(lambda q: batcher.encode_queries([q]), QUERIES[:4])
    assert [len(p) for p in gate.passes] == [4]  # the batch filled up before the wait ran out
    assert all(v.shape == (1, 16) for v in out.values())
    with pytest.raises(ValueError):
        BatchedEncoder(gate, max_batch=0)


def _encode_in_child(batcher, queries, conn):
    try:
        out = run_threads(lambda q: batcher.encode_queries([q]), queries)
        conn.send({q: np.asarray(v) for q, v in out.items()})
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        conn.send(repr(e))
    finally:
        conn.close()


def fork_while_a_pass_runs(batcher, gate, queries, timeout=60):
    """Fork while a parent thread leads a pass that holds the batcher's state (its lock taken during the
    fork would stay taken in the child); the child encodes ``queries`` on threads and sends them back."""
    hold, holding = threading.Event(), threading.Event()
    inner_encode = gate.encode_queries

    def held(texts):
        holding.set()
        hold.wait(10)
        return inner_encode(texts)

    gate.encode_queries = held
    leader = threading.Thread(target=batcher.encode_queries, args=(["父进程的查询"],))
    leader.start()
    assert holding.wait(10)
    gate.encode_queries = inner_encode
    ctx = multiprocessing.get_context("fork")
    parent_end, child_end = ctx.Pipe(duplex=False)
    with batcher._state().lock:  # forked with the lock held, as can happen under load
        child = ctx.Process(target=_encode_in_child, args=(batcher, queries, child_end))
        child.start()
    child_end.close()
    try:
        assert parent_end.poll(timeout), "the forked child did not answer"
        got = parent_end.recv()
    finally:
        hold.set()
        leader.join(10)
        child.join(10)
    assert not isinstance(got, str), got
    assert child.exitcode == 0
    return got


def test_a_forked_child_encodes_even_if_forked_in_the_middle_of_a_pass():
    gate, batcher = gated()
    got = fork_while_a_pass_runs(batcher, gate, QUERIES[:6])
    plain = HashingEncoder(64)
    for q in QUERIES[:6]:
        np.testing.assert_array_equal(got[q], plain.encode_queries([q]))
