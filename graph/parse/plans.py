"""Split a file into plans and recover each plan's metadata (title, region, level, period, type, issuer …)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .lines import Line

HAN = r"\u4e00-\u9fff"
PLAN_TYPES = {"儿童": "children", "妇女": "women", "女性": "women"}
TYPE_WORDS = "儿童|妇女|女性|青少年|老龄|老年人|家庭"
TITLE_LINE = re.compile(
    rf"^(?P<region>[{HAN}]{{2,15}}?)(?P<type>{TYPE_WORDS})(?:事业)?发展(?P<mid>[^，。；《》]{{0,16}}?)"
    rf"(?:规划|纲要)(?P<tail>(?:\s*[（(][^（()）]*[）)])*)$"
)
NOT_TITLE = re.compile(r"关于|通知|印发|[《》]|[和及、]$")
FIVE_YEAR = {"十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
SPAN = re.compile(r"(\d{4})\s*(?:年)?\s*[—–\-－~～至到]+\s*(\d{4})")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DOC_NUMBER = re.compile(rf"[{HAN}]{{1,8}}\s*[〔\[［【（(]\s*\d{{4}}\s*[〕\]］】）)]\s*\d{{1,4}}\s*号")
LEVEL_CHARS = {
    "省": "province",
    "自治区": "province",
    "市": "city",
    "州": "city",
    "盟": "city",
    "县": "county",
    "旗": "county",
    "区": "district",
}
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
DRAFT = "征求意见稿"


@dataclass
class PlanHead:
    title: str
    inferred: bool
    line_index: int  # index into the file's lines where the plan starts
    evidence: str = ""
    draft: bool = False
    lines: int = 1  # how many lines the title takes (a title may be split over two)


@dataclass
class Notice:
    text: str
    issuer: str | None = None
    date: str | None = None
    doc_number: str | None = None
    titles: list[str] = field(default_factory=list)


def tidy_plan_title(title: str) -> str:
    """One spelling per title: full-width brackets, one dash between years, no spaces."""
    title = re.sub(r"\s+", "", title).replace("(", "（").replace(")", "）")
    return re.sub(r"(\d{4})[—–\-－~～]+(\d{4})", r"\1—\2", title)


def title_match(text: str):
    if len(text) > 60 or NOT_TITLE.search(text):
        return None
    return TITLE_LINE.match(text)


def find_plan_heads(lines: list[Line]) -> list[PlanHead]:
    heads: list[PlanHead] = []
    skip = -1
    for i, line in enumerate(lines):
        if i <= skip:
            continue
        title, used = line.text, 1
        if not title_match(title):
            nxt = _next_text(lines, i)  # a title split over two lines: 某某省妇女发展 / 规划（2021—2025年）
            if nxt is None or not _title_start(title) or not title_match(title + lines[nxt].text):
                continue
            title, used = title + lines[nxt].text, nxt - i + 1
        draft = False
        for nxt_line in lines[i + used : i + used + 3]:  # a period or draft marker on its own line
            if nxt_line.blank:
                continue
            if re.fullmatch(r"[（(][^（()）]{1,20}[）)]", nxt_line.text):
                if DRAFT in nxt_line.text:
                    draft = True
                elif SPAN.search(nxt_line.text) and not SPAN.search(title):
                    title += nxt_line.text
            break
        if DRAFT in title:
            draft = True
            title = re.sub(rf"\s*[（(]{DRAFT}[）)]", "", title)
        heads.append(PlanHead(tidy_plan_title(title), False, i, draft=draft, lines=used))
        skip = i + used - 1
    return heads


def _next_text(lines: list[Line], i: int) -> int | None:
    for j in range(i + 1, min(i + 3, len(lines))):
        if not lines[j].blank:
            return j
    return None


def _title_start(text: str) -> bool:
    """The first half of a split title: short, no sentence punctuation, names a plan type."""
    return 4 <= len(text) <= 30 and re.search(TYPE_WORDS, text) is not None and not re.search(r"[，。；：]", text)


def read_notice(lines: list[Line]) -> Notice | None:
    text = "\n".join(ln.text for ln in lines if not ln.blank)
    if not re.search(r"通知|印发", text):
        return None
    notice = Notice(text)
    head = re.search(rf"([{HAN}]*?)关于印发", text.replace("\n", ""))
    signature = next(
        (ln.text for ln in lines if re.fullmatch(rf"[{HAN}]{{2,20}}(?:人民政府|办公室|委员会|办公厅)", ln.text)), None
    )
    notice.issuer = signature or (head.group(1) if head and head.group(1) else None)
    dates = DATE.findall(text)
    if dates:
        y, m, d = dates[-1]
        notice.date = f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
    num = DOC_NUMBER.search(text)
    notice.doc_number = re.sub(r"\s+", "", num.group(0)) if num else None
    notice.titles = [tidy_plan_title(t) for t in re.findall(r"《([^》]+)》", text)]
    return notice


def region_of(title: str) -> str:
    m = TITLE_LINE.match(title)
    return m.group("region") if m else ""


def level_of(region: str) -> str:
    if region in MUNICIPALITIES:
        return "province"
    if region in ("中国", "全国", "国家"):
        return "national"
    for suffix, level in sorted(LEVEL_CHARS.items(), key=lambda kv: -len(kv[0])):
        if region.endswith(suffix):
            return level
    return ""


def type_of(title: str, body: str = "") -> str:
    m = TITLE_LINE.match(title)
    word = m.group("type") if m else ""
    if word:
        return PLAN_TYPES.get(word, "other")
    counts = {t: body.count(w) for w, t in PLAN_TYPES.items()}
    return max(counts, key=counts.__getitem__) if any(counts.values()) else "other"


def period_of(title: str, body: str = "") -> tuple[int | None, int | None]:
    for key, span in FIVE_YEAR.items():
        if key in title:
            return span
    m = SPAN.search(title)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"规划(?:期限|期|时限)[为是：:]?\s*" + SPAN.pattern, body)
    if m:
        return int(m.group(1)), int(m.group(2))
    return None, None


def resolve_issuer(issuer: str | None, region: str) -> str | None:
    """'区人民政府' in a notice of 曾都区 plans → '曾都区人民政府'."""
    if issuer and region and issuer[0] in "省市县区" and not issuer.startswith(region):
        level_char = region[-1]
        if issuer[0] == level_char:
            return region + issuer[1:]
    return issuer


# --- title inference for files that carry no title line ------------------------------------------

CAPTION_TITLE = re.compile(rf"^(?P<t>[{HAN}“”\"（()）\d—\-]+?(?:规划|纲要))(?:重点|主要)?(?:统计)?(?:指标|目标)")
SELF_LEVEL = re.compile(r"我(省|市|县|区|州|旗)")


QUOTED_TITLE = re.compile(r"《([^《》]{4,60})》")
ISSUED = re.compile(r"印发|发布|出台|公布|颁布|解读|读懂|获悉|通过")


def infer_title(lines: list[Line], file: str = "") -> tuple[str, str]:
    """(title, evidence) for a plan whose file has no title line; at worst the file's name."""
    for line in lines:
        if re.search(r"(?:指标|目标)[^，。；]{0,12}表$", line.text) and len(line.text) <= 60:
            m = CAPTION_TITLE.match(line.text)
            if m and TITLE_LINE.match(m.group("t")):
                return tidy_plan_title(m.group("t")), f"indicator-table caption, line {line.no}"
    for line in lines[:12]:  # a post or article about the plan: 近日，某市印发《某市妇女发展规划（…）》
        for m in QUOTED_TITLE.finditer(line.text):
            near = line.text[max(0, m.start() - 12) : m.end() + 12]
            if title_match(m.group(1)) and ISSUED.search(near):
                return tidy_plan_title(m.group(1)), f"quoted in line {line.no}"
    title, evidence = _title_from_references(lines)
    if title:
        return title, evidence
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file).strip()
    return (stem, "the file name: the text names no plan") if stem else ("", "")


def _title_from_references(lines: list[Line]) -> tuple[str, str]:
    body = "\n".join(ln.text for ln in lines)
    kind = type_of("", body)
    type_zh = {"children": "儿童", "women": "妇女"}.get(kind, "")
    most = Counter(SELF_LEVEL.findall(body)).most_common(1)
    level_char = most[0][0] if most else ""
    region, evidence = _self_region(body, level_char)
    if not region:
        return "", ""
    refs = [t for t in re.findall(r"《([^》]+)》", body) if f"{type_zh}发展" in t]
    start, end = period_of("", body)
    if start is None:  # the period shared by the higher-level plans this one implements
        spans = Counter(period_of(t) for t in refs if not t.startswith(region) and period_of(t)[0])
        if spans:
            start, end = max(spans, key=lambda s: (spans[s], s[0]))
    if start is None:
        return "", ""
    five = next((k for k, v in FIVE_YEAR.items() if v == (start, end)), None)
    if five and any(f"“{five}”" in t for t in refs):
        title = f"{region}{type_zh}发展“{five}”规划"
    else:
        title = f"{region}{type_zh}发展规划（{start}—{end}年）"
    return title, f"{evidence}; period from the plans it implements"


def _self_region(body: str, level_char: str) -> tuple[str, str]:
    if not level_char:
        return "", ""
    m = re.search(rf"《([{HAN}]{{2,6}}?{level_char})国民经济和社会发展", body)
    if m:
        return m.group(1), f"region from 《{m.group(1)}国民经济和社会发展…》 and 我{level_char}"
    m = re.search(rf"([{HAN}]{{2,6}}?{level_char})[委党]", body)
    if m:
        return m.group(1), f"region from '{m.group(0)}' and 我{level_char}"
    return "", ""
