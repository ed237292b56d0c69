"""Run the benchmarks of docs/benchmarks.md that work on the bundled (1×) corpus, one after the other.

    .venv/bin/python bench/run_all.py                  # all of them: about 4 minutes on 2 idle cores
    .venv/bin/python bench/run_all.py --quick          # store_compare, hnsw_recall, query_encode: < 1 minute
    .venv/bin/python bench/run_all.py --only search_eval,load --out /tmp/results
    .venv/bin/python bench/run_all.py --list

Each benchmark is its own script in bench/, run as a subprocess with the arguments below; its standard
output (the Markdown table the docs quote) goes to ``OUT/<name>.md`` and to this script's output, its
standard error (progress, model loading) to ``OUT/<name>.log``, and ``OUT/summary.md`` lists what ran,
how long it took and whether it worked. ``OUT`` is ``var/bench/results`` unless ``--out`` says otherwise
(var/ is not tracked by git). The exit status is 1 if any benchmark failed.

Most of them read a data folder built with the default encoders (``--data``, default ``var/test-server``,
the test session's build, whose embedding cache is warm); it is built first if it has no current
generation (with a cold embedding cache that encodes the corpus with both models: a few minutes more).

Not run here, because they take far longer than minutes: the 10× and 100× corpora (``growth.py --scales
10,100``, ``corpus_ops.py --scale N``, ``scale_http.py`` on a 100× folder); the README's commands for
them are in docs/benchmarks.md. ``query_encode.py`` and ``hnsw_recall.py`` are quoted there at 100×;
here they run on the 1× folder (the same measurements, smaller index).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    args: tuple[str, ...]  # {data}, {out} and {load_seconds} are filled in
    section: str  # where docs/benchmarks.md quotes it
    about: str  # measured time on 2 idle cores, warm embedding cache
    quick: bool = False


BENCHES = [
    Bench("store_compare", "store_compare.py", (), "Store: embedded pyoxigraph vs rdflib in-memory", "7 s", True),
    Bench(
        "hnsw_recall", "hnsw_recall.py", ("--data", "{data}"), "SPARQL at 100× (HNSW on the real vectors)", "8 s", True
    ),
    Bench(
        "query_encode", "query_encode.py", ("--data", "{data}"), "SPARQL at 100× (encoding a new query)", "13 s", True
    ),
    Bench(
        "search_eval",
        "search_eval.py",
        ("--cache-dir", "{data}/embedding-cache", "--json", "{out}/search_eval.json"),
        "Search relevance and speed",
        "30 s",
    ),
    Bench(
        "growth_1x",
        "growth.py",
        ("--scales", "1", "--work", "{out}/growth-work", "--json", "{out}/growth.json"),
        "Growth (the 1× column)",
        "30 s",
    ),
    Bench("corpus_ops", "corpus_ops.py", ("--src", "{data}"), "Adding a plan", "45 s"),
    Bench(
        "load",
        "load.py",
        ("--data", "{data}", "--clients", "32", "--seconds", "{load_seconds}", "--json", "{out}/load.json"),
        "Load",
        "75 s with --load-seconds 60",
    ),
]


def env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")


def ensure_data(data: Path) -> None:
    """Build ``data`` with the default encoders if it has no current generation."""
    if (data / "current").exists():
        return
    print(f"== {data} has no build: plankg build --data {data} (default encoders)", flush=True)
    subprocess.run(
        [sys.executable, "-m", "scripts.plankg", "build", "--data", str(data), "--quiet"],
        cwd=ROOT,
        env=env(),
        check=True,
    )


def run(bench: Bench, fill: dict, out: Path) -> tuple[float, int]:
    cmd = [sys.executable, str(ROOT / "bench" / bench.script), *(a.format(**fill) for a in bench.args)]
    shown = " ".join(["python", f"bench/{bench.script}", *cmd[2:]])
    print(f"\n== {bench.name}: {shown}   (docs/benchmarks.md: {bench.section}; about {bench.about})", flush=True)
    t0 = time.perf_counter()
    with open(out / f"{bench.name}.md", "wb") as stdout, open(out / f"{bench.name}.log", "wb") as stderr:
        code = subprocess.run(cmd, cwd=ROOT, env=env(), stdout=stdout, stderr=stderr).returncode
    took = time.perf_counter() - t0
    sys.stdout.write((out / f"{bench.name}.md").read_text(encoding="utf-8", errors="replace"))
    if code != 0:
        tail = (out / f"{bench.name}.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        print(f"-- {bench.name} FAILED (exit {code}); the end of {out / (bench.name + '.log')}:\n{tail}")
    print(f"-- {bench.name}: {took:.1f} s", flush=True)
    return took, code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--out",
        type=Path,
        default=ROOT / "var" / "bench" / "results",
        help="folder for the results (default: var/bench/results)",
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=ROOT / "var" / "test-server",
        help="a data folder built with the default encoders (default: var/test-server)",
    )
    ap.add_argument("--only", help="comma-separated names (see --list)")
    ap.add_argument("--skip", default="", help="comma-separated names not to run")
    ap.add_argument("--quick", action="store_true", help="only the quick ones (under a minute together)")
    ap.add_argument("--load-seconds", type=float, default=60, help="duration of the load test (docs: 60)")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)

    if args.list:
        for b in BENCHES:
            print(
                f"{b.name:14s} bench/{b.script:17s} {'quick ' if b.quick else '      '}about {b.about:28s} "
                f"docs: {b.section}"
            )
        return 0
    names = {b.name for b in BENCHES}
    only = {n.strip() for n in args.only.split(",") if n.strip()} if args.only else names
    skip = {n.strip() for n in args.skip.split(",") if n.strip()}
    unknown = (only | skip) - names
    if unknown:
        ap.error(f"unknown benchmark(s) {sorted(unknown)}; known: {', '.join(b.name for b in BENCHES)}")
    chosen = [b for b in BENCHES if b.name in only and b.name not in skip and (b.quick or not args.quick)]

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    data = args.data.resolve()
    if any("{data}" in " ".join(b.args) for b in chosen):
        ensure_data(data)
    fill = {"data": str(data), "out": str(out), "load_seconds": f"{args.load_seconds:g}"}

    t0 = time.perf_counter()
    results = [(b, *run(b, fill, out)) for b in chosen]
    total = time.perf_counter() - t0

    lines = [
        f"# bench/run_all.py ({time.strftime('%Y-%m-%d %H:%M')}, data: {data})",
        "",
        "| benchmark | docs/benchmarks.md section | seconds | result |",
        "|---|---|---:|---|",
    ]
    for b, took, code in results:
        lines.append(f"| {b.name} | {b.section} | {took:.1f} | {'ok' if code == 0 else f'FAILED (exit {code})'} |")
    lines += [
        "",
        f"Total: {total:.1f} s. Each benchmark's output: `<name>.md` (stdout) and `<name>.log` (stderr) "
        "beside this file."
        if results
        else "Nothing was run.",
    ]
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))
    print(f"\nresults in {out}")
    return 1 if any(code for _, _, code in results) else 0


if __name__ == "__main__":
    sys.exit(main())
