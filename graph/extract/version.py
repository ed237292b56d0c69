"""The version of the extractors: a digest of their code and lexicons (this package's .py and .tsv files).

Mention nodes name the extraction activity that made them (``id:activity/extract/<version>``), so a
reader can tell which extractor and lexicons stand behind a mention, and that two builds used the same.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """12 hex digits of the SHA-256 of every extractor module and lexicon (name and bytes, in name order)."""
    h = hashlib.sha256()
    for f in sorted(p for p in _HERE.iterdir() if p.suffix in (".py", ".tsv")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]
