"""Plain-text plan files: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""

from __future__ import annotations

from ..decode import decode
from .base import Extracted


def read(data: bytes, name: str) -> Extracted:
    d = decode(data, name)
    return Extracted(d.text, "txt", d.encoding, [], [d.notice] if d.notice else [])
