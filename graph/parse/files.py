"""Reading one plan file: bytes → text → plan model (``parse_file``, ``parse_bytes``, ``parse_text``)."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from ..model import ParsedFile, ParseWarning, Plan
from .decode import MAX_BYTES, too_big
from .diagnostics import check_outline
from .errors import FileTooLarge, ParseError
from .formats import read_document, supported_suffixes
from .lines import Line, source_of, split_lines
from .outline import OutlineReader
from .plans import (
    DRAFT,
    PlanHead,
    find_plan_heads,
    infer_title,
    level_of,
    period_of,
    read_notice,
    region_of,
    resolve_issuer,
    type_of,
)
from .tables import is_caption, read_table


def corpus_files(folder: str | Path) -> list[Path]:
    """The plan documents of a folder: every file of a supported format (``formats.FORMATS``)."""
    suffixes = supported_suffixes()
    return sorted(
        p
        for p in Path(folder).iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(suffixes)
    )


def parse_corpus(folder: str | Path) -> list[ParsedFile]:
    files = corpus_files(folder)
    if not files:
        raise ParseError(str(folder), "no plan files in this folder (" + ", ".join(supported_suffixes()) + ")")
    return [parse_file(p) for p in files]


def read_source_bytes(path: str | Path) -> bytes:
    """The bytes of a plan file. Its size is checked before anything is read, so a huge file is
    refused at once (``MAX_BYTES``)."""
    path = Path(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(st.st_mode):
            raise ParseError(path.name, "is not a regular file")
        if st.st_size > MAX_BYTES:
            raise FileTooLarge(path.name, too_big(st.st_size))
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ParseError(path.name, "file not found (it may have been moved or deleted)") from None
    except IsADirectoryError:
        raise ParseError(path.name, "is a directory, not a plan file") from None
    except PermissionError:
        raise ParseError(path.name, "cannot be read: permission denied") from None
    except OSError as e:
        raise ParseError(path.name, f"cannot be read: {e.strerror}") from None
    if len(data) > MAX_BYTES:  # grew while being read
        raise FileTooLarge(path.name, too_big(len(data)))
    return data


def parse_file(path: str | Path) -> ParsedFile:
    path = Path(path)
    return parse_bytes(read_source_bytes(path), path.name)


def parse_bytes(data: bytes, name: str) -> ParsedFile:
    """Parse a plan document of any supported format (``formats.read_document``)."""
    if len(data) > MAX_BYTES:
        raise FileTooLarge(name, too_big(len(data)))
    doc = read_document(data, name)
    parsed = parse_text(doc.text, name, doc.locators)
    parsed.format, parsed.encoding = doc.format, doc.encoding
    parsed.sha256 = hashlib.sha256(data).hexdigest()
    parsed.notices.extend(doc.notices)
    return parsed


def parse_text(text: str, name: str, locators: list[str] | None = None) -> ParsedFile:
    """Parse plan text; ``locators`` (one per line) say where each line sits in the original."""
    lines = split_lines(text, locators)
    heads = find_plan_heads(lines)
    if not heads:
        title, evidence = infer_title(lines, name)
        heads = [PlanHead(title, True, 0, evidence, draft=DRAFT in text[:2000])]
    notice = read_notice(lines[: heads[0].line_index]) if heads[0].line_index else None
    plans: list[Plan] = []
    warnings: list[ParseWarning] = []
    for k, head in enumerate(heads):
        stop = heads[k + 1].line_index if k + 1 < len(heads) else len(lines)
        plans.append(_read_plan(head, lines[head.line_index : stop], name, notice, warnings))
    _check(plans, name)
    warnings.extend(check_outline(plans))
    return ParsedFile(name, "utf-8", [notice.text] if notice else [], plans, text=text, warnings=warnings)


def _read_plan(head: PlanHead, lines: list[Line], name: str, notice, warnings: list[ParseWarning]) -> Plan:
    body = "\n".join(ln.text for ln in lines)
    region = region_of(head.title)
    start, end = period_of(head.title, body)
    content = [ln for ln in lines if not ln.blank]
    last = content[-1] if content else lines[0]
    plan = Plan(
        title=head.title,
        title_inferred=head.inferred,
        file=name,
        source=source_of(name, lines[0], last),
        region=region,
        level=level_of(region),
        plan_type=type_of(head.title, body),
        period_start=start,
        period_end=end,
        draft=head.draft or DRAFT in "".join(ln.text for ln in lines[:6]),
        title_evidence=head.evidence,
    )
    if notice and any(head.title in t or t in head.title for t in notice.titles):
        plan.issuer = resolve_issuer(notice.issuer, region)
        plan.date, plan.doc_number = notice.date, notice.doc_number
    _read_outline(plan, lines[head.lines if not head.inferred else 0 :], name, warnings)
    if not plan.domains:  # no domain-section heading: an excerpt quoting domains or lists in running text
        fresh = Plan(**{f: getattr(plan, f) for f in KEPT_ON_RETRY})
        kept = len(warnings)
        _read_outline(fresh, lines[head.lines if not head.inferred else 0 :], name, warnings, excerpt=True)
        if fresh.domains:
            return fresh
        del warnings[kept:]
    return plan


KEPT_ON_RETRY = (
    "title title_inferred file source region level plan_type period_start period_end draft issuer date doc_number "
    "title_evidence"
).split()


def _read_outline(plan: Plan, lines: list[Line], name: str, warnings: list[ParseWarning], excerpt: bool = False):
    reader = OutlineReader(plan, name, warnings, excerpt)
    i = 0
    while i < len(lines):
        if is_caption(lines[i]):
            table, nxt = read_table(lines, i, name)
            if table:
                plan.tables.append(table)
                i = nxt
                continue
        reader.feed(lines[i])
        i += 1
    reader.finish()


def _check(plans: list[Plan], name: str):
    for plan in plans:
        label = plan.title or "the plan"
        if not plan.domains:
            raise ParseError(
                name,
                f"no plan structure found in {label}: no development-domain section "
                "(a heading such as 二、发展领域、主要目标和策略措施) with numbered domains",
                plan.source.line,
            )
        empty = [d for d in plan.domains if not d.units]
        if len(empty) == len(plan.domains):
            raise ParseError(
                name,
                f"{label}: the development-domain section has domains but no goals or measures",
                plan.domains[0].source.line,
            )
        if not plan.title:
            raise ParseError(name, "no plan title in the file and none could be inferred from the text", 1)
