"""Scoring for bench/search_eval.py: the judged queries, what a hit covers, and the metrics per query type.

Queries (bench/search_queries.json) have a ``type``: ``keyword`` (plan vocabulary), ``paraphrase`` (an
everyday rewording of a keyword query), ``plain`` (worded the way a drafter, a parent or a citizen asks;
``speaker`` says who) or ``offtopic`` (nothing in the plans answers it; no judgments). A judgment names a
unit by file and line (any line inside the unit) with a grade, 2 = directly about it, 1 = partly.

Metrics are computed over text groups (``engine.doc_group``: units with the same normalised text). A hit
covers its own group and the groups of every unit it lists (``hit.plans``; near-duplicates merged into one
hit by the engine count as covered too), and its gain is the best grade among the groups it is the first to
cover, so a ranking of one group per hit scores exactly as before:

* Recall@10: share of the relevant groups (grade >= 1) covered by the first 10 hits;
* nDCG@10: gain 2^grade - 1 at rank r discounted by log2(r + 1), over the ideal ordering of the judged groups;
* MRR: 1 / rank of the first hit with a relevant group among everything returned (depth 100), else 0;
* off-topic precision: share of off-topic queries for which nothing is shown on the first page (10 hits);
  also the mean number of hits shown for them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from embeddings.documents import normalise_text

K = 10
JUDGED_TYPES = ("keyword", "paraphrase", "plain")
OFFTOPIC = "offtopic"
QUERY_TYPES = (*JUDGED_TYPES, OFFTOPIC)
SPEAKERS = ("drafter", "parent", "citizen")
METRICS = ("ndcg", "recall", "mrr")
# attributes under which an engine may list near-duplicates merged into a hit (group ids, units, hits, PlanRefs)
MERGED_ATTRS = ("near", "near_duplicates", "variants", "members")


def load_queries(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["queries"]


def judged_groups(engine, query: dict, warn: list) -> dict[int, int]:
    """{group index: grade} for one query's judgments (empty for off-topic queries)."""
    by_file: dict[str, list[int]] = {}
    for i, d in enumerate(engine.docs):
        by_file.setdefault(Path(d.file).stem, []).append(i)
    out: dict[int, int] = {}
    for j in query.get("relevant", []):
        stem = Path(j["file"]).stem
        cands = by_file.get(stem, [])
        hit = next(
            (i for i in cands if engine.docs[i].line <= j["line"] <= max(engine.docs[i].end_line, engine.docs[i].line)),
            None,
        )
        if hit is None and j.get("text"):
            snip = normalise_text(j["text"])
            hit = next((i for i in cands if snip and snip in normalise_text(engine.docs[i].text)), None)
        if hit is None:
            warn.append(f"{query['id']}: no unit for {j['file']}:{j['line']}")
            continue
        g = int(engine.doc_group[hit])
        out[g] = max(out.get(g, 0), int(j["grade"]))
    return out


class Coverage:
    """The text groups a hit covers: its own, those of the units it lists, those of merged near-duplicates."""

    def __init__(self, engine):
        self.engine = engine
        self.gidx = {g: i for i, g in enumerate(engine.group_ids)}
        self.unit = {(Path(d.file).name, d.line): i for i, d in enumerate(engine.docs)}

    def _of(self, item) -> int | None:
        if isinstance(item, str):
            return self.gidx.get(item)
        g = getattr(item, "group", None)
        if isinstance(g, str) and g in self.gidx:
            return self.gidx[g]
        doc = getattr(item, "doc", None)
        src = doc if doc is not None else item
        f, line = getattr(src, "file", None), getattr(src, "line", None)
        if f is not None and line is not None:
            i = self.unit.get((Path(f).name, int(line)))
            if i is not None:
                return int(self.engine.doc_group[i])
        return None

    def groups(self, hit) -> list[int]:
        out: list[int] = []
        items = [hit, *(getattr(hit, "plans", None) or [])]
        for attr in MERGED_ATTRS:
            items += list(getattr(hit, attr, None) or [])
        for item in items:
            g = self._of(item)
            if g is not None and g not in out:
                out.append(g)
        return out


def metrics(ranked: Sequence[Iterable[int]], rel: dict[int, int], k: int = K) -> dict:
    """nDCG@k, Recall@k and MRR of a ranking given as the groups each hit covers (see the module doc)."""
    seen: set[int] = set()
    gains: list[int] = []
    covered_k: set[int] = set()
    first = None
    for r, groups in enumerate(ranked):
        gs = list(groups)
        new = [g for g in gs if g not in seen]
        seen.update(gs)
        gain = max((rel.get(g, 0) for g in new), default=0)
        gains.append(gain)
        if r < k:
            covered_k.update(gs)
        if first is None and gain >= 1:
            first = r
    relevant = {g for g, v in rel.items() if v >= 1}
    recall = len(covered_k & relevant) / len(relevant) if relevant else 0.0
    dcg = sum((2**v - 1) / np.log2(r + 2) for r, v in enumerate(gains[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2**v - 1) / np.log2(r + 2) for r, v in enumerate(ideal))
    return {
        "ndcg": float(dcg / idcg) if idcg else 0.0,
        "recall": float(recall),
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
    }


def score_query(query: dict, ranked: Sequence[Iterable[int]], rel: dict[int, int], k: int = K) -> dict:
    """One query's record: its metrics (judged types) and how many hits the first page shows."""
    rec = {"id": query["id"], "type": query["type"], "speaker": query.get("speaker"), "shown": min(k, len(ranked))}
    if query["type"] != OFFTOPIC:
        rec.update(metrics(ranked, rel, k))
    return rec


def _mean(recs: list[dict], key: str) -> float:
    return float(np.mean([r[key] for r in recs])) if recs else 0.0


def summarise(per_query: list[dict]) -> dict:
    """Means per query type (and per speaker of the plain queries); off-topic precision and mean shown."""
    out: dict = {}
    judged = [r for r in per_query if r["type"] in JUDGED_TYPES]
    for name, recs in (("all", judged), *((t, [r for r in judged if r["type"] == t]) for t in JUDGED_TYPES)):
        out[name] = {m: _mean(recs, m) for m in METRICS} | {"n": len(recs)}
    for s in SPEAKERS:
        recs = [r for r in judged if r["type"] == "plain" and r.get("speaker") == s]
        out[f"plain:{s}"] = {m: _mean(recs, m) for m in METRICS} | {"n": len(recs)}
    off = [r for r in per_query if r["type"] == OFFTOPIC]
    out[OFFTOPIC] = {
        "precision": float(np.mean([r["shown"] == 0 for r in off])) if off else 0.0,
        "mean_shown": _mean(off, "shown"),
        "n": len(off),
    }
    return out
