"""``SearchEngine.query`` with the real models on the bundled corpus: the relevance floor and the real
total, paging, thesaurus expansions, no single-character highlights, near-duplicates folded, results
per plan, the floor re-derived by ``floor.calibrate``, and many threads searching at once."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from embeddings.calibration import judged_docs
from embeddings.engine import SearchEngine
from embeddings.floor import calibrate, off_topic_queries
from embeddings.grouping import NEAR_JACCARD, shingles
from tests.search_util import corpus_engine, doc_id

ROOT = Path(__file__).resolve().parent.parent
EMBED_CACHE = Path(os.environ.get("PLANKG_TEST_DATA") or ROOT / "var" / "test-server") / "embedding-cache"
# off-topic queries that are not in embeddings/floor_calibration.tsv: the floor never saw them
UNSEEN_OFF_TOPIC = ("显卡超频教程", "深海鱼类图鉴", "歌剧院演出季", "NBA总决赛")


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    return corpus_engine(tmp_path_factory.mktemp("search-index"), cache_dir=EMBED_CACHE)


def groups_of(hits) -> list[str]:
    return [h.group for h in hits]


@pytest.mark.parametrize("query", UNSEEN_OFF_TOPIC + ("量子计算机",))
def test_off_topic_query_has_no_results_only_the_closest_few(engine, query):
    page = engine.query(query, k=10)
    assert page.total == 0 and page.hits == []
    assert 1 <= len(page.closest) <= 3
    assert all(h.floor_score is not None and h.floor_score < page.floor for h in page.closest)
    assert engine.query(query, floor=False).total > 0  # without the floor the nearest texts are still there


def test_every_calibration_off_topic_query_stays_below_the_floor(engine):
    assert [q for q in off_topic_queries() if engine.query(q, k=1).total] == []


def test_total_counts_beyond_k_and_pages_are_disjoint_slices_of_the_ranking(engine):
    query = "儿童心理健康服务"
    first, second = engine.query(query, k=10), engine.query(query, k=10, offset=10)
    assert first.total > 20 and second.total == first.total
    assert [h.rank for h in first.hits] == list(range(1, 11)) and [h.rank for h in second.hits] == list(range(11, 21))
    assert not set(groups_of(first.hits)) & set(groups_of(second.hits))
    assert groups_of(first.hits) + groups_of(second.hits) == groups_of(engine.query(query, k=20).hits)
    assert all(h.floor_score >= first.floor for h in first.hits + second.hits)
    last = engine.query(query, k=10, offset=first.total - 1)
    assert len(last.hits) == 1 and engine.query(query, offset=first.total).hits == []
    # a broad query's total is not capped by the candidate depth of the ranking
    assert engine.query("儿童", k=5).total > engine.candidates


def test_colloquial_query_searches_plan_terms_and_finds_the_measure(engine):
    page = engine.query("丈夫打老婆", k=10)
    assert "家庭暴力" in {e.label for e in page.expansions}
    assert all(e.matched in "丈夫打老婆" and e.terms for e in page.expansions)
    # the units judged relevant to this query (bench/search_queries.json, q30), as in test_search_engine.py
    judged = {doc_id(f, line) for f, line in [("002", 219), ("004", 352), ("004", 370)]}
    top = page.hits[0]
    assert judged & {p.doc_id for p in top.plans} and "家庭暴力" in top.doc.text
    assert judged <= {p.doc_id for h in page.hits[:3] for p in h.plans}  # all three first
    assert any(h.doc.kind == "measure" for h in page.hits[:3])
    assert "家庭暴力" in "".join(top.doc.text[a:b] for a, b in top.highlights)
    plain = engine.query("丈夫打老婆", k=10, expand=False)
    assert plain.expansions == []
    assert not any("家庭暴力" in t for h in plain.hits for t in h.matched_terms)


@pytest.mark.parametrize("query", ["丈夫打老婆", "老年人", "孩子被坏人拐走", "严厉打击拐卖"])
def test_multi_character_queries_highlight_no_single_characters(engine, query):
    bm = engine.bm25[engine.tokenizer]
    for expand in (True, False):
        if not expand and not any(len(t) > 1 for t in bm.query_terms(query)):
            # nothing longer than a character of 丈夫打老婆 is in any text: only then do characters count
            assert query == "丈夫打老婆" and all(len(t) == 1 for t in bm.query_terms(query))
            continue
        page = engine.query(query, k=20, expand=expand)
        hits = engine.search(query, k=20, expand=expand) + page.hits
        assert hits
        for h in hits:
            assert all(len(t) > 1 for t in h.matched_terms), (h.doc.text, h.matched_terms)
            assert all(b - a > 1 for a, b in h.highlights), (h.doc.text, h.highlights)


def test_near_identical_template_texts_fold_into_one_hit(engine):
    text = "预防和依法严惩对儿童实施家庭暴力的违法犯罪行为"
    page = engine.query(text, k=10)
    folded = [h for h in page.hits if h.near]
    assert folded
    seen = [g for h in page.hits for g in [h.group, *h.near]]
    assert len(seen) == len(set(seen))  # a folded text is not also a hit of its own
    for h in folded:
        rep = shingles(h.doc.text)
        near = [p for p in h.plans if p.near]
        assert near and len(near) >= len(h.near)
        for p in near:
            other = shingles(engine.doc(p.doc_id).text)
            assert len(rep & other) / len(rep | other) >= NEAR_JACCARD
            assert engine.doc(p.doc_id).text != h.doc.text  # not a word-for-word copy (those share a group)
    # the total counts each folded hit once
    assert page.total == len(engine.query(text, k=1000).hits)


def test_grouped_per_plan_counts_add_up_to_the_total(engine):
    page = engine.query("托育服务", k=10, group_by="plan")
    assert page.groups and sum(g.count for g in page.groups) == page.total
    assert len({g.plan_id for g in page.groups}) == len(page.groups) > 1
    for g in page.groups:
        assert 1 <= len(g.hits) <= g.count and all(h.doc.plan_id == g.plan_id for h in g.hits)
    filtered = engine.query("托育服务", group_by="plan", filters={"plan_type": "women"})
    assert {g.plan_type for g in filtered.groups} == {"women"}
    with pytest.raises(ValueError, match="group_by"):
        engine.query("托育服务", group_by="region")
    with pytest.raises(ValueError, match="offset"):
        engine.query("托育服务", offset=-1)


def test_calibrate_rederives_the_packaged_floor(engine):
    raw = json.loads((ROOT / "bench" / "search_queries.json").read_text(encoding="utf-8"))["queries"]
    old = [q for q in raw if q["id"] in {f"q{i:02d}" for i in range(1, 46)}]  # the floor's on-topic set
    assert len(old) == 45
    on = [(q["query"], judged_docs(engine, q["relevant"])) for q in old]
    floor = calibrate(engine, on, off_topic_queries())
    assert floor.encoders == engine.floor.encoders
    # the same up to what later edits of the thesaurus move the rankings by (the gap it sits in is ~1)
    assert abs(floor.value - engine.floor.value) <= 0.1, (floor.value, engine.floor.value)
    chosen = floor.calibration["by_coverage_weight"][str(floor.coverage_weight)]
    assert chosen["grade2_kept"] >= 0.95 and chosen["off_topic_rejected"] == 1.0


def test_sixteen_threads_at_once_give_the_sequential_results(engine):
    queries = [
        "孩子沉迷手机游戏",
        "女职工产假工资",
        "农村留守儿童心理辅导",
        "校园周边交通安全",
        "妇女两癌免费筛查",
        "婴幼儿托位建设",
        "青少年近视率下降",
        "家庭暴力庇护所",
        "残疾儿童康复补贴",
        "未成年人网络保护",
        "流动儿童入学",
        "孕产妇死亡率",
        "女性参政比例",
        "儿童友好社区",
        "反对就业性别歧视",
        "学生欺凌防治",
    ]

    def run(q):
        page = engine.query(q, k=10)
        return page.total, [(h.group, h.score, h.highlights) for h in page.hits]

    engine.clear_query_cache()
    with ThreadPoolExecutor(16) as pool:
        together = list(pool.map(run, queries))
    engine.clear_query_cache()
    alone = [run(q) for q in queries]
    assert all(total > 0 for total, _ in alone)
    for q, (total, hits), (total1, hits1) in zip(queries, together, alone, strict=True):
        assert total == total1, q
        assert [(g, hl) for g, _, hl in hits] == [(g, hl) for g, _, hl in hits1], q
        # queries encoded in one batch differ from one by one in the last float bits (~1e-7)
        assert [s for _, s, _ in hits] == pytest.approx([s for _, s, _ in hits1], abs=1e-4), q
