"""The hand-labelled extraction gold set is well-formed, and the scoring of bench/extraction_eval.py is right.

No thresholds on the real extractors here: their scores are a benchmark (docs/benchmarks.md), not a test.
"""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from bench.extraction_eval import (
    GOLD,
    corpus_units,
    evaluate,
    load_gold,
    norm_name,
    prf,
    ref_key,
    resolve,
    strongest_roles,
)

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "bench" / "labelled"
COMPARATORS = {"le", "lt", "ge", "gt", "eq", "approx"}
ROLES = {"lead", "partner", "mentioned"}
DOC_TYPES = {"law", "regulation", "plan", "outline", "opinion", "standard", "other"}
KINDS = {"goal", "measure", "key_project"}


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def index():
    return corpus_units(extract=False)


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def test_every_ref_resolves_to_exactly_one_unit(gold, index):
    units, problems = resolve(gold, index)
    assert problems == []
    assert len(units) == len(gold)
    assert len({ref_key(g["ref"]) for g in gold}) == len(gold), "a unit is labelled twice"


def test_size_and_spread(gold, index):
    assert len(gold) >= 150
    plans = {p.title for hits in index.values() for p, *_ in hits}
    assert len(plans) == 7 and {g["ref"]["plan"] for g in gold} == plans
    kinds = Counter(g["ref"]["kind"] for g in gold)
    assert kinds["goal"] >= 50 and kinds["measure"] >= 60 and kinds["key_project"] >= 15
    domains = {(k[0], k[1], k[3]) for k in index if k[3] is not None}
    assert {(g["ref"]["file"], g["ref"]["plan"], g["ref"]["domain"]) for g in gold} >= domains


def test_fields_are_typed(gold):
    for g in gold:
        ref = g["ref"]
        assert set(g) <= {"ref", "agencies", "laws", "indicators", "note"}, ref
        assert set(ref) == {"file", "plan", "kind", "domain", "number", "line", "head"}
        assert ref["kind"] in KINDS
        assert (ref["domain"] is None) == (ref["kind"] == "key_project")
        assert isinstance(ref["number"], int) and isinstance(ref["line"], int) and len(ref["head"]) <= 20
        for a in g["agencies"]:
            assert set(a) == {"surface", "canonical", "role"} and a["role"] in ROLES, (ref, a)
            assert a["surface"] and a["canonical"]
        for w in g["laws"]:
            assert set(w) == {"surface", "canonical", "doc_type"} and w["doc_type"] in DOC_TYPES, (ref, w)
            assert "《" not in w["canonical"] and w["surface"]
        for i in g["indicators"]:
            assert set(i) == {
                "name",
                "comparator",
                "value",
                "unit",
                "year",
                "year_inferred",
                "baseline_value",
                "baseline_year",
                "relative",
            }, ref
            assert i["name"] and i["comparator"] in COMPARATORS, (ref, i)
            assert isinstance(i["year"], int) and 2020 <= i["year"] <= 2035 and isinstance(i["year_inferred"], bool)
            assert i["baseline_value"] is None or _num(i["baseline_value"])
            assert i["baseline_year"] is None or isinstance(i["baseline_year"], int)
            if i["relative"] is None:
                assert _num(i["value"]) and i["unit"], (ref, i)
            else:
                rel = i["relative"]
                assert i["value"] is None and i["unit"] is None
                assert set(rel) == {"direction", "amount", "unit", "baseline_year"}
                assert rel["direction"] in {"up", "down"} and _num(rel["amount"]) and rel["unit"]


def test_inferred_years_are_the_plan_end_year(gold):
    end = {"杭州": 2025, "盘山": 2030, "衢州": 2025, "鹿城": 2025, "曾都": 2030}
    for g in gold:
        for i in g["indicators"]:
            if i["year_inferred"]:
                assert i["year"] == end[g["ref"]["plan"][:2]], g["ref"]


def test_selection_is_reproducible_and_labelled(gold):
    spec = importlib.util.spec_from_file_location("labelled_select", LABELLED / "select.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    stored = [json.loads(line) for line in (LABELLED / "selection.jsonl").read_text("utf-8").splitlines()]
    assert mod.select() == stored
    strip = [{k: v for k, v in r.items() if k != "plain"} for r in stored]
    assert [g["ref"] for g in gold] == strip


# ---------------------------------------------------------------- the metric on a synthetic case

REF_A = {"file": "a.txt", "plan": "P", "kind": "goal", "domain": 1, "number": 1, "line": 1, "head": ""}
REF_B = {"file": "a.txt", "plan": "P", "kind": "key_project", "domain": None, "number": 1, "line": 9, "head": ""}


def ind(name, comparator, value, unit, year=2025, relative=None):
    return {"name": name, "comparator": comparator, "value": value, "unit": unit, "year": year, "relative": relative}


def ag(canonical, role="mentioned", surface=""):
    return {"canonical": canonical, "role": role, "surface": surface or canonical}


def law(canonical, doc_type="law"):
    return {"canonical": canonical, "surface": f"《{canonical}》", "doc_type": doc_type}


SYN_GOLD = [
    {
        "ref": REF_A,
        "agencies": [ag("X市教育局"), ag("X市人民政府", surface="各级政府")],
        "laws": [law("中华人民共和国民法典"), law("某条例", "regulation")],
        "indicators": [
            ind("新生儿死亡率", "le", 3, "‰"),
            ind("每千人口托位数", "ge", 4.5, "个"),
            ind(
                "近视率",
                "eq",
                None,
                None,
                relative={"direction": "down", "amount": 1, "unit": "个百分点", "baseline_year": 2018},
            ),
        ],
    },
    {
        "ref": REF_B,
        "agencies": [ag("X市卫生健康委员会", "lead"), ag("X市妇女联合会", "partner")],
        "laws": [],
        "indicators": [ind("0—6岁儿童 覆盖率", "ge", 90, "％")],
    },
]

SYN_PRED = {
    ref_key(REF_A): {
        "agencies": [ag("X市教育局", "lead"), ag("X市教育局"), ag("X市公安局")],  # strongest role: lead
        "laws": [law("中华人民共和国民法典", "regulation")],  # title right, doc_type wrong
        "indicators": [
            ind("新生儿死亡率", "le", 3.0, "‰"),  # right (3 == 3.0)
            ind("每千人托位数", "eq", 4.5, "个"),  # name right after normalisation, comparator wrong
        ],
    },
    ref_key(REF_B): {
        "agencies": [ag("X市卫生健康委员会", "lead"), ag("X市妇女联合会", "partner")],
        "laws": [law("某规划", "plan")],
        "indicators": [ind("0-6岁儿童覆盖率", "ge", 90.0, "%")],  # dash, space and ％ normalised
    },
}


def test_metric_on_a_synthetic_case():
    rep = evaluate(SYN_GOLD, SYN_PRED)
    s = rep["scores"]
    # agencies by name: gold {教育局, 政府, 卫健委, 妇联}; found {教育局, 公安局, 卫健委, 妇联}
    assert (s["agencies"]["tp"], s["agencies"]["fp"], s["agencies"]["fn"]) == (3, 1, 1)
    # with role: 教育局 lead ≠ mentioned → one more FP and FN
    assert (s["agencies+role"]["tp"], s["agencies+role"]["fp"], s["agencies+role"]["fn"]) == (2, 2, 2)
    assert (s["laws"]["tp"], s["laws"]["fp"], s["laws"]["fn"]) == (1, 1, 1)
    assert rep["law_doc_type"] == {"wrong": 1}
    assert (s["indicators"]["tp"], s["indicators"]["fp"], s["indicators"]["fn"]) == (2, 1, 2)
    num = s["indicators (numbers only)"]
    assert (num["tp"], num["fp"], num["fn"]) == (2, 1, 2)
    micro = s["micro (agencies, laws, indicators)"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (6, 3, 4)
    assert micro["precision"] == pytest.approx(6 / 9) and micro["recall"] == pytest.approx(6 / 10)
    assert micro["f1"] == pytest.approx(2 * (6 / 9) * (6 / 10) / (6 / 9 + 6 / 10))
    assert rep["by_kind"]["key_project"]["agencies+role"]["f1"] == 1.0
    assert rep["causes"]["indicator comparator differs"] == 1
    assert rep["causes"]["indicator relative target missed"] == 1
    errs = Counter((e["type"], e["error"]) for e in rep["errors"])
    assert errs[("indicators", "FN")] == 2 and errs[("indicators", "FP")] == 1
    assert errs[("agencies", "FN")] == 1 and errs[("agencies", "FP")] == 1
    fn = next(e for e in rep["errors"] if e["type"] == "agencies" and e["error"] == "FN")
    assert fn["expected"]["canonical"] == "X市人民政府" and fn["expected"]["surface"] == ["各级政府"]
    assert fn["ref"] == REF_A


def test_a_unit_without_prediction_counts_every_label_as_missed():
    rep = evaluate(SYN_GOLD, {})
    assert rep["scores"]["agencies"]["fn"] == 4 and rep["scores"]["agencies"]["fp"] == 0
    assert rep["scores"]["agencies"]["precision"] == 1.0 and rep["scores"]["agencies"]["recall"] == 0.0


def test_relative_targets_match_when_predicted_alike():
    rel = {"direction": "down", "amount": 1.0, "unit": "个百分点", "baseline_year": 2018}
    pred = {ref_key(REF_A): {"agencies": [], "laws": [], "indicators": [ind("近视率", "eq", None, None, relative=rel)]}}
    assert evaluate(SYN_GOLD[:1], pred)["scores"]["indicators"]["tp"] == 1


@pytest.mark.parametrize(
    "a, b",
    [
        ("0—6岁儿童眼保健和视力检查覆盖率", "0-6 岁儿童眼保健和视力检查覆盖率"),
        ("每千人口拥有3岁以下婴幼儿托位数", "每千人拥有3岁以下婴幼儿托位数"),
        ("基础型“儿童之家”覆盖率", "基础型儿童之家覆盖率"),
        ("每千名儿童儿科执业（助理）医师数", "每千名儿童儿科执业(助理)医师数"),
        ("0—6周岁残疾儿童康复率", "0～6岁残疾儿童康复率"),
    ],
)
def test_name_normalisation(a, b):
    assert norm_name(a) == norm_name(b)


def test_helpers():
    assert strongest_roles([ag("A"), ag("A", "partner"), ag("B", "lead"), ag("B")]) == {"A": "partner", "B": "lead"}
    assert prf(0, 0, 0)["f1"] == 1.0 and prf(0, 1, 1)["f1"] == 0.0
