"""Small hand-made plans (model dataclasses) for tests, demos and benchmarks."""

from __future__ import annotations

import hashlib

from graph.extract import agency_types, extract_file
from graph.model import (
    GOAL,
    KEY_PROJECT,
    MEASURE,
    AgencyMention,
    Domain,
    Indicator,
    IndicatorTable,
    LawMention,
    ParsedFile,
    Plan,
    Section,
    Source,
    TableRow,
    Unit,
)


class _Cursor:
    """Hands out consecutive, non-overlapping spans in one file."""

    def __init__(self, file: str):
        self.file, self.line, self.pos = file, 1, 0

    def take(self, text: str, lines: int = 1) -> Source:
        s = Source(self.file, self.line, self.pos, self.pos + max(1, len(text)), self.line + lines - 1)
        self.pos = s.end + 1
        self.line += lines
        return s


def sample_plan(
    region: str = "杭州市",
    plan_type: str = "children",
    file: str = "sample.txt",
    title: str | None = None,
    level: str = "city",
) -> Plan:
    pop = "儿童" if plan_type == "children" else "妇女"
    title = title or f"{region}{pop}发展“十四五”规划"
    cur = _Cursor(file)
    psrc = cur.take(title)
    plan = Plan(
        title=title,
        title_inferred=False,
        file=file,
        source=psrc,
        region=region,
        level=level,
        plan_type=plan_type,
        period_start=2021,
        period_end=2030,
        issuer=f"{region}人民政府",
        date="2021-08-02",
        doc_number="杭政发〔2021〕8号",
        draft=False,
    )
    plan.preamble_laws = [
        LawMention(title=f"中国{pop}发展纲要（2021—2030年）", surface=f"《中国{pop}发展纲要》", doc_type="outline")
    ]
    plan.sections = [
        Section(1, "发展领域、主要目标和策略措施", cur.take("二、发展领域"), role="domains"),
        Section(2, "重点实事项目", cur.take("三、重点实事项目"), role="key_projects"),
    ]
    short = region[:-1]

    health = Domain(
        1, f"{pop}与健康", f"{plan_type}-health", cur.take(f"（一）{pop}与健康"), heading=f"（一）{pop}与健康：健康优先"
    )
    g1 = "婴儿死亡率、5岁以下儿童死亡率分别控制在2.5‰和3.5‰以下。"
    health.goals.append(
        Unit(
            GOAL,
            1,
            g1,
            cur.take(g1),
            indicators=[
                Indicator("婴儿死亡率", "lt", 2.5, "‰", 2030, text="婴儿死亡率控制在2.5‰以下"),
                Indicator(
                    "5岁以下儿童死亡率",
                    "lt",
                    3.5,
                    "‰",
                    2030,
                    baseline_value=4.1,
                    baseline_year=2020,
                    text="5岁以下儿童死亡率控制在3.5‰以下",
                ),
            ],
        )
    )
    g2 = "儿童心理健康服务能力逐年提升。"
    health.goals.append(
        Unit(GOAL, 2, g2, cur.take(g2), indicators=[Indicator("儿童心理健康服务能力", qualitative="逐年提升", text=g2)])
    )
    m1 = (
        f"加强儿童健康管理。{short}卫健委牵头，教育、民政等部门配合，依据《中华人民共和国母婴保健法》开展心理健康服务。"
    )
    health.measures.append(
        Unit(
            MEASURE,
            1,
            m1,
            cur.take(m1, 2),
            title="加强儿童健康管理",
            agencies=[
                AgencyMention("health", f"{region}卫生健康委员会", f"{short}卫健委", "lead"),
                AgencyMention("education", f"{region}教育局", "教育", "partner"),
                AgencyMention("civil", f"{region}民政局", "民政", "partner"),
            ],
            laws=[LawMention("中华人民共和国母婴保健法", "《中华人民共和国母婴保健法》", "law")],
        )
    )
    m2 = "完善出生缺陷防治体系。卫生健康部门负责。"
    health.measures.append(
        Unit(
            MEASURE,
            2,
            m2,
            cur.take(m2),
            agencies=[AgencyMention("health", f"{region}卫生健康委员会", "卫生健康部门", "mentioned")],
        )
    )

    law = Domain(2, f"{pop}与法律保护", f"{plan_type}-law", cur.take(f"（二）{pop}与法律保护"))
    g3 = "保障儿童合法权益的法规体系更加完善。"
    law.goals.append(Unit(GOAL, 1, g3, cur.take(g3)))
    m3 = f"贯彻落实《民法典》《未成年人保护法》。{short}公安局、{short}司法局按职责分工负责。"
    law.measures.append(
        Unit(
            MEASURE,
            1,
            m3,
            cur.take(m3),
            agencies=[
                AgencyMention("police", f"{region}公安局", f"{short}公安局", "mentioned"),
                AgencyMention("justice", f"{region}司法局", f"{short}司法局", "mentioned"),
            ],
            laws=[
                LawMention("中华人民共和国民法典", "《民法典》", "law"),
                LawMention("中华人民共和国未成年人保护法", "《未成年人保护法》", "law"),
            ],
        )
    )
    plan.domains = [health, law]

    kp = f"儿童友好城市建设项目。（责任单位：{short}妇儿工委办、{short}卫健委）"
    plan.key_projects = [
        Unit(
            KEY_PROJECT,
            1,
            kp,
            cur.take(kp),
            title="儿童友好城市建设项目",
            responsible=[f"{short}妇儿工委办", f"{short}卫健委"],
            agencies=[
                AgencyMention("health", f"{region}卫生健康委员会", f"{short}卫健委", "lead"),
                AgencyMention("women-children", f"{region}妇女儿童工作委员会办公室", f"{short}妇儿工委办", "lead"),
            ],
        )
    ]

    tab = IndicatorTable(
        f"{region}{pop}发展“十四五”规划主要指标",
        cur.take("主要指标"),
        baseline_year=2020,
        target_year=2025,
        header=["序号", "指标", "单位", "2020年", "2025年"],
    )
    tab.rows = [
        TableRow(
            1,
            "婴儿死亡率",
            "‰",
            "2.1",
            "<3",
            cur.take("婴儿死亡率", 5),
            indicator=Indicator("婴儿死亡率", "lt", 3, "‰", 2025, 2.1, 2020),
        ),
        TableRow(
            2,
            "儿童保健覆盖率",
            "%",
            "95",
            "≥98",
            cur.take("儿童保健覆盖率", 5),
            indicator=Indicator("儿童保健覆盖率", "ge", 98, "%", 2030, 95, 2020),
        ),
        TableRow(3, "儿童之家覆盖率", "%", "—", "逐年提高", cur.take("儿童之家覆盖率", 5)),
    ]
    plan.tables = [tab]
    return plan


def sample_parsed_file(file: str = "sample.txt", **kw) -> ParsedFile:
    plan = sample_plan(file=file, **kw)
    return ParsedFile(
        file=file, encoding="utf-8", notices=[], plans=[plan], sha256=hashlib.sha256(file.encode()).hexdigest()
    )


SAMPLE_AGENCY_TYPES = [
    {"key": "health", "zh": "卫生健康", "en": "Health commission", "aliases": ["卫健委", "卫健局", "卫生健康部门"]},
    {"key": "education", "zh": "教育", "en": "Education bureau", "aliases": ["教育局"]},
    {"key": "civil", "zh": "民政", "en": "Civil affairs bureau", "aliases": ["民政局"]},
    {"key": "police", "zh": "公安", "en": "Public security bureau", "aliases": ["公安局"]},
    {"key": "justice", "zh": "司法行政", "en": "Justice bureau", "aliases": ["司法局"]},
    {
        "key": "women-children",
        "zh": "妇儿工委",
        "en": "Women and children working committee",
        "aliases": ["妇儿工委办"],
    },
]


def extract_corpus(parsed: list[ParsedFile]) -> list[ParsedFile]:
    """Run the extraction stage over parsed files in place; returns the list."""
    for pf in parsed:
        extract_file(pf)
    return parsed


def corpus_agency_types():
    return agency_types()
