"""Index building, persistence, rebuild on corpus change, embedding cache, HNSW, documents.

Uses the model-free ``hash`` encoder so these run in seconds.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from embeddings.build import build_index as pipeline_build_index
from embeddings.documents import (
    SearchDoc,
    corpus_hash,
    docs_from_folder,
    group_documents,
    normalise_text,
    read_docs,
    text_key,
    write_docs,
)
from embeddings.embedding_cache import EmbeddingCache, encode_with_cache
from embeddings.encoders import HashingEncoder, load_encoder
from embeddings.engine import SearchEngine
from embeddings.index import DenseIndex, HNSWSettings, ensure_index, make_faiss_index, read_meta, recall_at_k, use_hnsw


class CountingEncoder(HashingEncoder):
    """Hash encoder that counts the passages it encodes."""

    def __init__(self, dim=64):
        super().__init__(dim)
        self.encoded = 0

    def encode_passages(self, texts, batch_size=32, progress=False):
        self.encoded += len(texts)
        return super().encode_passages(texts, batch_size, progress)


@pytest.fixture(scope="module")
def docs(corpus_dir):
    return docs_from_folder(corpus_dir)


def test_documents_are_goals_measures_and_key_projects(docs):
    assert len(docs) == 829
    assert len({d.id for d in docs}) == len(docs)
    counts = {}
    for d in docs:
        counts[d.kind] = counts.get(d.kind, 0) + 1
    assert counts == {"goal": 307, "measure": 500, "key_project": 22}
    d = next(d for d in docs if d.kind == "key_project")
    assert d.domain_title == "" and d.domain_concept == ""
    m = next(d for d in docs if d.kind == "measure")
    assert m.domain_concept and m.period and m.region and m.level and m.plan_iri and m.iri


def test_normalised_text_ignores_spacing_punctuation_and_width():
    assert normalise_text("加强儿童 溺水预防，（2025年）") == normalise_text("加强儿童溺水预防(２０２５年)")
    assert text_key("a，b") == text_key("a, b ")
    assert text_key("溺水") != text_key("托育")


def test_duplicate_groups(docs):
    groups = group_documents(docs)
    dup = [g for g in groups if len(g.doc_ids) > 1]
    assert dup  # the corpus repeats some goals word for word
    by_id = {d.id: d for d in docs}
    for g in dup:
        texts = {normalise_text(by_id[i].text) for i in g.doc_ids}
        assert len(texts) == 1
        assert len({by_id[i].plan_id for i in g.doc_ids}) == len(g.doc_ids)
    assert sum(len(g.doc_ids) for g in groups) == len(docs)


def test_docs_jsonl_round_trip(tmp_path, docs):
    write_docs(docs[:20], tmp_path / "docs.jsonl")
    assert read_docs(tmp_path / "docs.jsonl") == docs[:20]
    d = SearchDoc.from_dict({**docs[0].to_dict(), "unknown_field": 1})
    assert d == docs[0]


def test_build_persist_and_rebuild_only_on_change(tmp_path, docs):
    enc = CountingEncoder()
    meta, rebuilt = ensure_index(tmp_path / "ix", docs=docs, encoders=[enc], progress=False)
    assert rebuilt and enc.encoded == meta["group_count"]
    for name in ("meta.json", "docs.jsonl", "groups.json", "dense-hash-64.faiss", "bm25-bigram.npz", "bm25-jieba.json"):
        assert (tmp_path / "ix" / name).exists(), name
    assert meta["doc_count"] == 829 and meta["index_type"] == "flat"
    assert meta["encoders"][0]["name"] == "hash-64" and meta["encoders"][0]["dim"] == 64
    # unchanged: nothing happens
    meta2, rebuilt = ensure_index(tmp_path / "ix", docs=docs, encoders=[enc], progress=False)
    assert not rebuilt and meta2["corpus_hash"] == meta["corpus_hash"]
    # one unit changed: rebuilt, and only that text is encoded again (embedding cache)
    before = enc.encoded
    changed = list(docs)
    changed[0] = replace(changed[0], text=changed[0].text + "（修订）")
    assert corpus_hash(changed) != corpus_hash(docs)
    meta3, rebuilt = ensure_index(tmp_path / "ix", docs=changed, encoders=[enc], progress=False)
    assert rebuilt and enc.encoded - before == 1 and meta3["encoders"][0]["encoded"] == 1
    assert read_meta(tmp_path / "ix")["corpus_hash"] == meta3["corpus_hash"]
    # the loaded engine reflects the new text
    eng = SearchEngine(tmp_path / "ix", encoders=[enc])
    assert eng.doc(changed[0].id).text.endswith("（修订）")


def test_embedding_cache_file(tmp_path):
    enc = CountingEncoder(32)
    cache = EmbeddingCache(tmp_path / "c.npz")
    v1, n1 = encode_with_cache(enc, ["甲", "乙", "甲"], cache)
    cache.save()
    cache2 = EmbeddingCache(tmp_path / "c.npz")
    v2, n2 = encode_with_cache(enc, ["乙", "甲", "丙"], cache2)
    assert n1 == 3 and n2 == 1 and len(cache2) == 3
    assert np.allclose(v1[1], v2[0]) and np.allclose(v1[0], v2[1])


def test_pipeline_entry_point(tmp_path, parsed_corpus):
    from graph.extract import extract_file

    parsed = [extract_file(pf) for pf in parsed_corpus]
    info = pipeline_build_index(parsed, tmp_path / "index", encoders="hash:32", cache_dir=tmp_path / "cache")
    assert info["docs"] == 829 and info["encoders"][0]["name"] == "hash-32"
    assert (tmp_path / "cache" / "embcache-hash_32.npz").exists()
    eng = SearchEngine.load(tmp_path / "index")  # encoders loaded from meta.json specs
    assert eng.encoder_names == ["hash-32"]
    assert eng.search("溺水", k=3)
    assert any(d.agency_keys for d in eng.docs) and any(d.laws for d in eng.docs)


def test_hnsw_selection_recall_and_filtered_search(tmp_path, docs):
    assert not use_hnsw(1000) and use_hnsw(100_001) and use_hnsw(10, True) and not use_hnsw(10**6, False)
    enc = HashingEncoder(64)
    vecs = enc.encode_passages([d.text for d in docs])
    queries = vecs[::7]
    assert recall_at_k(vecs, queries, k=10, settings=HNSWSettings(m=16, ef_construction=100, ef_search=64)) >= 0.9
    ix = DenseIndex(make_faiss_index(vecs, True), ef_search=64)
    allowed = np.arange(0, len(vecs), 5)
    D, I = ix.search(queries[:1], 10, allowed=allowed)
    assert set(I[0]) <= set(allowed) and len(I[0]) == 10
    flat = DenseIndex(make_faiss_index(vecs, False))
    D2, I2 = flat.search(queries[:1], 10, allowed=allowed)
    assert list(I[0]) == list(I2[0])  # small allowed set: scored exactly


def test_hnsw_index_end_to_end(tmp_path, docs):
    enc = HashingEncoder(64)
    meta, _ = ensure_index(tmp_path / "h", docs=docs, encoders=[enc], hnsw=True, progress=False)
    assert meta["index_type"] == "hnsw"
    eng = SearchEngine(tmp_path / "h", encoders=[enc])
    assert eng.dense["hash-64"].is_hnsw
    hits = eng.search("预防儿童溺水", k=5, mode="dense")
    assert len(hits) == 5
    hits = eng.search("预防儿童溺水", k=5, mode="dense", filters={"plan_type": "women"})
    assert hits and all(h.doc.plan_type == "women" for h in hits)


def test_meta_json_is_plain_json(tmp_path, docs):
    ensure_index(tmp_path / "m", docs=docs[:50], encoders=[load_encoder("hash:16")], progress=False)
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    assert meta["doc_count"] == 50 and meta["default_tokenizer"] == "bigram"
    assert {t["name"] for t in meta["tokenizers"]} == {"bigram", "jieba"}


def test_tokens_are_cached_across_rebuilds_in_the_index_folder(tmp_path):
    """Without a cache folder the token caches live in the index folder and survive its rebuilds."""
    from embeddings.index import build_index
    from tests.conftest import CORPUS

    docs = docs_from_folder(CORPUS)[:200]
    first = build_index(docs, tmp_path, encoders=[load_encoder("hash")], progress=False)
    again = build_index(docs, tmp_path, encoders=[load_encoder("hash")], progress=False)
    assert all(t["tokenized"] > 0 for t in first["tokenizers"])
    assert all(t["tokenized"] == 0 for t in again["tokenizers"])
    assert first["build_key"] == again["build_key"]
    names = sorted(p.name.split("-")[1] for p in tmp_path.glob("tokens-*.json"))
    assert names == sorted(t["name"] for t in again["tokenizers"])  # one cache per tokenizer
