"""Comparing across plans: the counterparts of a unit in every other plan (``similar``) and which
plans cover a topic at all (``coverage``, ``gaps``). A mixin of ``embeddings.engine.SearchEngine``,
kept apart because ranking and comparing are two jobs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.extract.agency_lexicon import types_by_key

from .documents import SearchDoc
from .index import DenseIndex
from .results import SIMILAR_THRESHOLD, Hit, PlanCoverage, PlanRef, SimilarHit, SimilarResult

# coverage(): a plan covers a topic when its best unit among the top-N hits has a relevance (query
# z-score, see Hit.relevance) of at least max(GAP_MIN_Z, GAP_RELATIVE x the best relevance of any plan)
GAP_MIN_Z = 2.0
GAP_RELATIVE = 0.6


def _agency_type_label(key: str, fallback: str) -> str:
    t = types_by_key().get(key)
    return t.zh if t else fallback


class Counterparts:
    """``similar``, ``coverage`` and ``gaps`` over what a ``SearchEngine`` holds."""

    docs: list[SearchDoc]
    doc_group: np.ndarray
    group_ids: list[str]
    group_members: list[list[int]]
    encoders: dict[str, Any]
    dense: dict[str, DenseIndex]

    if TYPE_CHECKING:  # provided by SearchEngine

        def doc(self, doc_id: str) -> SearchDoc: ...
        def _doc_index(self, doc_id: str) -> int: ...
        def _similarity(self, name: str, cos: np.ndarray) -> np.ndarray: ...
        def plans(self) -> list[dict]: ...
        def allowed_docs(self, filters) -> np.ndarray | None: ...
        def search(self, query: str, k: int = 10, filters=None, mode: str = "hybrid") -> list[Hit]: ...

    def similar(
        self,
        doc_id: str,
        per_plan: int = 1,
        threshold: float | None = SIMILAR_THRESHOLD,
        kinds: Iterable[str] | None = None,
        plan_type: str | None = None,
        encoders: Iterable[str] | None = None,
    ) -> SimilarResult:
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
            _, ids = self.dense[e].search(vec0[e][None, :], depth)
            cand.update(int(i) for i in ids[0])
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
                if (
                    d.plan_id == src.plan_id
                    or (kinds and d.kind not in kinds)
                    or (plan_type and d.plan_type != plan_type)
                ):
                    continue
                best.setdefault(d.plan_id, []).append((s, i, j))
        out = SimilarResult(source=src, threshold=threshold)
        src_keys = dict(zip(src.agency_keys, src.agencies, strict=True))
        for lst in best.values():
            lst.sort(key=lambda x: (-x[0], x[1]))
            for s, i, j in lst[:per_plan]:
                d = self.docs[i]
                tgt_keys = dict(zip(d.agency_keys, d.agencies, strict=True))
                out.append(
                    SimilarHit(
                        doc=d,
                        plan=PlanRef.of(d),
                        score=round(s, 4),
                        cosines={e: float(cos[e][j]) for e in names},
                        same_text=int(ca[j]) == g0,
                        shared_agencies=[_agency_type_label(k, src_keys[k]) for k in src_keys if k in tgt_keys],
                        agencies_only_source=[src_keys[k] for k in src_keys if k not in tgt_keys],
                        agencies_only_target=[tgt_keys[k] for k in tgt_keys if k not in src_keys],
                        shared_agency_keys=[k for k in src_keys if k in tgt_keys],
                        shared_laws=[x for x in src.laws if x in d.laws],
                        laws_only_source=[x for x in src.laws if x not in d.laws],
                        laws_only_target=[x for x in d.laws if x not in src.laws],
                    )
                )
        out.sort(key=lambda h: (-h.score, h.plan.plan_id))
        return out

    def coverage(
        self, query: str, top_n: int = 50, min_z: float = GAP_MIN_Z, relative: float = GAP_RELATIVE, filters=None
    ) -> list[PlanCoverage]:
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
        for plan in self.plans():
            if plan_ok is not None and plan["plan_id"] not in plan_ok:
                continue
            b = best.get(plan["plan_id"])
            out.append(
                PlanCoverage(
                    plan["plan_id"],
                    plan["plan_iri"],
                    plan["plan_title"],
                    plan["plan_type"],
                    plan["region"],
                    covered=bool(b and b[0] >= limit),
                    best_relevance=round(float(b[0]), 4) if b else None,
                    best_doc_id=b[1] if b else None,
                    best_text=b[2] if b else "",
                )
            )
        return out

    def gaps(
        self, query: str, top_n: int = 50, min_z: float = GAP_MIN_Z, relative: float = GAP_RELATIVE, filters=None
    ) -> list[PlanCoverage]:
        """Plans with no unit on the topic (see ``coverage``)."""
        return [c for c in self.coverage(query, top_n, min_z, relative, filters) if not c.covered]
