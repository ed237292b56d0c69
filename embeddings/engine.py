"""Hybrid search over plan units: BM25 + one or more dense encoders, fused.

    engine = SearchEngine.load("var/current/index")     # or SearchEngine.from_corpus("data/plans", dir)
    page = engine.query("丈夫打老婆", k=10, offset=0)     # SearchPage: hits above the floor, total, expansions
    hits = engine.search("溺水预防措施", k=10, filters={"plan_type": "children"})   # the top k, no floor
    engine.similar(hits[0].doc.id)                        # best counterpart in every other plan
    engine.gaps("反家庭暴力")                              # plans with nothing on a topic

One hit per duplicate text group (identical normalised text in several plans); ``Hit.plans``
lists every plan/unit of the group. ``query`` also folds near-identical texts into the best-ranked
one (``grouping.py``), searches the thesaurus' plan terms with everyday words (``thesaurus.py``) and
counts only hits above the calibrated relevance floor (``floor.py``). Highlights are [start, end)
offsets into ``Hit.doc.text`` — never HTML; use ``highlights.highlight_segments`` to escape and wrap them.

Thread-safe: the small caches (query vectors, filter masks, score statistics) are guarded by one lock
that is never held while a model encodes, so concurrent queries reach the encoders together.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .counterparts import Counterparts
from .documents import SearchDoc
from .encoders import Encoder, configure_threads, load_encoder
from .filters import SearchFilters, doc_matches
from .floor import Floor
from .highlights import common_terms, match_terms
from .index import DenseIndex, ensure_index, load_docs, load_groups, read_meta
from .lexical import BM25
from .pages import Pages
from .ranking import (
    DEFAULT_CANDIDATES,
    DEFAULT_FUSION,
    DEFAULT_MODE,
    DEFAULT_WEIGHTS,
    DENSE_EXPANSION,
    EXPANSION_WEIGHT,
    FUSIONS,
    MODES,
    QUERY_WEIGHTS,
    RRF_K,
    QuerySignals,
    Ranking,
    all_vectors,
)
from .results import Hit, PlanRef

__all__ = ["SearchEngine", "MODES", "FUSIONS", "DEFAULT_MODE", "DEFAULT_FUSION", "DEFAULT_WEIGHTS", "RRF_K"]
Z_SAMPLE = 4096  # vectors used to estimate a query's score distribution per encoder
_POOL: tuple[int, ThreadPoolExecutor | None] = (0, None)
_POOL_LOCK = threading.Lock()


def _query_pool() -> ThreadPoolExecutor:
    """Threads for encoding a query with the second (third, ...) model while the calling thread runs the
    first; made again in a forked child. Wide enough that concurrent queries are not queued here."""
    global _POOL
    pid = os.getpid()
    with _POOL_LOCK:
        pool = _POOL[1]
        if _POOL[0] != pid or pool is None:
            pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="query-encode")
            _POOL = (pid, pool)
    return pool


class SearchEngine(Pages, Ranking, Counterparts):
    def __init__(
        self,
        index_dir,
        encoders: dict | Sequence[Encoder] | None = None,
        tokenizer: str | None = None,
        fusion: str = DEFAULT_FUSION,
        weights: dict | None = None,
        rrf_k: int = RRF_K,
        candidates: int = DEFAULT_CANDIDATES,
        query_cache: int = 256,
        load_encoders: bool = True,
        thesaurus=None,
        floor: Floor | None = None,
        expansion_weight: float = EXPANSION_WEIGHT,
        dense_expansion: str = DENSE_EXPANSION,
    ):
        configure_threads()
        self.index_dir = Path(index_dir)
        meta = read_meta(self.index_dir)
        if meta is None:
            raise FileNotFoundError(f"no search index in {self.index_dir} (build it with ensure_index)")
        self.meta = meta
        self.docs: list[SearchDoc] = load_docs(self.index_dir)
        self._by_id = {d.id: i for i, d in enumerate(self.docs)}
        self._by_iri: dict | None = None
        groups = load_groups(self.index_dir)
        self.group_ids = [g.id for g in groups]
        self._group_index = {g: i for i, g in enumerate(self.group_ids)}
        self.group_members: list[list[int]] = [[self._by_id[x] for x in g.doc_ids] for g in groups]
        self.doc_group = np.zeros(len(self.docs), np.int64)
        for gi, members in enumerate(self.group_members):
            self.doc_group[members] = gi
        # lexical
        self.bm25: dict[str, BM25] = {}
        self._common: dict[str, set] = {}
        for t in meta["tokenizers"]:
            bm = BM25.load(self.index_dir, t["files"][0][:-4])
            self.bm25[t["name"]] = bm
            self._common[t["name"]] = common_terms(bm, 0.3)
        self.tokenizer = tokenizer or meta.get("default_tokenizer") or next(iter(self.bm25))
        # dense
        given: dict[str, Encoder] = {}
        if isinstance(encoders, dict):
            given = dict(encoders)
        elif encoders:
            given = {e.name: e for e in encoders}
        self.encoders: dict[str, Encoder] = {}
        self.dense: dict[str, DenseIndex] = {}
        self.calibration: dict[str, dict] = {}
        ef = (meta.get("hnsw") or {}).get("ef_search", 128)
        for e in meta["encoders"]:
            enc = given.get(e["name"]) or next((g for g in given.values() if g.spec == e["spec"]), None)
            if enc is None and load_encoders:
                enc = load_encoder(e["spec"])
            if enc is None:
                continue
            if enc.dim != e["dim"]:
                raise ValueError(f"encoder {e['name']} has dim {enc.dim}, index has {e['dim']}")
            self.encoders[e["name"]] = enc
            self.dense[e["name"]] = DenseIndex.load(self.index_dir / e["file"], ef)
            self.calibration[e["name"]] = e.get("calibration") or {}
        self.fusion = fusion
        self.weights = {**DEFAULT_WEIGHTS, **(weights or {})}
        self.query_weights = dict(self.weights) if weights else {**self.weights, **QUERY_WEIGHTS}  # query()
        self.rrf_k = rrf_k
        self.candidates = candidates
        if dense_expansion not in ("expanded", "mean"):
            raise ValueError("dense_expansion must be 'expanded' or 'mean'")
        self.expansion_weight, self.dense_expansion = expansion_weight, dense_expansion
        self.floor = floor or Floor.load(list(self.encoders))
        self._thesaurus = thesaurus
        self._lock = threading.Lock()  # guards every cache below; never held while encoding
        self._qcache: OrderedDict = OrderedDict()
        self._qcache_size = query_cache
        self._filter_cache: OrderedDict = OrderedDict()
        self._z_sample: dict[str, np.ndarray] = {}
        self._zcache: dict[tuple, tuple[float, float]] = {}
        self._matrix: dict[str, np.ndarray] = {}
        self._near: list | None = None

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def load(cls, index_dir, **kw) -> SearchEngine:
        return cls(index_dir, **kw)

    @classmethod
    def from_corpus(
        cls,
        corpus_folder,
        index_dir,
        encoder_specs=None,
        encoders=None,
        progress: bool = True,
        hnsw: bool | None = None,
        **kw,
    ) -> SearchEngine:
        """Build (only if the corpus or settings changed) and load."""
        ensure_index(
            index_dir,
            corpus_folder=corpus_folder,
            encoder_specs=encoder_specs,
            encoders=list(encoders.values()) if isinstance(encoders, dict) else encoders,
            progress=progress,
            hnsw=hnsw,
        )
        return cls(index_dir, encoders=encoders, **kw)

    @property
    def encoder_names(self) -> list[str]:
        return list(self.encoders)

    @property
    def tokenizer_names(self) -> list[str]:
        return list(self.bm25)

    def doc(self, doc_id: str) -> SearchDoc:
        """A document by id or unit IRI (KeyError when unknown)."""
        return self.docs[self._doc_index(doc_id)]

    def _doc_index(self, doc_id: str) -> int:
        i = self._by_id.get(doc_id)
        if i is None:
            if self._by_iri is None:
                self._by_iri = {d.iri: j for j, d in enumerate(self.docs) if d.iri}
            i = self._by_iri.get(doc_id)
        if i is None:
            raise KeyError(doc_id)
        return i

    def group_index(self, group_id: str) -> int:
        return self._group_index[group_id]

    def plans(self) -> list[dict]:
        seen: dict[str, dict] = {}
        for d in self.docs:
            if d.plan_id not in seen:
                seen[d.plan_id] = {
                    "plan_id": d.plan_id,
                    "plan_iri": d.plan_iri,
                    "plan_title": d.plan_title,
                    "plan_type": d.plan_type,
                    "region": d.region,
                    "level": d.level,
                    "period": d.period,
                    "units": 0,
                }
            seen[d.plan_id]["units"] += 1
        return list(seen.values())

    # ------------------------------------------------------------------ caches (thread-safe)
    def encode_query(self, name: str, query: str) -> np.ndarray:
        return self.encode_queries_all([name], query)[name]

    def encode_queries_all(self, names: Sequence[str], query: str) -> dict[str, np.ndarray]:
        """The query's vector from each encoder in ``names``; uncached ones are encoded side by side
        (the first on this thread, the others on the query pool), outside the cache lock.

        The models spend their time in torch / numpy kernels that release the GIL, so two encoders on
        two threads take about the slower one's time instead of the sum (bench/query_encode.py: 0.78×).
        """
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for name in names:
                v = self._qcache.get((name, query))
                if v is not None:
                    self._qcache.move_to_end((name, query))
                    out[name] = v
        todo = [n for n in names if n not in out]
        if not todo:
            return out
        futures = [_query_pool().submit(self.encoders[n].encode_queries, [query]) for n in todo[1:]]
        vecs = [self.encoders[todo[0]].encode_queries([query])[0]] + [f.result()[0] for f in futures]
        with self._lock:
            for name, v in zip(todo, vecs, strict=True):
                out[name] = v
                if self._qcache_size:
                    self._qcache[(name, query)] = v
                    if len(self._qcache) > self._qcache_size:
                        self._qcache.popitem(last=False)
        return out

    def encode_passages_all(
        self, names: Sequence[str], texts: list[str], batch_size: int = 32
    ) -> dict[str, np.ndarray]:
        """``texts`` as passages with each encoder in ``names``, side by side as ``encode_queries_all`` does
        (the first model on this thread, the others on the query pool)."""
        if not names:
            return {}
        futures = [_query_pool().submit(self.encoders[n].encode_passages, texts, batch_size) for n in names[1:]]
        first = self.encoders[names[0]].encode_passages(texts, batch_size=batch_size)
        return dict(zip(names, [first, *(f.result() for f in futures)], strict=True))

    def clear_query_cache(self) -> None:
        with self._lock:
            self._qcache.clear()

    def allowed_docs(self, filters: SearchFilters | dict | None) -> np.ndarray | None:
        """Boolean mask over docs, or None when nothing is filtered."""
        f = SearchFilters.from_any(filters)
        key = f.key()
        if not key:
            return None
        with self._lock:
            m = self._filter_cache.get(key)
        if m is None:
            m = np.ones(len(self.docs), bool)
            for name, values in f.items():
                m &= np.fromiter((doc_matches(d, name, values) for d in self.docs), bool, len(self.docs))
            with self._lock:
                self._filter_cache[key] = m
                if len(self._filter_cache) > 128:
                    self._filter_cache.popitem(last=False)
        return m

    def _vectors_of(self, name: str) -> np.ndarray:
        """Every group's vector for one encoder (a view of the faiss index)."""
        with self._lock:
            m = self._matrix.get(name)
            if m is None:
                m = self._matrix[name] = all_vectors(self.dense[name])
        return m

    def _zstats(self, name: str, qv: np.ndarray) -> tuple[float, float]:
        """Mean and std of the query's cosine over (a fixed random sample of) all text groups."""
        with self._lock:
            sample = self._z_sample.get(name)
        if sample is None:
            n = self.dense[name].ntotal
            ids = (
                np.arange(n)
                if n <= Z_SAMPLE
                else np.sort(np.random.default_rng(7).choice(n, size=Z_SAMPLE, replace=False))
            )
            sample = self.dense[name].vectors(ids)
            with self._lock:
                self._z_sample[name] = sample
        # einsum, not ``@``: a 4096×d matvec through multithreaded OpenBLAS takes ~10 ms instead of
        # ~0.3 ms when the cores are busy (thread hand-off), which was the search p99 at 10× the corpus
        s = np.einsum("ij,j->i", sample, np.asarray(qv, sample.dtype).ravel())
        return float(s.mean()), float(max(s.std(), 1e-6))

    def _relevance(self, name: str, key: str, qv: np.ndarray, cos: np.ndarray) -> np.ndarray:
        """Query z-score: how many standard deviations above this query's mean cosine (``key`` names
        the query vector ``qv``: the text encoded)."""
        with self._lock:
            z = self._zcache.get((name, key))
        if z is None:  # once per (encoder, query), not once per hit: a matvec over Z_SAMPLE vectors
            z = self._zstats(name, qv)
            with self._lock:
                self._zcache[(name, key)] = z
                if len(self._zcache) > 1024:
                    self._zcache.pop(next(iter(self._zcache)))
        mu, sd = z
        return (np.asarray(cos, np.float64) - mu) / sd

    def _similarity(self, name: str, cos: np.ndarray) -> np.ndarray:
        mu = float(self.calibration.get(name, {}).get("doc_mean", 0.0))
        return (cos - mu) / max(1e-6, 1.0 - mu)

    def _hit(self, rank: int, g: int, sig: QuerySignals, ranking, mask, near=(), floor_score=None, rep=None) -> Hit:
        """The hit of group ``g`` (its member ``rep``, else the first that passes the filters)."""
        _, fused, parts, ranks = ranking
        members = self.group_members[g]
        if rep is None:
            rep = next((i for i in members if mask is None or mask[i]), members[0])
        doc = self.docs[rep]
        common = self._common.get(sig.tokenizer or self.tokenizer, set())
        matched, spans = match_terms(doc.text, sig.terms, common)
        if not matched:
            matched, spans = match_terms(doc.text, sig.terms)
        rel = [
            self._relevance(key[6:], sig.dense_text, sig.vectors[key[6:]], np.array([v]))[0]
            for key, v in parts[g].items()
            if key.startswith("dense:")
        ]
        plans = [PlanRef.of(self.docs[i], mask is None or bool(mask[i])) for i in members]
        for n in near:
            plans += [PlanRef.of(self.docs[i], mask is None or bool(mask[i]), near=True) for i in self.group_members[n]]
        return Hit(
            rank=rank,
            doc=doc,
            group=self.group_ids[g],
            plans=plans,
            score=fused[g],
            scores={**parts[g], "fused": fused[g]},
            ranks=ranks[g],
            matched_terms=matched,
            highlights=[[a, b] for a, b in spans],
            relevance=float(np.mean(rel)) if rel else None,
            floor_score=floor_score,
            near=[self.group_ids[n] for n in near],
        )

    # ------------------------------------------------------------------ public API
    def search(
        self,
        query: str,
        k: int = 10,
        filters=None,
        mode: str = DEFAULT_MODE,
        fusion: str | None = None,
        tokenizer: str | None = None,
        encoders: Iterable[str] | None = None,
        weights: dict | None = None,
        candidates: int | None = None,
        expand: bool = False,
    ) -> list[Hit]:
        """The top ``k`` text groups, fused, without a floor (``query`` pages, counts and floors)."""
        query = (query or "").strip()
        if not query:
            return []
        sig = self.signals(query, mode, tokenizer, encoders, expand)
        mask = self.allowed_docs(filters)
        ranking = self._rank(
            sig, self._components(mode, tokenizer, encoders)[1], mask, fusion, weights, candidates, None
        )
        return [self._hit(i + 1, g, sig, ranking, mask) for i, g in enumerate(ranking[0][:k])]

    def timed_search(self, query: str, **kw) -> tuple[list[Hit], float]:
        t = time.perf_counter()
        hits = self.search(query, **kw)
        return hits, time.perf_counter() - t
