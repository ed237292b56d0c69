"""Per draft unit: its best counterpart in each peer plan, the agencies and laws those counterparts name, and a
character-level diff of the two texts.

The similarity is the calibrated one of ``SearchEngine.similar`` (0 = unrelated on average, 1 = the same text),
so a counterpart here is what the unit page would list for an indexed unit; the threshold is the same
(``embeddings.results.SIMILAR_THRESHOLD``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

import numpy as np
from rapidfuzz.distance import LCSseq

from graph.extract.agency_lexicon import canonical_label, types_by_key

MIN_SHARED = 2  # a shared run shorter than this (a lone 的 or 和) is shown as a difference


def diff(a: str, b: str) -> list[list[str]]:
    """Character-level diff of draft text ``a`` and peer text ``b`` as runs in reading order: ``["same", text]``
    (in both; ``["same", text, peer's text]`` where they differ only in character width, "," against "，"),
    ``["draft", text]`` (only in the draft), ``["peer", text]`` (only in the peer's text). The runs come from a
    longest common subsequence (rapidfuzz, in C++: ~40 µs a pair); shared runs shorter than ``MIN_SHARED``
    characters count as differences, so the marks follow words, not stray characters."""
    runs: list[list[str]] = []  # [op, draft side, peer side]
    for op in LCSseq.opcodes(_folded(a), _folded(b)):
        x, y = a[op.src_start : op.src_end], b[op.dest_start : op.dest_end]
        pieces = (
            (("same", x, y),) if op.tag == "equal" and len(x) >= MIN_SHARED else (("draft", x, ""), ("peer", "", y))
        )
        for kind, dx, py in pieces:
            if not dx and not py:
                continue
            if runs and runs[-1][0] == kind:
                runs[-1][1] += dx
                runs[-1][2] += py
            elif len(runs) >= 2 and kind != "same" and runs[-1][0] != "same" and runs[-2][0] == kind:
                runs[-2][1] += dx  # draft, peer, draft …: one run of each per change
                runs[-2][2] += py
            else:
                runs.append([kind, dx, py])
    out = []
    for kind, dx, py in runs:
        if kind == "same":
            out.append(["same", dx] if dx == py else ["same", dx, py])
        else:
            out.append([kind, dx or py])
    return out


def _folded(text: str) -> str:
    """``text`` with each character in its compatibility form where that is one character (full-width "，" and
    "," alike), so that a diff does not mark a change of width; the length stays that of ``text``."""
    out = []
    for ch in text:
        f = unicodedata.normalize("NFKC", ch)
        out.append(f if len(f) == 1 else ch)
    return "".join(out)


def shared_share(ops: list[list[str]], a: str) -> float:
    """The share of the draft text found word for word in the peer's."""
    return sum(len(run[1]) for run in ops if run[0] == "same") / max(1, len(a))


def best_per_plan(view, sim: np.ndarray, peer_docs: np.ndarray, col: dict, threshold: float) -> list[list]:
    """For each row of ``sim`` (a draft unit's similarity to the peer groups, columns by ``col``), the best
    document of each peer plan at or above ``threshold``: [(document index, similarity)], best first."""
    out: list[list] = [[] for _ in range(sim.shape[0])]
    if not len(peer_docs) or not sim.shape[0]:
        return out
    per_doc = sim[:, [col[int(g)] for g in view.doc_group[peer_docs]]]
    plans = view.doc_plan[peer_docs]
    for p in np.unique(plans).tolist():
        cols = np.flatnonzero(plans == p)
        arg = per_doc[:, cols].argmax(axis=1)
        val = per_doc[np.arange(sim.shape[0]), cols[arg]]
        for r in np.flatnonzero(val >= threshold).tolist():
            out[r].append((int(peer_docs[cols[arg[r]]]), float(val[r])))
    for hits in out:
        hits.sort(key=lambda h: (-h[1], h[0]))
    return out


def peer_unit(d) -> dict:
    """Where a peer plan's unit is and what it says, as the report names it (a counterpart, a topic's example)."""
    return {
        "plan_title": d.plan_title,
        "unit": d.iri,
        "kind": d.kind,
        "number": d.number,
        "domain": d.domain_title,
        "text": d.text,
    }


def counterparts_of(view, unit, hits: list) -> list[dict]:
    """The counterparts of one draft unit (``hits`` from ``best_per_plan``) as the report lists them."""
    out = []
    for i, s in hits:
        d = view.docs[i]
        same = d.group == unit.group
        ops = diff(unit.text, d.text)
        out.append(
            {
                "plan": d.plan_iri,
                **peer_unit(d),
                "similarity": 1.0 if same else round(min(1.0, s), 4),
                "same_text": same,
                "shared": round(shared_share(ops, unit.text), 3),
                "agencies": [{"name": n, "type": k} for k, n in zip(d.agency_keys, d.agencies, strict=True)],
                "laws": list(d.laws),
                "file": d.file,
                "line": d.line,
                "diff": ops,
            }
        )
    return out


def suggested_agencies(unit, counterparts: list[dict], region: str, level: str) -> list[dict]:
    """The agency types the counterparts name, with how many plans name each, as they would be called in the
    draft's region (``canonical_label``); ``in_draft``: the draft unit names that type already."""
    plans: dict[str, set[str]] = {}
    written: dict[str, Counter] = {}
    for c in counterparts:
        for a in c["agencies"]:
            plans.setdefault(a["type"], set()).add(c["plan"])
            written.setdefault(a["type"], Counter())[a["name"]] += 1
    known = types_by_key()
    out: list[dict[str, Any]] = []
    for key, ps in plans.items():
        if key in known:
            name = canonical_label(key, region, level) if region else known[key].zh
            generic = known[key].zh
        else:  # an agency outside the lexicon: its name as the peers write it
            name = generic = written[key].most_common(1)[0][0]
        out.append(
            {
                "name": name,
                "type": key,
                "generic": generic,
                "plans": len(ps),
                "in_draft": key in unit.agencies,
                "as_written": sorted(written[key]),
            }
        )
    out.sort(key=lambda a: (a["in_draft"], -a["plans"], a["name"]))
    return out


def suggested_laws(unit, counterparts: list[dict]) -> list[dict]:
    """The documents the counterparts cite, with how many plans cite each; ``in_draft``: cited by the unit."""
    plans: dict[str, set[str]] = {}
    for c in counterparts:
        for title in c["laws"]:
            plans.setdefault(title, set()).add(c["plan"])
    out: list[dict[str, Any]] = [{"title": t, "plans": len(ps), "in_draft": t in unit.laws} for t, ps in plans.items()]
    out.sort(key=lambda x: (x["in_draft"], -x["plans"], x["title"]))
    return out


def unit_entry(view, unit, hits: list, region: str, level: str) -> dict:
    """One draft unit of the report: its text, counterparts, suggested agencies and laws, and whether it is new."""
    cps = counterparts_of(view, unit, hits)
    return {
        "id": unit.id,
        "kind": unit.kind,
        "number": unit.number,
        "domain": unit.concept,
        "domain_title": unit.domain,
        "title": unit.title,
        "text": unit.text,
        "line": unit.line,
        "agencies": [{"name": n, "type": k} for k, n in unit.agencies.items()],
        "laws": list(unit.laws),
        "new": not cps,
        "counterparts": cps,
        "suggested_agencies": suggested_agencies(unit, cps, region, level),
        "suggested_laws": suggested_laws(unit, cps),
    }
