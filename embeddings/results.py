"""What a search returns: hits (one per duplicate-text group), counterparts of a unit in other
plans, plan coverage of a topic; and their plain-dict views for the CLI and JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .documents import SearchDoc

SIMILAR_THRESHOLD = 0.45  # calibrated similarity (0 = unrelated on average, 1 = identical)


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
    in_filter: bool = True  # does this member itself satisfy the filters?
    near: bool = False  # a near-duplicate (not word for word) of the hit's text, collapsed into it

    @classmethod
    def of(cls, d: SearchDoc, in_filter: bool = True, near: bool = False) -> PlanRef:
        return cls(
            d.id,
            d.iri,
            d.plan_id,
            d.plan_iri,
            d.plan_title,
            d.plan_type,
            d.region,
            d.level,
            d.period,
            d.kind,
            d.number,
            d.domain_title,
            d.domain_concept,
            d.file,
            d.line,
            in_filter,
            near,
        )


@dataclass
class Hit:
    rank: int
    doc: SearchDoc  # representative unit (first member that passes the filters)
    group: str
    plans: list[PlanRef]  # every plan/unit sharing this text (len > 1: duplicates)
    score: float  # fused score (mode-dependent scale)
    scores: dict  # {"bm25": .., "dense:e5-small": cos, ..., "fused": ..}
    ranks: dict  # 1-based rank per component (None: not in its top list)
    matched_terms: list[str] = field(default_factory=list)
    highlights: list[list[int]] = field(default_factory=list)  # [start, end) offsets into doc.text
    relevance: float | None = None  # query z-score of the dense cosine, mean over encoders (None: no dense)
    floor_score: float | None = None  # the calibrated score compared with the relevance floor (floor.py)
    near: list[str] = field(default_factory=list)  # groups of near-identical text collapsed into this hit

    def to_dict(self) -> dict:
        d = asdict(self)
        d["doc"] = self.doc.to_dict()
        return d


@dataclass
class SimilarHit:
    doc: SearchDoc
    plan: PlanRef
    score: float  # calibrated similarity, mean over encoders (1 = same text)
    cosines: dict  # raw cosine per encoder
    same_text: bool
    shared_agencies: list[str]  # generic labels of agency types named by both units
    agencies_only_source: list[str]  # labels (as in the source plan) of agencies only the source names
    agencies_only_target: list[str]  # labels (as in the target plan) of agencies only the target names
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

    def __init__(self, items=(), source: SearchDoc | None = None, threshold: float = SIMILAR_THRESHOLD):
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
    best_relevance: float | None
    best_doc_id: str | None
    best_text: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------ plain-dict views (CLI / JSON)
def hit_to_dict(hit: Hit) -> dict:
    """A hit as one flat JSON-ready dict (doc fields at top level, plus score parts and plans)."""
    d = hit.doc.to_dict()
    d.update(
        {
            "rank": hit.rank,
            "group": hit.group,
            "score": float(hit.score),
            "scores": {k: float(v) for k, v in hit.scores.items()},
            "ranks": dict(hit.ranks),
            "relevance": None if hit.relevance is None else float(hit.relevance),
            "matched_terms": list(hit.matched_terms),
            "highlights": [list(x) for x in hit.highlights],
            "plans": [asdict(p) for p in hit.plans],
            "floor_score": None if hit.floor_score is None else float(hit.floor_score),
            "near": list(hit.near),
        }
    )
    return d


@dataclass
class PlanGroup:
    """The hits of one plan (``SearchPage.groups``): how many passed the floor and the best of them."""

    plan_id: str
    plan_iri: str
    plan_title: str
    plan_type: str
    region: str
    count: int
    hits: list[Hit]


@dataclass
class SearchPage:
    """One page of ``SearchEngine.query``: the hits ranked ``offset+1`` to ``offset+k`` of ``total``.

    ``total`` counts every hit above the relevance floor (near-duplicates collapsed; by plan member
    when ``group_by="plan"``), not only this page. ``closest``: when nothing passes the floor, the
    few nearest hits below it, to show apart. ``floor`` is None when the floor was turned off."""

    query: str
    hits: list[Hit]
    total: int
    offset: int
    k: int
    mode: str
    expansions: list = field(default_factory=list)  # thesaurus.Expansion: what was searched as well
    closest: list[Hit] = field(default_factory=list)
    floor: float | None = None
    groups: list[PlanGroup] | None = None
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # filter value -> units above the floor

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "offset": self.offset,
            "k": self.k,
            "floor": self.floor,
            "expansions": [expansion_to_dict(e) for e in self.expansions],
            "results": [hit_to_dict(h) for h in self.hits],
            "closest": [hit_to_dict(h) for h in self.closest],
            "groups": None
            if self.groups is None
            else [
                {**{k: v for k, v in asdict(g).items() if k != "hits"}, "results": [hit_to_dict(h) for h in g.hits]}
                for g in self.groups
            ],
            "facets": {f: [{"value": v, "count": n} for v, n in items] for f, items in self.facets.items()},
        }


def expansion_to_dict(e) -> dict:
    """A thesaurus expansion as JSON: the words of the query it matched and the plan terms it added."""
    return {"matched": e.matched, "start": e.start, "end": e.end, "label": e.label, "terms": list(e.terms)}


def similar_to_dict(result: SimilarResult) -> dict:
    src = result.source.to_dict() if result.source is not None else None
    out = []
    for h in result:
        d = h.doc.to_dict()
        d.update(
            {
                "score": float(h.score),
                "cosines": h.cosines,
                "same_text": h.same_text,
                "shared_agencies": h.shared_agencies,
                "other_agencies": h.agencies_only_target,
                "agencies_only_source": h.agencies_only_source,
                "agencies_only_target": h.agencies_only_target,
                "shared_laws": h.shared_laws,
                "laws_only_source": h.laws_only_source,
                "laws_only_target": h.laws_only_target,
            }
        )
        out.append(d)
    return {"source": src, "threshold": getattr(result, "threshold", None), "counterparts": out}
