"""Choose the units of the hand-labelled extraction gold set, deterministically.

    python bench/labelled/select.py                 # write bench/labelled/selection.jsonl, print a summary
    python bench/labelled/select.py --batch 3       # print batch 3 (15 units: reference + text)
    python bench/labelled/select.py --batch 3 --size 10
    python bench/labelled/select.py --todo          # print the next 15 chosen units not yet in gold.jsonl

Quotas: 60 goals, 70 measures, 22 key projects (all of them), then 20 more goals/measures with a
《title》 and 10 more naming a specific body (法院, 公安, 妇联 …). Every domain of every plan gets at
least one measure and (where the plan has goals) one goal; the rest is drawn without replacement,
weighted toward units with agency cues (责任单位/牵头/部门/政府 …), law cues (《》/法/条例/意见) and
digits, while about 20 % of the goals and measures are plain units with none of these cues.
The choice depends only on the parsed corpus and SEED.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from graph.model import GOAL, KEY_PROJECT, MEASURE  # noqa: E402
from graph.parse import parse_file  # noqa: E402

SEED = 20260512
QUOTA = {GOAL: 60, MEASURE: 70, KEY_PROJECT: 22}
PLAIN_SHARE = 0.2
# supplements drawn after the quotas (goals and measures not yet chosen): the "法" cue above matches
# 依法/法治 almost everywhere, so bracketed titles and named bodies get strata of their own
EXTRA_BRACKETED = 20  # units with a 《title》
EXTRA_BODIES = 10  # units naming a specific body (法院, 检察院, 公安, 妇联, 共青团, 少先队 …)
CORPUS = ROOT / "data" / "plans"
OUT = Path(__file__).with_name("selection.jsonl")
GOLD = Path(__file__).with_name("gold.jsonl")

AGENCY_CUE = re.compile(
    r"责任单位|牵头|负责|配合|部门|政府|机关|[市县区]?[^，。、；（）\s]{0,6}(?:局|委|办|院|妇联|团委|工会|残联|关工委|红十字会)"
)
LAW_CUE = re.compile(r"[《》]|法|条例|意见|纲要|规定|办法")
DIGIT = re.compile(r"[0-9０-９]")
BODY = re.compile(
    r"法院|检察院|法官|检察官|公安|妇联|共青团|团委|少先队|残联|关工委|红十字会|工会|民政|卫生健康|卫健|人力资源|人社|"
    r"司法行政|市场监管|教育部门|文化和旅游|财政|发展改革|发改|网信|住房|自然资源|生态环境|统计|医保|应急管理|党校"
)


def cues(text: str) -> tuple[bool, bool, bool]:
    return bool(AGENCY_CUE.search(text)), bool(LAW_CUE.search(text)), bool(DIGIT.search(text))


def weight(text: str) -> float:
    a, law, d = cues(text)
    return 1.0 + 2.0 * a + 2.0 * law + 1.5 * d


def is_plain(text: str) -> bool:
    return not any(cues(text))


def ref_of(file: str, plan, domain, unit) -> dict:
    return {
        "file": file,
        "plan": plan.title,
        "kind": unit.kind,
        "domain": domain.number if domain is not None else None,
        "number": unit.number,
        "line": unit.source.line,
        "head": unit.text[:20],
    }


def corpus_units(corpus: Path = CORPUS):
    """Every (ref, text) of the corpus in document order."""
    for path in sorted(corpus.glob("*.txt")):
        parsed = parse_file(path)
        for plan in parsed.plans:
            for domain, unit in plan.units():
                yield ref_of(path.name, plan, domain, unit), unit.text


def _draw(rng: random.Random, pool: list, k: int) -> list:
    """k items without replacement, weighted (Efraimidis–Spirakis keys)."""
    keyed = sorted(pool, key=lambda it: rng.random() ** (1.0 / weight(it[1])), reverse=True)
    return keyed[:k]


def select(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    units = list(corpus_units())
    chosen: list[tuple[dict, str]] = []
    for kind in (GOAL, MEASURE):
        pool = [u for u in units if u[0]["kind"] == kind]
        picked: list[tuple[dict, str]] = []
        plain_target = round(QUOTA[kind] * PLAIN_SHARE)
        # one per domain first (plain with probability PLAIN_SHARE)
        domains = sorted({(r["file"], r["plan"], r["domain"]) for r, _ in pool})
        for dom in domains:
            here = [u for u in pool if (u[0]["file"], u[0]["plan"], u[0]["domain"]) == dom]
            plain = [u for u in here if is_plain(u[1])]
            rich = [u for u in here if not is_plain(u[1])]
            take_plain = plain and (not rich or rng.random() < PLAIN_SHARE)
            picked.extend(_draw(rng, plain, 1) if take_plain else _draw(rng, rich, 1))
        rest = [u for u in pool if u not in picked]
        n_plain = sum(is_plain(t) for _, t in picked)
        need_plain = max(0, plain_target - n_plain)
        plain_rest = [u for u in rest if is_plain(u[1])]
        picked.extend(rng.sample(plain_rest, min(need_plain, len(plain_rest))))
        rich_rest = [u for u in rest if not is_plain(u[1]) and u not in picked]
        picked.extend(_draw(rng, rich_rest, QUOTA[kind] - len(picked)))
        chosen.extend(picked)
    kps = [u for u in units if u[0]["kind"] == KEY_PROJECT]
    chosen.extend(_draw(rng, kps, QUOTA[KEY_PROJECT]))
    rest = [u for u in units if u[0]["kind"] != KEY_PROJECT and u not in chosen]
    chosen.extend(_draw(rng, [u for u in rest if "《" in u[1]], EXTRA_BRACKETED))
    rest = [u for u in rest if u not in chosen]
    chosen.extend(_draw(rng, [u for u in rest if BODY.search(u[1])], EXTRA_BODIES))
    order = {(r["file"], r["line"]): i for i, (r, _) in enumerate(units)}
    chosen.sort(key=lambda u: order[(u[0]["file"], u[0]["line"])])
    return [dict(r, plain=is_plain(t)) for r, t in chosen]


def texts() -> dict:
    return {(r["file"], r["line"]): t for r, t in corpus_units()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, help="print batch N (0-based) of the selection")
    ap.add_argument("--todo", action="store_true", help="print the next chosen units that have no label yet")
    ap.add_argument("--size", type=int, default=15)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    sel = select(args.seed)
    if args.batch is None and not args.todo:
        with OUT.open("w", encoding="utf-8") as f:
            for r in sel:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        from collections import Counter

        c = Counter((r["plan"], r["kind"]) for r in sel)
        for k, v in sorted(c.items()):
            print(*k, v, sep="\t")
        print("total", len(sel), "plain", sum(r["plain"] for r in sel), "->", OUT.relative_to(ROOT))
        return 0
    tx = texts()
    indexed = list(enumerate(sel))
    if args.todo:
        done = set()
        if GOLD.exists():
            done = {(g["ref"]["file"], g["ref"]["line"]) for g in map(json.loads, GOLD.read_text("utf-8").splitlines())}
        batch = [(i, r) for i, r in indexed if (r["file"], r["line"]) not in done][: args.size]
        args.batch = "todo"
    else:
        batch = indexed[args.batch * args.size : (args.batch + 1) * args.size]
    for i, r in batch:
        head = f"#{i} [{r['file'][:3]} {r['plan']} {r['kind']} d={r['domain']} n={r['number']} L{r['line']}]"
        print(head)
        print(tx[(r["file"], r["line"])])
        print()
    print(f"# batch {args.batch}: {len(batch)} units, {len(sel)} in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
