"""Search filters: which documents a filter value (plan, region, period, domain, agency, law …)
selects. Values may be IRIs of the graph (a plan, an agency, a cited law) or plain text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from graph.rdf.iri import law as law_iri
from graph.rdf.iri import short_hash
from graph.titles import title_key

from .documents import SearchDoc

FilterValue = str | Sequence[str] | None


@dataclass
class SearchFilters:
    plan: FilterValue = None  # plan iri, plan id ("<file stem>#<n>") or title (substring)
    plan_type: FilterValue = None  # children | women
    region: FilterValue = None  # "杭州市" (substring match: "杭州")
    level: FilterValue = None  # province | city | county | district
    period: FilterValue = None  # "2021-2025" or a year inside the period ("2030")
    domain_concept: FilterValue = None  # "children-safety" (or the topic alone: "safety")
    kind: FilterValue = None  # goal | measure | key_project
    agency: FilterValue = None  # agency key ("health") or label (substring)
    law: FilterValue = None  # canonical law title (substring: "反家庭暴力法")

    @classmethod
    def from_any(cls, f: SearchFilters | dict | None) -> SearchFilters:
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
            if "/agency/" in v:  # an agency IRI: id:agency/<h12 of region>/<type key>
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


def _iri_tail(v: str, marker: str) -> str:
    if marker in v:
        return unquote(v.rsplit(marker, 1)[1])
    return v


def _region_hash(region: str) -> str:
    return short_hash(title_key(region))


def _law_iri(title: str) -> str:
    return str(law_iri(title))
