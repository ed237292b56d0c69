"""Property-based: arbitrary input never raises anything but ParseError; reformatting a plan keeps its units."""

from __future__ import annotations

import functools
import random
import re

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from graph.parse import ParseError, parse_bytes, parse_text
from tests.conftest import CORPUS
from tests.layout_samples import SAMPLES

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


# --- reformatting never changes a plan's units --------------------------------------------------------------
#
# A plan text is reformatted the ways real plans differ in layout without differing in content: item
# numbering style (consistent within each list), full-width/half-width punctuation in numbers and labels,
# blank lines between paragraphs, indentation, trailing spaces, CRLF line ends, label variants (策略措施 →
# 主要措施/支持措施, 主要目标 → 发展目标), label endings (：/:/。/none) and a label sharing its line with the
# first item. What the parser reads from the ORIGINAL text is the expectation: the reformatted text must give
# the same plans, domains and units (kind, number, domain, text with whitespace removed).

BUNDLED = {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}
SOURCES = {**BUNDLED, **{f"{s.id}.txt": s.text for s in SAMPLES}}  # file name → text

SPACE = "[ \u3000]"
PRE = rf"(?P<pre>(?:\[bookmark:[^\]]*\])*{SPACE}*(?:[-*•·]{SPACE}+)?)"
LABEL_HEAD = rf"(?P<label>[\u4e00-\u9fff]{{0,4}}?(?:目标|措施|任务|举措){SPACE}*[：:]{SPACE}*)"
ITEM = re.compile(
    PRE
    + f"{LABEL_HEAD}?"
    + rf"(?P<mark>(?P<n1>\d{{1,3}}){SPACE}*(?P<p1>[.．、]){SPACE}*"
    + rf"|[（(]{SPACE}*(?P<n2>\d{{1,3}}){SPACE}*[）)]{SPACE}*"
    + rf"|(?P<c>[\u2460-\u2473]){SPACE}*)"
    + r"(?P<rest>.*)$"
)
LABEL_CORE = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:目标|措施|任务|举措)[：:。.]?$")
GOAL_WORDS, MEASURE_WORDS = ("主要目标", "发展目标"), ("策略措施", "主要措施", "支持措施")
LABEL = re.compile(
    PRE
    + rf"(?P<num>(?:\d{{1,2}}{SPACE}*[.．、]|[（(][一二三四五六七八九十\d]{{1,2}}[）)]|[一二三四五六七八九十]{{1,2}}、){SPACE}*)?"
    + rf"(?P<word>{'|'.join(GOAL_WORDS + MEASURE_WORDS + ('具体目标',))}){SPACE}*(?P<end>[：:。.]?){SPACE}*(?P<rest>.*)$"
)
CN_PAREN = re.compile(PRE + r"[（(](?P<cn>[一二三四五六七八九十]{1,3})[）)]")
DOT_VARIANTS, PAREN_VARIANTS = ("．", ".", "、", ". "), ("（）", "()")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _class(m: re.Match) -> str:
    return "dot" if m.group("n1") else "paren" if m.group("n2") else "circ"


def _number(m: re.Match) -> int:
    return int(m.group("n1") or m.group("n2") or ord(m.group("c")) - 0x245F)


def item_lines(lines: list[str]) -> dict[int, tuple[re.Match, str, int]]:
    """Lines that are numbered list items: {index: (match, class, list id)}. An item numbered n follows
    n-1 of its class (or starts a list at 1); a numbered label (1．主要目标) is not an item."""
    found, last, list_id = {}, {}, {}
    for i, line in enumerate(lines):
        m = ITEM.match(line)
        if not m or (not m.group("label") and LABEL_CORE.match(m.group("rest").strip())):
            continue
        cls, n = _class(m), _number(m)
        starts_list = n == 1 and not (cls == "dot" and m.group("rest")[:1].isdigit())
        if n == last.get(cls, 0) + 1 or starts_list:
            if n == 1:
                list_id[cls] = list_id.get(cls, 0) + 1
            last[cls] = n
            found[i] = (m, cls, list_id[cls])
    return found


def _mark(cls: str, variant: str, n: int, rest: str) -> str:
    if cls == "circ":
        return chr(0x245F + n)
    if cls == "paren":
        return f"{variant[0]}{n}{variant[1]}"
    return f"{n}{variant}" + (" " if variant in ".．" and rest[:1].isdigit() else "")


def restyle_numbers(lines: list[str], rnd) -> list[str]:
    """Another numbering style per kind of list (1．→ 1. / 1、 / （1） / (1) / ①), the same within a list;
    lists that were told apart by their style stay apart, and never take the style of numbered labels."""
    items = item_lines(lines)
    reserved = {_class(m) for line in lines if (m := ITEM.match(line)) and LABEL_CORE.match(m.group("rest").strip())}
    classes = sorted({cls for _, cls, _ in items.values()})
    biggest = {c: max(_number(m) for m, cls, _ in items.values() if cls == c) for c in classes}
    targets: dict[str, str] = {}
    for c in classes:
        free = [
            t
            for t in ("dot", "paren", "circ")
            if t not in targets.values() and (t == c or t not in reserved and t not in classes)
            if t != "circ" or biggest[c] <= 20
        ]
        targets[c] = rnd.choice(free) if free else c
    variants: dict[tuple[str, int], str] = {}
    out = list(lines)
    for i, (m, cls, lid) in items.items():
        target = targets[cls]
        variant = variants.setdefault((cls, lid), rnd.choice(DOT_VARIANTS if target == "dot" else PAREN_VARIANTS))
        label = m.group("label") or ""
        out[i] = m.group("pre") + label + _mark(target, variant, _number(m), m.group("rest")) + m.group("rest")
    return out


def switch_width(lines: list[str], rnd) -> list[str]:
    """Full-width ↔ half-width in numbers and labels: （一）/(一), 1．/1., （1）/(1), ：/: after a label."""
    cn_open, cn_close = rnd.choice([("（", "）"), ("(", ")")])
    dot = rnd.choice(["．", "."])
    paren = rnd.choice(PAREN_VARIANTS)
    colon = rnd.choice(["：", ":"])
    out = []
    for line in lines:
        m = CN_PAREN.match(line)
        if m:
            line = m.group("pre") + cn_open + m.group("cn") + cn_close + line[m.end() :]
        m = ITEM.match(line)
        if m and not m.group("c"):
            n, rest = _number(m), m.group("rest")
            if m.group("n2"):
                mark = _mark("paren", paren, n, rest)
            else:
                mark = _mark("dot", m.group("p1") if m.group("p1") == "、" else dot, n, rest)
            label = re.sub("[：:]", colon, m.group("label") or "")
            line = m.group("pre") + label + mark + rest
        m = LABEL.match(line)
        if m and m.group("end") in ("：", ":"):
            line = line[: m.start("end")] + colon + line[m.end("end") :]
        out.append(line)
    return out


def vary_labels(lines: list[str], rnd) -> list[str]:
    """策略措施 ↔ 主要措施 ↔ 支持措施, 主要目标 ↔ 发展目标; a label ending in ：, :, 。 or nothing; a label
    joined to the line of its first item (主要目标：1．…)."""
    out = list(lines)
    items = item_lines(out)
    drop = set()
    for i, line in enumerate(out):
        m = LABEL.match(line)
        if not m or (m.group("rest") and not ITEM.match(m.group("rest"))):
            continue
        word = m.group("word")
        family = GOAL_WORDS if word in GOAL_WORDS else MEASURE_WORDS if word in MEASURE_WORDS else (word,)
        word = rnd.choice(family)
        end = rnd.choice(["：", ":", "。", ""]) if not m.group("rest") else m.group("end")
        nxt = next((j for j in range(i + 1, len(out)) if out[j].strip()), None)
        join = not m.group("rest") and nxt in items and not items[nxt][0].group("label") and rnd.random() < 0.5
        if join:
            end = rnd.choice(["：", ":"])
        out[i] = m.group("pre") + (m.group("num") or "") + word + end + m.group("rest")
        if join:
            item = items[nxt][0]
            out[i] += out[nxt][len(item.group("pre")) :]
            drop.update(range(i + 1, nxt + 1))
    return [line for k, line in enumerate(out) if k not in drop]


def _cell(line: str | None) -> bool:
    return line is not None and line.startswith("\t")


def vary_blank_lines(lines: list[str], rnd) -> list[str]:
    """Blank lines removed, or added between paragraphs (never inside a flattened table)."""
    prev: list[str | None] = []  # the last non-blank line before each line
    last = None
    for line in lines:
        prev.append(last)
        last = line if line.strip() else last
    after: list[str | None] = []  # the first non-blank line after each line
    nxt = None
    for line in reversed(lines):
        after.append(nxt)
        nxt = line if line.strip() else nxt
    after.reverse()
    out: list[str] = []
    remove = rnd.random() < 0.5
    for k, line in enumerate(lines):
        near_cells = _cell(prev[k]) or _cell(after[k]) or _cell(line)
        if remove:
            if not line.strip() and not near_cells and rnd.random() < 0.8:
                continue
        elif line.strip() and prev[k] is not None and not near_cells and rnd.random() < 0.5:
            ends_paragraph = prev[k].rstrip()[-1:] in "。；！？：:"
            if ends_paragraph or ITEM.match(line) or LABEL.match(line) or CN_PAREN.match(line):
                out.append("")
        out.append(line)
    return out


def indent(lines: list[str], rnd) -> list[str]:
    pads = [" ", "  ", "    ", "\u3000\u3000", "\u3000", " \u3000"]
    return [rnd.choice(pads) + x if x.strip() and not _cell(x) and rnd.random() < 0.4 else x for x in lines]


def trailing_spaces(lines: list[str], rnd) -> list[str]:
    pads = [" ", "  ", "\u3000", " \u3000 "]
    return [x + rnd.choice(pads) if x.strip() and not _cell(x) and rnd.random() < 0.4 else x for x in lines]


TRANSFORMS = {  # applied in this order
    "numbering": restyle_numbers,
    "width": switch_width,
    "labels": vary_labels,
    "blank-lines": vary_blank_lines,
    "indent": indent,
    "trailing-spaces": trailing_spaces,
}
OPS = [*TRANSFORMS, "crlf"]


def reformat(text: str, ops, rnd) -> str:
    lines = text.split("\n")
    for name, transform in TRANSFORMS.items():
        if name in ops:
            lines = transform(lines, rnd)
    return ("\r\n" if "crlf" in ops else "\n").join(lines)


def outcome(text: str, name: str):
    """What a reader of the model sees: per plan its title, domains and units; or that the text is refused."""
    try:
        parsed = parse_bytes(text.encode("utf-8"), name)
    except ParseError:
        return "refused"
    return [
        (
            plan.title,
            [(d.number, d.title) for d in plan.domains],
            [(d.title if d else None, u.kind, u.number, squash(u.text)) for d, u in plan.units()],
        )
        for plan in parsed.plans
    ]


@functools.cache
def original(name: str):
    return outcome(SOURCES[name], name)


def _check_reformatted(name: str, ops, rnd):
    text = reformat(SOURCES[name], ops, rnd)
    got = outcome(text, name)
    if got != original(name):
        note(f"reformatted with {sorted(ops)} (first 3000 characters):\n{text[:3000]}")
    assert got == original(name)


# the bundled plans (long, real conversion noise) as often as the layout samples (short, many layouts)
SOURCE_NAMES = st.one_of(st.sampled_from(sorted(BUNDLED)), st.sampled_from(sorted(set(SOURCES) - set(BUNDLED))))
RANDOMS = st.randoms(use_true_random=False)


@pytest.mark.parametrize("op", OPS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=SOURCE_NAMES, rnd=RANDOMS)
def test_one_reformatting_keeps_the_units(op, name, rnd):
    _check_reformatted(name, {op}, rnd)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=SOURCE_NAMES, ops=st.sets(st.sampled_from(OPS), min_size=2), rnd=RANDOMS)
def test_composed_reformattings_keep_the_units(name, ops, rnd):
    _check_reformatted(name, ops, rnd)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_reformatter_sees_every_item(name):
    """The reformatting rewrites every numbered goal and measure the parser finds (else it would not test
    that the numbering style does not matter), and it really changes the text."""
    found = original(name)
    if found == "refused":
        pytest.skip("the original text is refused by the parser")
    text = SOURCES[name]
    lines = text.split("\n")
    items = item_lines(lines)
    parsed = parse_bytes(text.encode("utf-8"), name)
    for plan in parsed.plans:
        for d in plan.domains:
            for u in d.units:
                assert u.source.line - 1 in items, f"line {u.source.line} ({lines[u.source.line - 1][:20]}…)"
    rnd = random.Random(0)
    assert reformat(text, set(OPS), rnd) != text
