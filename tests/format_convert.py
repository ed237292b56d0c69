"""Test helpers: the bundled plans in other formats (real conversions), and the units to compare.

* ``units_of(parsed_file)``: ``(plan title, domain title, kind, number, text)`` of every unit, in order;
  ``expected_units(txt)``: that list for a bundled ``.txt`` (parsed once per session).
* ``soffice_convert(src, fmt, outdir)`` / ``soffice_convert_many(srcs, fmt, outdir)``: real LibreOffice
  headless conversions (a ``.txt`` is read as UTF-8 text); ``require_soffice()`` fails the test when
  LibreOffice is missing, or skips it when ``PLANKG_NO_OFFICE=1``.
* ``txt_to_docx_autonumbered(txt, out)``: a .docx whose numbered lines are Word list paragraphs
  (``tests/format_convert_word.py``); ``txt_to_article_html(txt, out, …)``: a government article page
  (``tests/format_convert_html.py``).
* ``converted(txt, fmt)``: the bundled plan ``txt`` as ``fmt`` — "docx" and "doc" (LibreOffice, all
  bundled plans in one call), "numbered.docx", "html", "ol.html", "br.html", "gbk.html" — made once per
  test session in a temporary folder and reused.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from graph.model import ParsedFile
from graph.parse import parse_file
from tests.format_convert_html import txt_to_article_html
from tests.format_convert_word import txt_to_docx_autonumbered

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "data" / "plans").glob("*.txt"))
NO_OFFICE = os.environ.get("PLANKG_NO_OFFICE") == "1"
TXT_FILTER = "Text (encoded):UTF8,LF,,,"
Unit = tuple[str, "str | None", str, int, str]

__all__ = [
    "PLANS",
    "units_of",
    "expected_units",
    "require_soffice",
    "soffice_convert",
    "soffice_convert_many",
    "txt_to_docx_autonumbered",
    "txt_to_article_html",
    "converted",
]


def units_of(parsed: ParsedFile) -> list[Unit]:
    """(plan title, domain title or None for key projects, kind, number, text) of every unit, in order."""
    return [(p.title, d.title if d else None, u.kind, u.number, u.text) for p in parsed.plans for d, u in p.units()]


_expected: dict[Path, list[Unit]] = {}


def expected_units(txt: Path) -> list[Unit]:
    """The units of a bundled .txt, as the parser reads the text itself."""
    if txt not in _expected:
        _expected[txt] = units_of(parse_file(txt))
    return _expected[txt]


def require_soffice() -> str:
    """The LibreOffice executable; the test fails without it (skips when PLANKG_NO_OFFICE=1)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        return exe
    if NO_OFFICE:
        pytest.skip("PLANKG_NO_OFFICE=1: LibreOffice conversions not tested")
    pytest.fail(
        "LibreOffice (soffice) is not installed: run scripts/setup.sh --test (Debian package "
        "libreoffice-writer-nogui), or set PLANKG_NO_OFFICE=1 to skip these tests"
    )


def soffice_convert_many(srcs: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Convert files with one LibreOffice run; ``fmt`` is a --convert-to target ("docx", "doc", "txt:Text")."""
    exe = require_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plankg-lo-profile-") as profile:
        args = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore"]
        if all(s.suffix == ".txt" for s in srcs):
            args.append(f"--infilter={TXT_FILTER}")
        args += ["--convert-to", fmt, "--outdir", str(outdir), *map(str, srcs)]
        done = subprocess.run(args, capture_output=True, timeout=300, env={**os.environ, "HOME": profile})
    ext = fmt.split(":")[0]
    outs = [outdir / f"{s.stem}.{ext}" for s in srcs]
    missing = [o.name for o in outs if not o.is_file()]
    assert not missing, f"LibreOffice did not write {missing}: {done.stderr.decode(errors='replace')[-500:]}"
    return outs


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """One file converted by LibreOffice headless; returns the path of the result."""
    return soffice_convert_many([src], fmt, outdir)[0]


_workdir: Path | None = None
_converted: dict[tuple[Path, str], Path] = {}
HTML_VARIANTS = {
    "html": {},
    "ol.html": {"lists": True},
    "br.html": {"br": True},
    "gbk.html": {"encoding": "gb18030", "lists": True},
}


def workdir() -> Path:
    """This session's folder for converted files (removed at exit)."""
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="plankg-conversions-"))
        atexit.register(shutil.rmtree, _workdir, True)
    return _workdir


def converted(txt: Path, fmt: str) -> Path:
    """The bundled plan ``txt`` converted to ``fmt`` (see the module docstring), once per session."""
    key = (txt, fmt)
    if key not in _converted:
        out = workdir() / fmt.replace(".", "-")
        out.mkdir(exist_ok=True)
        if fmt in ("docx", "doc"):  # every bundled plan in one LibreOffice run
            for src, dst in zip(PLANS, soffice_convert_many(PLANS, fmt, out)):
                _converted[(src, fmt)] = dst
            if key not in _converted:
                _converted[key] = soffice_convert(txt, fmt, out)
        elif fmt == "numbered.docx":
            _converted[key] = txt_to_docx_autonumbered(txt, out / f"{txt.stem}.docx")
        elif fmt in HTML_VARIANTS:
            _converted[key] = txt_to_article_html(txt, out / f"{txt.stem}.html", **HTML_VARIANTS[fmt])
        else:
            raise ValueError(f"unknown test format {fmt!r}")
    return _converted[key]
