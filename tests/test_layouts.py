"""Plan layouts beyond the bundled corpus (tests/layout_samples.py) parse to exactly what a reader finds in them.

Each sample is checked for its plans' titles, its domains (number, title), its goals and measures (kind,
number, start of the text, count) in order, that every unit stops where the next one starts, and that no
unit is lost. The ParseError tests say when a text is refused: only when it truly has no plan structure.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from graph.extract import extract_file
from graph.model import ParsedFile, Plan
from graph.parse import ParseError, parse_text
from tests.layout_samples import RULES, SAMPLES, PlanSpec, Sample, by_rule

WS = re.compile(r"\s+")
# a goal/measure label line as written in a sample (numbered or not), alone or before its first item
LABEL_LINE = re.compile(
    r"^(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十\d]{1,2}[）)]|[一二三四五六七八九十]{1,2}、)?\s*"
    r"(?P<core>[\u4e00-\u9fff]{0,4}?(?:目标|措施|任务|举措))\s*[:：。.]?\s*(?P<rest>.*)$"
)
ITEM_START = re.compile(r"^(?:\d{1,3}[.．、]|[（(]\d{1,3}[）)]|[\u2460-\u2473])")


def squash(text: str) -> str:
    return WS.sub("", text)


def labels_of(sample: Sample) -> set[str]:
    """The label words of a sample's label lines (主要目标, 支持措施 …)."""
    found = set()
    for line in sample.text.split("\n"):
        m = LABEL_LINE.match(line.strip())
        if m and (not m.group("rest") or ITEM_START.match(m.group("rest"))):
            found.add(m.group("core"))
    return found


def file_name(sample: Sample) -> str:
    return sample.id + ".txt"


@cache
def _parse(sample_id: str) -> ParsedFile | ParseError:
    sample = next(s for s in SAMPLES if s.id == sample_id)
    try:
        return parse_text(sample.text, file_name(sample))
    except ParseError as e:
        return e


def parsed(sample: Sample) -> ParsedFile:
    result = _parse(sample.id)
    if isinstance(result, ParseError):
        pytest.fail(f"{sample.id} is refused: {result}")
    return result


def plans_of(sample: Sample) -> list[tuple[Plan, PlanSpec]]:
    plans = parsed(sample).plans
    assert len(plans) == len(sample.plans), f"{len(plans)} plans found, {len(sample.plans)} in the text"
    return list(zip(plans, sample.plans))


def starts(spec: PlanSpec) -> list[str]:
    """Every expected unit's start in reading order: goals, then measures, domain by domain, then key projects."""
    out = [s for d in spec.domains for _, s in d.goals + d.measures]
    return out + [s for _, s in spec.key_projects or ()]


def _as_spec(units, expected) -> list[tuple[int, str]]:
    """Parsed units as (number, start) with each start cut to the length of the expected one beside it."""
    widths = [len(squash(s)) for _, s in expected]
    return [(u.number, squash(u.text)[: widths[k] if k < len(widths) else 10]) for k, u in enumerate(units)]


SAMPLE_PARAMS = [pytest.param(s, id=s.id) for s in SAMPLES]


# --- the labelling itself ------------------------------------------------------------------------------------


def test_every_rule_has_several_samples():
    for rule in RULES:
        assert len(by_rule(rule)) >= 3, f"rule {rule} ({RULES[rule]}) has fewer than 3 samples"


def _markers(n: int) -> list[str]:
    marks = [f"{n}．", f"{n}.", f"{n}、", f"（{n}）", f"({n})"]
    return marks + ([chr(0x245F + n)] if 1 <= n <= 20 else [])


@pytest.mark.parametrize("sample", SAMPLE_PARAMS)
def test_labelling_matches_the_text(sample):
    """The hand-written expectations quote the text: a typo in a label would make a parser look wrong."""
    text = squash(sample.text)
    canonical = re.sub(r"(\d{4})[-—–]+(\d{4})", r"\1—\2", text.replace("(", "（").replace(")", "）"))
    for spec in sample.plans:
        if spec.title is not None:
            assert spec.title in canonical, spec.title
        for d in spec.domains:
            assert d.title in text, d.title
            for n, start in d.goals + d.measures + (spec.key_projects or ()):
                cn = "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else ""
                marks = _markers(n) + [f"（{cn}）", f"({cn})"]
                assert any(m + squash(start) in text for m in marks), f"{n} {start}"


# --- what the parser finds -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_PARAMS)
def test_plan_titles(sample):
    got = [p.title for p, _ in plans_of(sample)]
    want = [spec.title if spec.title is not None else p.title for p, spec in plans_of(sample)]
    assert got == want


@pytest.mark.parametrize("sample", SAMPLE_PARAMS)
def test_domains(sample):
    for plan, spec in plans_of(sample):
        got = [(d.number, d.title) for d in plan.domains]
        want = [
            (d.number if d.number is not None else (got[k][0] if k < len(got) else None), d.title)
            for k, d in enumerate(spec.domains)
        ]
        assert got == want, plan.title


@pytest.mark.parametrize("sample", SAMPLE_PARAMS)
def test_goals_and_measures(sample):
    """Kinds, numbers as written, text starts and counts, in order, domain by domain."""
    for plan, spec in plans_of(sample):
        got = [
            (d.title, "goals", _as_spec(d.goals, e.goals), "measures", _as_spec(d.measures, e.measures))
            for d, e in zip(plan.domains, spec.domains)
        ]
        want = [(d.title, "goals", list(d.goals), "measures", list(d.measures)) for d in spec.domains]
        assert len(plan.domains) == len(spec.domains), [d.title for d in plan.domains]
        assert got == want, plan.title


@pytest.mark.parametrize("sample", SAMPLE_PARAMS)
def test_nothing_is_lost(sample):
    """Every goal and measure of the text is a unit of its own somewhere in the plan, and none is invented."""
    for plan, spec in plans_of(sample):
        units = [squash(u.text) for _, u in plan.units()]
        missing = [s for s in starts(spec) if not any(u.startswith(squash(s)) for u in units)]
        assert not missing, f"{plan.title}: no unit starts with {missing}"
        expected = sum(len(d.goals) + len(d.measures) for d in spec.domains)
        assert sum(len(d.goals) + len(d.measures) for d in plan.domains) == expected


@pytest.mark.parametrize("sample", SAMPLE_PARAMS)
def test_units_stop_where_the_next_begins(sample):
    """No unit swallows the next item, the next label or the next domain's heading."""
    for plan, spec in plans_of(sample):
        order = starts(spec)
        units = [u for d in plan.domains for u in d.goals + d.measures] + list(plan.key_projects)
        titles = [d.title for d in spec.domains]
        labels = labels_of(sample)
        for k, unit in enumerate(units):
            text = squash(unit.text)
            if k + 1 < len(order):
                assert squash(order[k + 1]) not in text, f"unit {unit.number} ({text[:12]}…) runs into the next"
            bare = text.rstrip(":：。.")
            assert not any(bare.endswith(label) for label in labels), (
                f"unit {unit.number} ends with a label: …{text[-12:]}"
            )
            for title in titles:
                assert not re.search(rf"[）)、．.章分]{re.escape(title)}", text), (
                    f"a domain heading inside {text[:12]}…"
                )
            for stray in sample.not_in_units:
                assert stray not in text, f"{stray!r} inside unit {unit.number} ({text[:12]}…)"


@pytest.mark.parametrize(
    "sample", [s for s in SAMPLE_PARAMS if any(p.key_projects is not None for p in s.values[0].plans)]
)
def test_key_projects(sample):
    for plan, spec in plans_of(sample):
        if spec.key_projects is not None:
            assert _as_spec(plan.key_projects, spec.key_projects) == list(spec.key_projects)


@pytest.mark.parametrize("sample", [s for s in SAMPLE_PARAMS if any(p.doc_number for p in s.values[0].plans)])
def test_notice_metadata(sample):
    for plan, spec in plans_of(sample):
        assert (plan.issuer, plan.doc_number, plan.date) == (spec.issuer, spec.doc_number, spec.date), plan.title


@pytest.mark.parametrize("sample", [pytest.param(s, id=s.id) for s in by_rule(6)])
def test_plans_without_responsible_units_are_normal(sample):
    """No （责任单位：…） anywhere: nothing is refused or flagged, and no unit has responsible units."""
    assert "责任单位" not in sample.text
    result = extract_file(parse_text(sample.text, file_name(sample)))
    for plan in result.plans:
        for _, unit in plan.units():
            assert unit.responsible == []
    assert not [w for w in getattr(result, "warnings", []) if "责任" in w.message]
    assert not [n for n in result.notices if "责任" in n]


# --- refused only when there is no structure -----------------------------------------------------------------


def _sample(sample_id: str) -> Sample:
    return next(s for s in SAMPLES if s.id == sample_id)


def _cut(text: str, first: str, stop: str | None) -> str:
    """The text without the lines from the one starting with ``first`` up to (not with) the one starting with ``stop``."""
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith(first))
    j = next((k for k, line in enumerate(lines) if k > i and line.startswith(stop)), len(lines)) if stop else len(lines)
    return "\n".join(lines[:i] + lines[j:])


def _keep(text: str, first: str, stop: str) -> str:
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith(first))
    j = next(k for k, line in enumerate(lines) if k > i and line.startswith(stop))
    return "\n".join(lines[i:j]) + "\n"


NO_STRUCTURE = {
    "prose": (
        "近日，市妇儿工委召开全体会议，听取各成员单位贯彻落实儿童发展规划情况汇报。\n"
        "会议指出，过去一年全市儿童工作取得新成效，儿童健康、教育、福利水平稳步提高。\n"
        "会议要求，各成员单位要进一步提高思想认识，压实工作责任，推动规划目标如期实现。\n"
    ),
    "domain-section-cut": _cut(_sample("r1-section-mubiao-cuoshi").text, "二、主要目标和策略措施", "三、组织实施"),
    "only-overall-goals": _cut(_sample("r1-chapters-are-domains").text, "第二章", "第四章"),
    "notice-without-its-plan": _cut(_sample("r4-notice-one-plan").text, "昭通市妇女发展规划（2021—2030年）", None),
}


@pytest.mark.parametrize("name", list(NO_STRUCTURE))
def test_no_domains_at_all_is_a_parse_error_naming_the_file(name):
    with pytest.raises(ParseError) as err:
        parse_text(NO_STRUCTURE[name], f"{name}.txt")
    assert err.value.file == f"{name}.txt" and str(err.value).startswith(f"{name}.txt")
    reason = err.value.reason
    assert "发展领域" in reason or "domain" in reason.lower(), reason


def test_domains_without_any_goal_or_measure_is_a_parse_error():
    lines = _sample("r1-section-mubiao-cuoshi").text.split("\n")
    headings_only = "\n".join(l for l in lines if not re.match(r"(\d+．|主要目标|策略措施)", l))
    with pytest.raises(ParseError) as err:
        parse_text(headings_only, "headings.txt")
    assert err.value.file == "headings.txt" and str(err.value).startswith("headings.txt")
    assert "goal" in err.value.reason or "目标" in err.value.reason


STRUCTURE_WITHOUT_SECTION = {
    "one-domain-with-title": "丽水市儿童发展规划（2021—2030年）\n\n"
    + _keep(_sample("r1-section-mubiao-cuoshi").text, "（一）儿童与健康", "（二）儿童与教育"),
    "one-domain-alone": _keep(_sample("r1-section-mubiao-cuoshi").text, "（一）儿童与健康", "（二）儿童与教育"),
}


@pytest.mark.parametrize("name", list(STRUCTURE_WITHOUT_SECTION))
def test_a_domain_without_a_domain_section_is_not_an_error(name):
    plans = parse_text(STRUCTURE_WITHOUT_SECTION[name], f"{name}.txt").plans
    assert len(plans) == 1
    [domain] = plans[0].domains
    assert (domain.number, domain.title) == (1, "儿童与健康")
    assert [(u.number, squash(u.text)[:6]) for u in domain.goals] == [
        (1, "新生儿、婴儿"),
        (2, "儿童总体近视"),
        (3, "中小学生国家"),
    ]
    assert [(u.number, squash(u.text)[:6]) for u in domain.measures] == [
        (1, "优先保障儿童"),
        (2, "加强儿童近视"),
        (3, "增强儿童体质"),
    ]
    if name == "one-domain-with-title":
        assert plans[0].title == "丽水市儿童发展规划（2021—2030年）"
