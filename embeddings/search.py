"""Hybrid search over plan units: BM25 + one or more dense encoders, fused.

    engine = SearchEngine.load("var/search")            # or SearchEngine.from_corpus("data/plans", dir)
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

import numpy as np

from .documents import SearchDoc
from .encoders import Encoder, configure_threads, load_encoder
from .index import DenseIndex, default_index_dir, ensure_index, load_docs, load_groups, read_meta
from .lexical import BM25, common_terms, match_terms

MODES = ("hybrid", "bm25", "dense")
FUSIONS = ("rrf", "weighted")
DEFAULT_MODE = "hybrid"
# chosen by nDCG@10 on bench/search_queries.json (docs/search_benchmark_results.md): a weighted sum of
# min-max-normalised scores beat reciprocal rank fusion, and BM25 at 0.7 of a dense encoder's weight
# kept keyword queries as good while helping paraphrases (BM25 is weak there)
DEFAULT_FUSION = "weighted"
DEFAULT_WEIGHTS = {"bm25": 0.7}     # per component: "bm25", "dense" or "dense:<encoder name>"; default 1.0
RRF_K = 60
DEFAULT_CANDIDATES = 100        # depth of each component's ranked list before fusion
SIMILAR_THRESHOLD = 0.45        # calibrated similarity (0 = unrelated on average, 1 = identical)
# gaps(): a plan covers a topic when its best unit among the top-N hits has a relevance (query z-score,
# see Hit.relevance) of at least max(GAP_MIN_Z, GAP_RELATIVE x the best relevance of any plan)
GAP_MIN_Z = 2.0
GAP_RELATIVE = 0.6
Z_SAMPLE = 4096                 # vectors used to estimate a query's score distribution per encoder

FilterValue = Union[str, Sequence[str], None]


_POOL: tuple[int, Optional[ThreadPoolExecutor]] = (0, None)


def _query_pool() -> ThreadPoolExecutor:
    """Threads for encoding one query with several models at once; made again in a forked child."""
    global _POOL
    pid = os.getpid()
    if _POOL[0] != pid or _POOL[1] is None:
        _POOL = (pid, ThreadPoolExecutor(max_workers=4, thread_name_prefix="query-encode"))
    return _POOL[1]


@dataclass
class SearchFilters:
    plan: FilterValue = None            # plan iri, plan id ("<file stem>#<n>") or title (substring)
    plan_type: FilterValue = None       # children | women
    region: FilterValue = None          # "杭州市" (substring match: "杭州")
    level: FilterValue = None           # province | city | county | district
    period: FilterValue = None          # "2021-2025" or a year inside the period ("2030")
    domain_concept: FilterValue = None  # "children-safety" (or the topic alone: "safety")
    kind: FilterValue = None            # goal | measure | key_project
    agency: FilterValue = None          # agency key ("health") or label (substring)
    law: FilterValue = None             # canonical law title (substring: "反家庭暴力法")

    @classmethod
    def from_any(cls, f: Union["SearchFilters", dict, None]) -> "SearchFilters":
        if f is None:
            return cls()
        if isinstance(f, SearchFilters):
            return f
        unknown = set(f) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown filter(s): {sorted(unknown)}")
        return cls(**{k: v for k, v in f.items() if v not in (None, "", [])})

    def items(self):
        for k in self.__dataclass_fields__:
            v = getattr(self, k)
            if v not in (None, "", [], ()):
                yield k, ([v] if isinstance(v, str) else [str(x) for x in v])

    def key(self) -> tuple:
        return tuple((k, tuple(v)) for k, v in self.items())


def _norm_period(s: str) -> str:
    return s.replace("—", "-").replace("–", "-").replace("－", "-").replace(" ", "")


def doc_matches(doc: SearchDoc, field_name: str, values: list[str]) -> bool:
    for v in values:
        v = v.strip()
        if not v:
            continue
        if field_name == "plan":
            if v in (doc.plan_iri, doc.plan_id) or v == doc.plan_title or (len(v) >= 2 and v in doc.plan_title):
                return True
        elif field_name in ("plan_type", "level", "kind"):
            if getattr(doc, field_name) == v:
                return True
        elif field_name == "region":
            if doc.region == v or (v and v in doc.region):
                return True
        elif field_name == "period":
            pv = _norm_period(v)
            if pv == _norm_period(doc.period):
                return True
            if pv.isdigit() and doc.period and "-" in doc.period:
                a, b = doc.period.split("-", 1)
                if a.isdigit() and b.isdigit() and int(a) <= int(pv) <= int(b):
                    return True
        elif field_name == "domain_concept":
            v = _iri_tail(v, "/concept/")
            if doc.domain_concept == v or doc.domain_concept.endswith("-" + v):
                return True
        elif field_name == "agency":
            if "/agency/" in v:       # an agency IRI: id:agency/<h12 of region>/<type key>
                region_hash, _, key = v.split("/agency/", 1)[1].partition("/")
                if key in doc.agency_keys and _region_hash(doc.region) in ("", region_hash):
                    return True
                continue
            v = _iri_tail(v, "/agency-type/")
            if v in doc.agency_keys or any(v == a or v in a for a in doc.agencies):
                return True
        elif field_name == "law":
            if "/law/" in v:
                if any(_law_iri(t) == v for t in doc.laws):
                    return True
                continue
            if any(v == t or v in t for t in doc.laws):
                return True
    return False


def _agency_type_label(key: str, fallback: str) -> str:
    try:
        from graph.extract.agency_lexicon import types_by_key
        t = types_by_key().get(key)
        return t.zh if t else fallback
    except Exception:
        return fallback


def _iri_tail(v: str, marker: str) -> str:
    if marker in v:
        from urllib.parse import unquote
        return unquote(v.rsplit(marker, 1)[1])
    return v


def _region_hash(region: str) -> str:
    try:
        from graph.rdf.iri import normalise_title, short_hash
    except Exception:
        return ""
    return short_hash(normalise_title(region))


def _law_iri(title: str) -> str:
    try:
        from graph.rdf.iri import law
    except Exception:
        return ""
    return str(law(title))


@dataclass
class PlanRef:
    """One member of a hit's duplicate group: a unit in some plan."""
    doc_id: str
    doc_iri: str
    plan_id: str
    plan_iri: str
    plan_title: str
    plan_type: str
    region: str
    level: str
    period: str
    kind: str
    number: int
    domain_title: str
    domain_concept: str
    file: str
    line: int
    in_filter: bool = True      # does this member itself satisfy the filters?

    @classmethod
    def of(cls, d: SearchDoc, in_filter: bool = True) -> "PlanRef":
        return cls(d.id, d.iri, d.plan_id, d.plan_iri, d.plan_title, d.plan_type, d.region, d.level,
                   d.period, d.kind, d.number, d.domain_title, d.domain_concept, d.file, d.line, in_filter)


@dataclass
class Hit:
    rank: int
    doc: SearchDoc                      # representative unit (first member that passes the filters)
    group: str
    plans: list[PlanRef]                # every plan/unit sharing this text (len > 1: duplicates)
    score: float                        # fused score (mode-dependent scale)
    scores: dict                        # {"bm25": .., "dense:e5-small": cos, ..., "fused": ..}
    ranks: dict                         # 1-based rank per component (None: not in its top list)
    matched_terms: list[str] = field(default_factory=list)
    highlights: list[list[int]] = field(default_factory=list)   # [start, end) offsets into doc.text
    relevance: Optional[float] = None   # query z-score of the dense cosine, mean over encoders (None: no dense)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["doc"] = self.doc.to_dict()
        return d


@dataclass
class SimilarHit:
    doc: SearchDoc
    plan: PlanRef
    score: float                        # calibrated similarity, mean over encoders (1 = same text)
    cosines: dict                       # raw cosine per encoder
    same_text: bool
    shared_agencies: list[str]          # generic labels of agency types named by both units
    agencies_only_source: list[str]     # labels (as in the source plan) of agencies only the source names
    agencies_only_target: list[str]     # labels (as in the target plan) of agencies only the target names
    shared_laws: list[str]
    laws_only_source: list[str]
    laws_only_target: list[str]
    shared_agency_keys: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["doc"] = self.doc.to_dict()
        return d


class SimilarResult(list):
    """``list[SimilarHit]`` that also knows its source unit."""

    def __init__(self, items=(), source: Optional[SearchDoc] = None, threshold: float = SIMILAR_THRESHOLD):
        super().__init__(items)
        self.source = source
        self.threshold = threshold


@dataclass
class PlanCoverage:
    plan_id: str
    plan_iri: str
    plan_title: str
    plan_type: str
    region: str
    covered: bool
    best_relevance: Optional[float]
    best_doc_id: Optional[str]
    best_text: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


class SearchEngine:
    def __init__(self, index_dir=None, encoders: Union[dict, Sequence[Encoder], None] = None,
                 tokenizer: Optional[str] = None, fusion: str = DEFAULT_FUSION,
                 weights: Optional[dict] = None, rrf_k: int = RRF_K,
                 candidates: int = DEFAULT_CANDIDATES, query_cache: int = 256,
                 load_encoders: bool = True):
        configure_threads()
        self.index_dir = Path(index_dir or default_index_dir())
        meta = read_meta(self.index_dir)
        if meta is None:
            raise FileNotFoundError(f"no search index in {self.index_dir} (build it with ensure_index)")
        self.meta = meta
        self.docs: list[SearchDoc] = load_docs(self.index_dir)
        self._by_id = {d.id: i for i, d in enumerate(self.docs)}
        self._by_iri: Optional[dict] = None
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
    def load(cls, index_dir=None, **kw) -> "SearchEngine":
        return cls(index_dir, **kw)

    @classmethod
    def from_corpus(cls, corpus_folder=None, index_dir=None, encoder_specs=None, encoders=None,
                    progress: bool = True, hnsw: Optional[bool] = None, **kw) -> "SearchEngine":
        """Build (only if the corpus or settings changed) and load."""
        ensure_index(index_dir, corpus_folder=corpus_folder, encoder_specs=encoder_specs,
                     encoders=list(encoders.values()) if isinstance(encoders, dict) else encoders,
                     progress=progress, hnsw=hnsw)
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
                seen[d.plan_id] = {"plan_id": d.plan_id, "plan_iri": d.plan_iri, "plan_title": d.plan_title,
                                   "plan_type": d.plan_type, "region": d.region, "level": d.level,
                                   "period": d.period, "units": 0}
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
        for name, v in zip(todo, vecs):     # the cache is touched on this thread only
            out[name] = v
            if self._qcache_size:
                self._qcache[(name, query)] = v
                if len(self._qcache) > self._qcache_size:
                    self._qcache.popitem(last=False)
        return out

    def clear_query_cache(self) -> None:
        self._qcache.clear()

    def allowed_docs(self, filters: Union[SearchFilters, dict, None]) -> Optional[np.ndarray]:
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
            ids = np.arange(n) if n <= Z_SAMPLE else np.sort(
                np.random.default_rng(7).choice(n, size=Z_SAMPLE, replace=False))
            sample = self._z_sample[name] = self.dense[name].vectors(ids)
        # einsum, not ``@``: a 4096×d matvec through multithreaded OpenBLAS takes ~10 ms instead of
        # ~0.3 ms when the cores are busy (thread hand-off), which was the search p99 at 10× the corpus
        s = np.einsum("ij,j->i", sample, np.asarray(qv, sample.dtype).ravel())
        return float(s.mean()), float(max(s.std(), 1e-6))

    def _relevance(self, name: str, query: str, cos: np.ndarray) -> np.ndarray:
        """Query z-score: how many standard deviations above this query's mean cosine."""
        key = (name, query)
        z = self._zcache.get(key)
        if z is None:       # once per (encoder, query), not once per hit: a matvec over Z_SAMPLE vectors
            z = self._zcache[key] = self._zstats(name, self.encode_query(name, query))
            if len(self._zcache) > 1024:
                self._zcache.pop(next(iter(self._zcache)))
        mu, sd = z
        return (np.asarray(cos, np.float64) - mu) / sd

    def _similarity(self, name: str, cos: np.ndarray) -> np.ndarray:
        mu = float(self.calibration.get(name, {}).get("doc_mean", 0.0))
        return (cos - mu) / max(1e-6, 1.0 - mu)

    def _components(self, mode: str, tokenizer: Optional[str], encoders: Optional[Iterable[str]]):
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

    def rank(self, query: str, mode: str = DEFAULT_MODE, filters=None, fusion: Optional[str] = None,
             tokenizer: Optional[str] = None, encoders: Optional[Iterable[str]] = None,
             weights: Optional[dict] = None, candidates: Optional[int] = None, rrf_k: Optional[int] = None):
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
            order = pos[np.argsort(-s2[pos], kind="stable")]
            key = "bm25" if len(lex) == 1 else f"bm25:{t}"
            comp_scores[key] = {int(g): float(s[g]) for g in order}
            comp_ranks[key] = {int(g): r + 1 for r, g in enumerate(order)}
        qvecs = self.encode_queries_all(dense, query)
        for e in dense:
            qv = qvecs[e]
            if allowed_groups is not None and not len(allowed_groups):
                D, I = np.zeros((1, 0)), np.zeros((1, 0), np.int64)
            else:
                D, I = self.dense[e].search(qv[None, :], depth, allowed_groups)
            key = f"dense:{e}"
            comp_scores[key] = {int(g): float(d) for g, d in zip(I[0], D[0])}
            comp_ranks[key] = {int(g): r + 1 for r, g in enumerate(I[0])}
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
            for key, ranks in comp_ranks.items():
                wk = float(w.get(key, w.get(key.split(":")[0], 1.0)))
                fused += np.array([wk / (rk + ranks[g]) if g in ranks else 0.0 for g in cands])
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
    def search(self, query: str, k: int = 10, filters=None, mode: str = DEFAULT_MODE,
               fusion: Optional[str] = None, tokenizer: Optional[str] = None,
               encoders: Optional[Iterable[str]] = None, weights: Optional[dict] = None,
               candidates: Optional[int] = None) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            return []
        ranked, fused, parts, ranks = self.rank(query, mode, filters, fusion, tokenizer, encoders,
                                                weights, candidates)
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
            rel = [self._relevance(k2.split(":", 1)[1], query, np.array([v]))[0]
                   for k2, v in parts[g].items() if k2.startswith("dense:")]
            hits.append(Hit(rank=len(hits) + 1, doc=doc, group=self.group_ids[g],
                            plans=[PlanRef.of(self.docs[i], mask is None or bool(mask[i])) for i in members],
                            score=fused[g], scores=sc, ranks=ranks[g], matched_terms=matched,
                            highlights=[[a, b] for a, b in spans],
                            relevance=float(np.mean(rel)) if rel else None))
        return hits

    def similar(self, doc_id: str, per_plan: int = 1, threshold: Optional[float] = SIMILAR_THRESHOLD,
                kinds: Optional[Iterable[str]] = None, plan_type: Optional[str] = None,
                encoders: Optional[Iterable[str]] = None) -> "SimilarResult":
        """For a unit (id or IRI), its best counterpart(s) in every other plan above ``threshold``.

        Score: calibrated cosine ((cos - mean unrelated cos) / (1 - mean)), averaged over encoders;
        units with the same normalised text score 1.0. Agencies are compared by lexicon key.
        """
        if threshold is None:
            threshold = SIMILAR_THRESHOLD
        src = self.doc(doc_id)
        g0 = int(self.doc_group[self._doc_index(doc_id)])
        names = list(encoders if encoders is not None else self.encoders)
        if not names:
            raise ValueError("similar() needs a dense encoder")
        kinds = set(kinds) if kinds else None
        depth = min(len(self.group_ids), 1000)
        cand: set[int] = set()
        vec0 = {}
        for e in names:
            vec0[e] = self.dense[e].vectors([g0])[0]
            _, I = self.dense[e].search(vec0[e][None, :], depth)
            cand.update(int(i) for i in I[0])
        cand.add(g0)
        ca = np.asarray(sorted(cand), np.int64)
        cos = {e: self.dense[e].vectors(ca) @ vec0[e] for e in names}
        sim = np.mean([self._similarity(e, cos[e]) for e in names], axis=0)
        best: dict[str, list[tuple[float, int, int]]] = {}
        for j, g in enumerate(ca.tolist()):
            s = 1.0 if g == g0 else float(sim[j])
            if s < threshold:
                continue
            for i in self.group_members[g]:
                d = self.docs[i]
                if d.plan_id == src.plan_id or (kinds and d.kind not in kinds) or (
                        plan_type and d.plan_type != plan_type):
                    continue
                best.setdefault(d.plan_id, []).append((s, i, j))
        out = SimilarResult(source=src, threshold=threshold)
        src_keys = dict(zip(src.agency_keys, src.agencies))
        for plan_id, lst in best.items():
            lst.sort(key=lambda x: (-x[0], x[1]))
            for s, i, j in lst[:per_plan]:
                d = self.docs[i]
                tgt_keys = dict(zip(d.agency_keys, d.agencies))
                out.append(SimilarHit(
                    doc=d, plan=PlanRef.of(d), score=round(s, 4),
                    cosines={e: float(cos[e][j]) for e in names}, same_text=int(ca[j]) == g0,
                    shared_agencies=[_agency_type_label(k, src_keys[k]) for k in src_keys if k in tgt_keys],
                    agencies_only_source=[src_keys[k] for k in src_keys if k not in tgt_keys],
                    agencies_only_target=[tgt_keys[k] for k in tgt_keys if k not in src_keys],
                    shared_agency_keys=[k for k in src_keys if k in tgt_keys],
                    shared_laws=[x for x in src.laws if x in d.laws],
                    laws_only_source=[x for x in src.laws if x not in d.laws],
                    laws_only_target=[x for x in d.laws if x not in src.laws]))
        out.sort(key=lambda h: (-h.score, h.plan.plan_id))
        return out

    def coverage(self, query: str, top_n: int = 50, min_z: float = GAP_MIN_Z, relative: float = GAP_RELATIVE,
                 filters=None) -> list[PlanCoverage]:
        """For every plan (passing the filters): does it have a unit on ``query``?

        The hybrid top-N hits are scored by relevance (query z-score, mean over encoders); a plan is
        covered when its best unit among them reaches max(``min_z``, ``relative`` x the best unit's
        relevance). Without dense encoders the BM25 score relative to the best hit is used instead.
        """
        dense = bool(self.encoders)
        hits = self.search(query, k=top_n, filters=filters, mode="hybrid" if dense else "bm25")
        mask = self.allowed_docs(filters)
        best: dict[str, tuple[float, str, str]] = {}
        top_bm = max([h.scores.get("bm25", 0.0) for h in hits] or [0.0])
        for h in hits:
            if dense:
                rel = h.relevance if h.relevance is not None else float("-inf")
            else:
                rel = h.scores.get("bm25", 0.0) / top_bm if top_bm > 0 else 0.0
            for p in h.plans:
                if not p.in_filter:
                    continue
                if p.plan_id not in best or rel > best[p.plan_id][0]:
                    best[p.plan_id] = (rel, p.doc_id, h.doc.text)
        top = max([b[0] for b in best.values()] or [0.0])
        limit = max(min_z, relative * top) if dense else max(0.0, relative)
        out = []
        plan_ok = None if mask is None else {self.docs[i].plan_id for i in np.flatnonzero(mask)}
        for p in self.plans():
            if plan_ok is not None and p["plan_id"] not in plan_ok:
                continue
            b = best.get(p["plan_id"])
            out.append(PlanCoverage(p["plan_id"], p["plan_iri"], p["plan_title"], p["plan_type"], p["region"],
                                    covered=bool(b and b[0] >= limit),
                                    best_relevance=round(float(b[0]), 4) if b else None,
                                    best_doc_id=b[1] if b else None, best_text=b[2] if b else ""))
        return out

    def gaps(self, query: str, top_n: int = 50, min_z: float = GAP_MIN_Z, relative: float = GAP_RELATIVE,
             filters=None) -> list[PlanCoverage]:
        """Plans with no unit on the topic (see ``coverage``)."""
        return [c for c in self.coverage(query, top_n, min_z, relative, filters) if not c.covered]

    def timed_search(self, query: str, **kw) -> tuple[list[Hit], float]:
        t = time.perf_counter()
        hits = self.search(query, **kw)
        return hits, time.perf_counter() - t


# ------------------------------------------------------------------ plain-dict views (CLI / JSON)
def hit_to_dict(hit: Hit) -> dict:
    """A hit as one flat JSON-ready dict (doc fields at top level, plus score parts and plans)."""
    d = hit.doc.to_dict()
    d.update({"rank": hit.rank, "group": hit.group, "score": float(hit.score),
              "scores": {k: float(v) for k, v in hit.scores.items()}, "ranks": dict(hit.ranks),
              "relevance": None if hit.relevance is None else float(hit.relevance),
              "matched_terms": list(hit.matched_terms), "highlights": [list(x) for x in hit.highlights],
              "plans": [asdict(p) for p in hit.plans]})
    return d


def similar_to_dict(result: "SimilarResult") -> dict:
    src = result.source.to_dict() if result.source is not None else None
    out = []
    for h in result:
        d = h.doc.to_dict()
        d.update({"score": float(h.score), "cosines": h.cosines, "same_text": h.same_text,
                  "shared_agencies": h.shared_agencies, "other_agencies": h.agencies_only_target,
                  "agencies_only_source": h.agencies_only_source, "agencies_only_target": h.agencies_only_target,
                  "shared_laws": h.shared_laws, "laws_only_source": h.laws_only_source,
                  "laws_only_target": h.laws_only_target})
        out.append(d)
    return {"source": src, "threshold": getattr(result, "threshold", None), "counterparts": out}
