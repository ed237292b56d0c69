"""The build report (``build.json``): counts, timings, sources and the corpus digest."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - t0, 3)


def corpus_digest(summaries: dict) -> str:
    """sha256 over (file name, file sha256) of every file: the identity of a corpus."""
    h = hashlib.sha256()
    for name in sorted(summaries):
        h.update(f"{name}\0{summaries[name]['sha256']}\n".encode())
    return h.hexdigest()


def make_report(
    summaries: list[dict],
    triples: int,
    graph_triples: int,
    digest: str,
    timer: Timer,
    t0: float,
    index_info: dict | None,
) -> dict:
    plans = [p for s in summaries for p in s["plans"]]

    def union(key: str) -> int:
        return len({v for s in summaries for v in s[key]})

    timer.seconds["total"] = round(time.perf_counter() - t0, 3)
    return {
        "files": len(summaries),
        "plans": len(plans),
        "corpus_sha256": digest,
        "counts": {p["title"]: p["counts"] for p in plans},
        "totals": {k: sum(p["counts"][k] for p in plans) for k in ("domains", "goals", "measures", "key_projects")},
        "agencies": union("agency_labels"),
        "agency_types": union("agency_keys"),
        "laws": union("laws"),
        "indicators": sum(s["indicators"] for s in summaries),
        "table_rows": sum(s["table_rows"] for s in summaries),
        "triples": triples,
        "graph_triples": graph_triples,
        "seconds": timer.seconds,
        "index": index_info,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sources": [
            {
                "file": s["file"],
                "sha256": s["sha256"],
                "bytes": s["bytes"],
                "format": s.get("format", "txt"),
                "encoding": s["encoding"],
                "notices": [n for n in s["notices"] if n.startswith("not UTF-8")],
                "warnings": s.get("warnings", []),
                "plans": [{"title": p["title"], "iri": p["iri"]} for p in s["plans"]],
            }
            for s in summaries
        ],
    }
