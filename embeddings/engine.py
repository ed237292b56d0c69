"""Hybrid search over plan units: BM25 + one or more dense encoders, fused.

    engine = SearchEngine.load("var/current/index")     # or SearchEngine.from_corpus("data/plans", dir)
    hits = engine.search("溺水预防措施", k=10, filters={"plan_type": "children"})
    engine.similar(hits[0].doc.id)                        # best counterpart in every other plan
    engine.gaps("反家庭暴力")                              # plans with nothing on a topic

One hit per duplicate text group (identical normalised text in several plans); ``Hit.plans``
lists every plan/unit of the group. Highlights are [start, end) offsets into ``Hit.doc.text``
— never HTML; use ``lexical.highlight_segments`` to escape and wrap them.
"""

from __future__ import annotations

import os
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
from .highlights import common_terms, match_terms
from .index import DenseIndex, ensure_index, load_docs, load_groups, read_meta
from .lexical import BM25
from .results import Hit, PlanRef

MODES = ("hybrid", "bm25", "dense")
FUSIONS = ("rrf", "weighted")
DEFAULT_MODE = "hybrid"
# chosen by nDCG@10 on bench/search_queries.json (docs/search_benchmark_results.md): a weighted sum of
# min-max-normalised scores beat reciprocal rank fusion, and BM25 at 0.7 of a dense encoder's weight
# kept keyword queries as good while helping paraphrases (BM25 is weak there)
DEFAULT_FUSION = "weighted"
DEFAULT_WEIGHTS = {"bm25": 0.7}  # per component: "bm25", "dense" or "dense:<encoder name>"; default 1.0
RRF_K = 60
DEFAULT_CANDIDATES = 100  # depth of each component's ranked list before fusion
Z_SAMPLE = 4096  # vectors used to estimate a query's score distribution per encoder
_POOL: tuple[int, ThreadPoolExecutor | None] = (0, None)


def _query_pool() -> ThreadPoolExecutor:
    """Threads for encoding one query with several models at once; made again in a forked child."""
    global _POOL
    pid = os.getpid()
    pool = _POOL[1]
    if _POOL[0] != pid or pool is None:
        pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="query-encode")
        _POOL = (pid, pool)
    return pool


class SearchEngine(Counterparts):
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
        self.rrf_k = rrf_k
        self.candidates = candidates
        self._qcache: OrderedDict = OrderedDict()
        self._qcache_size = query_cache
        self._filter_cache: OrderedDict = OrderedDict()
        self._z_sample: dict[str, np.ndarray] = {}
        self._zcache: dict[tuple, tuple[float, float]] = {}

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

    # ------------------------------------------------------------------ internals
    def encode_query(self, name: str, query: str) -> np.ndarray:
        return self.encode_queries_all([name], query)[name]

    def encode_queries_all(self, names: Sequence[str], query: str) -> dict[str, np.ndarray]:
        """The query's vector from each encoder in ``names``; uncached ones are encoded side by side.

        The models spend their time in torch / numpy kernels that release the GIL, so two encoders on
        two threads take about the slower one's time instead of the sum (bench/query_encode.py: 0.78×).
        """
        out: dict[str, np.ndarray] = {}
        todo = []
        for name in names:
            v = self._qcache.get((name, query))
            if v is None:
                todo.append(name)
            else:
                self._qcache.move_to_end((name, query))
                out[name] = v
        if len(todo) > 1:
            vecs = list(_query_pool().map(lambda n: self.encoders[n].encode_queries([query])[0], todo))
        else:
            vecs = [self.encoders[n].encode_queries([query])[0] for n in todo]
        for name, v in zip(todo, vecs, strict=True):  # the cache is touched on this thread only
            out[name] = v
            if self._qcache_size:
                self._qcache[(name, query)] = v
                if len(self._qcache) > self._qcache_size:
                    self._qcache.popitem(last=False)
        return out

    def clear_query_cache(self) -> None:
        self._qcache.clear()

    def allowed_docs(self, filters: SearchFilters | dict | None) -> np.ndarray | None:
        """Boolean mask over docs, or None when nothing is filtered."""
        f = SearchFilters.from_any(filters)
        key = f.key()
        if not key:
            return None
        m = self._filter_cache.get(key)
        if m is None:
            m = np.ones(len(self.docs), bool)
            for name, values in f.items():
                m &= np.fromiter((doc_matches(d, name, values) for d in self.docs), bool, len(self.docs))
            self._filter_cache[key] = m
            if len(self._filter_cache) > 128:
                self._filter_cache.popitem(last=False)
        return m

    def _zstats(self, name: str, qv: np.ndarray) -> tuple[float, float]:
        """Mean and std of the query's cosine over (a fixed random sample of) all text groups."""
        sample = self._z_sample.get(name)
        if sample is None:
            n = self.dense[name].ntotal
            ids = (
                np.arange(n)
                if n <= Z_SAMPLE
                else np.sort(np.random.default_rng(7).choice(n, size=Z_SAMPLE, replace=False))
            )
            sample = self._z_sample[name] = self.dense[name].vectors(ids)
        # einsum, not ``@``: a 4096×d matvec through multithreaded OpenBLAS takes ~10 ms instead of
        # ~0.3 ms when the cores are busy (thread hand-off), which was the search p99 at 10× the corpus
        s = np.einsum("ij,j->i", sample, np.asarray(qv, sample.dtype).ravel())
        return float(s.mean()), float(max(s.std(), 1e-6))

    def _relevance(self, name: str, query: str, cos: np.ndarray) -> np.ndarray:
        """Query z-score: how many standard deviations above this query's mean cosine."""
        key = (name, query)
        z = self._zcache.get(key)
        if z is None:  # once per (encoder, query), not once per hit: a matvec over Z_SAMPLE vectors
            z = self._zcache[key] = self._zstats(name, self.encode_query(name, query))
            if len(self._zcache) > 1024:
                self._zcache.pop(next(iter(self._zcache)))
        mu, sd = z
        return (np.asarray(cos, np.float64) - mu) / sd

    def _similarity(self, name: str, cos: np.ndarray) -> np.ndarray:
        mu = float(self.calibration.get(name, {}).get("doc_mean", 0.0))
        return (cos - mu) / max(1e-6, 1.0 - mu)

    def _components(self, mode: str, tokenizer: str | None, encoders: Iterable[str] | None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        lex = [] if mode == "dense" else [tokenizer or self.tokenizer]
        for t in lex:
            if t not in self.bm25:
                raise ValueError(f"tokenizer {t!r} not in index (have {list(self.bm25)})")
        dense = [] if mode == "bm25" else list(encoders if encoders is not None else self.encoders)
        for e in dense:
            if e not in self.encoders:
                raise ValueError(f"encoder {e!r} not loaded (have {list(self.encoders)})")
        if mode == "dense" and not dense:
            raise ValueError("dense mode needs at least one encoder")
        return lex, dense

    def rank(
        self,
        query: str,
        mode: str = DEFAULT_MODE,
        filters=None,
        fusion: str | None = None,
        tokenizer: str | None = None,
        encoders: Iterable[str] | None = None,
        weights: dict | None = None,
        candidates: int | None = None,
        rrf_k: int | None = None,
    ):
        """Fused ranking of text groups: (group ids ordered, fused scores, component scores/ranks)."""
        fusion = fusion or self.fusion
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}")
        lex, dense = self._components(mode, tokenizer, encoders)
        w = {**self.weights, **(weights or {})}
        depth = candidates or self.candidates
        rk = rrf_k or self.rrf_k
        mask = self.allowed_docs(filters)
        allowed_groups = None if mask is None else np.unique(self.doc_group[mask])
        ng = len(self.group_ids)
        comp_scores: dict[str, dict[int, float]] = {}
        comp_ranks: dict[str, dict[int, int]] = {}
        full_bm25: dict[str, np.ndarray] = {}
        for t in lex:
            s = self.bm25[t].scores(query)
            full_bm25[t] = s
            if allowed_groups is not None:
                s2 = np.full(ng, -1.0, np.float32)
                s2[allowed_groups] = s[allowed_groups]
            else:
                s2 = s
            pos = np.flatnonzero(s2 > 0)
            if len(pos) > depth:
                pos = pos[np.argpartition(-s2[pos], depth - 1)[:depth]]
            top = pos[np.argsort(-s2[pos], kind="stable")]
            key = "bm25" if len(lex) == 1 else f"bm25:{t}"
            comp_scores[key] = {int(g): float(s[g]) for g in top}
            comp_ranks[key] = {int(g): r + 1 for r, g in enumerate(top)}
        qvecs = self.encode_queries_all(dense, query)
        for e in dense:
            qv = qvecs[e]
            if allowed_groups is not None and not len(allowed_groups):
                scores, ids = np.zeros((1, 0)), np.zeros((1, 0), np.int64)
            else:
                scores, ids = self.dense[e].search(qv[None, :], depth, allowed_groups)
            key = f"dense:{e}"
            comp_scores[key] = {int(g): float(d) for g, d in zip(ids[0], scores[0], strict=True)}
            comp_ranks[key] = {int(g): r + 1 for r, g in enumerate(ids[0])}
        cands = sorted({g for r in comp_ranks.values() for g in r})
        if not cands:
            return [], {}, {}, {}
        cand_arr = np.asarray(cands, np.int64)
        # exact component scores for every candidate (for display, weighted fusion and relevance)
        full: dict[str, np.ndarray] = {}
        for t in lex:
            full["bm25" if len(lex) == 1 else f"bm25:{t}"] = full_bm25[t][cand_arr]
        for e in dense:
            full[f"dense:{e}"] = self.dense[e].vectors(cand_arr) @ qvecs[e]
        fused = np.zeros(len(cands), np.float64)
        if fusion == "rrf":
            for key, comp in comp_ranks.items():
                wk = float(w.get(key, w.get(key.split(":")[0], 1.0)))
                fused += np.array([wk / (rk + comp[g]) if g in comp else 0.0 for g in cands])
        else:
            for key, vals in full.items():
                wk = float(w.get(key, w.get(key.split(":")[0], 1.0)))
                if key.startswith("bm25"):
                    mx = float(vals.max())
                    norm = vals / mx if mx > 0 else np.zeros_like(vals)
                else:
                    lo, hi = float(vals.min()), float(vals.max())
                    norm = (vals - lo) / (hi - lo) if hi > lo else np.ones_like(vals)
                fused += wk * norm
        bm_first = full.get("bm25", np.zeros(len(cands)))
        order = sorted(range(len(cands)), key=lambda i: (-fused[i], -bm_first[i], cands[i]))
        ranked = [cands[i] for i in order]
        fused_by_g = {cands[i]: float(fused[i]) for i in order}
        parts = {cands[i]: {k: float(v[i]) for k, v in full.items()} for i in order}
        ranks = {g: {k: r.get(g) for k, r in comp_ranks.items()} for g in ranked}
        return ranked, fused_by_g, parts, ranks

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
    ) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            return []
        ranked, fused, parts, ranks = self.rank(query, mode, filters, fusion, tokenizer, encoders, weights, candidates)
        mask = self.allowed_docs(filters)
        tok = tokenizer or self.tokenizer
        bm = self.bm25.get(tok) or next(iter(self.bm25.values()))
        terms = bm.query_terms(query)
        common = self._common.get(bm.tokenizer.name, set())
        hits: list[Hit] = []
        for g in ranked[:k]:
            members = self.group_members[g]
            rep = next((i for i in members if mask is None or mask[i]), members[0])
            doc = self.docs[rep]
            matched, spans = match_terms(doc.text, terms, common)
            if not matched:
                matched, spans = match_terms(doc.text, terms)
            sc = dict(parts[g])
            sc["fused"] = fused[g]
            rel = [
                self._relevance(k2.split(":", 1)[1], query, np.array([v]))[0]
                for k2, v in parts[g].items()
                if k2.startswith("dense:")
            ]
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    doc=doc,
                    group=self.group_ids[g],
                    plans=[PlanRef.of(self.docs[i], mask is None or bool(mask[i])) for i in members],
                    score=fused[g],
                    scores=sc,
                    ranks=ranks[g],
                    matched_terms=matched,
                    highlights=[[a, b] for a, b in spans],
                    relevance=float(np.mean(rel)) if rel else None,
                )
            )
        return hits

    def timed_search(self, query: str, **kw) -> tuple[list[Hit], float]:
        t = time.perf_counter()
        hits = self.search(query, **kw)
        return hits, time.perf_counter() - t
