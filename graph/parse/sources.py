"""Plan files as bytes (``SourceFile``) and a corpus of them parsed together.

A corpus may not hold two files of one name or two plans of one title: both are refused naming
the file and line. Every file is tried before the first error is raised, so one run reports all
bad files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import ParsedFile
from ..titles import title_key
from .errors import ParseError
from .files import parse_bytes, read_source_bytes


@dataclass
class SourceFile:
    """A plan file to build from: its name (kept as the provenance file name and as
    ``sources/<name>`` in a generation) and its exact bytes."""

    name: str
    data: bytes
    origin: str = ""  # where it was read from (a path), for messages

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def raise_all(errors: list[ParseError]) -> None:
    """Raise the first error, naming the others too (nothing when the list is empty)."""
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    raise ParseError(
        errors[0].file,
        errors[0].reason + "; " + "; ".join(str(e) for e in errors[1:]) + f" ({len(errors)} bad files)",
        errors[0].line,
    )


def read_sources(paths: Iterable[Path]) -> list[SourceFile]:
    """Read plan files (size checked before reading); a bad one raises ParseError naming it
    (after all were tried)."""
    out, errors = [], []
    for path in paths:
        path = Path(path)
        try:
            out.append(SourceFile(path.name, read_source_bytes(path), str(path)))
        except ParseError as e:
            errors.append(e)
    raise_all(errors)
    return out


def parse_sources(sources: Sequence[SourceFile], progress: bool = False) -> list[ParsedFile]:
    """Parse every source; bad ones raise ParseError naming file, line and reason (all are tried
    first). Two files of one name or two plans of one title are refused."""
    names: dict[str, str] = {}
    for src in sources:
        if src.name in names:
            raise ParseError(
                src.name,
                f"two files named {src.name} in one corpus ({names[src.name] or 'one'} and {src.origin or 'another'})",
            )
        names[src.name] = src.origin
    parsed, errors = [], []
    for src in _progress(list(sources), "parse", progress):
        try:
            parsed.append(parse_bytes(src.data, src.name))
        except ParseError as e:
            errors.append(e)
    raise_all(errors)
    titles: dict[str, str] = {}
    for pf in parsed:
        for plan in pf.plans:
            key = title_key(plan.title)
            if key in titles:
                where = "twice in this file" if titles[key] == pf.file else f"already in {titles[key]}"
                raise ParseError(pf.file, f"duplicate plan title {plan.title!r}, {where}", plan.source.line)
            titles[key] = pf.file
    return parsed


def parse_files(paths: Iterable[Path], progress: bool = False) -> list[ParsedFile]:
    """Parse every file; a bad file raises ParseError naming it (after all files were tried)."""
    return parse_sources(read_sources(paths), progress)


def _progress(items: list, desc: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="file", leave=False)
