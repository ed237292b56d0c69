"""The ranking pieces of ``SearchEngine``: a query's signals, each component's top list and their fusion.

Weighted fusion (the default, chosen by nDCG@10 on bench/search_queries.json): over the candidates (the
union of every component's top list), BM25 divided by its maximum and each dense encoder's cosine
min-max normalised, summed with weights. RRF: the sum of weight / (rrf_k + rank) per component.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .index import DenseIndex

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
# engine.query (the service's search) on the old 45 queries of bench/search_queries.json (q01-q45; see
# README "Search"): without unigrams (lexical.BM25.query_tokens) BM25 at 0.7 lost keyword nDCG@10 (0.921
# vs 0.925 before); 1.0 is the weight with the best nDCG@10 overall among those that keep keyword nDCG,
# Recall@10 and MRR at least as good (0.925 / 0.637 / 1.0; 0.9 ties, 0.85 loses). search() keeps DEFAULT_WEIGHTS.
QUERY_WEIGHTS = {"bm25": 1.0}
EXPANSION_WEIGHT = 0.75  # BM25 weight of a thesaurus term's tokens (a query token: 1 per occurrence); best of
# 0.25 / 0.5 / 0.75 / 1.0 on the paraphrase queries at that BM25 weight (nDCG@10 0.775)
DENSE_EXPANSION = "expanded"  # the dense side encodes the query + the added terms ("mean": the mean of the plain
# and the expanded vectors: paraphrase nDCG@10 0.765 vs 0.777 at BM25 1.0, and two encodes instead of one)


@dataclass
class QuerySignals:
    """What a query gives before ranking: BM25 over every text group, the query vectors, the terms to
    highlight and the thesaurus expansions used. ``cos`` (every group's cosine per encoder) is filled
    for ``SearchEngine.query``, which needs all of them for the floor and the total."""

    query: str
    expansions: list
    terms: list[str]  # tokens to highlight: the query's, then the expansions'
    lexical: dict[str, float]  # BM25 query as {token: weight}
    bm25: np.ndarray | None  # BM25 of every text group (None: no lexical component)
    dense_text: str  # the text the dense side encodes (the query, or it with the expansions)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # encoder -> query vector
    cos: dict[str, np.ndarray] = field(default_factory=dict)  # encoder -> cosine of every group
    tokenizer: str = ""  # the BM25 tokeniser whose terms these are


def lexical_weights(bm, query: str, expansions, weight: float = EXPANSION_WEIGHT) -> dict[str, float]:
    """The BM25 query: the query's tokens (1 per occurrence), plus each expansion term's tokens at ``weight``
    (unless the query has them already). Single characters count only when no longer token, the
    expansions' included, matches anything (``BM25.query_tokens``)."""
    more: dict[str, float] = {}
    for e in expansions:
        for term in e.terms:
            for w in bm.query_tokens(term, unigrams=len(term) == 1):
                more[w] = max(more.get(w, 0.0), weight)
    own = bm.query_tokens(query, unigrams=False if any(len(w) > 1 for w in more) else None)
    out: dict[str, float] = {}
    for w in own:
        out[w] = out.get(w, 0.0) + 1.0
    for w, x in more.items():
        out[w] = max(out.get(w, 0.0), x)
    return out


def top_groups(scores: np.ndarray, allowed: np.ndarray | None, depth: int, positive: bool) -> np.ndarray:
    """The ``depth`` best groups by ``scores`` (among ``allowed``; only scores > 0 when ``positive``),
    best first, ties by group order."""
    if allowed is not None:
        s = np.full(len(scores), -np.inf, np.float64)
        s[allowed] = scores[allowed]
        pos = np.asarray(allowed, np.int64)
    else:
        s = np.asarray(scores, np.float64)
        pos = np.arange(len(s))
    if positive:
        pos = pos[s[pos] > 0]
    if len(pos) > depth:
        pos = pos[np.argpartition(-s[pos], depth - 1)[:depth]]
    return pos[np.argsort(-s[pos], kind="stable")]


def weight_of(weights: dict, key: str) -> float:
    """A component's weight: by its full key ("dense:e5-small"), else its kind ("dense"), else 1."""
    return float(weights.get(key, weights.get(key.split(":")[0], 1.0)))


def fuse(
    cands: np.ndarray, at: dict[str, np.ndarray], tops: dict[str, np.ndarray], fusion: str, weights: dict, rrf_k: int
):
    """Fused ranking of the candidate groups ``cands`` (sorted).

    ``at``: each component's score of every candidate; ``tops``: each component's top list (best first).
    Returns (groups best first, {group: fused}, {group: {component: score}}, {group: {component: rank}}).
    """
    if fusion not in FUSIONS:
        raise ValueError(f"fusion must be one of {FUSIONS}")
    comp_ranks = {key: {int(g): r + 1 for r, g in enumerate(top)} for key, top in tops.items()}
    cand = [int(g) for g in cands]
    if not cand:
        return [], {}, {}, {}
    fused = np.zeros(len(cand), np.float64)
    if fusion == "rrf":
        for key, comp in comp_ranks.items():
            wk = weight_of(weights, key)
            fused += np.array([wk / (rrf_k + comp[g]) if g in comp else 0.0 for g in cand])
    else:
        for key, vals in at.items():
            if key.startswith("bm25"):
                mx = float(vals.max())
                norm = vals / mx if mx > 0 else np.zeros_like(vals)
            else:
                lo, hi = float(vals.min()), float(vals.max())
                norm = (vals - lo) / (hi - lo) if hi > lo else np.ones_like(vals)
            fused += weight_of(weights, key) * norm
    bm_first = at.get("bm25", np.zeros(len(cand)))
    order = sorted(range(len(cand)), key=lambda i: (-fused[i], -bm_first[i], cand[i]))
    ranked = [cand[i] for i in order]
    fused_by_g = {cand[i]: float(fused[i]) for i in order}
    parts = {cand[i]: {k: float(v[i]) for k, v in at.items()} for i in order}
    ranks = {g: {k: r.get(g) for k, r in comp_ranks.items()} for g in ranked}
    return ranked, fused_by_g, parts, ranks


def all_vectors(dense: DenseIndex) -> np.ndarray:
    """Every vector of a flat or HNSW faiss index as one (n, d) array: a view of faiss's own memory
    (no copy), else reconstructed."""
    import faiss

    index = dense.index
    storage = faiss.downcast_index(index.storage) if hasattr(index, "storage") else index
    n, d = int(storage.ntotal), int(storage.d)
    try:
        return faiss.rev_swig_ptr(storage.get_xb(), n * d).reshape(n, d)  # type: ignore[union-attr]
    except (AttributeError, TypeError):  # not a flat float storage
        return dense.vectors(np.arange(n))


class Ranking:
    """``signals``, ``rank`` over what a ``SearchEngine`` holds (a mixin, like ``Counterparts``)."""

    bm25: dict
    tokenizer: str
    encoders: dict
    dense: dict[str, DenseIndex]
    doc_group: np.ndarray
    fusion: str
    weights: dict
    rrf_k: int
    candidates: int
    expansion_weight: float
    dense_expansion: str
    _thesaurus: object

    if TYPE_CHECKING:  # provided by SearchEngine

        def encode_queries_all(self, names: Sequence[str], query: str) -> dict[str, np.ndarray]: ...
        def _vectors_of(self, name: str) -> np.ndarray: ...
        def allowed_docs(self, filters) -> np.ndarray | None: ...

    @property
    def thesaurus(self):
        if self._thesaurus is None:
            from .thesaurus import load_thesaurus

            self._thesaurus = load_thesaurus()  # parsed once per process (lru_cache), same object
        return self._thesaurus

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

    def signals(
        self,
        query: str,
        mode: str = DEFAULT_MODE,
        tokenizer: str | None = None,
        encoders: Iterable[str] | None = None,
        expand: bool = False,
        full: bool = False,
    ) -> QuerySignals:
        """BM25 of every group, the query vectors and the terms to highlight; with ``expand`` the
        thesaurus' plan terms are searched as well; with ``full`` every loaded encoder's cosine of every
        group is computed (``cos``)."""
        lex, dense = self._components(mode, tokenizer, encoders)
        expansions = self.thesaurus.expand(query) if expand else []
        bm = self.bm25[lex[0]] if lex else self.bm25.get(tokenizer or self.tokenizer) or next(iter(self.bm25.values()))
        weights = lexical_weights(bm, query, expansions, self.expansion_weight)
        dense_text = self.thesaurus.expanded_text(query) if expansions else query
        scores = bm.weighted_scores(weights) if lex else None
        sig = QuerySignals(query, expansions, list(weights), weights, scores, dense_text, tokenizer=bm.tokenizer.name)
        names = list(self.encoders) if full else dense
        if not names:
            return sig
        if dense_text == query or self.dense_expansion == "expanded":
            sig.vectors = self.encode_queries_all(names, dense_text)
        else:  # the mean of the plain and the expanded query's vectors
            plain, more = self.encode_queries_all(names, query), self.encode_queries_all(names, dense_text)
            for n in names:
                v = plain[n] + more[n]
                sig.vectors[n] = (v / max(float(np.linalg.norm(v)), 1e-12)).astype(plain[n].dtype)
            sig.dense_text = "mean\x00" + dense_text
        if full:
            sig.cos = {n: np.einsum("ij,j->i", self._vectors_of(n), sig.vectors[n]) for n in names}
        return sig

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
        expand: bool = False,
    ):
        """Fused ranking of text groups: (group ids ordered, fused scores, component scores/ranks)."""
        sig = self.signals(query, mode, tokenizer, encoders, expand)
        _, dense = self._components(mode, tokenizer, encoders)
        return self._rank(sig, dense, self.allowed_docs(filters), fusion, weights, candidates, rrf_k)

    def _rank(self, sig: QuerySignals, dense: list[str], mask, fusion, weights, candidates, rrf_k, extra=None):
        fusion = fusion or self.fusion
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}")
        w = {**self.weights, **(weights or {})}
        depth = candidates or self.candidates
        allowed = None if mask is None else np.unique(self.doc_group[mask])
        tops: dict[str, np.ndarray] = {}
        if sig.bm25 is not None:
            tops["bm25"] = top_groups(sig.bm25, allowed, depth, positive=True)
        for e in dense:
            if e in sig.cos:
                tops[f"dense:{e}"] = top_groups(sig.cos[e], allowed, depth, positive=False)
            elif allowed is not None and not len(allowed):
                tops[f"dense:{e}"] = np.zeros(0, np.int64)
            else:
                tops[f"dense:{e}"] = self.dense[e].search(sig.vectors[e][None, :], depth, allowed)[1][0]
        cands = np.unique(np.concatenate([*tops.values(), np.zeros(0, np.int64) if extra is None else extra]))
        at: dict[str, np.ndarray] = {}
        if sig.bm25 is not None:
            at["bm25"] = sig.bm25[cands]
        for e in dense:
            at[f"dense:{e}"] = sig.cos[e][cands] if e in sig.cos else self.dense[e].vectors(cands) @ sig.vectors[e]
        return fuse(cands.astype(np.int64), at, tops, fusion, w, rrf_k or self.rrf_k)
