#!/usr/bin/env python
"""Scale corpus generator (bench only, not part of the product).

Writes synthetic but realistic plan files by recombining the real units of the bundled plans
(``data/plans``, read with ``graph.parse``) under other region names, levels and periods, with varied
wording, so that the parser, extraction and duplicate grouping face variety and near-duplicates:

* regions: real-looking county / city / district names (level follows the suffix 县 / 市 / 区);
* periods: "十四五", "十五五", （2021—2030年）, （2026—2035年）;
* units: each domain takes the units of a source plan of the same type, mixed with units of the same
  domain concept from other plans, reordered and some dropped; texts get the new region (我区 → 我县 …),
  swapped agencies (names from graph/extract/agencies.tsv), changed target values and years; about a
  third of the units are copied unchanged (word-for-word duplicates across plans);
* layout: 二、发展领域… + （一）domain + 主要目标：/主要措施： labels, or 第二章 + 一、domain + （一）主要目标 /
  （二）策略措施, or flat lists without labels (every item a measure, as in the 衢州 plans); item numbering
  1. / 1． / 1、 / （1） / (1); key projects in their own section; some files open with a notice and hold
  two plans (women + children).

It writes ``manifest.json`` with the expected counts per plan (domains, goals, measures, key projects)
and totals. ``check(folder)`` parses every file and compares.

Usage::

    python bench/gen_corpus.py OUT_DIR --scale 10 [--seed 1] [--check]

``--scale S`` writes round(7 × S) plans (the bundled corpus has 7 plans, 829 units): 1× ≈ 830 units,
10× ≈ 8 k, 100× ≈ 83 k.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REGIONS = """
安吉县 德清县 长兴县 桐乡市 海宁市 平湖市 嘉善县 海盐县 诸暨市 嵊州市 新昌县 上虞区 柯桥区 越城区 义乌市 东阳市
永康市 兰溪市 浦江县 武义县 磐安县 婺城区 金东区 临海市 温岭市 玉环市 天台县 仙居县 三门县 椒江区 黄岩区 路桥区
龙泉市 青田县 缙云县 遂昌县 松阳县 云和县 庆元县 景宁县 莲都区 江山市 常山县 开化县 龙游县 柯城区 衢江区 瑞安市
乐清市 永嘉县 平阳县 苍南县 文成县 泰顺县 龙湾区 瓯海区 洞头区 余姚市 慈溪市 象山县 宁海县 海曙区 江北区 北仑区
镇海区 鄞州区 奉化区 建德市 淳安县 桐庐县 富阳区 临安区 萧山区 余杭区 临平区 钱塘区 西湖区 拱墅区 滨江区 上城区
当阳市 枝江市 宜都市 远安县 兴山县 秭归县 长阳县 五峰县 夷陵区 西陵区 伍家岗区 点军区 猇亭区 广水市 随县 安陆市
应城市 汉川市 云梦县 大悟县 孝昌县 孝南区 麻城市 武穴市 红安县 罗田县 英山县 浠水县 蕲春县 黄梅县 团风县 黄州区
台安县 大洼区 兴隆台区 双台子区 凤城市 东港市 宽甸县 振安区 振兴区 元宝区 海城市 岫岩县 铁东区 铁西区 立山区 千山区
灯塔市 辽阳县 白塔区 文圣区 宏伟区 弓长岭区 太子河区 新民市 康平县 法库县 辽中区 于洪区 沈北新区 浑南区 苏家屯区 皇姑区
高邮市 仪征市 宝应县 江都区 邗江区 广陵区 兴化市 靖江市 泰兴市 海陵区 姜堰区 如皋市 海安市 如东县 启东市 通州区
崇川区 海门区 溧阳市 金坛区 武进区 新北区 天宁区 钟楼区 宜兴市 江阴市 惠山区 锡山区 滨湖区 梁溪区 新吴区 常熟市
张家港市 昆山市 太仓市 吴江区 吴中区 相城区 姑苏区 沭阳县 泗阳县 泗洪县 宿城区 宿豫区 邳州市 新沂市 睢宁县 沛县
丰县 铜山区 贾汪区 云龙区 鼓楼区 泉山区 醴陵市 攸县 茶陵县 炎陵县 渌口区 荷塘区 芦淞区 石峰区 天元区 湘乡市
韶山市 湘潭县 雨湖区 岳塘区 浏阳市 宁乡市 长沙县 望城区 芙蓉区 天心区 岳麓区 开福区 雨花区 闽侯县 连江县 罗源县
""".split()

TYPES = {"children": "儿童", "women": "妇女"}
PERIODS = [
    ("“十四五”", 2021, 2025),
    ("（2021—2030年）", 2021, 2030),
    ("“十五五”", 2026, 2030),
    ("（2026—2035年）", 2026, 2035),
]
CN = "一二三四五六七八九十"
LEVEL_CHAR = {"county": "县", "city": "市", "district": "区"}
ITEM_STYLES = ["{n}.", "{n}．", "{n}、", "（{n}）", "({n})"]
SYNONYMS = [
    ("加强", "强化"),
    ("完善", "健全"),
    ("推进", "推动"),
    ("提高", "提升"),
    ("建立", "建设"),
    ("积极", "大力"),
    ("进一步", "持续"),
    ("落实", "贯彻落实"),
    ("鼓励", "支持"),
    ("普及", "推广"),
    ("逐步", "稳步"),
    ("全面", "切实"),
    ("儿童", "少年儿童"),
    ("依法", "依规"),
]
CLOSING = [
    "加强组织领导。各级人民政府负责规划的组织实施。",
    "健全工作机制。完善政府主导、多部门合作、全社会参与的工作机制。",
    "加强监测评估。对规划实施情况进行年度监测、中期评估和终期评估。",
]


def cn_num(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    if n < 20:
        return "十" + (CN[n - 11] if n > 10 else "")
    return CN[n // 10 - 1] + "十" + (CN[n % 10 - 1] if n % 10 else "")


def level_of_region(region: str) -> str:
    return {"县": "county", "市": "city", "区": "district"}[region[-1]]


def region_stem(region: str) -> str:
    stem = region[:-1]
    return stem if len(stem) >= 2 else region


def agency_names(tsv: Path) -> list[list[str]]:
    """Standalone names per agency type (column ``names`` of agencies.tsv)."""
    out = []
    for line in tsv.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("key\t") or not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) > 6 and cells[6]:
            out.append([n for n in cells[6].split("|") if len(n) >= 3])
    return [n for n in out if n]


# ------------------------------------------------------------------ source material


def load_sources(corpus: Path):
    """Plans of the bundled corpus as plain material: {type: [plan]}, and units per domain concept."""
    from graph.parse import parse_corpus

    plans_by_type: dict[str, list[dict]] = defaultdict(list)
    by_concept: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pf in parse_corpus(corpus):
        for plan in pf.plans:
            if plan.plan_type not in TYPES:
                continue
            stem = region_stem(plan.region) if plan.region else ""
            doms = []
            for d in plan.domains:
                goals = [_clean(u.text) for u in d.goals]
                measures = [_clean(u.text) for u in d.measures]
                goals, measures = [t for t in goals if t], [t for t in measures if t]
                if not goals and not measures:
                    continue
                doms.append({"title": d.title, "concept": d.concept, "goals": goals, "measures": measures})
                by_concept[d.concept] += [("goal", t) for t in goals] + [("measure", t) for t in measures]
            kps = [t for t in (_clean(u.text) for u in plan.key_projects) if t]
            plans_by_type[plan.plan_type].append(
                {
                    "region": plan.region,
                    "stem": stem,
                    "level": plan.level,
                    "period_end": plan.period_end,
                    "domains": doms,
                    "key_projects": kps,
                }
            )
    return plans_by_type, by_concept


_NUMBERED_START = re.compile(
    r"^\s*(?:[（(]?[0-9０-９一二三四五六七八九十]+[）)]|[0-9０-９]+\s*[.．、]"
    r"|[一二三四五六七八九十]+、|第.{1,3}[章节条])"
)


def _clean(text: str) -> str:
    """One line, without leading numbering-like text or bookmarks the layout could mistake for structure."""
    text = re.sub(r"\[bookmark:[^\]]*\]", "", text).replace("\r", "").replace("\n", "").strip()
    if not text or _NUMBERED_START.match(text) or re.match(r"^(主要目标|主要措施|策略措施)", text):
        return ""
    return text


# ------------------------------------------------------------------ variation


class Rewriter:
    def __init__(self, rng: random.Random, agencies: list[list[str]]):
        self.rng = rng
        self.agencies = agencies
        self.all_names = sorted({n for names in agencies for n in names}, key=len, reverse=True)
        self.name_re = re.compile("|".join(map(re.escape, self.all_names)))

    def region(self, text: str, src: dict, region: str, level: str) -> str:
        lc = LEVEL_CHAR[level]
        if src["region"]:
            text = text.replace(src["region"], region)
        if src["stem"] and len(src["stem"]) >= 2:
            text = text.replace(src["stem"], region_stem(region))
        return re.sub(r"我(市|县|区)", "我" + lc, text)

    def agencies_swap(self, text: str) -> str:
        hits = list(self.name_re.finditer(text))
        if not hits:
            return text
        m = self.rng.choice(hits)
        other = self.rng.choice(self.rng.choice(self.agencies))
        return text[: m.start()] + other + text[m.end() :]

    def numbers(self, text: str, period_end: int, src_end: int = 0) -> str:
        def pct(m):
            v = float(m.group(1))
            nv = min(99.9, max(0.1, v + self.rng.choice([-5, -2, -1, 1, 2, 3, 5]) * (0.1 if v < 5 else 1)))
            s = f"{nv:.1f}" if "." in m.group(1) or nv < 5 else str(int(round(nv)))
            return s + m.group(2)

        text = re.sub(r"(?<![\d.])(\d{1,2}(?:\.\d)?)(%|‰)", pct, text)
        shift = period_end - (src_end or period_end)
        return re.sub(r"(?<!\d)(20[2-3]\d)年", lambda m: f"{int(m.group(1)) + shift}年", text) if shift else text

    def reword(self, text: str) -> str:
        """Swap one to three words for near-synonyms (either direction)."""
        pairs = [(a, b) if a in text and b not in text else (b, a) for a, b in SYNONYMS if a in text or b in text]
        pairs = [(a, b) for a, b in pairs if a in text]
        for a, b in self.rng.sample(pairs, k=min(len(pairs), self.rng.randint(1, 3))):
            text = text.replace(a, b, 1)
        return text

    def reorder(self, text: str) -> str:
        """Keep the first sentence (the item's heading), shuffle or drop one of the others."""
        parts = [p for p in re.split(r"(?<=[。；])", text) if p]
        if len(parts) < 3:
            return text
        rest = parts[1:]
        if self.rng.random() < 0.5:
            self.rng.shuffle(rest)
        else:
            del rest[self.rng.randrange(len(rest))]
        out = parts[0] + "".join(rest)
        return out if out.endswith(("。", "；")) else out + "。"

    def vary(self, text: str, src: dict, region: str, level: str, period_end: int) -> str:
        text = self.region(text, src, region, level)
        if self.rng.random() < 0.3:  # word-for-word copy (apart from the region): a duplicate across plans
            return text
        text = self.reword(text)
        if self.rng.random() < 0.5:
            text = self.agencies_swap(text)
        if self.rng.random() < 0.6:
            text = self.numbers(text, period_end, src.get("period_end") or 0)
        if self.rng.random() < 0.4:
            text = self.reorder(text)
        if self.rng.random() < 0.15:
            text = text.rstrip("。") + "，并纳入年度考核。"
        return text


# ------------------------------------------------------------------ writing


def plan_units(rng: random.Random, rw: Rewriter, src: dict, by_concept, region, level, period_end, flat: bool):
    """Domains with (goals, measures) texts for one generated plan."""
    doms = []
    for d in src["domains"]:
        goals, measures = list(d["goals"]), list(d["measures"])
        pool = by_concept.get(d["concept"], [])
        # borrow a few units of the same domain concept from other plans
        for kind, t in rng.sample(pool, k=min(len(pool), rng.randint(0, 4))):
            (goals if kind == "goal" and goals else measures).append(t)
        for lst in (goals, measures):
            if rng.random() < 0.3:
                rng.shuffle(lst)
            for i in sorted(rng.sample(range(len(lst)), k=int(len(lst) * rng.uniform(0, 0.1))), reverse=True):
                if len(lst) > 1:
                    del lst[i]
        goals = [rw.vary(t, src, region, level, period_end) for t in goals]
        measures = [rw.vary(t, src, region, level, period_end) for t in measures]
        if flat:
            goals, measures = [], goals + measures
        if goals or measures:
            doms.append((d["title"], goals, measures))
    kps = [rw.vary(t, src, region, level, period_end) for t in src["key_projects"] if rng.random() > 0.15]
    return doms, kps


def render_plan(rng: random.Random, title: str, region: str, period: tuple, doms, kps, flat: bool) -> list[str]:
    layout = rng.choice(["section", "chapter"])
    item = rng.choice(ITEM_STYLES)
    _, start, end = period
    lc = LEVEL_CHAR[level_of_region(region)]
    out = [title, ""]
    if rng.random() < 0.2:
        out.append("（征求意见稿）" if rng.random() < 0.5 else "")
    out.append(
        f"为促进{region}{'儿童' if '儿童' in title else '妇女'}事业全面发展，"
        f"根据国家和省有关规划，结合我{lc}实际，制定本规划。规划期限为{start}—{end}年。"
    )
    if layout == "section":
        out += ["一、总体要求", "（一）指导思想", "坚持以人民为中心的发展思想。", "二、发展领域、主要目标和策略措施"]
        dom_head = lambda i, t: f"（{cn_num(i)}）{t}"  # noqa: E731
        labels = ("主要目标：", "主要措施：") if rng.random() < 0.6 else ("主要目标", "策略措施")
    else:
        out += ["第一章 总体要求", "坚持以人民为中心的发展思想。", "第二章 发展领域与主要目标、策略措施"]
        dom_head = lambda i, t: f"{cn_num(i)}、{t}"  # noqa: E731
        labels = ("（一）主要目标", "（二）策略措施")
    if item.startswith(("（", "(")) and labels[0].startswith("（"):
        item = "{n}、"  # （1） items under （一）主要目标 labels would read as one list
    for i, (dtitle, goals, measures) in enumerate(doms, 1):
        out.append(dom_head(i, dtitle))
        if flat:
            out += [item.format(n=k) + t for k, t in enumerate(measures, 1)]
            continue
        if goals:
            out.append(labels[0])
            out += [item.format(n=k) + t for k, t in enumerate(goals, 1)]
        if measures:
            out.append(labels[1] if goals or not labels[1].startswith("（二）") else "（一）策略措施")
            out += [item.format(n=k) + t for k, t in enumerate(measures, 1)]
    if kps:
        if layout == "section":
            out.append("三、重点实事项目")
            out += [f"（{cn_num(k)}）{t}" for k, t in enumerate(kps, 1)]
            out.append("四、组织实施")
            out += [f"（{cn_num(k)}）{t}" for k, t in enumerate(CLOSING, 1)]
        else:
            out.append("第三章 重点实事项目")
            out += [f"{cn_num(k)}、{t}" for k, t in enumerate(kps, 1)]
            out.append("第四章 组织实施")
            out += [f"{cn_num(k)}、{t}" for k, t in enumerate(CLOSING, 1)]
    else:
        out.append("三、组织实施" if layout == "section" else "第三章 组织实施")
        out += [(f"（{cn_num(k)}）" if layout == "section" else f"{cn_num(k)}、") + t for k, t in enumerate(CLOSING, 1)]
    out.append("")
    return out


def generate(out_dir, scale: float = 1.0, seed: int = 1, corpus: Path = ROOT / "data" / "plans") -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    plans_by_type, by_concept = load_sources(corpus)
    rw = Rewriter(rng, agency_names(ROOT / "graph" / "extract" / "agencies.tsv"))
    n_plans = max(1, round(7 * scale))
    slots = [(r, p) for p in range(len(PERIODS)) for r in REGIONS]
    rng.shuffle(slots)
    if len(slots) * 2 < n_plans:
        raise SystemExit(f"at most {len(slots) * 2} plans: {n_plans} asked")
    manifest = {"scale": scale, "seed": seed, "files": {}, "totals": {}}
    written, f = 0, 0
    while written < n_plans:
        region, p = slots[f]
        period = PERIODS[p]
        level = level_of_region(region)
        two = n_plans - written >= 2 and rng.random() < 0.3
        types = ["women", "children"] if two else [rng.choice(["children", "children", "women"])]
        lines, plans_meta = [], []
        if two or rng.random() < 0.1:
            titles = [
                f"{region}{TYPES[t]}发展{period[0]}规划"
                if not period[0].startswith("（")
                else f"{region}{TYPES[t]}发展规划{period[0]}"
                for t in types
            ]
            lines += [
                f"{region}人民政府关于印发" + "和".join(f"《{t}》" for t in titles) + "的通知",
                "",
                f"{region_stem(region)}政发〔{period[1]}〕{rng.randint(1, 60)}号",
                "",
                "各有关单位：",
                "现将上述规划印发给你们，请认真贯彻执行。",
                "",
                f"{region}人民政府",
                f"{period[1]}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
                "",
            ]
        for t in types:
            src = rng.choice(plans_by_type[t])
            flat = rng.random() < 0.15
            title = (
                f"{region}{TYPES[t]}发展{period[0]}规划"
                if not period[0].startswith("（")
                else f"{region}{TYPES[t]}发展规划{period[0]}"
            )
            doms, kps = plan_units(rng, rw, src, by_concept, region, level, period[2], flat)
            lines += render_plan(rng, title, region, period, doms, kps, flat)
            plans_meta.append(
                {
                    "title": title,
                    "counts": {
                        "domains": len(doms),
                        "goals": sum(len(g) for _, g, _ in doms),
                        "measures": sum(len(m) for _, _, m in doms),
                        "key_projects": len(kps),
                    },
                }
            )
        name = f"gen_{f:05d}_{region}.txt"
        text = "\n".join(lines)
        if rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        (out_dir / name).write_text(text, encoding="utf-8")
        manifest["files"][name] = plans_meta
        written += len(types)
        f += 1
    tot = defaultdict(int)
    for plans in manifest["files"].values():
        for pm in plans:
            tot["plans"] += 1
            for k, v in pm["counts"].items():
                tot[k] += v
    tot["units"] = tot["goals"] + tot["measures"] + tot["key_projects"]
    manifest["totals"] = dict(tot)
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def check(folder) -> list[str]:
    """Parse every generated file; return the differences from the manifest (empty: all match)."""
    from graph.parse import parse_file

    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    for name, plans in manifest["files"].items():
        try:
            pf = parse_file(folder / name)
        except Exception as e:  # noqa: BLE001
            problems.append(f"{name}: {e}")
            continue
        got = [(p.title, p.counts()) for p in pf.plans]
        want = [(p["title"], p["counts"]) for p in plans]
        if got != want:
            problems.append(f"{name}: parsed {got} != manifest {want}")
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", action="store_true", help="parse every file and compare with the manifest")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    m = generate(a.out, a.scale, a.seed)
    print(f"wrote {len(m['files'])} files, totals {m['totals']} in {time.perf_counter() - t0:.1f}s")
    if a.check:
        t0 = time.perf_counter()
        problems = check(a.out)
        print(
            f"checked in {time.perf_counter() - t0:.1f}s: "
            + ("all counts match" if not problems else f"{len(problems)} mismatches")
        )
        for p in problems[:20]:
            print("  " + p)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
