"""Payloads of the drafting workbench (``service.check``): what the check form offers, and the check of a draft
against the plans of the generation the request is pinned to. Nothing is stored: the draft is parsed and
compared in memory; the corpus view (and its topics) and the peers' indicator rows are kept with the
generation's other derived data, so a check encodes only the draft's new texts.

A check runs one at a time per process (``MAX_RUNNING``): it holds the two cores for seconds."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from graph.parse import SourceFile
from graph.parse.formats import supported_suffixes

from .. import labels
from .. import queries as q
from ..check import CorpusView, check_draft, parse_against, read_draft
from ..check.drafts import MAX_FILES, MAX_UNITS
from ..links import page_path
from ..resources import Resources

MAX_RUNNING = 1
WAIT_S = 60.0
RECENT = 4  # reports kept in memory, so that downloading one after reading it does not check again
_running = threading.BoundedSemaphore(MAX_RUNNING)
_recent: OrderedDict[str, dict] = OrderedDict()
_recent_lock = threading.Lock()


class Busy(RuntimeError):
    """Another check is running and did not finish in time."""


def corpus_view(res: Resources) -> CorpusView:
    engine = res.engine()
    return res.cached("check-corpus", lambda: CorpusView(engine))


def indicator_rows(res: Resources) -> list[dict]:
    return res.cached("check-indicators", lambda: q.indicators(res.store()))


def check_form(res: Resources) -> dict:
    """The plans a draft can be checked against, and the values ``against`` accepts (the topics of the corpus
    start being built now, so that the first check does not wait for them)."""
    view = corpus_view(res)
    view.warm()
    plans = [
        p.to_dict()
        | {
            "url": page_path(p.iri),
            "type_label": labels.PLAN_TYPE.get(p.plan_type, p.plan_type),
            "level_label": labels.LEVEL.get(p.level, p.level),
        }
        for p in view.plans
    ]
    return {
        "plans": plans,
        "against": {
            "plan_type": sorted({p.plan_type for p in view.plans if p.plan_type}),
            "level": sorted({p.level for p in view.plans if p.level}),
            "period": sorted({p.period for p in view.plans if p.period}),
        },
        "labels": {"plan_type": labels.PLAN_TYPE, "level": labels.LEVEL},
        "formats": list(supported_suffixes()),
        "max_files": MAX_FILES,
        "max_units": MAX_UNITS,
        "example": "plan_type=children,level=区县,period=2021-2030",
    }


def _links(report: dict) -> dict:
    """Site paths of the peer plans and units named in the report."""
    for d in report["drafts"]:
        for p in d["peers"]:
            p["url"] = page_path(p["plan"])
    for u in report["units"]:
        for c in u["counterparts"]:
            c["url"] = page_path(c["unit"]) if c["unit"] else None
    for m in report["missing_topics"]:
        for e in m["examples"]:
            e["url"] = page_path(e["unit"]) if e["unit"] else None
    return report


def check(res: Resources, sources: Sequence[SourceFile], against: str | dict | None = None, **kw) -> dict:
    """The check of the draft ``sources`` (files, or ``service.check.pasted`` text) against the peer plans
    ``against`` selects (``plan_type=children,level=区县``; None: every plan). ValueError (400) for a draft that
    cannot be read or a bad filter, ``Busy`` when another check holds the process too long."""
    filters = against if isinstance(against, dict) else parse_against(against)
    key = _key(res.generation.name, filters, sources, kw)
    with _recent_lock:
        if key in _recent:
            _recent.move_to_end(key)
            return _recent[key]
    t = time.perf_counter()
    draft = read_draft(sources)
    parse_s = time.perf_counter() - t
    view = corpus_view(res)
    rows = indicator_rows(res)
    if not _running.acquire(timeout=WAIT_S):
        raise Busy(f"another draft is being checked; try again in a minute (waited {WAIT_S:.0f} s)")
    try:
        report = check_draft(view, draft, filters, rows, lock=res.search_lock, seconds={"parse": parse_s}, **kw)
    finally:
        _running.release()
    report["generation"] = res.generation.name
    _links(report)
    with _recent_lock:
        _recent[key] = report
        while len(_recent) > RECENT:
            _recent.popitem(last=False)
    return report


def _key(generation: str | None, filters: dict, sources: Sequence[SourceFile], kw: dict) -> str:
    h = hashlib.sha256(repr((generation, sorted(filters.items()), sorted(kw.items()))).encode())
    for s in sources:
        h.update(s.name.encode() + b"\0" + hashlib.sha256(s.data).digest())
    return h.hexdigest()
