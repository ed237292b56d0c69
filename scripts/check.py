"""``plankg check``: a draft plan checked against the plans of the current generation, nothing stored.

plankg check 草案.docx                                   # summary: coverage, missing topics, weaker targets
plankg check 草案.docx --against plan_type=children,level=区县,period=2021-2030
plankg check 草案.txt --json > report.json               # the whole report (README, "Checking a draft")
plankg check 草案.pdf --docx 报告.docx --csv 对照.csv     # the report as files
pbpaste | plankg check -                                 # pasted text from standard input
"""

from __future__ import annotations

import sys
from pathlib import Path

from config import Config

from .commands import _print_json, fail


def add_parser(sub, common) -> None:
    s = sub.add_parser(
        "check",
        parents=[common],
        help="check a draft plan against the plans of the graph: counterparts, missing topics, weaker targets "
        "(nothing is stored)",
    )
    s.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="draft files (.txt .docx .doc .wps .pdf .html .htm); - reads text from stdin",
    )
    s.add_argument(
        "--against",
        default="",
        metavar="FILTERS",
        help="the peer plans, e.g. plan_type=children,level=区县,period=2021-2030 (plan_type, level, period, region, "
        "plan, exclude; | between alternatives); default: every plan but one of the draft's title",
    )
    s.add_argument("--threshold", type=float, default=None, help="minimum similarity of a counterpart (default 0.45)")
    s.add_argument(
        "--encoders",
        default=None,
        help="compare with these encoders of the index only, e.g. m3e-small (faster for a draft of new wording; "
        "default: all of them, as search and `plankg similar`)",
    )
    s.add_argument("--json", action="store_true", help="print the whole report as JSON")
    for fmt, what in (("docx", "a Word document"), ("html", "a printable web page"), ("csv", "units and counterparts")):
        s.add_argument(f"--{fmt}", metavar="PATH", help=f"also write the report as {what} to PATH")
    s.set_defaults(func=cmd_check)


def _sources(names: list[str]):
    from graph.parse import SourceFile, read_sources
    from service.check import pasted

    out = []
    for name in names:
        if name == "-":
            out.append(pasted(sys.stdin.read()))
        else:
            out.extend(read_sources([Path(name)]))
    return [SourceFile(s.name, s.data, s.origin) for s in out]


def cmd_check(args) -> int:
    from graph.parse import ParseError
    from service.check import exports, word
    from service.payloads import check as data
    from service.resources import NotReady, Resources

    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    try:
        sources = _sources(args.files)
    except (ParseError, ValueError) as e:
        return fail(str(e))
    res = Resources(cfg, writable=False)
    res.begin_request()  # pinned to the current generation, which is held while it is read
    try:
        kw = {k: v for k, v in (("threshold", args.threshold), ("encoders", args.encoders)) if v is not None}
        report = data.check(res, sources, args.against or None, **kw)
    except NotReady as e:
        return fail(str(e))
    except ValueError as e:  # ParseError included: file, line, reason
        return fail(str(e))
    finally:
        res.end_request()
        res.close()
    for fmt, write in (("docx", word.to_docx), ("html", exports.to_html), ("csv", exports.to_csv)):
        path = getattr(args, fmt)
        if path:
            body = write(report)
            Path(path).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    if args.json:
        _print_json(report)
    else:
        print(render(report))
    return 0


def render(report: dict) -> str:
    """The report as text: per draft plan its peers, numbers, coverage, missing topics, weaker targets, new units."""
    from service.check.exports import POSITION as ZH
    from service.check.exports import short_title, target_text, unit_label

    out = []
    for note in report.get("notices", []):
        out.append(f"notice: {note}")
    for d in report["drafts"]:
        s = d["summary"]
        out.append(f"《{d['title']}》 ({d['type'] or '?'}, {d['region'] or '?'}) against {len(d['peers'])} plans:")
        out.extend(f"    《{p['plan_title']}》" for p in d["peers"])
        out.append(
            f"  {s['units']} units: {s['with_counterparts']} with counterparts, {s['new']} new; "
            f"{s['missing_topics']} missing topics; targets: {s['weaker_targets']} weaker, "
            f"{s['stronger_targets']} stronger, {s['same_targets']} same, {s['incomparable_targets']} incomparable"
        )
        out.append("  coverage by domain (units / with counterparts / new / missing topics / peer plans):")
        for c in d["coverage"]:
            out.append(
                f"    {c['domain_label']:<12}\t{c['units']}\t{c['with_counterparts']}\t{c['new']}\t"
                f"{c['missing_topics']}\t{c['peer_plans']}"
            )
    if report["missing_topics"]:
        out.append("missing topics (covered by ≥ 2 peer plans of the draft's type, by no draft unit):")
        for m in report["missing_topics"]:
            out.append(f"  {m['label']} [{m['domain_label']}] {m['plans']} plans; keywords {'、'.join(m['keywords'])}")
            for e in m["examples"]:
                out.append(f"      《{e['plan_title']}》 {e['text'][:70]}")
    weaker = [t for t in report["indicators"] if t["position"] == "weaker"]
    if weaker:
        out.append("weaker targets:")
        for t in weaker:
            peers = "; ".join(f"{short_title(p['plan_title'])} {target_text(p)}" for p in t["peers"] if p["compared"])
            out.append(f"  {t['name']} {target_text(t['draft'])} ({ZH['weaker']}): {peers}")
    new = [u for u in report["units"] if u["new"]]
    if new:
        out.append("new units (no counterpart in any peer plan):")
        out.extend(f"  {unit_label(u)}: {u['text'][:70]}" for u in new)
    out.append(
        f"({report['seconds'].get('total', 0):.1f} s; --json for every unit and counterpart, "
        "--docx/--html/--csv to save the report)"
    )
    return "\n".join(out)
