"""Time of adding a plan vs a full build, on the bundled corpus (docs/benchmarks.md, "Adding a plan").

    python bench/corpus_ops.py [--src var/test-server]
    python bench/corpus_ops.py --scale 100      # on a generated 100x corpus (bench/gen_corpus.py)

Works on copies in a temporary folder: ``--src`` is a data folder built with the default encoders
whose embedding cache is warm (the test session's one by default; built there if missing). Each row is
one run, wall time of the command (a fresh process, as a user runs it) or of the HTTP request.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LUCHENG = ROOT / "data" / "plans" / "003_c9a26a7ca201c7c9.txt"


# ``plankg`` as before the encoders were loaded lazily: no name/dim hints, so both models load
EAGER = (
    "import sys, embeddings.build as b; b.hints_from_meta = lambda meta: {}; "
    "from scripts.plankg import main; sys.exit(main(sys.argv[1:]))"
)


def plankg(*args, env=None, eager: bool = False) -> tuple[float, dict]:
    full = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", **(env or {}))
    t0 = time.perf_counter()
    cmd = ["-c", EAGER] if eager else ["-m", "scripts.plankg"]
    proc = subprocess.run(
        [sys.executable, *cmd, *map(str, args), "--json"], cwd=ROOT, env=full, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"plankg {args}: {proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)


def variant(folder: Path, name: str, district: str, title_only: bool = False) -> Path:
    text = LUCHENG.read_text(encoding="utf-8")
    text = text.replace("鹿城", district, 1) if title_only else text.replace("鹿城", district)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def copy_data(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    cur = os.readlink(src / "current")
    shutil.copytree(src / cur, dst / cur, symlinks=True)
    shutil.copytree(src / "embedding-cache", dst / "embedding-cache")
    os.symlink(cur, dst / "current")
    return dst


def index_note(result: dict) -> str:
    enc = (result.get("index") or {}).get("encoders") or []
    loaded = [e["name"] for e in enc if e.get("model_loaded")]
    encoded = max((e.get("encoded") or 0 for e in enc), default=0)
    return (f"{encoded} texts encoded per model, models loaded: {', '.join(loaded) or 'none'}") if enc else ""


def at_scale(scale: int) -> list:
    """Full build of a generated corpus, then add / same bytes / replace / remove, each a fresh
    ``plankg`` process; model-free encoder (real encoders only change how many new texts cost)."""
    env = {"PLANKG_ENCODERS": "hash"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        gen = [sys.executable, str(ROOT / "bench" / "gen_corpus.py")]
        subprocess.run(gen + ["--scale", str(scale), str(tmp / "corpus")], check=True, capture_output=True)
        from graph.parse import parse_file
        from graph.titles import title_key as normalise_title

        # a new plan: a one-plan file of the corpus with its region renamed
        src = next(p for p in sorted((tmp / "corpus").glob("*.txt")) if len(parse_file(p).plans) == 1)
        region = parse_file(src).plans[0].region
        text = src.read_text(encoding="utf-8").replace(region[:-1], "瀚海")
        new = tmp / "new-plan.txt"
        new.write_text(text, encoding="utf-8")
        stored = {normalise_title(p.title) for f in (tmp / "corpus").glob("*.txt") for p in parse_file(f).plans}
        assert not {normalise_title(p.title) for p in parse_file(new).plans} & stored
        data = tmp / "data"
        n_files = len(list((tmp / "corpus").glob("*.txt")))
        wall, r = plankg("build", "--data", data, "--corpus", tmp / "corpus", "--quiet", env=env)
        rows.append(
            (
                f"full build, {scale}x corpus ({n_files} files, {r['plans']} plans, {r['triples']:,} triples)",
                wall,
                r["seconds"],
                "",
            )
        )
        wall, r = plankg("add", "--data", data, "--quiet", new, env=env)
        rows.append(
            (
                f"`plankg add` a new plan ({r['status']}, {r['totals']['triples']:,} triples after)",
                wall,
                r["seconds"],
                delta_note(data),
            )
        )
        wall, r = plankg("add", "--data", data, "--quiet", new, env=env)
        rows.append(("`plankg add` the same bytes again (no-op)", wall, {}, r["status"]))
        text = Path(new).read_text(encoding="utf-8")
        Path(new).write_text(text.replace("卫健委", "卫生健康委员会", 2) + "\n", encoding="utf-8")
        wall, r = plankg("add", "--data", data, "--quiet", new, env=env)
        rows.append((f"`plankg add` a changed version of it ({r['status']})", wall, r["seconds"], delta_note(data)))
        wall, r = plankg("remove", "--data", data, "--quiet", "new-plan.txt", env=env)
        rows.append(("`plankg remove` it", wall, r["seconds"], delta_note(data)))
    return rows


def delta_note(data: Path) -> str:
    d = json.loads((data / "current" / "build.json").read_text(encoding="utf-8")).get("delta")
    if not d:
        return "full build"
    return f"delta: {d['kept']} files kept, −{d['triples_removed']:,} / +{d['triples_added']:,} triples"


def table(rows) -> None:
    print("| operation | wall | parse+extract | RDF | SHACL | store | index | detail |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, wall, s, note in rows:
        pe = (s.get("parse", 0) + s.get("extract", 0)) if s else None
        cells = [f"{pe:.2f} s" if s else "—"] + [
            f"{s[k]:.2f} s" if s.get(k) is not None else "—" for k in ("rdf", "shacl", "store", "index")
        ]
        print(f"| {name} | {wall:.1f} s | " + " | ".join(cells) + f" | {note} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=str(ROOT / "var" / "test-server"))
    ap.add_argument("--scale", type=int, default=0, help="run on a generated corpus of this scale instead")
    args = ap.parse_args()
    if args.scale:
        table(at_scale(args.scale))
        return
    src = Path(args.src)
    if not (src / "current").exists():
        plankg("build", "--data", src, "--quiet")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = copy_data(src, tmp / "data")
        files = tmp / "files"
        files.mkdir()
        wall, r = plankg("build", "--data", data, "--quiet", eager=True)
        rows.append(
            (
                "full build, warm cache, both models loaded anyway (the behaviour before lazy loading)",
                wall,
                r["seconds"],
                index_note(r),
            )
        )
        wall, r = plankg("build", "--data", data, "--quiet")
        rows.append(
            (
                "full build of the bundled corpus (5 files, 7 plans), default encoders, warm cache",
                wall,
                r["seconds"],
                index_note(r),
            )
        )
        wall, r = plankg("add", "--data", data, "--quiet", variant(files, "ouhai.txt", "瓯海"))
        rows.append(
            (
                "`plankg add` a new plan (95 units, 4 texts not in the cache)",
                wall,
                r["seconds"],
                index_note(r) + "; " + delta_note(data),
            )
        )
        wall, r = plankg("add", "--data", data, "--quiet", variant(files, "longwan.txt", "龙湾", title_only=True))
        rows.append(("`plankg add` a new plan whose unit texts are all cached", wall, r["seconds"], index_note(r)))
        wall, r = plankg("add", "--data", data, "--quiet", variant(files, "longwan.txt", "龙湾", title_only=True))
        rows.append(("`plankg add` the same bytes again (no-op)", wall, {}, r["status"]))
        wall, r = plankg("remove", "--data", data, "--quiet", "longwan.txt")
        rows.append(("`plankg remove` a plan", wall, r["seconds"], ""))

        # the admin API of a running server: its loaded models are reused
        from tests.conftest_server import launch

        logs = tmp / "logs"
        logs.mkdir()
        server = launch(data, logs, env={"PLANKG_ADMIN_TOKEN": "bench", "PLANKG_ENCODERS": ""})
        try:
            server.get("/api/search", {"q": "溺水"})  # models warm
            from tests.corpus_util import multipart

            body, ctype = multipart([("yongjia.txt", variant(files, "yongjia.txt", "永嘉").read_bytes())])
            t0 = time.perf_counter()
            reply = server.post("/api/admin/plans", body, ctype, headers={"Authorization": "Bearer bench"}, timeout=600)
            wall = time.perf_counter() - t0
            r = reply.json()
            assert reply.status == 201, reply.text
            rows.append(
                (
                    "`POST /api/admin/plans` a new plan (4 new texts; the server's models)",
                    wall,
                    r["seconds"],
                    index_note(r),
                )
            )
        finally:
            server.stop()

        hdata = tmp / "hash"
        wall, r = plankg("build", "--data", hdata, "--quiet", env={"PLANKG_ENCODERS": "hash"})
        rows.append(("full build, model-free encoder (`PLANKG_ENCODERS=hash`)", wall, r["seconds"], ""))
        wall, r = plankg("add", "--data", hdata, "--quiet", files / "ouhai.txt", env={"PLANKG_ENCODERS": "hash"})
        rows.append(("`plankg add` a new plan, model-free encoder", wall, r["seconds"], ""))

    table(rows)


if __name__ == "__main__":
    main()
