"""A plan's outline: sections, the development-domain section, domains, goals, measures, key projects."""

from __future__ import annotations

import re

from ..concepts import concept_of
from ..model import GOAL, KEY_PROJECT, MEASURE, Domain, Plan, Section, Source, Unit
from .lines import Line
from .numbering import Numbered, label_of, numbering

SECTION_STYLES = ("chapter", "cn")
HEADING_MAX = 40
SENTENCE_PUNCT = re.compile(r"[，。；：,;:！？]")
ROLE_WORDS = [  # (role, keywords) first match wins
    ("domains", ("发展领域",)),
    ("key_projects", ("重点实事", "实事项目", "重点项目", "重点工程")),
    ("principles", ("基本原则", "指导思想", "总体要求", "总体目标")),
    ("monitoring", ("监测", "评估")),
    ("implementation", ("组织实施", "实施", "保障")),
]


def section_role(title: str) -> str:
    if "目标" in title and ("措施" in title or "任务" in title):
        return "domains"
    for role, words in ROLE_WORDS:
        if any(w in title for w in words):
            return role
    return "other"


class _Item:
    """A unit being read: its first line and the lines that continue it."""

    def __init__(self, kind: str, num: Numbered, line: Line):
        self.kind, self.number, self.first, self.last = kind, num.number, line, line
        self.parts = [num.rest]
        self.start = line.text_start + num.offset

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
        src = Source(file, self.first.no, self.start, self.last.end, self.last.no)
        return Unit(self.kind, self.number, text, src, title=title)


def _join(parts: list[str]) -> str:
    out = parts[0]
    for p in parts[1:]:
        sep = " " if out[-1:].isascii() and out[-1:].isalnum() and p[:1].isascii() and p[:1].isalnum() else ""
        out += sep + p
    return out


class OutlineReader:
    """Reads one plan's lines (tables already removed) into sections, domains and units."""

    def __init__(self, plan: Plan, file: str):
        self.plan, self.file = plan, file
        self.section: Section | None = None
        self.section_style: str | None = None
        self.domain: Domain | None = None
        self.domain_style: str | None = None
        self.item_style: str | None = None
        self.kind = MEASURE
        self.item: _Item | None = None
        self.expected = 1

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
        self.item = None

    def _start_list(self, kind: str):
        self._close_item()
        self.kind, self.expected, self.item_style = kind, 1, None

    # -- reading ------------------------------------------------------------------------------
    def feed(self, line: Line):
        if line.blank:
            return
        num = numbering(line.text)
        if num is not None and self._is_section(num, line):
            self._open_section(num, line)
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
            return True
        if num.style != self.section_style:
            return False
        return num.number == self.section.number + 1

    def _open_section(self, num: Numbered, line: Line):
        self._close_item()
        self.section_style = self.section_style or num.style
        title = re.sub(r"[。\s]+$", "", num.rest)
        self.section = Section(
            num.number, title, Source(self.file, line.no, line.text_start, line.end, line.no), section_role(title)
        )
        self.plan.sections.append(self.section)
        self.domain, self.domain_style, self.item_style, self.kind, self.expected = None, None, None, MEASURE, 1

    def _in_domains(self, num: Numbered | None, line: Line):
        if (
            num is not None
            and (num.style == self.domain_style or self.domain_style is None and label_of(num.rest) is None)
            and num.number == len(self.plan.domains) + 1
            and num.style != self.item_style
        ):
            self._open_domain(num, line)
            return
        if self.domain is None:
            return  # text between the section heading and the first domain
        self._in_list(num, line, None, exclude=(self.domain_style,))

    def _open_domain(self, num: Numbered, line: Line):
        self._close_item()
        self.domain_style = num.style
        heading = num.rest.strip()
        title = re.split(r"[：:。]", heading, maxsplit=1)[0].strip()
        title = re.sub(r"\s+", "", title)
        src = Source(self.file, line.no, line.text_start, line.end, line.no)
        self.domain = Domain(num.number, title, concept_of(title, self.plan.plan_type), src, heading=heading)
        self.plan.domains.append(self.domain)
        self._start_list(MEASURE)

    def _in_list(self, num: Numbered | None, line: Line, fixed_kind: str | None, exclude: tuple):
        label = label_of(num.rest if num else line.text)
        if label and fixed_kind is None:
            self._start_list(label)
            return
        if (
            num
            and num.style not in exclude
            and (self.item_style in (None, num.style))
            and num.number == self.expected
            and num.rest
        ):
            self._close_item()
            self.item_style = num.style
            self.item = _Item(fixed_kind or self.kind, num, line)
            self.expected += 1
            return
        if self.item is not None:
            self.item.add(line)
