"""Topics: clusters of similar measures across plans, found in the corpus itself (no fixed list), and the
topics a draft plan misses.

``build_topics(view)`` runs once per build generation. Each measure or key project of the corpus gets its best
counterpart in every other plan (calibrated similarity, as ``SearchEngine.similar``); the measure with
counterparts in the most plans seeds a topic with those counterparts (at most one per plan, each at least
``JOIN``), near-copies of the seed (``ABSORB``) join it too, and its members are taken; then the next seed.
A topic's *keywords* are the words (jieba) most of its members share and few other units use: "溺水" for the
drowning measures, "近视" for myopia. Goals are left out: their targets are compared as indicators, and plans
whose goals live in indicator tables (衢州) would miss every goal topic. Building compares every measure with
every other (~1 s for the 829 units of the bundled corpus, once per generation): fine up to ~10^4 units; a larger
corpus would want a nearest-neighbour graph from the faiss index instead.

``missing_topics`` names the topics that at least ``MIN_PLANS`` peer plans of the draft's type cover and no
draft unit matches. A draft unit matches a topic when it is a near-copy of a member (``HIGH``), or similar to
one (``MATCH``) and shares one of the topic's keywords (a road-safety measure close to a member on "drowning
and road safety" does not cover the drowning topic), or when it has the heading of a member (加强教师队伍建设).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embeddings.documents import normalise_text

from .counterparts import peer_unit
from .drafts import domain_label

JOIN = 0.5  # a counterpart joins a topic at this calibrated similarity to the seed
ABSORB = 0.7  # other units this close to the seed join it as well (no second topic of the same thing)
MATCH = 0.55  # a draft unit this similar to a member (and sharing a keyword) covers the topic
HIGH = 0.75  # … or this similar, whatever its words
MIN_PLANS = 2
KEYWORDS = 4
KEYWORD_MAX_DF = 0.05  # a keyword is used by at most this share of all units
CHUNK = 256
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


@dataclass
class Topic:
    id: int
    seed: int  # document index
    members: list[int]  # document indices, at most one per plan, seed first
    extra: list[int] = field(default_factory=list)  # near-copies of the seed in plans that have a member already
    keywords: list[str] = field(default_factory=list)
    label: str = ""
    concept: str = ""

    @property
    def all(self) -> list[int]:
        return self.members + self.extra


def _rows(view, vecs: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Calibrated similarity of the groups ``rows`` to every group (one row each)."""
    total = None
    for n in view.names:
        s = view.engine._similarity(n, vecs[n][rows] @ vecs[n].T)
        total = s if total is None else total + s
    assert total is not None
    return total / len(view.names)


def _words(text: str) -> set[str]:
    import jieba

    jieba.setLogLevel(60)
    return {w for w in jieba.lcut(text) if _WORD.match(w)}


def _label(view, t: Topic, vecs: dict[str, np.ndarray]) -> str:
    """The title (or first clause) of the member most like the other members."""
    groups = np.asarray([int(view.doc_group[j]) for j in t.members], np.int64)
    within = _rows(view, {n: v[groups] for n, v in vecs.items()}, np.arange(len(groups)))
    best = t.members[int(np.argmax(within.sum(axis=1)))]
    d = view.docs[best]
    title = d.title if 4 <= len(d.title) <= 30 else re.split(r"[。；;：:]", d.text, maxsplit=1)[0]
    return title if len(title) <= 30 else title[:29] + "…"


def build_topics(view) -> list[Topic]:
    n_docs = len(view.docs)
    vecs = view.group_vectors(np.arange(len(view.engine.group_ids), dtype=np.int64))
    act = np.flatnonzero(view.is_action)
    if not len(act):
        return []
    n_plans = len(view.plans)
    plan_cols = [act[view.doc_plan[act] == p] for p in range(n_plans)]
    # best[i, p]: the best similarity of action unit i to the action units of plan p (rows in chunks)
    best = np.full((n_docs, n_plans), -9.0, np.float32)
    for start in range(0, len(act), CHUNK):
        rows = act[start : start + CHUNK]
        sim = _rows(view, vecs, view.doc_group[rows])
        for p, cols in enumerate(plan_cols):
            if len(cols):
                best[rows, p] = sim[:, view.doc_group[cols]].max(axis=1)
    best[np.arange(n_docs), view.doc_plan] = -9.0
    coverage = (best >= JOIN).sum(axis=1)
    top3 = -np.sort(-best, axis=1)[:, :3].sum(axis=1)
    order = sorted(act.tolist(), key=lambda i: (-int(coverage[i]), -float(top3[i]), i))
    taken = np.zeros(n_docs, bool)
    topics: list[Topic] = []
    for i in order:
        if taken[i] or coverage[i] == 0:
            continue
        dsim = _rows(view, vecs, view.doc_group[[i]])[0][view.doc_group]
        dsim[view.doc_group == view.doc_group[i]] = 1.0
        members = [i]
        for p, cols in enumerate(plan_cols):
            if p == view.doc_plan[i]:
                continue
            free = cols[~taken[cols]]
            if len(free):
                j = int(free[np.argmax(dsim[free])])
                if dsim[j] >= JOIN:
                    members.append(j)
        if len({int(view.doc_plan[j]) for j in members}) < MIN_PLANS:
            continue
        taken[members] = True
        extra = [int(j) for j in act[(~taken[act]) & (dsim[act] >= ABSORB)]]
        taken[extra] = True
        topics.append(Topic(len(topics), i, members, extra))
    _describe(view, topics, vecs)
    return topics


def _describe(view, topics: list[Topic], vecs: dict[str, np.ndarray]) -> None:
    docs = view.docs
    words = [_words(d.text) for d in docs]
    df = Counter(w for ws in words for w in ws)
    limit = max(3, KEYWORD_MAX_DF * len(docs))
    for t in topics:
        count = Counter(w for j in t.all for w in words[j])
        need = max(2, math.ceil(len(t.all) * 2 / 3))
        shared = [w for w, k in count.items() if k >= need and df[w] <= limit]
        t.keywords = sorted(shared, key=lambda w: (-count[w], df[w], w))[:KEYWORDS]
        concepts = Counter(docs[j].domain_concept for j in t.all if docs[j].domain_concept)
        t.concept = concepts.most_common(1)[0][0] if concepts else ""
        t.label = _label(view, t, vecs)


def _covered(view, t: Topic, same: list[int], units, sim: np.ndarray, col: dict) -> tuple[dict | None, bool]:
    """Does a draft unit cover topic ``t`` (``same``: its members in peer plans of the draft's type)? Also the
    draft unit closest to a member, shown beside a missing topic."""
    cols = np.asarray([col[int(view.doc_group[j])] for j in same], np.int64)
    best = sim[:, cols].max(axis=1)  # per draft unit: its best similarity to a member
    r = int(np.argmax(best))
    closest = {"unit": units[r].id, "text": units[r].text, "similarity": round(float(best[r]), 4)}
    for k in np.flatnonzero(best >= MATCH).tolist():
        if best[k] >= HIGH or not t.keywords or any(w in units[k].text for w in t.keywords):
            return closest, True
    titles = {normalise_text(view.docs[j].title) for j in same} - {""}
    for u in units:  # a unit under the same heading as a member ("加强教师队伍建设。…") covers it whatever it says
        if len(u.title) >= 4 and normalise_text(u.title) in titles:
            return {"unit": u.id, "text": u.text, "similarity": closest["similarity"]}, True
    return closest, False


def missing_topics(view, topics: list[Topic], plan_type: str, peers, units, sim: np.ndarray, col: dict) -> list[dict]:
    """The topics of ``topics`` that ≥ MIN_PLANS ``peers`` of ``plan_type`` cover and no draft unit matches.

    ``sim`` holds each draft unit's similarity to the peer groups, ``col`` maps a group to its column."""
    docs = view.docs
    peer_ids = {p.index for p in peers}
    by_index = {p.index: p for p in peers}
    out: list[dict[str, Any]] = []
    for t in topics:
        inside = [j for j in t.all if int(view.doc_plan[j]) in peer_ids]
        same = [j for j in inside if docs[j].plan_type == plan_type]
        plans = sorted({int(view.doc_plan[j]) for j in same})
        if len(plans) < MIN_PLANS:
            continue
        closest, covered = _covered(view, t, same, units, sim, col)
        if covered:
            continue
        examples, seen = [], set()
        for j in sorted(same, key=lambda j: (j not in t.members, j)):
            p = int(view.doc_plan[j])
            if p in seen:
                continue
            seen.add(p)
            d = docs[j]
            examples.append(
                {
                    "plan": by_index[p].iri,
                    **peer_unit(d),
                    "agencies": list(d.agencies),
                    "laws": list(d.laws),
                }
            )
        out.append(
            {
                "label": t.label,
                "domain": t.concept,
                "domain_label": domain_label(t.concept, docs[t.seed].domain_title),
                "plans": len(plans),
                "keywords": list(t.keywords),
                "examples": examples,
                "closest": closest,
                "topic": t.id,
            }
        )
    out.sort(key=lambda m: (-m["plans"], m["domain"], m["topic"]))
    return out
