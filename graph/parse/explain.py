"""The outline as found, for people: ``plankg parse --explain``, the upload preview, the admin API.

``outline_report(parsed)`` is a JSON-ready dict; ``render_outline(report)`` the same as text::

    plan.docx (docx, 412 lines)
      某市儿童发展规划（2021—2030年）  [title line 1]
        section 二 发展领域、主要目标和策略措施  role=domains  line 21
          domain 1 儿童与健康  line 22   goals 10  measures 12
            label 主要目标 (goal) line 23: 10 items
      warning line 57: numbering jumps from 3 to 5
"""

from __future__ import annotations

from ..model import ParsedFile, Plan


def outline_report(parsed: ParsedFile) -> dict:
    """Sections with roles, domains with their labels and counts, stray lines and warnings."""
    return {
        "file": parsed.file,
        "format": parsed.format,
        "encoding": parsed.encoding,
        "lines": parsed.text.count("\n") + 1 if parsed.text else 0,
        "plans": [_plan(p) for p in parsed.plans],
        "warnings": [{"line": w.line, "message": w.message} for w in parsed.warnings],
        "notices": list(parsed.notices),
    }


def _plan(p: Plan) -> dict:
    labels_by_domain: dict[int, list[dict]] = {}
    for lab in p.outline.labels:
        labels_by_domain.setdefault(lab.domain, []).append(
            {"line": lab.line, "text": lab.text.strip(), "kind": lab.kind, "items": lab.items}
        )
    return {
        "title": p.title,
        "title_inferred": p.title_inferred,
        "title_evidence": p.title_evidence,
        "line": p.source.line,
        "region": p.region,
        "level": p.level,
        "type": p.plan_type,
        "period": [p.period_start, p.period_end],
        "excerpt": p.outline.excerpt,
        "counts": p.counts() | {"tables": len(p.tables), "table_rows": sum(len(t.rows) for t in p.tables)},
        "sections": [{"number": s.number, "title": s.title, "role": s.role, "line": s.source.line} for s in p.sections],
        "domains": [
            {
                "number": d.number,
                "title": d.title,
                "line": d.source.line,
                "locator": d.source.locator,
                "goals": len(d.goals),
                "measures": len(d.measures),
                "labels": labels_by_domain.get(k, []),
            }
            for k, d in enumerate(p.domains, start=1)
        ],
        "key_projects": len(p.key_projects),
        "stray_lines": [{"line": no, "text": text} for no, text in p.outline.stray],
    }


def render_outline(report: dict, stray_limit: int = 20) -> str:
    """The report as indented text (what ``plankg parse --explain`` prints)."""
    out = [f"{report['file']} ({report['format']}, {report['encoding']}, {report['lines']} lines)"]
    for p in report["plans"]:
        how = f"inferred: {p['title_evidence']}" if p["title_inferred"] else f"title line {p['line']}"
        c = p["counts"]
        out.append(f"  {p['title'] or '(no title)'}  [{how}]")
        out.append(
            f"    {c['domains']} domains, {c['goals']} goals, {c['measures']} measures, "
            f"{c['key_projects']} key projects, {c['tables']} tables ({c['table_rows']} rows)"
            + ("  (excerpt: no domain-section heading)" if p["excerpt"] else "")
        )
        sections = p["sections"]
        under: dict[int, list[dict]] = {}  # domains by the section they sit in (-1: before any)
        for d in p["domains"]:
            k = max((i for i, s in enumerate(sections) if s["line"] <= d["line"]), default=-1)
            under.setdefault(k, []).append(d)
        out.extend(_domains(under.get(-1, []), "    "))
        for i, s in enumerate(sections):
            out.append(f"    section {s['number']} {s['title']}  role={s['role']}  line {s['line']}")
            out.extend(_domains(under.get(i, []), "      "))
        stray = p["stray_lines"]
        if stray:
            out.append(f"    {len(stray)} lines in the domain section belong to no unit:")
            for s in stray[:stray_limit]:
                out.append(f"      line {s['line']}: {s['text'][:60]}")
            if len(stray) > stray_limit:
                out.append(f"      … and {len(stray) - stray_limit} more")
    for w in report["warnings"]:
        out.append(f"  warning {report['file']}:{w['line']}: {w['message']}")
    return "\n".join(out)


def _domains(domains: list[dict], indent: str) -> list[str]:
    out = []
    for d in domains:
        out.append(
            f"{indent}domain {d['number']} {d['title'] or '(untitled)'}  line {d['line']}"
            f"  goals {d['goals']}  measures {d['measures']}"
        )
        for lab in d["labels"]:
            out.append(f"{indent}  label {lab['text']} ({lab['kind']}) line {lab['line']}: {lab['items']} items")
    return out
