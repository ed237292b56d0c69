"""Helpers shared by the corpus-change tests (add / remove / restart): the plankg command line as a
subprocess, data folders built with the model-free encoder, snapshots of what a data folder serves,
and plan files derived from the bundled corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.conftest import CORPUS, ROOT

LUCHENG = CORPUS / "003_c9a26a7ca201c7c9.txt"  # 鹿城区儿童发展“十四五”规划, one plan
QUZHOU = CORPUS / "002_fcf053abc1b695aa.txt"  # 衢州市妇女… and 衢州市儿童…, two plans
LUCHENG_TITLE = "鹿城区儿童发展“十四五”规划"
HASH_ENV = {"PLANKG_ENCODERS": "hash"}


def plankg(*args, env: dict | None = None, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=str(ROOT), **HASH_ENV)
    full.pop("PLANKG_FAULT", None)
    full.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.plankg", *map(str, args)],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"plankg {args} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def build_hash_data(folder: Path) -> Path:
    """The bundled corpus built into ``folder`` with the model-free encoder."""
    plankg("build", "--data", folder, "--quiet")
    return folder


def copy_data(src: Path, dst: Path) -> Path:
    """A copy of a data folder (current generation and embedding cache; symlinks kept)."""
    dst.mkdir(parents=True)
    cur = os.readlink(src / "current")
    shutil.copytree(src / cur, dst / cur, symlinks=True)
    if (src / "embedding-cache").is_dir():
        shutil.copytree(src / "embedding-cache", dst / "embedding-cache")
    os.symlink(cur, dst / "current")
    return dst


def variant(
    folder: Path,
    name: str,
    district: str,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    crlf: bool = False,
    title_only: bool = False,
) -> Path:
    """The 鹿城 plan as another district's plan (a new plan title; with ``title_only`` only the
    title line changes, so every unit text stays word-for-word the same)."""
    text = LUCHENG.read_text(encoding="utf-8")
    text = text.replace("鹿城", district, 1) if title_only else text.replace("鹿城", district)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = folder / name
    path.write_bytes(data)
    return path


def current(data: Path) -> str:
    return os.readlink(data / "current")


def build_report(data: Path) -> dict:
    return json.loads((data / "current" / "build.json").read_text(encoding="utf-8"))


def index_meta(data: Path) -> dict:
    return json.loads((data / "current" / "index" / "meta.json").read_text(encoding="utf-8"))


def snapshot(data: Path) -> dict:
    """What the data folder serves: the current generation, the graph (N-Triples, sorted), the
    index meta without its build timings, and which generation folders exist."""
    meta = index_meta(data)
    for key in ("timings", "created"):
        meta.pop(key, None)
    for e in meta.get("encoders", []):
        for key in ("encode_s", "index_s", "units_per_s", "encoded", "queries_encoded", "model_loaded"):
            e.pop(key, None)
    for t in meta.get("tokenizers", []):
        t.pop("build_s", None)
        t.pop("tokenized", None)
    nt = plankg("export", "--data", data, "--format", "ntriples").stdout
    return {
        "current": current(data),
        "ntriples": sorted(nt.splitlines()),
        "index_meta": meta,
        "docs": (data / "current" / "index" / "docs.jsonl").read_bytes(),
        "gens": sorted(p.name for p in data.glob("gen-*")),
    }


def assert_consistent(data: Path) -> dict:
    """Store, index and sources of the current generation belong together."""
    report, meta = build_report(data), index_meta(data)
    assert meta["corpus_hash"] == report["index"]["corpus_hash"]
    assert meta["plankg_corpus_sha256"] == report["corpus_sha256"]
    listing = json.loads(plankg("list", "--data", data, "--json").stdout)
    assert listing["problems"] == [] and listing["generation"] == current(data)
    import hashlib

    for f in report["sources"]:
        stored = data / "current" / "sources" / f["file"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == f["sha256"]
    stats = json.loads(plankg("stats", "--data", data, "--json").stdout)
    assert stats["plans"] == report["plans"] and stats["triples"] == report["triples"]
    assert meta["doc_count"] == report["index"]["docs"]
    return report


def wait_for(predicate, timeout: float = 30, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")


# ----------------------------------------------------------------------------- the admin API

TOKEN = "admin-" + uuid.uuid4().hex


def multipart(files: list[tuple[str, bytes]], field: str = "file") -> tuple[bytes, str]:
    boundary = "----plankg" + uuid.uuid4().hex
    parts = []
    for name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: text/plain\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def upload(s, name: str, data: bytes, token: str = TOKEN):
    body, ctype = multipart([(name, data)])
    return s.post("/api/admin/plans", body, ctype, headers=auth(token), timeout=300)
