"""The plan model: what the parser produces and every later stage consumes.

Plain dataclasses, JSON-serialisable via ``to_dict``. Every textual unit carries a
``Source``: file name, 1-based physical start line, and [start, end) character span
into the decoded file text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

GOAL, MEASURE, KEY_PROJECT = "goal", "measure", "key_project"
UNIT_KINDS = (GOAL, MEASURE, KEY_PROJECT)


@dataclass
class Source:
    file: str
    line: int  # 1-based physical line where the unit starts
    start: int  # character offset into the decoded text (inclusive)
    end: int  # character offset (exclusive)
    end_line: int = 0  # last physical line of the unit
    # where the unit starts in the original document when the text was extracted from one
    # ("page=3", "paragraph=41", "xpath=/html/body/…"); "" for a .txt file
    locator: str = ""


@dataclass
class AgencyMention:
    key: str  # lexicon key of the agency type, e.g. "health"
    label: str  # canonical Chinese name at the plan's level, e.g. "杭州市卫生健康委员会"
    surface: str  # the text as written, e.g. "市卫健委" or "卫生健康"
    role: str = "mentioned"  # lead | partner | mentioned
    start: int = -1  # offset of the surface form within the unit text
    end: int = -1  # offset just past it (exclusive)
    # where it is written in the file's text (line, [start, end) into ParsedFile.text); None when the
    # text was not at hand (a bare Plan) or the mention could not be placed
    span: Source | None = None


@dataclass
class LawMention:
    title: str  # canonical title, e.g. "中华人民共和国民法典"
    surface: str  # as written, e.g. "《民法典》"
    doc_type: str  # law | regulation | plan | outline | opinion | standard | other
    bracketed: bool = True
    start: int = -1
    end: int = -1
    span: Source | None = None  # as AgencyMention.span
    # lexicon: a document of laws.tsv | title: not in the lexicon, its title names issuer or region |
    # unresolved: kept as written, ``note`` says why ("" when not recorded, e.g. hand-made mentions)
    resolution: str = ""
    note: str = ""
    within: str = ""  # the title of the citation it is nested in (《…实施〈…法〉办法》), else ""


@dataclass
class Indicator:
    name: str
    comparator: str | None = None  # le | lt | ge | gt | eq | approx  (None when qualitative)
    value: float | None = None
    unit: str | None = None  # "%", "‰", "1/10万", "张", "名", ...
    year: int | None = None  # target year
    baseline_value: float | None = None
    baseline_year: int | None = None
    text: str = ""  # the phrase the indicator was read from
    qualitative: str | None = None  # e.g. "逐年增加", "应援尽援" where no number is given
    unit_as_written: str | None = None  # set when the unit was corrected (‰ written as %)
    # a relative target ("以2020年为基数下降20%"): no value; direction, amount and unit of the change
    change_direction: str | None = None  # decrease | increase
    change_amount: float | None = None  # 20 (never negative: the direction carries the sign)
    change_unit: str | None = None  # "%", "个百分点", "%/年" (a yearly change) ...
    year_inferred: bool = False  # the target year is the plan's end year, not written in the text
    concept: str = ""  # key of the normalised indicator concept (graph.extract.indicator_concepts)


@dataclass
class Unit:
    kind: str  # goal | measure | key_project
    number: int  # its number as written within its list (1-based)
    text: str  # full text, continuation lines joined
    source: Source
    title: str = ""  # leading sentence / heading, e.g. "加强儿童健康管理"
    agencies: list[AgencyMention] = field(default_factory=list)
    laws: list[LawMention] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)  # 责任单位 as written (key projects)


@dataclass
class Domain:
    number: int
    title: str  # as written, e.g. "儿童与法律保护"
    concept: str  # shared concept key, e.g. "children-law"
    source: Source
    heading: str = ""  # the whole heading line as written (with slogan)
    goals: list[Unit] = field(default_factory=list)
    measures: list[Unit] = field(default_factory=list)

    @property
    def units(self) -> list[Unit]:
        return self.goals + self.measures


@dataclass
class TableRow:
    number: int
    name: str
    unit: str | None
    baseline_raw: str
    target_raw: str
    source: Source
    indicator: Indicator | None = None


@dataclass
class IndicatorTable:
    caption: str
    source: Source
    baseline_year: int | None = None
    target_year: int | None = None
    header: list[str] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)


@dataclass
class Section:
    number: int
    title: str
    source: Source
    role: str = "other"  # domains | key_projects | principles | implementation | monitoring | other


@dataclass
class OutlineLabel:
    """A goal/measure label as found (主要目标, 支持措施 …) and how many items followed it."""

    line: int
    text: str  # as written, e.g. "主要目标："
    kind: str  # goal | measure | key_project
    domain: int  # 1-based position of its domain in the plan (0: outside any domain)
    items: int = 0


@dataclass
class PlanOutline:
    """What the outline reader saw besides the model: for ``plankg parse --explain`` and previews."""

    labels: list[OutlineLabel] = field(default_factory=list)
    stray: list[tuple[int, str]] = field(default_factory=list)  # domain-section lines outside any unit
    excerpt: bool = False  # no domain-section heading: domains and labels were found in running text


@dataclass
class Plan:
    title: str
    title_inferred: bool
    file: str
    source: Source
    region: str = ""
    level: str = ""  # province | city | county | district
    plan_type: str = ""  # children | women | other
    period_start: int | None = None
    period_end: int | None = None
    draft: bool = False
    issuer: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    doc_number: str | None = None
    title_evidence: str = ""  # where an inferred title came from
    sections: list[Section] = field(default_factory=list)
    domains: list[Domain] = field(default_factory=list)
    key_projects: list[Unit] = field(default_factory=list)
    tables: list[IndicatorTable] = field(default_factory=list)
    preamble: str = ""  # text before the first section (前言 and the like)
    preamble_laws: list[LawMention] = field(default_factory=list)
    outline: PlanOutline = field(default_factory=PlanOutline, repr=False, compare=False)

    def units(self):
        """Every goal, measure and key project with its domain (None for key projects)."""
        for d in self.domains:
            for u in d.units:
                yield d, u
        for u in self.key_projects:
            yield None, u

    def counts(self) -> dict:
        return {
            "domains": len(self.domains),
            "goals": sum(len(d.goals) for d in self.domains),
            "measures": sum(len(d.measures) for d in self.domains),
            "key_projects": len(self.key_projects),
        }

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("outline")
        d["counts"] = self.counts()
        return d


@dataclass
class ParseWarning:
    """Something the parser found odd but could read past: a numbering jump, a label with no items …"""

    line: int
    message: str


@dataclass
class ParsedFile:
    file: str
    encoding: str
    notices: list[str]
    plans: list[Plan]
    sha256: str = ""
    format: str = "txt"  # graph.parse.formats: txt, docx, doc, pdf, html
    text: str = ""  # the text the units point into (kept as a derived .txt for non-.txt files)
    warnings: list[ParseWarning] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "encoding": self.encoding,
            "notices": self.notices,
            "sha256": self.sha256,
            "plans": [p.to_dict() for p in self.plans],
        }
