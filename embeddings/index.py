"""Building and persisting the search index.

Layout of an index directory::

    meta.json                 schema, corpus hash, doc/group counts, encoders (name, spec, dim,
                              index type, calibration), tokenisers, build timings
    docs.jsonl                one SearchDoc per line
    groups.json               duplicate groups: [[group id, [doc ids...]], ...] (row i = vector i)
    dense-<encoder>.faiss     one vector per text group; IndexFlatIP (exact) or IndexHNSWFlat (IP)
    bm25-<tokeniser>.npz/.json
    embcache-<encoder>.npz    embedding cache (sha256(encoder spec, text) -> vector); kept
                              across rebuilds so unchanged units are never re-encoded (its folder
                              can be moved: ``cache_dir`` / env ``PLANKG_EMBED_CACHE``)
    tokens-<tokeniser>-<signature>.json   token cache (text hash -> tokens), kept the same way

``ensure_index`` rebuilds only when the corpus hash (documents + build settings) changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config import value

from .documents import (
    SearchDoc,
    TextGroup,
    corpus_hash,
    doc_lines,
    docs_from_folder,
    group_documents,
    read_docs,
    write_docs,
)
from .embedding_cache import EmbeddingCache, cache_file_name, encode_queries_with_cache, encode_with_cache
from .encoders import Encoder, configure_threads, default_encoder_specs, load_encoder
from .lexical import BM25, DEFAULT_TOKENIZER, TokenCache, lexicon_words, make_tokenizer

INDEX_SCHEMA = 1
HNSW_AUTO_THRESHOLD = 100_000  # more text groups than this: HNSW unless told otherwise


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]


@dataclass(frozen=True)
class HNSWSettings:
    m: int = 32
    ef_construction: int = 200
    ef_search: int = 128


def use_hnsw(n: int, setting: bool | None = None) -> bool:
    """``setting`` (or ``PLANKG_HNSW`` on/off) wins; otherwise HNSW above the size threshold."""
    if setting is None:
        env = value("PLANKG_HNSW")
        if env in ("1", "true", "yes", "on"):
            setting = True
        elif env in ("0", "false", "no", "off"):
            setting = False
    return bool(setting) if setting is not None else n > HNSW_AUTO_THRESHOLD


def make_faiss_index(vectors: np.ndarray, hnsw: bool, settings: HNSWSettings = HNSWSettings()):
    import faiss

    d = vectors.shape[1]
    ix: faiss.Index
    if hnsw:
        ix = faiss.IndexHNSWFlat(d, settings.m, faiss.METRIC_INNER_PRODUCT)
        ix.hnsw.efConstruction = settings.ef_construction
        ix.hnsw.efSearch = settings.ef_search
    else:
        ix = faiss.IndexFlatIP(d)
    if len(vectors):
        ix.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return ix


class DenseIndex:
    """A faiss inner-product index over normalised vectors (one per text group)."""

    def __init__(self, index, ef_search: int = 128):
        self.index = index
        self.ef_search = ef_search
        self.is_hnsw = "HNSW" in type(index).__name__

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @classmethod
    def load(cls, path, ef_search: int = 128) -> DenseIndex:
        """The index of ``path``, its vectors memory-mapped (``IO_FLAG_MMAP_IFC``): read-only pages of the
        file, shared by every process that serves this generation instead of a private copy each (the
        files of a generation are never rewritten in place: a rebuild writes new files)."""
        import faiss

        try:
            return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC), ef_search)
        except (AttributeError, RuntimeError):  # a faiss without it, or a file system that cannot map
            return cls(faiss.read_index(str(path)), ef_search)

    def vectors(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        wanted = np.asarray(ids, dtype=np.int64)
        if not len(wanted):
            return np.zeros((0, self.index.d), np.float32)
        return self.index.reconstruct_batch(wanted)

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for each query row; ``allowed`` restricts to those vector ids."""
        import faiss

        q = np.ascontiguousarray(q, dtype=np.float32).reshape(-1, self.index.d)
        n = self.ntotal
        k = max(1, min(k, n))
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if not len(allowed):
                return np.zeros((len(q), 0), np.float32), np.zeros((len(q), 0), np.int64)
            if self.is_hnsw and len(allowed) < 0.3 * n:
                # a graph walk finds too few allowed nodes: score the allowed vectors exactly
                sims = q @ self.vectors(allowed).T
                kk = min(k, len(allowed))
                top = np.argsort(-sims, axis=1)[:, :kk]
                return np.take_along_axis(sims, top, 1), allowed[top]
            sel = faiss.IDSelectorBatch(allowed)
            # faiss's bundled stubs lack SearchParametersHNSW and the keyword arguments of SearchParameters
            params = (
                faiss.SearchParametersHNSW(sel=sel, efSearch=max(self.ef_search, k))  # type: ignore[attr-defined]
                if self.is_hnsw
                else faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]
            )
            scores, ids = self.index.search(q, min(k, len(allowed)), params=params)
        elif self.is_hnsw:
            hnsw_params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))  # type: ignore[attr-defined]
            scores, ids = self.index.search(q, k, params=hnsw_params)
        else:
            scores, ids = self.index.search(q, k)
        keep = ids[0] >= 0 if len(q) == 1 else None
        if keep is not None:
            return scores[:, keep], ids[:, keep]
        return scores, ids


def recall_at_k(
    vectors: np.ndarray, queries: np.ndarray, k: int = 10, settings: HNSWSettings = HNSWSettings()
) -> float:
    """Recall@k of HNSW against the exact flat index on the same vectors."""
    exact = DenseIndex(make_faiss_index(vectors, False))
    approx = DenseIndex(make_faiss_index(vectors, True, settings), settings.ef_search)
    _, ie = exact.search(queries, k)
    _, ia = approx.search(queries, k)
    hits = sum(len(set(a) & set(e)) for a, e in zip(ia.tolist(), ie.tolist(), strict=True))
    return hits / float(ie.size or 1)


def _calibration_sample(n: int, seed: int = 13):
    """(a, b, picks): random doc pairs and the docs whose titles serve as queries (fixed by ``n``)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, size=min(4000, n * 4))
    b = rng.integers(0, n, size=len(a))
    pick = rng.choice(n, size=min(60, n), replace=False)
    return a, b, pick


def _calibration_titles(docs: list[SearchDoc]) -> list[str]:
    return [d.title or d.text[:20] for d in docs]


def _calibrate(
    encoder: Encoder,
    vectors: np.ndarray,
    docs: list[SearchDoc],
    seed: int = 13,
    query_vectors: np.ndarray | None = None,
) -> dict:
    """Typical cosines of unrelated pairs: doc-doc and (title as query)-doc.

    ``rel = (cos - mean) / (1 - mean)`` maps "unrelated on average" to 0 and identical to 1, which
    makes thresholds comparable across encoders (used by similar() and gaps()).
    ``query_vectors``: the picked titles already encoded as queries (e.g. from the embedding cache).
    """
    n = len(vectors)
    if n < 3:
        return {"doc_mean": 0.0, "doc_std": 1.0, "query_mean": 0.0, "query_std": 1.0}
    a, b, pick = _calibration_sample(n, seed)
    m = a != b
    cos = np.einsum("ij,ij->i", vectors[a[m]], vectors[b[m]])
    if query_vectors is None:
        titles = _calibration_titles(docs)
        query_vectors = encoder.encode_queries([titles[i] for i in pick])
    qs = (query_vectors @ vectors.T).ravel()
    return {
        "doc_mean": float(cos.mean()),
        "doc_std": float(cos.std()),
        "query_mean": float(qs.mean()),
        "query_std": float(qs.std()),
    }


def _calibration_queries(enc: Encoder, docs: list[SearchDoc], cache: EmbeddingCache) -> tuple[np.ndarray, int]:
    """Query vectors of the calibration titles, through the embedding cache.

    When the model is loaded anyway (something had to be encoded), every title of the corpus is
    encoded as a query and cached, so that a later build with the same texts needs no model at all.
    """
    n = len(docs)
    if n < 3:
        return np.zeros((0, enc.dim), np.float32), 0
    titles = _calibration_titles(docs)
    pick = _calibration_sample(n)[2]
    if getattr(enc, "loaded", True):
        allq, encoded = encode_queries_with_cache(enc, titles, cache)
        return allq[pick], encoded
    qv, encoded = encode_queries_with_cache(enc, [titles[i] for i in pick], cache)
    if getattr(enc, "loaded", True):  # the picks needed the model: warm the rest now
        encoded += encode_queries_with_cache(enc, titles, cache)[1]
    return qv, encoded


def build_index(
    docs: list[SearchDoc],
    index_dir,
    encoders: Sequence[Encoder] | None = None,
    encoder_specs: Sequence[str] | None = None,
    tokenizers: Iterable[str] = ("bigram", "jieba"),
    default_tokenizer: str = DEFAULT_TOKENIZER,
    hnsw: bool | None = None,
    hnsw_settings: HNSWSettings = HNSWSettings(),
    user_words: Iterable[str] = (),
    batch_size: int = 32,
    progress: bool = True,
    source: str = "",
    cache_dir=None,
    extra_meta: dict | None = None,
) -> dict:
    """Encode (with cache), index and write everything to ``index_dir``; returns meta.json's dict.

    Encoders may be ``LazyEncoder``s: their model is loaded only if a passage or a calibration
    query is missing from the embedding cache. ``extra_meta`` is merged into meta.json (the build
    pipeline records the corpus it was built from there)."""
    configure_threads()
    t_all = time.perf_counter()
    out = Path(index_dir)
    out.mkdir(parents=True, exist_ok=True)
    if encoders is None:
        encoders = [load_encoder(s) for s in (encoder_specs or default_encoder_specs())]
    groups = group_documents(docs)
    texts = [g.text for g in groups]
    hn = use_hnsw(len(groups), hnsw)
    lines = doc_lines(docs)
    chash = corpus_hash(docs, lines)
    tokenizers = list(dict.fromkeys(tokenizers))
    if default_tokenizer not in tokenizers:
        tokenizers.insert(0, default_tokenizer)
    meta: dict = {
        "schema": INDEX_SCHEMA,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "source": str(source),
        "corpus_hash": chash,
        "build_key": build_key(docs, [e.spec for e in encoders], tokenizers, default_tokenizer, hn, user_words, chash),
        "doc_count": len(docs),
        "group_count": len(groups),
        "index_type": "hnsw" if hn else "flat",
        "hnsw": {
            "m": hnsw_settings.m,
            "ef_construction": hnsw_settings.ef_construction,
            "ef_search": hnsw_settings.ef_search,
        }
        if hn
        else None,
        "encoders": [],
        "tokenizers": [],
        "default_tokenizer": default_tokenizer,
        "timings": {},
    }
    tmp = out / ".building"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    write_docs(docs, tmp / "docs.jsonl", lines)
    (tmp / "groups.json").write_text(
        json.dumps([[g.id, g.doc_ids] for g in groups], ensure_ascii=False), encoding="utf-8"
    )
    import faiss

    by_id = {d.id: d for d in docs}
    rep_docs = [by_id[g.doc_ids[0]] for g in groups]
    for enc in encoders:
        t0 = time.perf_counter()
        cache = EmbeddingCache(Path(cache_dir or value("PLANKG_EMBED_CACHE") or out) / cache_file_name(enc))
        vecs, encoded = encode_with_cache(enc, texts, cache, batch_size=batch_size, progress=progress)
        qvecs, q_encoded = _calibration_queries(enc, rep_docs, cache)
        t_enc = time.perf_counter() - t0
        cache.save()
        t1 = time.perf_counter()
        ix = make_faiss_index(vecs, hn, hnsw_settings)
        fname = f"dense-{_slug(enc.name)}.faiss"
        faiss.write_index(ix, str(tmp / fname))
        t_ix = time.perf_counter() - t1
        meta["encoders"].append(
            {
                "name": enc.name,
                "spec": enc.spec,
                "dim": enc.dim,
                "file": fname,
                "count": len(vecs),
                "encoded": encoded,
                "encode_s": round(t_enc, 3),
                "index_s": round(t_ix, 4),
                "units_per_s": round(encoded / t_enc, 2) if encoded and t_enc > 0 else None,
                "queries_encoded": q_encoded,
                "model_loaded": bool(getattr(enc, "loaded", True)),
                "calibration": _calibrate(enc, vecs, rep_docs, query_vectors=qvecs if len(qvecs) else None),
            }
        )
    words = list(user_words) + lexicon_words()
    for name in tokenizers:
        t0 = time.perf_counter()
        tok = make_tokenizer(name, words)
        tcache = TokenCache(tok, cache_dir or value("PLANKG_EMBED_CACHE") or out)
        bm = BM25(tok).fit(texts, tcache)
        tcache.save()
        files = bm.save(tmp, f"bm25-{_slug(name)}")
        meta["tokenizers"].append(
            {
                "name": name,
                "files": files,
                "vocab": len(bm.vocab),
                "tokenized": tcache.misses,
                "build_s": round(time.perf_counter() - t0, 3),
            }
        )
    meta.update(extra_meta or {})
    meta["timings"]["total_s"] = round(time.perf_counter() - t_all, 3)
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    # swap in: remove old index files (not the embedding caches), move the new ones
    for p in out.iterdir():
        if p.name != ".building" and not p.name.startswith(("embcache-", "tokens-")) and p.is_file():
            p.unlink()
    for p in tmp.iterdir():
        os.replace(p, out / p.name)
    tmp.rmdir()
    return meta


def build_key(docs, specs, tokenizers, default_tokenizer, hnsw, user_words, chash: str | None = None) -> str:
    h = hashlib.sha256((chash or corpus_hash(docs)).encode())
    h.update(
        json.dumps(
            [INDEX_SCHEMA, list(specs), list(tokenizers), default_tokenizer, bool(hnsw), sorted(user_words)],
            ensure_ascii=False,
        ).encode()
    )
    return h.hexdigest()


def read_meta(index_dir) -> dict | None:
    p = Path(index_dir) / "meta.json"
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except Exception:
        return None


def ensure_index(
    index_dir,
    corpus_folder=None,
    docs: list[SearchDoc] | None = None,
    encoder_specs: Sequence[str] | None = None,
    encoders: Sequence[Encoder] | None = None,
    tokenizers: Iterable[str] = ("bigram", "jieba"),
    default_tokenizer: str = DEFAULT_TOKENIZER,
    hnsw: bool | None = None,
    user_words: Iterable[str] = (),
    progress: bool = True,
    force: bool = False,
    cache_dir=None,
) -> tuple[dict, bool]:
    """Build the index unless an up-to-date one exists. Returns (meta, rebuilt)."""
    index_dir = Path(index_dir)
    if docs is None:
        if corpus_folder is None:
            raise ValueError("ensure_index needs docs or a corpus folder")
        docs = docs_from_folder(corpus_folder)
    specs = [e.spec for e in encoders] if encoders else list(encoder_specs or default_encoder_specs())
    tokenizers = list(dict.fromkeys(tokenizers))
    if default_tokenizer not in tokenizers:
        tokenizers.insert(0, default_tokenizer)
    groups = group_documents(docs)
    key = build_key(docs, specs, tokenizers, default_tokenizer, use_hnsw(len(groups), hnsw), user_words)
    meta = read_meta(index_dir)
    if not force and meta and meta.get("build_key") == key:
        return meta, False
    meta = build_index(
        docs,
        index_dir,
        encoders=encoders,
        encoder_specs=specs,
        tokenizers=tokenizers,
        default_tokenizer=default_tokenizer,
        hnsw=hnsw,
        user_words=user_words,
        progress=progress,
        source=str(corpus_folder or ""),
        cache_dir=cache_dir,
    )
    return meta, True


def load_groups(index_dir) -> list[TextGroup]:
    raw = json.loads((Path(index_dir) / "groups.json").read_text(encoding="utf-8"))
    return [TextGroup(gid, ids, "") for gid, ids in raw]


def load_docs(index_dir) -> list[SearchDoc]:
    return read_docs(Path(index_dir) / "docs.jsonl")
