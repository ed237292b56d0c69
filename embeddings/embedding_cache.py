"""The embedding cache: vectors by (encoder spec, text), one ``.npz`` per encoder, so that a rebuild
encodes only texts it has not seen (``encode_with_cache``, ``encode_queries_with_cache``)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from .encoders import Encoder


def _cache_key(encoder_id: str, text: str) -> str:
    return hashlib.sha256(f"{encoder_id}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """Embeddings keyed by sha256(encoder spec, text), stored in one ``.npz`` per encoder."""

    def __init__(self, path):
        self.path = Path(path)
        self._vecs: dict[str, np.ndarray] = {}
        self.dirty = False
        if self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as z:
                    keys, vecs = z["keys"], z["vecs"]
                self._vecs = {str(k): vecs[i] for i, k in enumerate(keys)}
            except Exception:
                self._vecs = {}

    def __len__(self):
        return len(self._vecs)

    def get(self, key: str):
        return self._vecs.get(key)

    def put(self, key: str, vec: np.ndarray) -> None:
        self._vecs[key] = np.asarray(vec, np.float32)
        self.dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        if not self.dirty and keep is None:
            return
        items = [(k, v) for k, v in self._vecs.items() if keep is None or k in keep]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array([k for k, _ in items], dtype="<U64")
        vecs = np.stack([v for _, v in items]).astype(np.float32) if items else np.zeros((0, 0), np.float32)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=keys, vecs=vecs)
        os.replace(tmp, self.path)
        self.dirty = False


def cache_file_name(encoder: Encoder) -> str:
    slug = "".join(c if c.isalnum() or c in "-_" else "_" for c in encoder.spec)[:80]
    return f"embcache-{slug}.npz"


def encode_with_cache(
    encoder: Encoder,
    texts: list[str],
    cache: EmbeddingCache | None = None,
    batch_size: int = 32,
    progress: bool = False,
) -> tuple[np.ndarray, int]:
    """Passage embeddings for ``texts``, encoding only those not in ``cache``.

    Returns (matrix [n, dim], number of texts actually encoded).
    """
    out = np.zeros((len(texts), encoder.dim), np.float32)
    keys = [_cache_key(encoder.spec, t) for t in texts]
    todo = []
    for i, k in enumerate(keys):
        v = cache.get(k) if cache is not None else None
        if v is not None and v.shape == (encoder.dim,):
            out[i] = v
        else:
            todo.append(i)
    if todo:
        vecs = encoder.encode_passages([texts[i] for i in todo], batch_size=batch_size, progress=progress)
        for j, i in enumerate(todo):
            out[i] = vecs[j]
            if cache is not None:
                cache.put(keys[i], vecs[j])
    return out, len(todo)


def query_cache_key(spec: str, text: str) -> str:
    """Cache key of a text encoded as a *query* (calibration), distinct from its passage key."""
    return _cache_key("query\x00" + spec, text)


def encode_queries_with_cache(
    encoder: Encoder, texts: list[str], cache: EmbeddingCache | None = None
) -> tuple[np.ndarray, int]:
    """Query embeddings for ``texts`` (deduplicated), encoding only those not in ``cache``."""
    out = np.zeros((len(texts), encoder.dim), np.float32)
    keys = [query_cache_key(encoder.spec, t) for t in texts]
    todo: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        v = cache.get(k) if cache is not None else None
        if v is not None and v.shape == (encoder.dim,):
            out[i] = v
        else:
            todo.setdefault(texts[i], []).append(i)
    if todo:
        uniq = list(todo)
        vecs = encoder.encode_queries(uniq)
        for j, t in enumerate(uniq):
            for i in todo[t]:
                out[i] = vecs[j]
            if cache is not None:
                cache.put(query_cache_key(encoder.spec, t), vecs[j])
    return out, len(todo)


def cache_keys_for(encoder: Encoder, texts: list[str]) -> set[str]:
    return {_cache_key(encoder.spec, t) for t in texts}
