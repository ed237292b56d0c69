"""Property-based: arbitrary input never raises anything but ParseError; reformatting keeps the counts."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.parse import ParseError, parse_bytes, parse_text
from tests.conftest import CORPUS

PLAN_TEXT = (CORPUS / "003_c9a26a7ca201c7c9.txt").read_text(encoding="utf-8")
COUNTS = parse_text(PLAN_TEXT, "x.txt").plans[0].counts()

# text made of the pieces plans are made of, so the parser's deeper paths are reached
PIECES = st.sampled_from(
    [
        "一、",
        "二、发展领域",
        "（一）",
        "(二)",
        "1.",
        "2．",
        "（1）",
        "主要目标：",
        "策略措施：",
        "儿童与健康",
        "某市儿童发展规划（2021—2030年）",
        "\n",
        "\n\n",
        "\t",
        "[bookmark: _Toc1]",
        "。",
        "，",
        "5.3岁以下",
        "重点实事项目",
        "（责任单位：市卫健委）",
        "《民法典》",
        "- ",
        "‰",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data):
    try:
        parse_bytes(data, "fuzz.txt")
    except ParseError as e:
        assert e.file == "fuzz.txt" and e.reason


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=80))
def test_arbitrary_plan_like_text(pieces):
    try:
        parsed = parse_text("".join(pieces), "fuzz.txt")
    except ParseError as e:
        assert e.file == "fuzz.txt"
        return
    for plan in parsed.plans:
        assert plan.domains and plan.title
        for _, unit in plan.units():
            assert unit.text and unit.source.line >= 1


NUMBER_STYLES = [("．", "."), ("．", "、"), ("．", ". "), ("．", "． ")]
BRACKETS = [("（", "("), ("）", ")")]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_reformatting_keeps_counts(seed):
    rng = random.Random(seed)
    text = PLAN_TEXT
    old, new = rng.choice(NUMBER_STYLES)
    text = text.replace(old, new) if rng.random() < 0.7 else text
    if rng.random() < 0.5:
        for a, b in BRACKETS:
            text = text.replace(a, b)
    lines = []
    for line in text.split("\n"):
        if rng.random() < 0.2:
            lines.append("")  # extra blank lines
        mark = "[bookmark: _Toc%d]" % rng.randrange(10**6) if rng.random() < 0.1 else ""
        body = line.rsplit("]", 1)[-1] if line.startswith("[bookmark:") else line
        if len(body) > 60 and rng.random() < 0.3:  # a break mid-sentence (not inside markup, not before a digit)
            cut = len(line) - len(body) + rng.randrange(20, len(body) - 20)
            while cut < len(line) and (line[cut].isdigit() or line[cut] in ".．、 "):
                cut += 1
            lines += [mark + line[:cut], line[cut:]]
            continue
        lines.append(("\u3000\u3000" if rng.random() < 0.1 else "") + mark + line)
    text = "\n".join(lines)
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    assert parse_bytes(text.encode("utf-8"), "variant.txt").plans[0].counts() == COUNTS
