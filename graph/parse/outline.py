"""A plan's outline: sections, the development-domain section, domains, goals, measures, key projects.

The reader follows structure, not one plan's vocabulary: numbering levels (the first numbered
heading fixes the section style, domains take the next level down, items the level below their
label), labels as a family (…目标 / …措施 / …任务 / …举措, numbered or not, alone or sharing their line
with the first item), and domains written as top-level chapters. With ``excerpt=True`` (a second
pass when a text has no domain-section heading) the whole text is read as a domain section.
"""

from __future__ import annotations

import re

from ..concepts import concept_of
from ..model import GOAL, KEY_PROJECT, MEASURE, Domain, OutlineLabel, ParseWarning, Plan, Section, Unit
from .lines import Line, source_of
from .numbering import Numbered, is_common_label, label_of, numbering, split_label

SECTION_STYLES = ("chapter", "cn")
ITEM_STYLES = ("num", "num_paren", "circled")
HEADING_MAX = 40
SENTENCE_PUNCT = re.compile(r"[，。；：,;:！？]")
ROLE_WORDS = [  # (role, keywords) first match wins
    ("domains", ("发展领域", "重点领域", "主要任务", "重点任务", "目标任务")),
    ("key_projects", ("重点实事", "实事项目", "重点项目", "重点工程")),
    ("principles", ("基本原则", "指导思想", "总体要求", "总体目标")),
    ("monitoring", ("监测", "评估")),
    ("implementation", ("组织实施", "实施", "保障")),
]
# a domain's title: a population and a field (儿童与健康, 妇女参与决策和管理, 女性与经济 …)
DOMAIN_TITLE = re.compile(r"^(?:儿童|妇女|女性|青少年|未成年人|老年人|家庭)(?:与|和|参与|的)[\u4e00-\u9fff、和]{1,10}$")
# a post's or article's byline and source lines: never part of an item
META_LINE = re.compile(
    r"^(?:来源|信息来源|编辑|责任编辑|审核|审校|校对|作者|供稿|发布时间|原标题|监制|初审|复审|终审|排版)\s*[：:]"
)
INTRO_LABEL = re.compile(r"(?:主要|具体|发展)?(目标|措施|任务)(?:如下|是|有|包括)?[：:]$")
EXCERPT_DOMAIN = re.compile(r"([\u4e00-\u9fff]{2,5}(?:与|参与)[\u4e00-\u9fff]{2,8}?)领域")


def section_role(title: str) -> str:
    if "目标" in title and ("措施" in title or "任务" in title or "策略" in title):
        return "domains"
    for role, words in ROLE_WORDS:
        if any(w in title for w in words):
            return role
    return "other"


def domain_title(heading: str) -> str:
    """'儿童与健康：保障儿童身心健康' → '儿童与健康'."""
    title = re.split(r"[：:。]|\.(?=\s|$|[\u4e00-\u9fff])", heading, maxsplit=1)[0].strip()
    return re.sub(r"\s+", "", title)


def looks_like_domain(heading: str) -> bool:
    return bool(DOMAIN_TITLE.match(domain_title(heading)))


class _Item:
    """A unit being read: its first line and the lines that continue it."""

    def __init__(self, kind: str, num: Numbered, line: Line, offset: int = 0):
        self.kind, self.number, self.first, self.last = kind, num.number, line, line
        self.parts = [num.rest]
        self.start = line.text_start + offset + num.offset

    def add(self, line: Line):
        self.parts.append(line.text)
        self.last = line

    def build(self, file: str) -> Unit:
        head = self.parts[0]
        if len(self.parts) > 1 and len(head) <= 30 and not SENTENCE_PUNCT.search(head):
            text = head + "。" + _join(self.parts[1:])  # a heading line followed by its body
            title = head
        else:
            text = _join(self.parts)
            title = re.split(r"[。；;]", text, maxsplit=1)[0]
            title = title if len(title) <= 60 else ""
        return Unit(self.kind, self.number, text, source_of(file, self.first, self.last, self.start), title=title)


def _join(parts: list[str]) -> str:
    out = parts[0]
    for p in parts[1:]:
        sep = " " if out[-1:].isascii() and out[-1:].isalnum() and p[:1].isascii() and p[:1].isalnum() else ""
        out += sep + p
    return out


class OutlineReader:
    """Reads one plan's lines (tables already removed) into sections, domains and units."""

    def __init__(self, plan: Plan, file: str, warnings: list[ParseWarning], excerpt: bool = False):
        self.plan, self.file, self.warnings = plan, file, warnings
        self.section: Section | None = None
        self.section_style: str | None = None
        self.section_number = 0  # of the last numbered section
        self.domain: Domain | None = None
        self.domain_style: str | None = None
        self.item_style: str | None = None
        self.kind = MEASURE
        self.item: _Item | None = None
        self.label: OutlineLabel | None = None
        self.expected = 1
        self.excerpt = excerpt
        self.plan.outline.excerpt = excerpt
        self.default_kind = MEASURE  # an excerpt's intro may say its lists are goals (…主要目标如下)
        self.intro_said = False
        if excerpt:  # the whole text stands for the domain section
            self.section = Section(0, "", plan.source, "domains")

    # -- closing ------------------------------------------------------------------------------
    def _close_item(self):
        if self.item is None:
            return
        unit = self.item.build(self.file)
        if unit.kind == KEY_PROJECT:
            self.plan.key_projects.append(unit)
        else:
            assert self.domain is not None  # goals and measures are only read inside a domain
            (self.domain.goals if unit.kind == GOAL else self.domain.measures).append(unit)
        if self.label is not None:
            self.label.items += 1
        self.item = None

    def _start_list(self, kind: str, line: Line | None = None, text: str = ""):
        self._close_item()
        self.kind, self.expected, self.item_style = kind, 1, None
        self.label = None
        if line is not None:
            self.label = OutlineLabel(line.no, text or line.text, kind, len(self.plan.domains) if self.domain else 0)
            self.plan.outline.labels.append(self.label)

    # -- reading ------------------------------------------------------------------------------
    def feed(self, line: Line):
        if line.blank:
            return
        num = numbering(line.text)
        if num is not None and not self.excerpt and self._is_section(num, line):
            self._open_section(num, line)
            return
        if num is None and not self.excerpt and self._is_bare_heading(line.text):
            self._open_section(Numbered("", 0, line.text, 0), line)
            return
        if self.section is None:
            self.plan.preamble += line.text + "\n"
            return
        role = self.section.role
        if role == "domains":
            self._in_domains(num, line)
        elif role == "key_projects":
            self._in_list(num, line, KEY_PROJECT, exclude=())
        # other sections carry no units

    def finish(self):
        self._close_item()

    def _is_section(self, num: Numbered, line: Line) -> bool:
        if num.style not in SECTION_STYLES or len(num.rest) > HEADING_MAX:
            return False
        if self.section_style is None or self.section is None:  # both are set by the first section
            return label_of(num.rest) is None
        if num.style != self.section_style:
            return False
        return num.number == self.section_number + 1

    def _is_bare_heading(self, text: str) -> bool:
        """An unnumbered section heading (组织实施, 主要目标、具体目标与策略措施): short, no punctuation,
        a known role, not a list label."""
        if len(text) > 20 or SENTENCE_PUNCT.search(text) or label_of(text) is not None:
            return False
        role = section_role(text)
        if role == "domains":
            return self.section is None or self.section.role != "domains"
        return role != "other" and self.section is not None and self.section.role == "domains"

    def _open_section(self, num: Numbered, line: Line):
        self._close_item()
        if num.style:
            self.section_style = self.section_style or num.style
            self.section_number = num.number
        title = re.sub(r"[。\s]+$", "", num.rest)
        role = section_role(title)
        domain_like = role == "other" and looks_like_domain(title)
        self.section = Section(num.number, title, source_of(self.file, line), "domains" if domain_like else role)
        self.plan.sections.append(self.section)
        self.domain, self.domain_style, self.item_style, self.kind, self.expected = None, None, None, MEASURE, 1
        if domain_like:  # domains written as top-level chapters (第三章 儿童与健康)
            self._open_domain(num, line)
            self.domain_style = "section"

    def _is_domain(self, num: Numbered | None) -> bool:
        if num is None or num.style == self.item_style or not num.rest:
            return False
        if self.domain_style is None:  # the first domain: any number (an excerpt may start at （二）)
            if label_of(num.rest) is not None or split_label(num.rest) is not None:
                return False
            short = len(domain_title(num.rest)) <= 16
            return looks_like_domain(num.rest) or (
                not self.excerpt and (num.number == 1 or short and num.style in ("cn", "cn_paren", "chapter"))
            )
        return num.style == self.domain_style and num.number == self.plan.domains[-1].number + 1

    def _in_domains(self, num: Numbered | None, line: Line):
        if self._is_domain(num):
            assert num is not None
            self._open_domain(num, line)
            return
        if self.domain is None:
            kind = label_of(line.text) or (split_label(line.text) or (None,))[0]
            if not self.excerpt:
                return  # text between the section heading and the first domain
            if num is None and kind is None:  # an excerpt's intro: it may name the kind of the lists
                self.plan.preamble += line.text + "\n"
                said = INTRO_LABEL.search(line.text) or re.search(r"(目标|措施|任务)[。：:]?$", line.text)
                if said:
                    self.default_kind = GOAL if said.group(1) == "目标" else MEASURE
                    self.intro_said = True
                return
            if kind not in (GOAL, MEASURE) and not (self.intro_said and num and num.style in ITEM_STYLES):
                return
            self._open_implicit_domain(line)
        self._in_list(num, line, None, exclude=(self.domain_style,))

    def _open_domain(self, num: Numbered, line: Line):
        self._close_item()
        self.domain_style = num.style
        heading = num.rest.strip()
        title = domain_title(heading)
        self._add_domain(
            Domain(
                num.number, title, concept_of(title, self.plan.plan_type), source_of(self.file, line), heading=heading
            )
        )

    def _open_implicit_domain(self, line: Line):
        """An excerpt quoting one domain's list with no domain heading: the domain is named in the
        text before it (…妇女与健康领域的主要目标如下…) or left untitled."""
        found = EXCERPT_DOMAIN.findall(self.plan.preamble)
        title = found[-1] if found else ""
        self._add_domain(Domain(1, title, concept_of(title, self.plan.plan_type), source_of(self.file, line)))
        self.domain_style = "implicit"

    def _add_domain(self, domain: Domain):
        self.domain = domain
        self.plan.domains.append(domain)
        self._start_list(self.default_kind)

    def _in_list(self, num: Numbered | None, line: Line, fixed_kind: str | None, exclude: tuple):
        text = num.rest if num else line.text
        if num is None and META_LINE.match(text):  # 来源：… 编辑：… after an article's last item
            self._close_item()
            self.plan.outline.stray.append((line.no, line.text))
            return
        next_item = num is not None and self.item_style == num.style and num.number == self.expected and bool(num.rest)
        label = label_of(text)
        if label and fixed_kind is None and (not next_item or is_common_label(text)):
            self._start_list(label, line)
            return
        shared = split_label(text) if fixed_kind is None else None
        if shared is not None:  # 主要目标：1．婴儿死亡率… — the label, then its first item
            kind, at = shared
            self._start_list(kind, line, text[:at])
            offset = (line.text.find(text) if num else 0) + at
            first = numbering(text[at:])
            assert first is not None
            self._start_item(first, line, offset)
            return
        if num and num.style not in exclude and num.rest and self._accepts(num, line):
            self._start_item(num, line)
            return
        if self.item is not None:
            self.item.add(line)
        elif self.section is not None and self.section.role == "domains":
            self.plan.outline.stray.append((line.no, line.text))

    def _accepts(self, num: Numbered, line: Line) -> bool:
        """Is this numbered line the list's next item? A first item may start past 1 (an excerpt);
        a jump ahead in the list's own style is taken, with a warning naming the line."""
        if self.item_style is None:
            if num.number != 1:
                self._warn(line, f"the list starts at {num.number}, not 1")
            return True
        if num.style != self.item_style:
            return False
        if num.number == self.expected:
            return True
        if self.expected < num.number <= self.expected + 2:
            self._warn(line, f"numbering jumps from {self.expected - 1} to {num.number}")
            return True
        return False

    def _start_item(self, num: Numbered, line: Line, offset: int = 0):
        kind = KEY_PROJECT if self.section is not None and self.section.role == "key_projects" else self.kind
        self._close_item()
        self.item_style = num.style
        self.item = _Item(kind, num, line, offset)
        self.expected = num.number + 1

    def _warn(self, line: Line, message: str):
        self.warnings.append(ParseWarning(line.no, message))
