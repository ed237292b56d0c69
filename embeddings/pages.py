"""``SearchEngine.query``: one page of results a person can trust. A mixin of
``embeddings.engine.SearchEngine``, kept apart because ranking and presenting are two jobs.

* Only hits above the relevance floor (``floor.py``) count, and ``total`` counts all of them (every
  group is scored, not only the top k), so "共 N 条" is a real number and paging by ``offset`` works.
* Near-identical texts (``grouping.py``) fold into the best-ranked one, listed in its ``plans`` with
  ``near=True``, so the first page is not five copies of one template.
* ``group_by="plan"``: every plan member of a passing text counts once in its plan (duplicates and
  near-duplicates are not folded, since the plans are apart anyway); ``groups`` gives each plan's count
  and best hits, the counts add up to ``total``, and ``hits`` pages through the same entries.
* Nothing above the floor: ``closest`` holds the few best hits below it, to show apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .floor import Floor, coverage, dense_absolute
from .grouping import collapse, near_duplicates
from .lexical import BM25
from .ranking import DEFAULT_MODE, QuerySignals
from .results import Hit, PlanGroup, SearchPage

CLOSEST = 3  # hits shown apart when nothing passes the floor
GROUP_SHOW = 3  # best hits listed per plan when grouped
GROUP_BY = ("plan",)
FACETS = ("plan", "plan_type", "level", "domain", "kind", "agency")


class Pages:
    """``query``, ``floor_features`` and ``near_neighbours`` over what a ``SearchEngine`` holds."""

    docs: list
    group_ids: list[str]
    group_members: list[list[int]]
    doc_group: np.ndarray
    bm25: dict[str, BM25]
    tokenizer: str
    encoders: dict[str, Any]
    calibration: dict[str, dict]
    floor: Floor
    query_weights: dict
    _near: list | None

    if TYPE_CHECKING:  # provided by SearchEngine

        def signals(
            self, query: str, mode: str = ..., tokenizer=None, encoders=None, expand=False, full=False
        ) -> QuerySignals: ...
        def _components(self, mode: str, tokenizer, encoders) -> tuple[list[str], list[str]]: ...
        def _rank(self, sig, dense, mask, fusion, weights, candidates, rrf_k, extra=None) -> tuple: ...
        def _hit(self, rank, g, sig, ranking, mask, near=(), floor_score=None, rep=None) -> Hit: ...
        def allowed_docs(self, filters) -> np.ndarray | None: ...

    def near_neighbours(self) -> list[frozenset[int]]:
        """For each text group, the groups of near-identical text (computed once, on first use)."""
        if self._near is None:
            texts = [self.docs[m[0]].text for m in self.group_members]
            self._near = near_duplicates(texts)  # a race computes it twice, with the same result
        return self._near

    def _floor_scores(self, sig: QuerySignals) -> tuple[np.ndarray | None, np.ndarray]:
        bm = self.bm25[self.tokenizer]  # the floor was calibrated with the default tokeniser
        return dense_absolute(sig.cos, self.calibration), coverage(bm, sig.query, sig.expansions)

    def floor_features(self, query: str, expand: bool = True) -> tuple[np.ndarray | None, np.ndarray]:
        """Every text group's dense score and term coverage for ``query`` (``floor.py``): what the floor
        score is made of, for calibration."""
        return self._floor_scores(self.signals(query.strip(), expand=expand, full=True))

    def query(
        self,
        query: str,
        k: int = 10,
        offset: int = 0,
        filters=None,
        mode: str = DEFAULT_MODE,
        expand: bool = True,
        floor: bool = True,
        group_by: str | None = None,
        *,
        fusion: str | None = None,
        tokenizer: str | None = None,
        encoders=None,
        weights: dict | None = None,
        candidates: int | None = None,
    ) -> SearchPage:
        """The hits ranked ``offset+1`` … ``offset+k`` above the relevance floor, and how many there are."""
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, not {k!r}")
        if not isinstance(offset, int) or offset < 0:
            raise ValueError(f"offset must be an integer of at least 0, not {offset!r}")
        if group_by is not None and group_by not in GROUP_BY:
            raise ValueError(f"group_by must be one of {GROUP_BY} or None, not {group_by!r}")
        query = (query or "").strip()
        _, dense = self._components(mode, tokenizer, encoders)
        if not query:
            return SearchPage(query, [], 0, offset, k, mode, groups=[] if group_by else None)
        sig = self.signals(query, mode, tokenizer, encoders, expand, full=True)
        mask = self.allowed_docs(filters)
        dense_abs, cov = self._floor_scores(sig)
        score = self.floor.scores(dense_abs, cov)
        threshold = self.floor.threshold(dense_abs is not None) if floor else None
        extra = None
        if threshold is not None:
            ok = score >= threshold
            if mode == "bm25" and sig.bm25 is not None:
                ok &= sig.bm25 > 0  # keyword mode: only texts with a query term
            if mask is not None:
                allowed = np.zeros(len(ok), bool)
                allowed[self.doc_group[mask]] = True
                ok &= allowed
            extra = np.flatnonzero(ok)
        weights = {**self.query_weights, **(weights or {})}
        ranking = self._rank(sig, dense, mask, fusion, weights, candidates, None, extra=extra)
        ranked = ranking[0]
        passing = ranked if threshold is None else [g for g in ranked if score[g] >= threshold]

        def hit(rank: int, g: int, near=(), rep=None) -> Hit:
            return self._hit(rank, g, sig, ranking, mask, near, round(float(score[g]), 4), rep)

        groups = None
        if group_by == "plan":
            entries = [(g, i) for g in passing for i in self.group_members[g] if mask is None or mask[i]]
            total = len(entries)
            hits = [hit(offset + r + 1, g, rep=i) for r, (g, i) in enumerate(entries[offset : offset + k])]
            groups = self._plan_groups(entries, hit)
        else:
            shown = collapse(passing, self.near_neighbours())
            total = len(shown)
            hits = [hit(offset + r + 1, g, near) for r, (g, near) in enumerate(shown[offset : offset + k])]
        facets = self._facets([i for g in passing for i in self.group_members[g] if mask is None or mask[i]])
        closest: list[Hit] = []
        if threshold is not None and total == 0:
            below = collapse(ranked, self.near_neighbours())[:CLOSEST]
            closest = [hit(r + 1, g, near) for r, (g, near) in enumerate(below)]
        return SearchPage(query, hits, total, offset, k, mode, sig.expansions, closest, threshold, groups, facets)

    def _facets(self, members: list[int]) -> dict[str, list[tuple[str, int]]]:
        """How many passing units each filter value has: plan, plan type, level, domain, kind, agency type.

        Units, not folded texts: a template measure in five plans counts in each plan."""
        counts: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        for i in dict.fromkeys(members):
            d = self.docs[i]
            for f, values in (
                ("plan", (d.plan_id,)),
                ("plan_type", (d.plan_type,)),
                ("level", (d.level,)),
                ("domain", (d.domain_concept,)),
                ("kind", (d.kind,)),
                ("agency", tuple(dict.fromkeys(d.agency_keys))),
            ):
                for v in values:
                    if v:
                        counts[f][v] = counts[f].get(v, 0) + 1
        return {f: sorted(c.items(), key=lambda x: (-x[1], x[0])) for f, c in counts.items()}

    def _plan_groups(self, entries: list[tuple[int, int]], hit) -> list[PlanGroup]:
        """Per plan (in the order of its best hit): how many entries, and the first ``GROUP_SHOW``."""
        by_plan: dict[str, list[tuple[int, int, int]]] = {}
        for r, (g, i) in enumerate(entries):
            by_plan.setdefault(self.docs[i].plan_id, []).append((r, g, i))
        out = []
        for items in by_plan.values():
            d = self.docs[items[0][2]]
            out.append(
                PlanGroup(
                    d.plan_id,
                    d.plan_iri,
                    d.plan_title,
                    d.plan_type,
                    d.region,
                    len(items),
                    [hit(r + 1, g, rep=i) for r, g, i in items[:GROUP_SHOW]],
                )
            )
        return out
