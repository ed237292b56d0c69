"""Parse stage: plan files → plan model (``graph.model``) with exact provenance.

``parse_file`` reads one file, ``parse_sources`` a corpus of them; ``ParseError`` (file, line,
reason) is the only error either raises.
"""

from __future__ import annotations

from .decode import MAX_BYTES
from .errors import FileTooLarge, ParseError
from .files import corpus_files, parse_bytes, parse_corpus, parse_file, parse_text, read_source_bytes
from .sources import SourceFile, parse_files, parse_sources, read_sources

__all__ = [
    "ParseError",
    "FileTooLarge",
    "parse_file",
    "parse_bytes",
    "parse_text",
    "parse_corpus",
    "corpus_files",
    "read_source_bytes",
    "MAX_BYTES",
    "SourceFile",
    "read_sources",
    "parse_sources",
    "parse_files",
]
