"""The relevance floor: below it a hit is not counted, so an off-topic query finds nothing.

A group's floor score for a query is

    dense + coverage_weight x coverage

* ``dense``: the query's cosine with the text, in units of the index's own calibration (mean over the
  encoders of (cos - query_mean) / query_std, where query_mean/std are the cosines of unrelated
  (title as query, text) pairs measured at build time, ``meta.json``). Unlike the query z-score
  (``Hit.relevance``), which puts the best text of any query, however off-topic, 3-4 deviations up,
  this is absolute: an unrelated query stays low everywhere.
* ``coverage``: the share of the query's BM25 term weight (idf, unknown terms included) found in the
  text; a thesaurus expansion counts as found when the words it matched or any of its terms are.

Without dense encoders, or with encoders no floor was calibrated for (the units differ per model), the
score is the coverage alone, against ``lexical_floor``. ``relevance_floor.json`` keeps one floor per
encoder set.

The numbers in ``relevance_floor.json`` are not picked by hand: ``calibrate`` runs on-topic queries
with graded judgments and off-topic queries (``floor_calibration.tsv``), and for each coverage weight
puts the floor halfway between the highest off-topic score and the score that keeps ``keep`` (95 %) of
the grade-2 hits found in the top 10; it takes the weight with the widest gap (in units of the spread
of the grade-2 scores). Recalibrate for another corpus with ``python -m embeddings.calibration`` (``--help``).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path

import numpy as np

FLOOR_FILE = Path(str(files(__package__) / "relevance_floor.json"))
OFF_TOPIC_FILE = Path(str(files(__package__) / "floor_calibration.tsv"))
COVERAGE_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
KEEP = 0.95


@dataclass(frozen=True)
class Floor:
    """The floor for one set of encoders (``value`` None: none calibrated for them, coverage alone counts)."""

    value: float | None  # floor on dense + coverage_weight x coverage
    coverage_weight: float
    lexical_floor: float  # floor on coverage alone (no dense encoders, or encoders never calibrated)
    keep: float = KEEP
    encoders: tuple[str, ...] = ()  # the encoder names it was calibrated with
    calibration: dict = field(default_factory=dict, compare=False)  # how it was chosen (see calibrate)

    @classmethod
    def load(cls, encoders=(), path=None) -> Floor:
        """The floor calibrated for ``encoders`` (names) in ``path`` (default: the packaged file); for a set
        never calibrated, the lexical floor of the first entry."""
        entries = json.loads(Path(path or FLOOR_FILE).read_text(encoding="utf-8"))["floors"]
        if not entries:
            raise ValueError(f"{path or FLOOR_FILE}: no floor calibrated")
        for e in entries:
            if sorted(e["encoders"]) == sorted(encoders):
                return cls(e["value"], e["coverage_weight"], e["lexical_floor"], e["keep"], tuple(e["encoders"]),
                           e.get("calibration", {}))  # fmt: skip
        return cls(None, 0.0, float(entries[0]["lexical_floor"]), float(entries[0]["keep"]), tuple(sorted(encoders)))

    def save(self, path=None) -> Path:
        """Write this floor into ``path`` (default: the packaged file), replacing the entry of its encoders."""
        p = Path(path or FLOOR_FILE)
        entries = json.loads(p.read_text(encoding="utf-8"))["floors"] if p.exists() else []
        entries = [e for e in entries if sorted(e["encoders"]) != sorted(self.encoders)] + [asdict(self)]
        doc = {
            "about": "relevance floors of PlanKG search, one per encoder set: embeddings/floor.py",
            "floors": entries,
        }
        p.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return p

    def scores(self, dense: np.ndarray | None, coverage: np.ndarray) -> np.ndarray:
        return coverage if dense is None or self.value is None else dense + self.coverage_weight * coverage

    def threshold(self, dense: bool) -> float:
        return self.value if dense and self.value is not None else self.lexical_floor


def dense_absolute(cos: dict[str, np.ndarray], calibration: dict[str, dict]) -> np.ndarray | None:
    """Mean over encoders of (cos - query_mean) / query_std (the index's unrelated-pair calibration)."""
    if not cos:
        return None
    parts = []
    for name, c in cos.items():
        cal = calibration.get(name) or {}
        parts.append((c - float(cal.get("query_mean", 0.0))) / max(float(cal.get("query_std", 1.0)), 1e-6))
    return np.mean(parts, axis=0)


def coverage(bm, query: str, expansions=()) -> np.ndarray:
    """Share of the query's term weight present in each text (see the module docstring)."""
    tokens = bm.tokenizer.tokens
    singles = not any(len(w) > 1 for w in tokens(query))
    oov = math.log(1.0 + (bm.n_docs + 0.5) / 0.5)  # idf of a term no text has

    def weighted(text: str, keep_single: bool) -> list[tuple[float, int | None]]:
        toks = dict.fromkeys(w for w in tokens(text) if keep_single or len(w) > 1)
        return [(float(bm.idf[bm.vocab[w]]) if w in bm.vocab else oov, bm.vocab.get(w)) for w in toks]

    def share(tw: list[tuple[float, int | None]]) -> np.ndarray:
        total = sum(w for w, _ in tw)
        got = np.zeros(bm.n_docs, np.float64)
        for w, j in tw:
            if j is not None:
                got[bm.W[:, j].indices] += w
        return got / total if total > 0 else got

    parts: list[tuple[float, np.ndarray]] = []
    pos = 0
    for e in sorted(expansions, key=lambda e: e.start):
        if e.start < pos:
            continue
        if e.start > pos:
            plain = weighted(query[pos : e.start], singles)
            parts.append((sum(w for w, _ in plain), share(plain)))
        own = weighted(e.matched, singles or len(e.matched) < 2)
        alts = [share(own)] + [share(weighted(t, len(t) < 2)) for t in e.terms]
        parts.append((sum(w for w, _ in own) or oov, np.max(alts, axis=0)))
        pos = e.end
    if pos < len(query):
        plain = weighted(query[pos:], singles)
        parts.append((sum(w for w, _ in plain), share(plain)))
    mass = sum(w for w, _ in parts)
    if mass <= 0:
        return np.zeros(bm.n_docs, np.float64)
    out = np.zeros(bm.n_docs, np.float64)
    for w, s in parts:
        out += w * s
    return out / mass


# ------------------------------------------------------------------ calibration
def _place(kept: list[float], off: list[float], keep: float) -> dict:
    """The floor for one coverage weight: halfway between the best off-topic score and the score that
    keeps ``keep`` of the grade-2 hits (or that score itself when they overlap)."""
    kept_sorted = sorted(kept)
    at_keep = kept_sorted[int(math.floor((1.0 - keep) * len(kept_sorted)))] if kept_sorted else 0.0
    off_max = max(off) if off else -math.inf
    spread = float(np.std(kept)) if len(kept) > 1 else 1.0
    value = (at_keep + off_max) / 2 if off_max < at_keep else at_keep
    return {
        "value": round(float(value), 4),
        "keeps_at": round(float(at_keep), 4),
        "off_topic_max": round(float(off_max), 4),
        "gap_in_spreads": round(float((at_keep - off_max) / max(spread, 1e-6)), 4),
        "grade2_kept": round(sum(s >= value for s in kept) / max(len(kept), 1), 4),
        "off_topic_rejected": round(sum(s < value for s in off) / max(len(off), 1), 4),
    }


def calibrate(engine, on_topic, off_topic, keep: float = KEEP, weights=COVERAGE_WEIGHTS) -> Floor:
    """Derive the floor from score distributions.

    ``on_topic``: [(query, {doc ids judged grade 2})]; the grade-2 hits are those among the top 10 of
    ``engine.query(query, floor=False)``. ``off_topic``: queries that must find nothing: each one's
    highest score over every text counts.
    """
    kept_feats: list[tuple[float, float]] = []
    for query, good in on_topic:
        page = engine.query(query, k=10, floor=False)
        dense, cov = engine.floor_features(query)
        for h in page.hits:
            if good & {p.doc_id for p in h.plans}:
                g = engine.group_index(h.group)
                kept_feats.append((0.0 if dense is None else float(dense[g]), float(cov[g])))
    off_feats = [engine.floor_features(q) for q in off_topic]
    has_dense = off_feats[0][0] is not None if off_feats else bool(engine.encoders)
    table = {}
    for w in weights if has_dense else ():
        kept = [d + w * c for d, c in kept_feats]
        off = [float(np.max(c * w + (0.0 if d is None else d))) for d, c in off_feats]
        table[str(w)] = _place(kept, off, keep)
    lexical = _place([c for _, c in kept_feats], [float(np.max(c)) for _, c in off_feats], keep)
    best = max(table, key=lambda w: (table[w]["gap_in_spreads"], -float(w))) if table else None
    return Floor(
        value=table[best]["value"] if best else None,
        coverage_weight=float(best or 0.0),
        lexical_floor=lexical["value"],
        keep=keep,
        encoders=tuple(sorted(engine.encoders)),
        calibration={
            "on_topic_queries": len(on_topic),
            "grade2_hits_in_top10": len(kept_feats),
            "off_topic_queries": len(off_topic),
            "by_coverage_weight": table,
            "lexical_only": lexical,
        },
    )


def off_topic_queries(path=None) -> list[str]:
    lines = Path(path or OFF_TOPIC_FILE).read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0].strip() for line in lines if line.strip() and not line.startswith("#")]
