"""Entity extraction against the hand-labelled gold set (bench/labelled/gold.jsonl).

    .venv/bin/python bench/extraction_eval.py               # table + error counts
    .venv/bin/python bench/extraction_eval.py --errors      # also every error (FP/FN) with its unit
    .venv/bin/python bench/extraction_eval.py --markdown    # the tables and the error list as Markdown
    .venv/bin/python bench/extraction_eval.py --json        # everything as JSON

Parses the bundled corpus (data/plans), finds each labelled unit by its ref (file, plan title,
kind, domain, number; line and head are checked), runs the current extractors and compares per unit:

* agencies: the set of canonical names (AgencyMention.label vs gold ``canonical``);
* agencies + role: the set of (canonical, role), each name with its strongest role
  (lead > partner > mentioned) on both sides;
* laws: the set of canonical titles (LawMention.title vs gold ``canonical``);
* indicators, all fields: the multiset of (normalised name, comparator, value, unit, year, relative);
* indicators, numbers only: the same without the name (shows how many misses are only naming).

Micro average = summed TP/FP/FN over agencies, laws and indicators (all fields). Name
normalisation is ``norm_name`` (documented in bench/labelled/README.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "bench" / "labelled" / "gold.jsonl"
CORPUS = ROOT / "data" / "plans"
ROLE_RANK = {"lead": 0, "partner": 1, "mentioned": 2}
TYPES = ("agencies", "agencies+role", "laws", "indicators", "indicators (numbers only)")
MICRO_OF = ("agencies", "laws", "indicators")

# ---------------------------------------------------------------- normalisation

_DASHES = re.compile(r"[‐‑‒–—―−－~～〜]")
_QUOTES = re.compile(r"[\"'“”‘’「」『』〝〞]")


def norm_name(name: str | None) -> str:
    """Indicator name as compared: NFKC (full-width → half-width, （）→()), no whitespace, every dash
    and tilde → "-", no quotation marks, 每千人口 → 每千人, 周岁 → 岁."""
    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"\s+", "", s)
    s = _DASHES.sub("-", s)
    s = _QUOTES.sub("", s)
    s = s.replace("每千人口", "每千人").replace("周岁", "岁")
    return s


def norm_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit))
    return s or None


def norm_value(v) -> float | None:
    return None if v is None else round(float(v), 6)


DIRECTIONS = {"down": "down", "decrease": "down", "up": "up", "increase": "up"}


def norm_relative(rel) -> tuple | None:
    """(direction up|down, amount, unit, baseline year); "/年" (a yearly change) is dropped from the unit
    (the gold set marks a yearly change by a null baseline year or a note)."""
    if rel is None:
        return None
    if dataclasses.is_dataclass(rel) and not isinstance(rel, type):
        rel = dataclasses.asdict(rel)
    unit = norm_unit(rel.get("unit"))
    if unit and unit.endswith("/年"):
        unit = unit[: -len("/年")] or None
    direction = rel.get("direction")
    return (DIRECTIONS.get(direction, direction), norm_value(rel.get("amount")), unit, rel.get("baseline_year"))


def indicator_key(ind: dict, with_name: bool = True) -> tuple:
    """What "all fields right" compares; a relative target is compared by its change, not value/unit."""
    rel = norm_relative(ind.get("relative"))
    key = (
        ind.get("comparator"),
        None if rel else norm_value(ind.get("value")),
        None if rel else norm_unit(ind.get("unit")),
        ind.get("year"),
        rel,
    )
    return (norm_name(ind.get("name")), *key) if with_name else key


def strongest_roles(agencies: list[dict]) -> dict[str, str]:
    best: dict[str, str] = {}
    for a in agencies:
        name, role = a["canonical"], a.get("role") or "mentioned"
        if name not in best or ROLE_RANK.get(role, 3) < ROLE_RANK.get(best[name], 3):
            best[name] = role
    return best


# ---------------------------------------------------------------- metric


def ref_key(ref: dict) -> tuple:
    return (ref["file"], ref["plan"], ref["kind"], ref["domain"], ref["number"])


def ref_label(ref: dict) -> str:
    dom = "key project" if ref["domain"] is None else f"domain {ref['domain']}"
    return f"{ref['plan']} · {ref['kind']} {ref['number']} ({dom}, {ref['file']}:{ref['line']})"


def _keys(entry: dict, etype: str) -> Counter:
    """What is counted for one entity type in one unit (gold entry or prediction, same shape)."""
    if etype == "agencies":
        return Counter(set(strongest_roles(entry.get("agencies", []))))
    if etype == "agencies+role":
        return Counter(set(strongest_roles(entry.get("agencies", [])).items()))
    if etype == "laws":
        return Counter({w["canonical"] for w in entry.get("laws", [])})
    if etype == "indicators":
        return Counter(indicator_key(i) for i in entry.get("indicators", []))
    if etype == "indicators (numbers only)":
        return Counter(indicator_key(i, with_name=False) for i in entry.get("indicators", []))
    raise ValueError(etype)


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def _show(etype: str, key, entry: dict):
    """A readable form of one counted key, with the surface forms behind it."""
    if etype in ("agencies", "agencies+role"):
        name = key if etype == "agencies" else key[0]
        surfaces = sorted({a.get("surface", "") for a in entry.get("agencies", []) if a["canonical"] == name})
        return {"canonical": name, **({"role": key[1]} if etype != "agencies" else {}), "surface": surfaces}
    if etype == "laws":
        for w in entry.get("laws", []):
            if w["canonical"] == key:
                return {"canonical": key, "surface": w.get("surface"), "doc_type": w.get("doc_type")}
    if etype.startswith("indicators"):
        with_name = etype == "indicators"
        for i in entry.get("indicators", []):
            if indicator_key(i, with_name) == key:
                return {k: i.get(k) for k in ("name", "comparator", "value", "unit", "year", "relative")}
    return key


def _differs(g: dict, f: dict) -> list[str]:
    out = []
    if norm_name(g.get("name")) != norm_name(f.get("name")):
        out.append("name")
    if g.get("comparator") != f.get("comparator"):
        out.append("comparator")
    if g.get("relative") or f.get("relative"):
        if norm_relative(g.get("relative")) != norm_relative(f.get("relative")):
            out.append("change unit/baseline")
    elif norm_unit(g.get("unit")) != norm_unit(f.get("unit")):
        out.append("unit")
    if g.get("year") != f.get("year"):
        out.append("year")
    return out


def _pair_key(ind: dict) -> tuple:
    rel = norm_relative(ind.get("relative"))
    return ("relative", rel[0], rel[1]) if rel else ("value", norm_value(ind.get("value")))


def causes(g: dict, p: dict) -> Counter:
    """Why one unit's entities differ: each unmatched gold indicator is paired with an unmatched found
    one of the same value (or the same relative change) and the differing fields are named; the rest
    are "missed" / "spurious". Agencies: a canonical name differing for the same surface is
    "canonical name differs"."""
    out = Counter()
    gi = Counter(indicator_key(i) for i in g.get("indicators", []))
    pi = Counter(indicator_key(i) for i in p.get("indicators", []))
    g_left = [i for i in g.get("indicators", []) if (gi - pi)[indicator_key(i)] > 0]
    p_left = [i for i in p.get("indicators", []) if (pi - gi)[indicator_key(i)] > 0]
    for gl in g_left:
        pair = next((f for f in p_left if _pair_key(f) == _pair_key(gl)), None)
        if pair is None:
            kind = "relative target missed" if gl.get("relative") else "missed"
            out[f"indicator {kind}"] += 1
            continue
        p_left.remove(pair)
        out["indicator " + " + ".join(_differs(gl, pair)) + " differs"] += 1
    out["indicator spurious"] += len(p_left)
    gs = strongest_roles(g.get("agencies", []))
    ps = strongest_roles(p.get("agencies", []))
    by_surface = {a.get("surface"): a["canonical"] for a in p.get("agencies", [])}
    for name in set(gs) - set(ps):
        surf = next(a.get("surface") for a in g["agencies"] if a["canonical"] == name)
        out["agency canonical name differs" if surf in by_surface else "agency missed"] += 1
    wrong_name = {by_surface[a.get("surface")] for a in g.get("agencies", []) if a.get("surface") in by_surface}
    out["agency spurious"] += len(set(ps) - set(gs) - wrong_name)
    for name in set(gs) & set(ps):
        if gs[name] != ps[name]:
            out["agency role differs"] += 1
    gl_ = {w["canonical"] for w in g.get("laws", [])}
    pl_ = {w["canonical"] for w in p.get("laws", [])}
    g_surf = {w.get("surface") for w in g.get("laws", []) if w["canonical"] in gl_ - pl_}
    renamed = {w["canonical"] for w in p.get("laws", []) if w["canonical"] in pl_ - gl_ and w.get("surface") in g_surf}
    out["law canonical title differs"] += len(renamed)
    out["law missed"] += len(gl_ - pl_) - len(renamed)
    out["law spurious"] += len(pl_ - gl_) - len(renamed)
    return +out


def evaluate(gold: list[dict], predicted: dict[tuple, dict]) -> dict:
    """Score predictions (``ref_key`` → entry with agencies/laws/indicators, in the gold's shape)."""
    totals = {t: Counter() for t in TYPES}
    by_kind: dict[str, dict[str, Counter]] = defaultdict(lambda: {t: Counter() for t in TYPES})
    errors: list[dict] = []
    doc_type, why = Counter(), Counter()
    for g in gold:
        key = ref_key(g["ref"])
        p = predicted.get(key, {"agencies": [], "laws": [], "indicators": []})
        why.update(causes(g, p))
        for etype in TYPES:
            gk, pk = _keys(g, etype), _keys(p, etype)
            tp = sum((gk & pk).values())
            fn_keys, fp_keys = gk - pk, pk - gk
            c = Counter(tp=tp, fp=sum(fp_keys.values()), fn=sum(fn_keys.values()))
            totals[etype].update(c)
            by_kind[g["ref"]["kind"]][etype].update(c)
            if etype == "indicators (numbers only)":
                continue
            for k in sorted(fn_keys.elements(), key=repr):
                errors.append({"type": etype, "error": "FN", "ref": g["ref"], "expected": _show(etype, k, g)})
            for k in sorted(fp_keys.elements(), key=repr):
                errors.append({"type": etype, "error": "FP", "ref": g["ref"], "found": _show(etype, k, p)})
        gl = {w["canonical"]: w.get("doc_type") for w in g.get("laws", [])}
        for w in p.get("laws", []):
            if w["canonical"] in gl:
                doc_type["right" if gl[w["canonical"]] == w.get("doc_type") else "wrong"] += 1
    rows = {t: prf(c["tp"], c["fp"], c["fn"]) for t, c in totals.items()}
    micro = Counter()
    for t in MICRO_OF:
        micro.update(totals[t])
    rows["micro (agencies, laws, indicators)"] = prf(micro["tp"], micro["fp"], micro["fn"])
    kinds = {k: {t: prf(c["tp"], c["fp"], c["fn"]) for t, c in v.items()} for k, v in sorted(by_kind.items())}
    return {
        "scores": rows,
        "by_kind": kinds,
        "law_doc_type": dict(doc_type),
        "causes": dict(why.most_common()),
        "errors": errors,
    }


# ---------------------------------------------------------------- corpus


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def corpus_units(corpus: Path = CORPUS, extract: bool = False) -> dict[tuple, list]:
    """ref_key → [(plan, unit), …] over the parsed corpus (extractors run when ``extract``)."""
    from graph.extract import extract_file
    from graph.parse import parse_file

    index: dict[tuple, list] = defaultdict(list)
    for path in sorted(corpus.glob("*.txt")):
        parsed = parse_file(path)
        heads = {id(u): u.text[:20] for pl in parsed.plans for _, u in pl.units()}
        if extract:
            extract_file(parsed)
        for plan in parsed.plans:
            for domain, unit in plan.units():
                ref = {
                    "file": path.name,
                    "plan": plan.title,
                    "kind": unit.kind,
                    "domain": domain.number if domain is not None else None,
                    "number": unit.number,
                }
                index[ref_key(ref)].append((plan, unit, unit.source.line, heads[id(unit)]))
    return index


def resolve(gold: list[dict], index: dict[tuple, list]) -> tuple[dict, list[str]]:
    """ref_key → unit for every gold entry; problems (no unit, several, line or head differs)."""
    found, problems = {}, []
    for g in gold:
        ref = g["ref"]
        hits = index.get(ref_key(ref), [])
        if len(hits) != 1:
            problems.append(f"{ref_label(ref)}: {len(hits)} units")
            continue
        _, unit, line, head = hits[0]
        if line != ref["line"] or head != ref["head"]:
            problems.append(f"{ref_label(ref)}: found line {line} head {head!r}")
            continue
        found[ref_key(ref)] = unit
    return found, problems


def as_entry(unit) -> dict:
    """An extracted unit in the gold's shape."""
    inds = []
    for i in unit.indicators:
        rel = getattr(i, "relative", None)
        if rel is None and getattr(i, "change_amount", None) is not None:
            rel = {
                "direction": i.change_direction,
                "amount": i.change_amount,
                "unit": i.change_unit,
                "baseline_year": i.baseline_year,
            }
        if i.value is None and rel is None:
            continue  # qualitative ("逐年增加"): the gold set labels quantified targets only
        d = {k: getattr(i, k) for k in ("name", "comparator", "value", "unit", "year")}
        d["relative"] = rel
        inds.append(d)
    return {
        "agencies": [{"canonical": a.label, "surface": a.surface, "role": a.role} for a in unit.agencies],
        "laws": [{"canonical": w.title, "surface": w.surface, "doc_type": w.doc_type} for w in unit.laws],
        "indicators": inds,
    }


def run(gold_path: Path = GOLD, corpus: Path = CORPUS) -> dict:
    gold = load_gold(gold_path)
    units, problems = resolve(gold, corpus_units(corpus, extract=True))
    report = evaluate(gold, {k: as_entry(u) for k, u in units.items()})
    counts = Counter(g["ref"]["kind"] for g in gold)
    report["gold"] = {
        "units": len(gold),
        "plans": len({g["ref"]["plan"] for g in gold}),
        "by_kind": dict(sorted(counts.items())),
        "agencies": sum(len(strongest_roles(g["agencies"])) for g in gold),
        "laws": sum(len({w["canonical"] for w in g["laws"]}) for g in gold),
        "indicators": sum(len(g["indicators"]) for g in gold),
    }
    report["unresolved"] = problems
    report["date"] = dt.date.today().isoformat()
    return report


# ---------------------------------------------------------------- output


def _fmt_entity(d) -> str:
    if not isinstance(d, dict):
        return str(d)
    if "comparator" in d:
        rel = d.get("relative")
        rel_s = ""
        if rel:
            rel = norm_relative(rel)
            rel_s = f" rel={rel[0]} {rel[1]}{rel[2] or ''} vs {rel[3]}"
        return f"{d['name']} {d['comparator']} {d['value']}{d['unit'] or ''} @{d['year']}{rel_s}"
    s = d["canonical"]
    if "role" in d:
        s += f" [{d['role']}]"
    if d.get("surface"):
        surf = d["surface"] if isinstance(d["surface"], str) else "/".join(d["surface"])
        if surf and surf != d["canonical"]:
            s += f" ← {surf}"
    return s


def markdown(report: dict, with_errors: bool = True) -> str:
    g = report["gold"]
    out = [
        f"Gold set: {g['units']} units from {g['plans']} plans "
        + ", ".join(f"{v} {k.replace('_', ' ')}s" for k, v in g["by_kind"].items())
        + f" · {g['agencies']} agencies, {g['laws']} laws, {g['indicators']} indicators · run {report['date']}",
        "",
        "| entity | TP | FP | FN | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in report["scores"].items():
        bold = "**" if name.startswith("micro") else ""
        out.append(
            f"| {bold}{name}{bold} | {s['tp']} | {s['fp']} | {s['fn']} | {s['precision']:.3f} | {s['recall']:.3f} "
            f"| {bold}{s['f1']:.3f}{bold} |"
        )
    kinds = list(report["by_kind"])
    out += ["", "F1 by unit kind:", "", "| entity | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for t in TYPES:
        cells = []
        for k in kinds:
            s = report["by_kind"][k][t]
            cells.append("–" if s["tp"] + s["fp"] + s["fn"] == 0 else f"{s['f1']:.3f} ({s['tp']}/{s['fp']}/{s['fn']})")
        out.append(f"| {t} | " + " | ".join(cells) + " |")
    dtc = report["law_doc_type"]
    if dtc:
        out += ["", f"Law doc_type right on {dtc.get('right', 0)} of {sum(dtc.values())} matched titles."]
    out += ["", "Error causes (paired per unit, see ``causes``):", "", "| cause | count |", "|---|---:|"]
    out += [f"| {c} | {n} |" for c, n in report["causes"].items()]
    if report["unresolved"]:
        out += ["", "Unresolved refs:", *[f"- {p}" for p in report["unresolved"]]]
    if with_errors:
        out += ["", "Errors (FN = in the gold set, not found; FP = found, not in the gold set):", ""]
        for e in report["errors"]:
            what = _fmt_entity(e.get("expected", e.get("found")))
            out.append(f"- {e['type']} {e['error']}: {what} — {ref_label(e['ref'])}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="the whole report as JSON")
    ap.add_argument("--markdown", action="store_true", help="tables and every error as Markdown")
    ap.add_argument("--errors", action="store_true", help="with the plain table: list every error too")
    ap.add_argument("--gold", type=Path, default=GOLD)
    args = ap.parse_args(argv)
    report = run(args.gold)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    elif args.markdown:
        print(markdown(report))
    else:
        print(markdown(report, with_errors=args.errors))
        if not args.errors:
            c = Counter((e["type"], e["error"]) for e in report["errors"])
            print("\nerrors:", ", ".join(f"{t} {k} {n}" for (t, k), n in sorted(c.items())), "(--errors lists them)")
    return 1 if report["unresolved"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
