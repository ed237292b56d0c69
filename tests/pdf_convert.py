"""The bundled plans converted to PDF by the real tools, once per session (cached by content hash under
var/test-conversions/pdf/):

* ``lo_pdfs(txts)``: LibreOffice headless, the .txt read as UTF-8 text (A4, 10 pt: ~48 characters a line);
* ``chromium_pdfs(txts)``: Chromium's print-to-PDF of a web page made from the .txt (each line a ``<p>``),
  with Chromium's default header (date/time, page title) and footer (URL, ``n/N``).

``require_tool(name)`` fails the test when a tool is missing (skips when ``PLANKG_NO_OFFICE=1``);
``units_of`` / ``expected_units`` give the units to compare; ``page_texts`` the raw text of each page.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from tests.format_convert import Unit, expected_units, units_of  # noqa: F401 (shared with the Word/HTML tests)

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "data" / "plans").glob("*.txt"))
CACHE = ROOT / "var" / "test-conversions" / "pdf"
NO_OFFICE = os.environ.get("PLANKG_NO_OFFICE") == "1"
TXT_FILTER = "Text (encoded):UTF8,LF,,,"
CHROMIUM_FLAGS = [  # no --print-to-pdf-no-header: the default header and footer are wanted
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# the page: each line of the .txt a paragraph, its spaces kept (browsers paint no space where a line
# wraps, so a space that falls at a wrap would be lost: non-breaking spaces keep them inside lines)
PAGE_CSS = "body{font-size:16px;line-height:1.5} p{margin:0.6em 0;white-space:pre-wrap}"


def require_tool(*names: str) -> str:
    """The first of ``names`` on PATH; fails the test without it (skips when PLANKG_NO_OFFICE=1)."""
    for name in names:
        if exe := shutil.which(name):
            return exe
    if NO_OFFICE:
        pytest.skip(f"PLANKG_NO_OFFICE=1: conversions with {names[0]} not tested")
    pytest.fail(f"{names[0]} is not installed: run scripts/setup.sh --test, or set PLANKG_NO_OFFICE=1 to skip")


def page_texts(pdf: Path | bytes) -> list[str]:
    """The raw text PDFium gives for each page (content order, with its own line breaks)."""
    doc = pdfium.PdfDocument(pdf.read_bytes() if isinstance(pdf, Path) else pdf)
    try:
        out = []
        for page in doc:
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def plan_html(txt: Path) -> str:
    """A web page of the plan: every line a ``<p>`` (tab-indented table cells too)."""
    lines = txt.read_text(encoding="utf-8").split("\n")
    body = "\n".join(f"<p>{html.escape(ln).replace(' ', '&nbsp;')}</p>" for ln in lines)
    title = page_title(txt)
    return (
        f'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{PAGE_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def page_title(txt: Path) -> str:
    """The web page's <title>: Chromium prints it at the top of every page."""
    return f"{txt.stem} 规划全文"


def _cached(route: str, txt: Path, recipe: str) -> tuple[Path, bool]:
    digest = hashlib.sha256(recipe.encode() + txt.read_bytes()).hexdigest()[:16]
    out = CACHE / route / f"{txt.stem}-{digest}.pdf"
    return out, out.is_file() and out.stat().st_size > 0


def _store(made: Path, out: Path):
    """Move a conversion into the cache, replacing older ones of the same file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in out.parent.glob(f"{out.stem.rsplit('-', 1)[0]}-*.pdf"):
        old.unlink(missing_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.part")  # test workers side by side
    shutil.move(made, tmp)
    tmp.replace(out)


def lo_pdfs(txts: list[Path]) -> list[Path]:
    """Several .txt converted by one LibreOffice run (only those not cached yet)."""
    outs = [_cached("libreoffice", t, TXT_FILTER) for t in txts]
    todo = [t for t, (_, ok) in zip(txts, outs) if not ok]
    if todo:
        exe = require_tool("soffice", "libreoffice")
        with tempfile.TemporaryDirectory(prefix="plankg-lo-") as tmp:
            args = [exe, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless", "--norestore"]
            args += [f"--infilter={TXT_FILTER}", "--convert-to", "pdf", "--outdir", tmp, *map(str, todo)]
            done = subprocess.run(args, capture_output=True, timeout=300, env={**os.environ, "HOME": tmp})
            for t, (out, ok) in zip(txts, outs):
                made = Path(tmp, f"{t.stem}.pdf")
                if not ok:
                    assert made.is_file(), f"LibreOffice made no PDF of {t.name}: {done.stderr.decode()[-500:]}"
                    _store(made, out)
    return [out for out, _ in outs]


def chromium_pdfs(txts: list[Path]) -> list[Path]:
    """Each .txt as a web page printed to PDF by Chromium, default header and footer (three at a time)."""
    outs = [_cached("chromium", t, plan_html(t) + " ".join(CHROMIUM_FLAGS)) for t in txts]
    todo = [(t, out) for t, (out, ok) in zip(txts, outs) if not ok]
    if todo:
        exe = require_tool("chromium", "chromium-browser", "google-chrome")
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda job: _print(exe, *job), todo))
    return [out for out, _ in outs]


def _print(exe: str, txt: Path, out: Path):
    with tempfile.TemporaryDirectory(prefix="plankg-chromium-") as tmp:
        page = Path(tmp, f"{txt.stem}.html")
        page.write_text(plan_html(txt), encoding="utf-8")
        made = Path(tmp, "out.pdf")
        args = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={made}", page.as_uri()]
        done = subprocess.run(args, capture_output=True, timeout=120, env={**os.environ, "HOME": tmp})
        assert made.is_file(), f"Chromium made no PDF of {txt.name}: {done.stderr.decode()[-500:]}"
        _store(made, out)
