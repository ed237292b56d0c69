"""A dry run of ``builds.corpus.add``: what adding plan files would find and do, changing nothing.

``preview(cfg, sources)`` parses and extracts every file (as ``add`` would) and says, per file:

* its outline (``graph.parse.explain.outline_report``: format, lines, plans with sections, domains,
  labels, counts, stray lines, warnings) and, per plan, how many agencies, cited laws and indicators
  extraction found;
* what adding it would do to the current corpus: ``new``, ``replace`` (the stored files it replaces:
  same file name, or plans of the same titles, by ``corpus.replaced_by``, the rule of ``add``),
  ``unchanged`` (the same bytes are stored), or ``error`` with file, line, reason and the HTTP status
  ``add`` would answer (400 bad file, 413 too large, 409 ambiguous change).

The files are judged in order, each against the corpus as it would be once the good files before it were
added one by one (so a preview says what confirming them one request each, in that order, does). One bad file
never hides the others. Nothing is written and no lock is taken: the answer reads the current generation as
it is; a change made meanwhile can make it stale, and ``add`` decides again under its lock.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from config import Config
from graph.extract import extract_file
from graph.model import ParsedFile, Plan
from graph.parse import FileTooLarge, ParseError, SourceFile, parse_sources
from graph.parse.explain import outline_report, render_outline
from graph.rdf.iri import plan_iri

from . import corpus
from .errors import CorpusError
from .generations import current_generation
from .layout import DataFolder

log = logging.getLogger("plankg.preview")

ACTIONS = ("new", "replace", "unchanged", "error")


def extracted_counts(plan: Plan) -> dict:
    """Agencies (distinct, and mentions), cited documents (distinct) and indicators of an extracted plan."""
    agencies = [m for _, u in plan.units() for m in u.agencies]
    laws = {law.title for _, u in plan.units() for law in u.laws} | {law.title for law in plan.preamble_laws}
    indicators = sum(len(u.indicators) for _, u in plan.units())
    indicators += sum(1 for t in plan.tables for r in t.rows if r.indicator is not None)
    return {
        "agencies": len({m.label for m in agencies}),
        "agency_mentions": len(agencies),
        "laws": len(laws),
        "indicators": indicators,
    }


def _error(e: Exception, status: int) -> dict:
    if isinstance(e, ParseError):
        return {"file": e.file, "line": e.line or None, "reason": e.reason, "message": str(e), "status": status}
    return {"file": None, "line": None, "reason": str(e), "message": str(e), "status": status}


def _parse(src: SourceFile) -> ParsedFile:
    """The file parsed and extracted exactly as ``add`` parses it (name check, then ``parse_sources``)."""
    name = corpus.check_upload_name(src.name)
    parsed = parse_sources([SourceFile(name, src.data, src.origin)])[0]
    return extract_file(parsed)


def _judge(src: SourceFile, now: list[corpus.StoredFile], batch: set[str]) -> dict:
    """One file's preview; ``now`` (the corpus once the earlier good files are in) is updated in place."""
    entry: dict = {
        "file": src.name,
        "bytes": len(src.data),
        "sha256": src.sha256,
        "action": "error",
        "message": "",
        "replaces": [],
        "replaced_plans": [],
        "same_as": None,
        "error": None,
        "outline": None,
    }
    try:
        parsed = _parse(src)
    except ParseError as e:
        entry["error"] = _error(e, 413 if isinstance(e, FileTooLarge) else 400)
        entry["message"] = str(e)
        return entry
    except Exception as e:  # a reader that failed otherwise: this file's error, never the others'
        log.exception("preview of %s", src.name)
        entry["error"] = _error(ParseError(src.name, f"could not be read ({type(e).__name__}: {e})"), 500)
        entry["message"] = entry["error"]["message"]
        return entry
    name = entry["file"] = parsed.file
    report = outline_report(parsed)
    for plan, rp in zip(parsed.plans, report["plans"], strict=True):
        rp["extracted"] = extracted_counts(plan)
        rp["iri"] = str(plan_iri(plan))
    entry["outline"] = report
    same = next((f for f in now if f.sha256 == src.sha256), None)
    if same is not None:
        entry.update(action="unchanged", same_as=same.name, message=f"{name} is identical to the stored {same.name}")
        return entry
    try:
        replaced = corpus.replaced_by(now, [(name, [p.title for p in parsed.plans])])
        missing = [f.name for f in now if f.path is None and f.name not in batch and f not in replaced]
        if missing:
            raise CorpusError(
                f"the current generation does not hold its source files ({', '.join(missing)}) "
                "and they are not in the corpus folder either: run `plankg build` once"
            )
    except CorpusError as e:
        entry["error"] = _error(e, e.status)
        entry["message"] = str(e)
        return entry
    entry["replaces"] = [f.name for f in replaced]
    entry["replaced_plans"] = [p["title"] for f in replaced for p in f.plans]
    if replaced:
        entry.update(action="replace", message=f"{name} replaces {', '.join(entry['replaces'])}")
    else:
        entry.update(action="new", message=f"{name} is added")
    now[:] = [f for f in now if f not in replaced]
    plans = [{"title": p["title"], "iri": p["iri"]} for p in report["plans"]]
    now.append(corpus.StoredFile(name, src.sha256, len(src.data), parsed.encoding, plans, None))
    batch.add(name)
    return entry


def preview(cfg: Config, sources: Sequence[SourceFile]) -> dict:
    """What ``corpus.add`` of ``sources`` (one file at a time, in order) would do; writes nothing."""
    stored = corpus.stored_files(cfg)
    gen = current_generation(DataFolder(cfg.data_dir))
    now, batch = list(stored), set[str]()
    files = [_judge(src, now, batch) for src in sources]
    counts = Counter(f["action"] for f in files)
    return {
        "generation": gen.name if gen else None,
        "stored": {"files": len(stored), "plans": sum(len(f.plans) for f in stored)},
        "files": files,
        "summary": {a: counts.get(a, 0) for a in ACTIONS},
    }


def render_preview(result: dict) -> str:
    """The preview as text (``plankg add --dry-run``): each file's outline, counts and what adding it would do."""
    out = []
    for f in result["files"]:
        if f["error"]:
            out.append(f"{f['file']}: error: {f['error']['message']}")
            continue
        lines = [render_outline(f["outline"])]
        for p in f["outline"]["plans"]:
            x = p["extracted"]
            lines.append(
                f"  {p['title']}: {x['agencies']} agencies ({x['agency_mentions']} mentions), "
                f"{x['laws']} cited documents, {x['indicators']} indicators"
            )
        if f["action"] == "unchanged":
            lines.append(f"  → unchanged: identical to the stored {f['same_as']}")
        elif f["action"] == "replace":
            titles = "、".join("《" + t + "》" for t in f["replaced_plans"])
            lines.append(f"  → would replace {', '.join(f['replaces'])} ({titles})")
        else:
            lines.append("  → would be added (new)")
        out.append("\n".join(lines))
    s = result["summary"]
    out.append(
        f"dry run against {result['generation'] or '(no generation)'} "
        f"({result['stored']['files']} files, {result['stored']['plans']} plans): "
        f"{s['new']} new, {s['replace']} replace, {s['unchanged']} unchanged, {s['error']} with errors; nothing changed"
    )
    return "\n\n".join(out)
