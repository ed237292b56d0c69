"""Search documents: one per goal, measure and key project of every plan.

``docs_from_plans(parsed_files)`` flattens parsed plans (``graph.model``) into ``SearchDoc``
records; ``group_documents`` collapses documents whose normalised text is identical (the same
measure copied word for word into several plans) so that search returns one hit per text
listing every plan that contains it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from graph.extract import extract_file
from graph.model import ParsedFile
from graph.parse import corpus_files, parse_files
from graph.parse.formats import supported_suffixes
from graph.rdf.iri import plan_iri, unit_iri

SCHEMA_VERSION = 1


@dataclass
class SearchDoc:
    id: str  # stable: "<file stem>:L<line>", e.g. "000_66127fe5ef2e4799:L74"
    iri: str  # unit IRI (graph.rdf.iri)
    kind: str  # goal | measure | key_project
    number: int
    title: str
    text: str
    plan_title: str
    plan_iri: str
    plan_id: str  # stable: "<file stem>#<plan index in file>"
    plan_type: str
    region: str
    level: str
    period: str  # "2021-2025" ("" when unknown)
    domain_title: str  # "" for key projects
    domain_concept: str  # "" for key projects
    file: str
    line: int
    end_line: int = 0
    agencies: list[str] = field(default_factory=list)  # canonical labels, aligned with agency_keys
    agency_keys: list[str] = field(default_factory=list)  # lexicon keys, e.g. "health"
    laws: list[str] = field(default_factory=list)  # canonical titles
    group: str = ""  # id of the duplicate group (hash of the normalised text)
    draft: bool = False

    def to_dict(self) -> dict:
        # what dataclasses.asdict gives (field order, lists copied), 20x faster
        d = {k: self.__dict__[k] for k in _FIELDS}
        d["agencies"], d["agency_keys"], d["laws"] = list(self.agencies), list(self.agency_keys), list(self.laws)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> SearchDoc:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


_FIELDS = tuple(f.name for f in fields(SearchDoc))


def normalise_text(text: str) -> str:
    """NFKC, then keep letters and digits only: whitespace/punctuation/width differences vanish."""
    t = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in t if unicodedata.category(ch)[0] in "LN").lower()


def text_key(text: str) -> str:
    """Stable key of a unit's text (survives reparsing): sha1 of the normalised text, 16 hex."""
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ building documents
def load_parsed_corpus(folder) -> list[ParsedFile]:
    """Parse every plan file in ``folder`` and run the extraction stage (agencies, laws)."""
    return [extract_file(pf) for pf in parse_files(corpus_files(folder))]


def _period(plan) -> str:
    if plan.period_start and plan.period_end:
        return f"{plan.period_start}-{plan.period_end}"
    return ""


def docs_from_plans(parsed_files: Iterable[ParsedFile]) -> list[SearchDoc]:
    """Goals, measures and key projects of every plan, in file/plan/domain order (no headings)."""
    docs: list[SearchDoc] = []
    seen: set[str] = set()
    for pf in parsed_files:
        stem = doc_stem(pf.file)
        for pi, plan in enumerate(pf.plans):
            piri = str(plan_iri(plan))
            pid = f"{stem}#{pi}"
            for domain, unit in plan.units():
                if not unit.text.strip():
                    continue
                did = f"{stem}:L{unit.source.line}"
                if did in seen:  # two units starting on one line (should not happen)
                    did = f"{did}:{unit.kind}{unit.number}"
                seen.add(did)
                ag_labels, ag_keys = [], []  # aligned: one entry per agency key
                for a in unit.agencies:
                    key = a.key or a.label
                    if key and key not in ag_keys:
                        ag_keys.append(key)
                        ag_labels.append(a.label or a.key)
                laws = []
                for lm in unit.laws:
                    if lm.title and lm.title not in laws:
                        laws.append(lm.title)
                docs.append(
                    SearchDoc(
                        id=did,
                        iri=str(unit_iri(plan, domain, unit)),
                        kind=unit.kind,
                        number=unit.number,
                        title=unit.title,
                        text=unit.text.strip(),
                        plan_title=plan.title,
                        plan_iri=piri,
                        plan_id=pid,
                        plan_type=plan.plan_type,
                        region=plan.region,
                        level=plan.level,
                        period=_period(plan),
                        domain_title=domain.title if domain else "",
                        domain_concept=domain.concept if domain else "",
                        file=unit.source.file or pf.file,
                        line=unit.source.line,
                        end_line=unit.source.end_line or unit.source.line,
                        agencies=ag_labels,
                        agency_keys=ag_keys,
                        laws=laws,
                        group=text_key(unit.text),
                        draft=plan.draft,
                    )
                )
    return docs


def docs_from_folder(folder) -> list[SearchDoc]:
    return docs_from_plans(load_parsed_corpus(folder))


@dataclass
class TextGroup:
    id: str  # = SearchDoc.group
    doc_ids: list[str]  # members in corpus order; the first is the representative
    text: str  # the representative's text


def group_documents(docs: list[SearchDoc]) -> list[TextGroup]:
    """Collapse documents with identical normalised text, in order of first appearance."""
    groups: dict[str, TextGroup] = {}
    for d in docs:
        g = groups.get(d.group)
        if g is None:
            groups[d.group] = TextGroup(d.group, [d.id], d.text)
        else:
            g.doc_ids.append(d.id)
    return list(groups.values())


def doc_lines(docs: list[SearchDoc]) -> list[str]:
    """One JSON line per document (fields in declaration order), as ``docs.jsonl`` holds them."""
    return [json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs]


def corpus_hash(docs: list[SearchDoc], lines: list[str] | None = None) -> str:
    """sha256 of the documents (``lines``: their ``doc_lines`` when already made)."""
    h = hashlib.sha256(f"schema{SCHEMA_VERSION}".encode())
    for line in lines if lines is not None else doc_lines(docs):
        h.update(line.encode("utf-8"))
    return h.hexdigest()


def write_docs(docs: list[SearchDoc], path, lines: list[str] | None = None) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines if lines is not None else doc_lines(docs))


def read_docs(path) -> list[SearchDoc]:
    with open(path, encoding="utf-8") as f:
        return [SearchDoc.from_dict(json.loads(line)) for line in f if line.strip()]


def plan_key_matches(doc: SearchDoc, value: str) -> bool:
    """Does a plan filter value (plan iri, plan id or title) select this document's plan?"""
    v = value.strip()
    return bool(v) and v in (doc.plan_iri, doc.plan_id, doc.plan_title)


def doc_stem(file: str) -> str:
    """The file part of a document id: the name without ``.txt`` ("a.txt" → "a"), other names whole
    ("a.pdf" → "a.pdf"), so a .pdf and a .docx of one stem never share ids."""
    return file[:-4] if file.lower().endswith(".txt") else file


def file_of_stem(stem: str) -> str:
    """The file name of a document id's file part (the inverse of ``doc_stem``)."""
    return stem if "." in stem and stem.rsplit(".", 1)[1].lower() in DOC_SUFFIXES else stem + ".txt"


DOC_SUFFIXES = {s.lstrip(".") for s in supported_suffixes()} - {"txt"}


def find_doc(docs: list[SearchDoc], file: str, line: int) -> SearchDoc | None:
    """The document whose source lines cover ``file:line`` (file name or stem)."""
    stem = doc_stem(file)
    for d in docs:
        if doc_stem(d.file) == stem and d.line <= line <= max(d.end_line, d.line):
            return d
    return None
