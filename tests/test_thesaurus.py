"""The everyday → plan vocabulary thesaurus (embeddings/thesaurus.tsv) and the module that applies it.

Fast tier: no model, no corpus build. The colloquial queries below are made up here, from how parents,
citizens and drafters talk; none comes from the search benchmark."""

from __future__ import annotations

import doctest
import re
import time
import unicodedata
from pathlib import Path

import pytest

import embeddings.thesaurus as thesaurus_module
from embeddings.thesaurus import DOMAINS, THESAURUS_FILE, Expansion, Thesaurus, load_thesaurus, normalize
from tests.conftest import CORPUS

# single characters allowed as everyday variants: each means one thing as a query on its own
SINGLE_CHARACTERS = {"娃", "崽", "胖", "霾"}


@pytest.fixture(scope="module")
def th() -> Thesaurus:
    return load_thesaurus()


def plan_text() -> str:
    """The bundled plans' text, normalised like queries, without whitespace (plans break lines mid-word)."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def write(tmp_path: Path, body: str, name: str = "thesaurus.tsv") -> Path:
    path = tmp_path / name
    path.write_text("everyday\tplan_terms\tdomain\tnote\n" + body, encoding="utf-8")
    return path


# --- the packaged file ---------------------------------------------------------------------------------


def test_packaged_file_parses_into_hundreds_of_entries(th):
    assert THESAURUS_FILE.is_file() and THESAURUS_FILE.name == "thesaurus.tsv"
    assert THESAURUS_FILE.parent == Path(thesaurus_module.__file__).parent  # package data, beside the module
    entries = th.entries()
    assert len(th) == len(entries) >= 400
    assert sum(len(e.everyday) for e in entries) >= 1500
    for e in entries:
        assert e.everyday and all(v.strip() == v and v for v in e.everyday), e.line
        assert e.terms and all(t.strip() == t and t for t in e.terms), e.line
        assert e.label == e.terms[0]
        assert not e.domain or e.domain in DOMAINS, e.line
    lines = THESAURUS_FILE.read_text(encoding="utf-8").splitlines()
    assert all(lines[e.line - 1].startswith(e.everyday[0]) for e in entries)  # line numbers are the file's
    assert lines[0].startswith("#") and any(line.startswith("everyday\tplan_terms\tdomain\tnote") for line in lines)


def test_every_domain_of_both_plan_types_is_covered(th):
    def topic(domain: str) -> str:
        for population in ("children-", "women-"):
            if domain.startswith(population):
                return domain[len(population) :]
        return domain

    topics = {topic(e.domain) for e in th.entries()}
    children = ("health", "safety", "education", "welfare", "family", "environment", "law")
    women = ("health", "education", "economy", "decision", "social-security", "family", "environment", "law")
    assert set(children) | set(women) <= topics
    assert {"children", "women", "both"} <= {e.domain for e in th.entries()}
    counts = {t: sum(topic(e.domain) == t for e in th.entries()) for t in set(children) | set(women)}
    assert min(counts.values()) >= 10, counts


def test_variants_are_unique_never_self_only_and_rarely_single_characters(th):
    seen: dict[str, int] = {}
    for e in th.entries():
        for v in e.everyday:
            key = normalize(v)
            assert key not in seen, (v, seen.get(key), e.line)
            seen[key] = e.line
            assert {normalize(t) for t in e.terms} - {key}, f"{v} maps only to itself (line {e.line})"
    singles = {v for v in seen if len(v) == 1}
    assert singles <= SINGLE_CHARACTERS, singles - SINGLE_CHARACTERS
    assert {"娃", "崽"} <= singles


def test_plan_terms_occur_in_the_bundled_plans(th):
    text = plan_text()
    terms = {t for e in th.entries() for t in e.terms}
    missing = sorted(t for t in terms if re.sub(r"\s+", "", normalize(t)) not in text)
    assert len(terms) >= 600
    assert 1 - len(missing) / len(terms) >= 0.90, missing
    # the preferred label is what users see: it should be plan wording wherever the plans have one
    labels_missing = {e.label for e in th.entries()} & set(missing)
    assert len(labels_missing) <= 0.05 * len(th), labels_missing


# --- expansion ---------------------------------------------------------------------------------------------

COLLOQUIAL = [
    # query, the everyday text that should match, the plan term that must be added
    ("他总打老婆怎么办", "打老婆", "家庭暴力"),
    ("被老公打了去哪里求助", "被老公打", "反家庭暴力"),
    ("孩子玩游戏上瘾怎么管", "玩游戏上瘾", "沉迷网络"),
    ("娃上幼儿园太难了", "上幼儿园", "学前教育"),
    ("坐月子期间有什么补贴", "坐月子", "产后"),
    ("怀孕被辞退能赔钱吗", "怀孕被辞退", "劳动权益"),
    ("小学生近视眼越来越多", "近视眼", "视力不良"),
    ("暑假孩子掉河里怎么预防", "掉河里", "溺水"),
    ("村口有人贩子拐小孩", "人贩子", "拐卖"),
    ("女领导太少了", "女领导", "女干部"),
    ("天价彩礼谁来管", "天价彩礼", "高价彩礼"),
    ("喂奶间不够用", "喂奶间", "母婴室"),
    ("小胖墩越来越多", "小胖墩", "肥胖"),
    ("学校里被欺负不敢说", "被欺负", "校园欺凌"),
    ("托儿所收费太贵", "托儿所", "托育"),
    ("家里是五保户有什么救助", "五保户", "特困人员供养"),
    ("新农合能报销多少", "新农合", "城乡居民基本医疗保险"),
    ("工读学校还有吗", "工读学校", "专门学校"),
    ("两癌检查免费吗", "两癌检查", "宫颈癌"),
    ("双减以后怎么办", "双减", "作业负担"),
    ("爸妈都在外地打工孩子谁管", "爸妈都在外地打工", "留守儿童"),
    ("农村女厕所排队太长", "女厕所排队", "男女厕位比例"),
    ("老人不会用手机怎么挂号", "老人不会用手机", "数字鸿沟"),
    ("失独老人有什么扶助", "失独老人", "计划生育特殊家庭"),
    ("外嫁女分不到村里分红", "外嫁女", "土地权益"),
    ("招聘只招男的合法吗", "只招男", "就业性别歧视"),
    ("咸猪手在地铁上", "咸猪手", "性骚扰"),
    ("生完孩子回去上班难", "生完孩子回去上班", "生育后重返工作岗位"),
    ("老婆得了产后抑郁", "产后抑郁", "孕产妇心理辅导"),
    ("村里的旱厕什么时候改", "旱厕", "卫生厕所"),
]


@pytest.mark.parametrize(("query", "matched", "term"), COLLOQUIAL)
def test_colloquial_queries_gain_plan_vocabulary(th, query, matched, term):
    expansions = th.expand(query)
    hit = [e for e in expansions if e.matched == matched]
    assert hit, [e.matched for e in expansions]
    e = hit[0]
    assert isinstance(e, Expansion) and query[e.start : e.end] == matched
    assert term in e.terms and term not in query
    assert e.label in {x.label for x in th.entries()}
    text = th.expanded_text(query)
    assert text.startswith(query + " ") and term in text.split(" ")


@pytest.mark.parametrize(
    "query",
    [
        "反家庭暴力",
        "留守儿童关爱服务",
        "留守妇女",
        "孕产妇死亡率",
        "事实无人抚养儿童",
        "学前教育毛入园率",
        "婴幼儿照护服务体系",
        "农村妇女土地权益",
        "妇幼保健机构",
        "人身安全保护令",
        "男女平等基本国策",
    ],
)
def test_a_query_in_plan_vocabulary_is_left_alone(th, query):
    assert th.expand(query) == []
    assert th.expanded_text(query) == query


def test_longest_match_wins_in_the_packaged_file(th):
    variants = {normalize(v) for e in th.entries() for v in e.everyday}
    assert {"打老婆", "老婆"} <= variants  # both exist: the longer one has to win
    (e,) = th.expand("打老婆")
    assert (e.matched, e.start, e.end, e.label) == ("打老婆", 0, 3, "家庭暴力")
    assert [x.matched for x in th.expand("老婆怀孕了")] == ["老婆", "怀孕"]


def test_longest_match_non_overlapping_left_to_right(tmp_path):
    path = write(
        tmp_path,
        "老婆\t妇女\n打老婆\t家庭暴力\n老婆婆\t老年妇女\n婆婆妈妈\t啰嗦\n",
    )
    th = Thesaurus.load(path)
    assert [(e.matched, e.start, e.end) for e in th.expand("他打老婆婆婆妈妈")] == [
        ("打老婆", 1, 4),  # longest at the leftmost start, not 老婆婆 one character later
        ("婆婆妈妈", 4, 8),
    ]
    assert [e.matched for e in th.expand("老婆婆")] == ["老婆婆"]


def test_offsets_are_those_of_the_query_as_given(th):
    query = "请问：我家娃５岁，小胖墩，还近视眼。"
    expansions = th.expand(query)
    assert [e.matched for e in expansions] == ["娃", "小胖墩", "近视眼"]
    for e in expansions:
        assert query[e.start : e.end] == e.matched
    assert expansions[0].start == query.index("娃")
    assert [e.start for e in expansions] == sorted(e.start for e in expansions)
    assert all(a.end <= b.start for a, b in zip(expansions, expansions[1:]))


def test_matching_is_nfkc_and_case_insensitive(th):
    full_width = "ＨＰＶ疫苗打几针"
    assert unicodedata.normalize("NFKC", full_width) != full_width
    (e,) = th.expand(full_width)
    assert e.matched == "ＨＰＶ疫苗" and (e.start, e.end) == (0, 5) and "宫颈癌" in e.terms
    assert [x.matched for x in th.expand("hpv疫苗")] == ["hpv疫苗"]
    assert [x.matched for x in th.expand("Hpv疫苗")] == ["Hpv疫苗"]
    (e,) = th.expand("不满１８岁能打工吗")  # full-width digits match the variant 不满18岁
    assert e.matched == "不满１８岁" and e.terms == ("未成年人",)


def test_terms_the_query_already_has_are_not_added_again(th):
    (e,) = th.expand("女领导和女干部")[:1]
    assert e.matched == "女领导" and "女干部" not in e.terms and "领导班子" in e.terms
    assert e.label == "女干部"  # the label stays the preferred term
    text = th.expanded_text("孩子和小孩")  # both map to 儿童: added once
    assert text == "孩子和小孩 儿童"


def test_an_abbreviation_expands_unless_the_full_term_is_there(th):
    assert set(th.expand("留守")[0].terms) == {"留守儿童", "留守妇女"}
    assert th.expand("留守儿童") == []
    assert th.expand("两癌")[0].terms == ("宫颈癌", "乳腺癌")
    assert th.expand("未成年人") == [] and th.expand("未成年")[0].terms == ("未成年人",)


def test_no_match_inside_words_the_plans_use(th):
    # everyday words that occur inside longer plan words must not fire there
    for query in ("相亲相爱的家庭", "市人力社保局", "危重新生儿筛查", "妇女人均预期寿命", "孕产妇系统管理率"):
        assert th.expand(query) == [], (query, th.expand(query))


def test_empty_and_unmatched_queries(th):
    assert th.expand("") == [] and th.expanded_text("") == ""
    assert th.expand("abc 123") == [] and th.expanded_text("abc 123") == "abc 123"


def test_expansion_is_fast(th):
    queries = [q for q, _, _ in COLLOQUIAL]
    long_query = ("".join(queries) * 2)[:200]
    assert len(long_query) == 200

    def per_query(batch: list[str], rounds: int) -> float:
        best = float("inf")
        for _ in range(3):  # best of three: the machine is shared
            t = time.perf_counter()
            for _ in range(rounds):
                for q in batch:
                    th.expanded_text(q)
            best = min(best, (time.perf_counter() - t) / rounds / len(batch))
        return best

    assert per_query(queries, 20) < 0.2e-3  # typical queries: measured ~0.015 ms on an idle core
    assert per_query([long_query], 50) < 2e-3  # a 200-character query dense with matches: ~0.2 ms idle


# --- loading, caching, errors ------------------------------------------------------------------------------


def test_default_is_cached_and_a_path_is_read(tmp_path):
    assert load_thesaurus() is load_thesaurus() is Thesaurus.load()
    path = write(tmp_path, "家暴\t家庭暴力\n")
    th = Thesaurus.load(path)
    assert len(th) == 1 and th.expanded_text("家暴") == "家暴 家庭暴力"
    path.write_text("家暴\t家庭暴力|反家庭暴力\n", encoding="utf-8")
    assert Thesaurus.load(path).expanded_text("家暴") == "家暴 家庭暴力 反家庭暴力"


def test_comments_header_bom_and_optional_columns(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(
        "\ufeff# a comment\neveryday\tplan_terms\tdomain\tnote\n\n  # an indented comment\n"
        "看病|瞧病\t就医|医疗\n网瘾\t沉迷网络\tchildren-safety\n托儿所\t托育\tchildren\tkept narrow\n",
        encoding="utf-8",
    )
    entries = Thesaurus.load(path).entries()
    assert [(e.everyday, e.terms, e.domain, e.note, e.line) for e in entries] == [
        (("看病", "瞧病"), ("就医", "医疗"), "", "", 5),
        (("网瘾",), ("沉迷网络",), "children-safety", "", 6),
        (("托儿所",), ("托育",), "children", "kept narrow", 7),
    ]


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("家暴\n", 2, "1 tab-separated columns, expected 2 to 4"),
        ("家暴\t家庭暴力\tfamily\tnote\textra\n", 2, "5 tab-separated columns"),
        ("\t家庭暴力\n", 2, "empty everyday field"),
        ("家暴\t \n", 2, "empty plan_terms field"),
        ("家暴||打老婆\t家庭暴力\n", 2, "empty alternative in the everyday field"),
        ("家暴\t家庭暴力|\n", 2, "empty alternative in the plan_terms field"),
        ("家暴\t家庭暴力|家庭暴力\n", 2, "a plan term is listed twice"),
        ("家庭暴力\t家庭暴力\n", 2, "everyday variant '家庭暴力' maps only to itself"),
        ("家暴\t家庭暴力\tfamilies\n", 2, "unknown domain 'families'"),
        (
            "看病\t就医\n# c\n家暴\t家庭暴力\n家暴\t家庭暴力\n",
            5,
            "duplicate everyday variant '家暴': already on line 4",
        ),
        (
            "家暴\t家庭暴力\n打人|家暴\t暴力伤害\n",
            3,
            "conflicting everyday variant '家暴': already on line 2 (家庭暴力)",
        ),
        ("ＨＰＶ\t宫颈癌\nhpv\t疫苗\n", 3, "conflicting everyday variant 'hpv'"),  # the same after NFKC
    ],
)
def test_a_malformed_line_names_file_line_and_problem(tmp_path, body, line, problem):
    path = write(tmp_path, body)
    with pytest.raises(ValueError) as err:
        Thesaurus.load(path)
    message = str(err.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert problem in message


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.tsv"):
        Thesaurus.load(tmp_path / "nothing.tsv")


def test_module_docstring_example_runs():
    result = doctest.testmod(thesaurus_module, verbose=False)
    assert result.attempted >= 3 and result.failed == 0
