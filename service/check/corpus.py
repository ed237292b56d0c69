"""The plans of the search index as the check sees them: which units belong to which plan, which plans are
the peers of a draft plan, and the calibrated similarity of new texts to the indexed ones.

A ``CorpusView`` is made once per build generation (the service keeps it with the generation's other
derived data) and only reads the engine: its documents, and the vectors of its dense indexes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from embeddings.documents import text_key
from embeddings.filters import SearchFilters, doc_matches
from graph.titles import title_key

from .topics import Topic, build_topics

ENCODE_BATCH = 32  # texts per forward pass (and per hold of the service's search lock)
SIM_BLOCK = 8192  # indexed texts whose vectors are read at a time


@dataclass(frozen=True)
class PeerPlan:
    index: int  # position in CorpusView.plans
    plan_id: str
    iri: str
    title: str
    plan_type: str
    region: str
    level: str
    period: str
    units: int

    def to_dict(self) -> dict:
        return {
            "plan": self.iri,
            "plan_title": self.title,
            "type": self.plan_type,
            "region": self.region,
            "level": self.level,
            "period": self.period,
            "units": self.units,
        }


class CorpusView:
    """Read-only arrays over ``engine.docs`` (one entry per unit of every indexed plan)."""

    def __init__(self, engine):
        self.engine = engine
        self.docs = engine.docs
        self.names = [n for n in engine.dense if n in engine.encoders] or list(engine.dense)
        if not self.names:
            raise ValueError("the search index has no dense encoder: the check needs one (rebuild with the models)")
        plans: dict[str, list] = {}
        for d in self.docs:
            plans.setdefault(d.plan_id, []).append(d)
        self.plans = [
            PeerPlan(
                k,
                pid,
                ds[0].plan_iri,
                ds[0].plan_title,
                ds[0].plan_type,
                ds[0].region,
                ds[0].level,
                ds[0].period,
                len(ds),
            )
            for k, (pid, ds) in enumerate(plans.items())
        ]
        index = {p.plan_id: p.index for p in self.plans}
        self.doc_plan = np.array([index[d.plan_id] for d in self.docs], np.int64)
        self.doc_group = np.asarray(engine.doc_group, np.int64)
        self.group_of_key = {g: i for i, g in enumerate(engine.group_ids)}
        self.is_action = np.array([d.kind != "goal" for d in self.docs], bool)
        self._lock = threading.Lock()
        self._topics: list[Topic] | None = None
        self._warming = False

    # ------------------------------------------------------------------ peers
    def peers(self, filters: dict | None, exclude_title: str = "") -> list[PeerPlan]:
        """The plans passing ``filters`` (search-filter names: plan_type, level, period, region, plan; and
        ``exclude``: parts of titles to leave out), without a plan of ``exclude_title`` (the draft itself, when an
        earlier version of it is in the corpus)."""
        rest = dict(filters or {})
        excluded = [x for x in rest.pop("exclude", None) or [] if x]
        wanted = list(SearchFilters.from_any(rest or None).items())
        skip = title_key(exclude_title) if exclude_title else None
        out = []
        for p in self.plans:
            if (skip and title_key(p.title) == skip) or any(x in p.title for x in excluded):
                continue
            first = self.docs[int(np.flatnonzero(self.doc_plan == p.index)[0])]
            if all(doc_matches(first, name, values) for name, values in wanted):
                out.append(p)
        return out

    def docs_of(self, plans: Sequence[PeerPlan]) -> np.ndarray:
        """Indices of the documents of ``plans``."""
        keep = np.zeros(len(self.plans), bool)
        keep[[p.index for p in plans]] = True
        return np.flatnonzero(keep[self.doc_plan])

    # ------------------------------------------------------------------ vectors and similarity
    def group_vectors(self, groups: np.ndarray, names: list[str] | None = None) -> dict[str, np.ndarray]:
        return {n: self.engine.dense[n].vectors(groups) for n in names or self.names}

    def models(self, wanted) -> list[str]:
        """The encoders to compare with: all of the index (None), or those named (a ValueError names a wrong one)."""
        if not wanted:
            return list(self.names)
        names = [w.strip() for w in (wanted.split(",") if isinstance(wanted, str) else wanted) if w.strip()]
        bad = [n for n in names if n not in self.names]
        if bad or not names:
            raise ValueError(f"encoders: {', '.join(bad) or '(none)'} not in the index; it has {', '.join(self.names)}")
        return names

    def encode(
        self, texts: Sequence[str], lock=None, reuse: bool = True, names: list[str] | None = None
    ) -> tuple[dict[str, np.ndarray], int]:
        """Passage vectors of ``texts`` for every encoder, and how many texts were encoded.

        A text whose normalised form is already in the index (the same wording in some plan) takes that
        vector; the others are encoded shortest first in batches of ``ENCODE_BATCH``, by the loaded models side
        by side, each batch under ``lock`` (the service's search lock: the models are shared with builds)."""
        texts = list(texts)
        names = names or self.names
        out = {n: np.zeros((len(texts), self.engine.dense[n].index.d), np.float32) for n in names}
        known = [self.group_of_key.get(text_key(t)) if reuse else None for t in texts]
        have = [i for i, g in enumerate(known) if g is not None]
        if have:
            vecs = self.group_vectors(np.asarray([known[i] for i in have], np.int64), names)
            for n in names:
                out[n][have] = vecs[n]
        todo: dict[str, list[int]] = {}
        for i, g in enumerate(known):
            if g is None:
                todo.setdefault(texts[i], []).append(i)
        uniq = sorted(todo, key=len)  # batches of texts of about one length: little padding in each pass
        if uniq and not all(n in self.engine.encoders for n in names):
            raise ValueError("the search models are not loaded: new texts cannot be compared")
        for start in range(0, len(uniq), ENCODE_BATCH):
            chunk = uniq[start : start + ENCODE_BATCH]
            with lock if lock is not None else nullcontext():
                vecs = self.engine.encode_passages_all(names, chunk, batch_size=ENCODE_BATCH)
            for n in names:
                for j, t in enumerate(chunk):
                    out[n][todo[t]] = vecs[n][j]
        return out, len(uniq)

    def similarity(self, vectors: dict[str, np.ndarray], groups: np.ndarray) -> np.ndarray:
        """Calibrated similarity (the measure of ``SearchEngine.similar``: (cos - mean unrelated cos) /
        (1 - mean), averaged over encoders) of each vector row to each of ``groups``; the groups' vectors are
        read from the index a block at a time."""
        rows = len(next(iter(vectors.values()))) if vectors else 0
        out = np.zeros((rows, len(groups)), np.float32)
        for start in range(0, len(groups), SIM_BLOCK):
            block = np.asarray(groups[start : start + SIM_BLOCK], np.int64)
            peer = self.group_vectors(block, list(vectors))
            for n in vectors:
                cos = np.asarray(vectors[n], np.float32) @ peer[n].T
                out[:, start : start + len(block)] += self.engine._similarity(n, cos)
        out /= max(1, len(vectors))
        return out

    # ------------------------------------------------------------------ topics (built once, on first use)
    def topics(self) -> list[Topic]:
        with self._lock:
            if self._topics is None:
                self._topics = build_topics(self)
            return self._topics

    def warm(self) -> None:
        """Build the topics in the background (the check form calls this: the first check need not wait)."""
        if self._topics is None and not self._warming:
            self._warming = True
            threading.Thread(target=self.topics, name="check-topics", daemon=True).start()
