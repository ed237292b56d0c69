"""The pieces of trustworthy results without models: the floor file and its placement rule, term coverage,
near-duplicate grouping, and the query tokens BM25 scores (no single characters beside longer terms)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embeddings.floor import FLOOR_FILE, Floor, _place, coverage, off_topic_queries
from embeddings.grouping import NEAR_JACCARD, collapse, near_duplicates, shingles
from embeddings.lexical import BM25, make_tokenizer
from embeddings.ranking import lexical_weights
from embeddings.thesaurus import Expansion

TEXTS = [
    "预防和控制儿童溺水。加强看护落实监护责任，保证儿童远离危险水体。",
    "严厉打击拐卖儿童和引诱胁迫儿童涉毒等违法犯罪行为。",
    "深入实施反家庭暴力法，预防和制止针对妇女一切形式的家庭暴力。",
    "提高老年妇女家庭生活质量，支持家庭履行赡养老人的主体责任。",
]


@pytest.fixture(scope="module")
def bm() -> BM25:
    return BM25(make_tokenizer("bigram")).fit(TEXTS)


def test_multi_character_queries_score_no_single_characters(bm):
    # 打 of 丈夫打老婆 is in 严厉打击, 老 in 老年: neither may count once a longer term matches
    assert bm.query_terms("丈夫打老婆家庭") == ["家庭"]
    assert not bm.scores("丈夫打老婆家庭")[1]  # the 严厉打击 text scores nothing
    assert bm.query_terms("老人") == ["老人"] and bm.query_terms("老年人") == ["老年"]
    # nothing longer matches: the characters are all there is (a fallback), and a 1-character query
    assert bm.query_terms("打仗") == ["打"] and bm.scores("打仗")[1] > 0
    assert bm.query_terms("老") == ["老"]
    assert "打" in bm.query_terms("丈夫打老婆家庭", unigrams=True)


def test_expansion_terms_join_the_bm25_query_at_their_weight(bm):
    e = Expansion("打老婆", 2, 5, ("家庭暴力",), "家庭暴力")
    w = lexical_weights(bm, "丈夫打老婆", [e], weight=0.5)
    assert w == {"家庭": 0.5, "庭暴": 0.5, "暴力": 0.5}  # the query itself has no term of the texts
    s = bm.weighted_scores(w)
    assert int(np.argmax(s)) == 2 and s[1] == 0
    assert lexical_weights(bm, "家庭暴力", [e], weight=0.5)["家庭"] == 1.0  # a query's own term keeps 1


def test_coverage_counts_unknown_terms_and_expansions(bm):
    cov = coverage(bm, "溺水")
    assert cov[0] == 1.0 and not cov[1:].any()
    # 量子 is in no text: the query is at most half covered where 计算 would be
    assert coverage(bm, "量子").max() == 0.0
    half = coverage(bm, "溺水量子")
    assert 0 < half[0] < 1
    # an everyday word counts as found where one of its plan terms is
    e = Expansion("打老婆", 0, 3, ("家庭暴力",), "家庭暴力")
    assert coverage(bm, "打老婆", [e])[2] == 1.0 and coverage(bm, "打老婆")[2] == 0.0


def test_floor_is_placed_between_off_topic_and_kept_scores():
    kept = [float(x) for x in range(1, 21)]  # 20 grade-2 scores 1..20: 95 % are >= 2
    placed = _place(kept, [-1.0, 0.5], keep=0.95)
    assert placed["keeps_at"] == 2.0 and placed["value"] == 1.25  # halfway between 0.5 and 2
    assert placed["grade2_kept"] == 0.95 and placed["off_topic_rejected"] == 1.0
    overlapping = _place(kept, [3.0], keep=0.95)  # cannot separate: keeping wins, the overlap is reported
    assert overlapping["value"] == 2.0 and overlapping["off_topic_rejected"] == 0.0


def test_floor_file_has_one_floor_per_encoder_set(tmp_path):
    packaged = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))["floors"]
    real = Floor.load(["m3e-small", "e5-small"])
    assert real.value is not None and real.encoders == ("e5-small", "m3e-small")
    calib = real.calibration
    assert calib["grade2_hits_in_top10"] > 100 and calib["off_topic_queries"] >= 20
    chosen = calib["by_coverage_weight"][str(real.coverage_weight)]
    assert chosen["value"] == real.value and chosen["grade2_kept"] >= 0.95 and chosen["off_topic_rejected"] == 1.0
    assert len(off_topic_queries()) == calib["off_topic_queries"] >= 20
    # an encoder set never calibrated: coverage alone, against the lexical floor
    other = Floor.load(["some-model"])
    assert other.value is None and other.threshold(True) == other.lexical_floor == packaged[0]["lexical_floor"]
    cov = np.array([0.2, 0.9])
    assert other.scores(np.array([5.0, -5.0]), cov) is cov
    # save replaces its own entry and keeps the others
    path = tmp_path / "floor.json"
    path.write_text(FLOOR_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    Floor(1.5, 0.5, 0.2, 0.95, ("e5-small", "m3e-small")).save(path)
    assert Floor.load(["e5-small", "m3e-small"], path).value == 1.5
    assert len(json.loads(path.read_text(encoding="utf-8"))["floors"]) == len(packaged)
    with pytest.raises(FileNotFoundError):
        Floor.load([], tmp_path / "missing.json")


def test_near_duplicates_are_template_copies_not_siblings():
    a = "预防和依法严惩对儿童实施家庭暴力的违法犯罪行为。推进反家庭暴力地方立法进程。加强反家庭暴力宣传。"
    b = "预防和依法严惩对儿童实施家庭暴力的违法犯罪行为,加强反家庭暴力宣传。"  # edited copy, other commas
    c = "预防和控制针对儿童的暴力伤害。强化政府、社会、学校、家庭保护责任。"  # same topic, other text
    sa, sb = shingles(a), shingles(b)
    assert len(sa & sb) / len(sa | sb) >= NEAR_JACCARD
    assert shingles("，。 ") == set() and shingles("儿童") == {"儿童"}
    near = near_duplicates([a, b, c])
    assert near == [frozenset({1}), frozenset({0}), frozenset()]
    # folded into the best-ranked one they resemble, without chains
    assert collapse([2, 1, 0], near) == [(2, []), (1, [0])]
    chain = [frozenset({1}), frozenset({0, 2}), frozenset({1})]  # 0~1, 1~2, but 0 and 2 differ
    assert collapse([0, 1, 2], chain) == [(0, [1]), (2, [])]
