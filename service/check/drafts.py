"""A draft plan read for the check: parsed and extracted exactly as ``plankg add`` would, and nothing stored.

``read_draft(sources)`` takes the uploaded files (or pasted text wrapped by ``pasted``) and gives a ``Draft``:
its parsed files, and one ``DraftUnit`` per goal, measure and key project with what extraction found in it
(agencies with their lexicon keys, cited laws, indicator targets). ``parse_against`` reads the ``--against``
filters that choose the peer plans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from embeddings.documents import text_key
from graph.concepts import concept_labels
from graph.extract import extract_file
from graph.model import Indicator, ParsedFile, Plan
from graph.parse import ParseError, SourceFile, parse_sources
from graph.parse.formats import supported_suffixes

MAX_FILES = 4
MAX_UNITS = 1500  # the longest bundled plan has 161 units; a check of this many takes about a minute
PASTED_NAME = "粘贴的草稿.txt"

# --against: filter name -> (field of the search documents, accepted values and their aliases)
AGAINST_KEYS = {
    "plan_type": "plan_type",
    "type": "plan_type",
    "level": "level",
    "period": "period",
    "region": "region",
    "plan": "plan",
    "exclude": "exclude",  # not a search filter: plans whose title contains it are left out
}
ALIASES = {
    "plan_type": {"儿童": "children", "妇女": "women", "children": "children", "women": "women", "other": "other"},
    "level": {
        "省": "province",
        "省级": "province",
        "市": "city",
        "市级": "city",
        "县": "county",
        "县级": "county",
        "区": "district",
        "区级": "district",
        "区县": "county|district",
        "县区": "county|district",
        "province": "province",
        "city": "city",
        "county": "county",
        "district": "district",
    },
}


@dataclass
class DraftUnit:
    """One goal, measure or key project of the draft."""

    id: str  # "1/domain/2/measure/3", "1/key-project/4" (plan position first, 1-based)
    plan: int  # position of its plan in ``Draft.plans`` (0-based)
    kind: str
    number: int
    text: str
    title: str
    domain: str  # domain title as written ("" for key projects)
    concept: str  # domain concept key ("" for key projects)
    line: int
    agencies: dict[str, str] = field(default_factory=dict)  # lexicon key -> label as named in the draft
    laws: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    group: str = ""  # the key of its text in the search index (identical normalised texts share it)

    def __post_init__(self):
        self.group = self.group or text_key(self.text)


@dataclass
class Draft:
    files: list[ParsedFile]
    plans: list[Plan]
    units: list[DraftUnit]
    notices: list[str] = field(default_factory=list)
    partial: set[int] = field(default_factory=set)  # plans read as a bare list of measures (no plan structure)

    def plan_units(self, k: int) -> list[DraftUnit]:
        return [u for u in self.units if u.plan == k]


def pasted(text: str, name: str = PASTED_NAME) -> SourceFile:
    """Pasted draft text as a plan file."""
    if not (text or "").strip():
        raise ValueError("粘贴的草稿是空的：请粘贴规划文本，或上传规划文件")
    return SourceFile(name, text.encode("utf-8"), "pasted")


def _check_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or any(ord(c) < 32 for c in base):
        raise ParseError(name or "(no name)", "the uploaded file has no usable name")
    if not base.lower().endswith(supported_suffixes()):
        raise ParseError(
            base, "not a plan file type that can be read; plan files can be " + ", ".join(supported_suffixes())
        )
    return base


def read_draft(sources: Sequence[SourceFile]) -> Draft:
    """Parse and extract the draft files; nothing is written anywhere. ParseError (a ValueError) names the
    file, line and reason of what could not be read; ValueError for too many files or units.

    Plain text with no plan structure (a few measures pasted from a draft) is read as a list of measures, one
    per paragraph, under one domain "草稿条目"; ``Draft.notices`` says so."""
    if not sources:
        raise ValueError("没有草稿：请上传规划文件或粘贴规划文本")
    if len(sources) > MAX_FILES:
        raise ValueError(f"一次最多检查 {MAX_FILES} 个文件（收到 {len(sources)} 个）")
    named = [SourceFile(_check_name(s.name), s.data, s.origin) for s in sources]
    notices: list[str] = []
    items_only: set[str] = set()
    try:
        parsed = parse_sources(named)
    except ParseError as e:
        retry = [_as_items(s, notices) if s.name == e.file and _unstructured(e, s) else s for s in named]
        if not notices:
            raise
        parsed = parse_sources(retry)
        items_only = {s.name for s, r in zip(named, retry, strict=True) if r is not s}
    files = [extract_file(pf) for pf in parsed]
    plans = [p for pf in files for p in pf.plans]
    units: list[DraftUnit] = []
    for k, plan in enumerate(plans):
        units.extend(_units(plan, k))
    if not units:
        raise ValueError("草稿中没有找到目标、措施或重点项目")
    if len(units) > MAX_UNITS:
        raise ValueError(f"草稿有 {len(units)} 个条目，一次最多检查 {MAX_UNITS} 个")
    partial = {k for k, p in enumerate(plans) if any(p.file == n for n in items_only)}
    return Draft(files, plans, units, notices, partial)


_ITEM_NUMBER = re.compile(
    r"^\s*(?:[（(]?\d{1,3}[)）.．、]|[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)\s*"
)


def _unstructured(e: ParseError, src: SourceFile) -> bool:
    return src.name.lower().endswith(".txt") and e.reason.startswith("no plan structure found")


def _as_items(src: SourceFile, notices: list[str]) -> SourceFile:
    """Plain text as a plan of one domain whose measures are its paragraphs (numbering as written dropped)."""
    text = src.data.decode("utf-8", errors="replace")
    items = [_ITEM_NUMBER.sub("", line).strip() for line in text.splitlines()]
    items = [t for t in items if t]
    if not items:
        raise ParseError(src.name, "the text is empty")
    body = [src.name.rsplit(".", 1)[0], "二、发展领域、主要目标和策略措施", "（一）草稿条目", "策略措施："]
    body += [f"{n}．{t}" for n, t in enumerate(items, start=1)]
    notices.append(
        f"{src.name}：没有找到规划结构（“发展领域”部分及编号的领域），已把每一段当作一条措施逐条检查"
        f"（共 {len(items)} 条），不列缺少的主题"
    )
    return SourceFile(src.name, ("\n".join(body) + "\n").encode("utf-8"), src.origin)


def _units(plan: Plan, k: int) -> list[DraftUnit]:
    out = []
    for pos, domain in enumerate(plan.domains, start=1):
        for unit in domain.units:
            out.append(_unit(plan, k, unit, f"{k + 1}/domain/{pos}/{unit.kind}/{unit.number}", domain))
    for unit in plan.key_projects:
        out.append(_unit(plan, k, unit, f"{k + 1}/key-project/{unit.number}", None))
    return [u for u in out if u.text]


def _unit(plan: Plan, k: int, unit, uid: str, domain) -> DraftUnit:
    agencies: dict[str, str] = {}
    for a in unit.agencies:
        key = a.key or a.label
        if key and key not in agencies:
            agencies[key] = a.label or a.key
    indicators = list(unit.indicators)
    return DraftUnit(
        id=uid,
        plan=k,
        kind=unit.kind,
        number=unit.number,
        text=unit.text.strip(),
        title=unit.title,
        domain=domain.title if domain else "",
        concept=domain.concept if domain else "",
        line=unit.source.line,
        agencies=agencies,
        laws=list(dict.fromkeys(law.title for law in unit.laws if law.title)),
        indicators=indicators,
    )


def table_indicators(plan: Plan) -> list[tuple[Indicator, int]]:
    """The indicator-table targets of a plan with their line."""
    return [(r.indicator, r.source.line) for t in plan.tables for r in t.rows if r.indicator is not None]


def domain_label(concept: str, written: str = "") -> str:
    """The Chinese name of a domain concept ("children-safety" -> "儿童与安全"); a concept of a topic the scheme
    does not name keeps the title as written; key projects (no concept) are "重点项目"."""
    if not concept:
        return written or "重点项目"
    topic = concept.partition("-")[2]
    if topic.startswith("t-") or not topic:
        return written or concept
    return concept_labels(concept)[0]


def parse_against(spec: str | None) -> dict[str, list[str]]:
    """``plan_type=children,level=区县,period=2021-2030`` -> search filters ({"level": ["county", "district"], …}).

    Values may be Chinese (儿童, 市级, 区县) or codes; ``|`` separates alternatives (``level=city|county``);
    ``plan=杭州|盘山`` keeps plans whose title contains one of them, ``exclude=曾都`` leaves such plans out.
    An unknown filter name or value is a ValueError naming it."""
    out: dict[str, list[str]] = {}
    # filters are separated by , ; & or spaces before the next "name=": a value may hold commas or spaces itself
    for part in re.split(r"\s*[,，;；&]\s*(?=[A-Za-z_]+\s*=)|\s+(?=[A-Za-z_]+\s*=)", (spec or "").strip()):
        part = part.strip(" ,，;；&")
        if not part:
            continue
        name, sep, raw = part.partition("=")
        raw = raw.strip()
        name = name.strip().lower()
        if not sep or not raw.strip():
            raise ValueError(f"against: {part!r} is not name=value (e.g. plan_type=children,level=区县)")
        if name not in AGAINST_KEYS:
            raise ValueError(f"against: unknown filter {name!r}; use " + ", ".join(sorted(set(AGAINST_KEYS))))
        key = AGAINST_KEYS[name]
        values: list[str] = []
        for v in raw.split("|"):
            v = v.strip()
            if not v:
                continue
            if key in ALIASES:
                mapped = ALIASES[key].get(v.lower()) or ALIASES[key].get(v)
                if mapped is None:
                    choices = "、".join(sorted(ALIASES[key]))
                    raise ValueError(f"against: {name}={v!r} is not a known value ({choices})")
                values.extend(mapped.split("|"))
            elif key == "period":
                if not re.fullmatch(r"\d{4}(?:\s*[-—–~至]\s*\d{4})?", v):
                    raise ValueError(f"against: period={v!r} must be a year or a span such as 2021-2030")
                values.append(re.sub(r"\s*[-—–~至]\s*", "-", v))
            else:
                values.append(v)
        out.setdefault(key, [])
        out[key].extend(x for x in values if x not in out[key])
    return out
