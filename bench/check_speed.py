"""How long the drafting workbench takes: each bundled plan checked against the other six, and a 150-unit draft.

    python bench/check_speed.py --data var            # any built data folder with the default models
    python bench/check_speed.py --data var --json     # the rows as JSON

Each bundled plan is cut out of its file (its title line to the next plan) and checked as a draft against every
other plan (the plan of the same title is left out by the check itself). Its texts are in the index already, so
the check takes their vectors from there; the "all new" column encodes every unit again (what a draft none of
whose wording is in the corpus costs). The 150-unit draft is the 曾都 children's plan renamed to 青山区 plus two
measures, then with a third of its units reworded, then with every unit encoded (with both models, then with
m3e-small alone: ``--encoders`` of ``plankg check``). Last, the encoding of that draft's texts timed against
the way it was done before (draft order, one model after the other).

The service keeps the corpus view, its topics and the peers' indicator rows per build generation: they are made
once here (first line) and not counted in the checks, as in a running server. Times are wall-clock seconds on
this machine; ``--threads`` sets the threads of the models (default: the CPUs this process may use).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import Config  # noqa: E402
from graph.parse import SourceFile, parse_file  # noqa: E402
from service import queries as q  # noqa: E402
from service.check import CorpusView, check_draft, read_draft  # noqa: E402
from service.resources import Resources  # noqa: E402
from tests.check_util import bundled_plan, write_plan  # noqa: E402

CORPUS = ROOT / "data" / "plans"
EXTRA = [
    "加强儿童友好空间建设。推进儿童友好社区、学校、医院和公园建设，适儿化改造公共空间。",
    "推进儿童参与社区治理。建立儿童议事会，听取儿童对公共事务的意见。",
]


def plan_texts() -> list[tuple[str, str]]:
    """(title, text) of every bundled plan, cut out of its file."""
    out = []
    for f in sorted(CORPUS.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").split("\n")
        plans = parse_file(f).plans
        for k, p in enumerate(plans):
            start = 0 if p.title_inferred or k == 0 and len(plans) == 1 else p.source.line - 1
            stop = plans[k + 1].source.line - 1 if k + 1 < len(plans) else len(lines)
            out.append((p.title, "\n".join(lines[start:stop])))
    return out


def reword(unit, text: str) -> str:
    """Every third unit said a little differently (a new text for the index)."""
    if unit.number % 3:
        return text
    return text.replace("加强", "进一步加强", 1) if "加强" in text else "持续" + text


def encode_as_before(view, texts: list[str], batch: int = 32) -> None:
    """The baseline: batches in the draft's order, each model in turn (the check before 2026-12-07)."""
    for start in range(0, len(texts), batch):
        for name in view.names:
            view.engine.encoders[name].encode_passages(texts[start : start + batch], batch_size=batch)


def run(view, rows, res, title: str, text: str, reuse: bool, encoders=None) -> dict:
    t = time.perf_counter()
    draft = read_draft([SourceFile(f"{title}.txt", text.encode("utf-8"))])
    parse_s = time.perf_counter() - t
    report = check_draft(
        view, draft, None, rows, lock=res.search_lock, reuse=reuse, encoders=encoders, seconds={"parse": parse_s}
    )
    s = report["seconds"]
    return {
        "draft": title,
        "units": report["summary"]["units"],
        "encoded": report["summary"]["encoded"],
        "peers": len(report["drafts"][0]["peers"]),
        "missing_topics": report["summary"]["missing_topics"],
        "weaker_targets": report["summary"]["weaker_targets"],
        "parse": s["parse"],
        "encode": s["encode"],
        "compare": s["compare"] + s["targets"],
        "total": time.perf_counter() - t,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "var")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.threads:
        from embeddings.encoders import configure_threads

        configure_threads(args.threads)
    res = Resources(Config.from_env(data_dir=args.data), writable=False)
    res.begin_request()
    t = time.perf_counter()
    engine = res.engine()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    view = CorpusView(engine)
    topics = view.topics()
    rows = q.indicators(res.store())
    prep_s = time.perf_counter() - t
    print(
        f"models and index loaded in {load_s:.1f} s; corpus view, {len(topics)} topics and indicator rows in "
        f"{prep_s:.1f} s (once per generation)",
        file=sys.stderr,
    )
    table = []
    for title, text in plan_texts():
        known = run(view, rows, res, title, text, reuse=True)
        fresh = run(view, rows, res, title, text, reuse=False)
        table.append({**known, "total_all_new": fresh["total"], "encode_all_new": fresh["encode"]})
    plan = bundled_plan("曾都区儿童")
    extra = {plan.domains[-1].title: EXTRA}
    big = write_plan(plan, rename=("曾都", "青山"), extra=extra)
    reworded = write_plan(plan, rename=("曾都", "青山"), extra=extra, edit=reword)
    fast = [n for n in view.names if n.startswith("m3e")][:1] or view.names[-1:]
    drafts = [
        ("150 units, region renamed", big, True, None),
        ("150 units, a third reworded", reworded, True, None),
        ("150 units, every unit encoded", big, False, None),
        (f"150 units, every unit encoded, {fast[0]} only", big, False, fast),
    ]
    for name, text, reuse, encoders in drafts:
        row = run(view, rows, res, "青山区儿童发展规划（2021—2030年）", text, reuse, encoders)
        table.append({**row, "draft": name})
    texts = list(dict.fromkeys(u.text for u in read_draft([SourceFile("d.txt", big.encode("utf-8"))]).units))
    t = time.perf_counter()
    encode_as_before(view, texts)
    before = time.perf_counter() - t
    t = time.perf_counter()
    view.encode(texts, reuse=False)
    now = time.perf_counter() - t
    print(
        f"encoding the {len(texts)} texts of the 150-unit draft: before (draft order, one model after the other) "
        f"{before:.2f} s, now (shortest first, the models side by side) {now:.2f} s: {before / now:.2f}x",
        file=sys.stderr,
    )
    res.end_request()
    if args.json:
        json.dump(table, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    print(
        "| draft | units | encoded | peers | missing topics | weaker targets | parse s | encode s | compare s "
        "| total s | total s, all new |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in table:
        all_new = f"{r['total_all_new']:.2f}" if "total_all_new" in r else "—"
        print(
            f"| {r['draft']} | {r['units']} | {r['encoded']} | {r['peers']} | {r['missing_topics']} | "
            f"{r['weaker_targets']} | {r['parse']:.2f} | {r['encode']:.2f} | {r['compare']:.2f} | {r['total']:.2f} | "
            f"{all_new} |"
        )


if __name__ == "__main__":
    main()
