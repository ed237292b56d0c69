"""Word .doc / WPS .wps (and RTF under those names) → .docx with LibreOffice headless → ``docx.read``.

Each call converts in a private temporary folder with its own LibreOffice profile
(``-env:UserInstallation``), so conversions can run in parallel; a conversion that hangs is killed
after ``TIMEOUT`` seconds. A ".doc" that is really a .docx (zip) is read directly, and one that is
really a web page (Word's "save as web page" named .doc) is read as HTML.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import ParseError
from . import docx
from .base import Extracted

TIMEOUT = 120  # seconds for one conversion
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FILTERS = {"doc": "MS Word 97", "rtf": "Rich Text Format", "wps": "MS_Works"}  # LibreOffice import filters
NEEDS = "reading .doc/.wps needs LibreOffice: install the Debian package libreoffice-writer-nogui"


def soffice() -> str | None:
    """The LibreOffice executable on PATH (``soffice`` or ``libreoffice``), None when not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kind(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(OLE2):
        return "doc" if "WordDocument".encode("utf-16-le") in data else "wps"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower():
        return "html"
    return ""


def convert(data: bytes, name: str, suffix: str, target: str = "docx") -> bytes:
    """``data`` (a file of type ``suffix``: "doc", "rtf", "wps") converted by LibreOffice to ``target``; the
    import filter is named (``FILTERS``) so that a damaged file fails instead of being read as text."""
    exe = soffice()
    if exe is None:
        raise ParseError(name, NEEDS)
    with tempfile.TemporaryDirectory(prefix="plankg-office-") as tmp:
        work = Path(tmp)
        src, out = work / f"input.{suffix}", work / "out"
        src.write_bytes(data)
        out.mkdir()
        args = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            *([f"--infilter={FILTERS[suffix]}"] if suffix in FILTERS else []),
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(src),
        ]
        env = {**os.environ, "HOME": tmp, "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ParseError(name, f"LibreOffice did not finish converting the file within {TIMEOUT} s") from None
        result = out / f"input.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()
            detail = [d for d in detail if "javaldx" not in d]
            why = f": {detail[-1][:200]}" if detail else ""
            raise ParseError(
                name,
                f"LibreOffice could not convert the file to .{target} (damaged, password-protected, "
                f"or not a Word file; exit code {proc.returncode}){why}",
            )
        return result.read_bytes()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def read(data: bytes, name: str) -> Extracted:
    """A .doc/.wps file as text (through LibreOffice); locators as for .docx (``paragraph=N``)."""
    kind = _kind(data)
    if kind == "docx":
        doc = docx.read(data, name)
        doc.notices.append("a .docx file under a .doc/.wps name: read as .docx")
        return doc
    if kind == "html":
        from . import html

        page = html.read(data, name)
        page.notices.append("a web page under a .doc/.wps name: read as HTML")
        return page
    if not kind:
        raise ParseError(name, "not a Word .doc/.wps file (neither an OLE2 document, RTF nor .docx)")
    converted = convert(data, name, kind)
    try:
        doc = docx.read(converted, name)
    except ParseError as e:
        raise ParseError(name, f"after conversion by LibreOffice: {e.reason}") from None
    doc.format, doc.encoding = "doc", "doc"
    if kind == "rtf":
        doc.notices.append("an RTF file under a .doc/.wps name: converted by LibreOffice")
    return doc
