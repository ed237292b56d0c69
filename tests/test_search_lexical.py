"""Tokenisers, BM25 and highlighting (no models)."""

from __future__ import annotations

import numpy as np

from embeddings.highlights import common_terms, highlight_segments, match_terms
from embeddings.lexical import BM25, BigramTokenizer, JiebaTokenizer, make_tokenizer

TEXTS = [
    "预防和控制儿童溺水。加强看护落实监护责任，保证儿童远离危险水体。",
    "加强对学生欺凌的综合治理。完善落实学生欺凌综合治理的多部门合作工作机制。",
    "发展普惠托育服务体系。建立健全以家庭为基础、社区为依托的婴幼儿照护服务体系。",
    "加大《中华人民共和国反家庭暴力法》的实施力度。宣传倡导对家庭暴力零容忍的理念。",
]


def test_bigram_tokens():
    toks = BigramTokenizer().tokens("溺水预防 ABC 2025年")
    assert "溺水" in toks and "水预" in toks and "溺" in toks and "abc" in toks and "2025" in toks
    assert "的" not in BigramTokenizer().tokens("儿童的")  # stop unigram
    assert all(len(t) == 2 for t in BigramTokenizer(unigrams=False).tokens("溺水预防"))


def test_jieba_user_words_and_stopwords():
    tok = JiebaTokenizer(["妇儿工委办公室"])
    assert "妇儿工委办公室" in tok.tokens("市妇儿工委办公室牵头")
    assert "校园欺凌" in tok.tokens("防治校园欺凌")  # DOMAIN_TERMS
    assert "的" not in tok.tokens("儿童的健康")
    assert make_tokenizer("jieba").name == "jieba" and make_tokenizer("bigram").name == "bigram"


def test_bm25_ranks_the_matching_text_first_for_both_tokenisers():
    for name in ("bigram", "jieba"):
        bm = BM25(make_tokenizer(name)).fit(TEXTS)
        for q, want in (("溺水", 0), ("校园欺凌", 1), ("托育服务", 2), ("家庭暴力", 3)):
            s = bm.scores(q)
            assert int(np.argmax(s)) == want, (name, q)
        assert not bm.scores("火星探测").any()
        assert bm.query_terms("溺水溺水") in (["溺水"], ["溺", "水", "溺水"])


def test_bm25_save_load(tmp_path):
    bm = BM25(make_tokenizer("jieba", ["婴幼儿照护服务体系"])).fit(TEXTS)
    bm.save(tmp_path, "bm25-jieba")
    bm2 = BM25.load(tmp_path, "bm25-jieba")
    assert np.allclose(bm.scores("托育服务"), bm2.scores("托育服务"))
    assert "婴幼儿照护服务体系" in bm2.tokenizer.user_words


def test_match_terms_prefers_words_and_merges_spans():
    text = "预防溺水，落实预防措施。"
    matched, spans = match_terms(text, ["溺", "水", "溺水", "预防", "措施"])
    assert matched == ["溺水", "预防", "措施"]
    assert spans == [(0, 4), (7, 9), (9, 11)] or spans == [(0, 4), (7, 11)]
    assert [text[a:b] for a, b in spans][0] == "预防溺水"
    # only single characters match: they are used
    matched, spans = match_terms("水", ["溺", "水", "溺水"])
    assert matched == ["水"] and spans == [(0, 1)]


def test_highlight_segments_cover_the_text_exactly():
    text = "<b>预防</b>溺水"
    _, spans = match_terms(text, ["预防", "溺水"])
    segs = highlight_segments(text, spans)
    assert "".join(s for s, _ in segs) == text
    assert [s for s, m in segs if m] == ["预防", "溺水"]


def test_common_terms():
    bm = BM25(make_tokenizer("bigram")).fit(TEXTS)
    common = common_terms(bm, 0.3)
    assert "加强" in common and "溺水" not in common
