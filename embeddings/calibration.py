"""Recalibrate the relevance floor (``floor.py``) of PlanKG search on an index:

    .venv/bin/python -m embeddings.calibration var/main/current/index \
        --judgments bench/search_queries.json --ids q01-q45 --write

On-topic queries with graded judgments (the bench format: {id, query, relevant: [{file, line, grade}]})
and off-topic queries (one a line; default ``floor_calibration.tsv``) give the floor, printed as JSON
and with ``--write`` saved (by default as the packaged ``relevance_floor.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

from .engine import SearchEngine
from .floor import FLOOR_FILE, KEEP, OFF_TOPIC_FILE, calibrate, off_topic_queries


def judged_docs(engine, relevant: list[dict], grade: int = 2) -> set[str]:
    """Doc ids of judgments given as {file, line, grade} (a unit's start line or any line inside it)."""
    out = set()
    for j in relevant:
        if int(j["grade"]) < grade:
            continue
        stem = Path(j["file"]).stem
        for d in engine.docs:
            if Path(d.file).stem == stem and d.line <= j["line"] <= max(d.end_line, d.line):
                out.add(d.id)
                break
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Recalibrate the relevance floor of PlanKG search on an index.")
    ap.add_argument("index", help="index folder (e.g. var/main/current/index)")
    ap.add_argument(
        "--judgments", required=True, help="JSON with queries: [{id, query, relevant: [{file, line, grade}]}]"
    )
    ap.add_argument("--ids", default="", help="only these query ids: q01-q45 or q01,q02 (default: all)")
    ap.add_argument("--off-topic", default=None, help=f"one off-topic query per line (default: {OFF_TOPIC_FILE.name})")
    ap.add_argument("--keep", type=float, default=KEEP)
    ap.add_argument("--write", nargs="?", const=str(FLOOR_FILE), help="write the floor (default: the packaged file)")
    args = ap.parse_args(argv)
    engine = SearchEngine.load(args.index)
    queries = json.loads(Path(args.judgments).read_text(encoding="utf-8"))["queries"]
    queries = [q for q in queries if _wanted(q["id"], args.ids)]
    on = [(q["query"], judged_docs(engine, q["relevant"])) for q in queries]
    floor = calibrate(engine, on, off_topic_queries(args.off_topic), args.keep)
    source = {
        "judgments": Path(args.judgments).name,
        "ids": args.ids or "all",
        "off_topic": Path(args.off_topic or OFF_TOPIC_FILE).name,
        "corpus_hash": engine.meta.get("corpus_hash"),
        "date": time.strftime("%Y-%m-%d"),
        "command": "python -m embeddings.calibration " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    floor = replace(floor, calibration={**source, **floor.calibration})
    print(json.dumps(asdict(floor), ensure_ascii=False, indent=1))
    if args.write:
        print("written to", floor.save(args.write), file=sys.stderr)
    return 0


def _wanted(qid: str, ids: str) -> bool:
    if not ids:
        return True
    for part in ids.split(","):
        lo, _, hi = part.partition("-")
        if qid == lo or (hi and lo <= qid <= hi and len(qid) == len(lo)):
            return True
    return False


if __name__ == "__main__":
    sys.exit(main())
