"""The bundled corpus parses to exactly the reference counts, with the metadata a reader finds in it."""

from __future__ import annotations

import pytest

from graph.parse import parse_file
from tests.conftest import CORPUS, SHARED, reference_counts

# plan key in the README table → (file, index of the plan in that file)
PLAN_KEYS = {
    "杭州 children": ("000_66127fe5ef2e4799.txt", 0),
    "盘山 children": ("001_c3c85c2cfa5687ef.txt", 0),
    "衢州 women": ("002_fcf053abc1b695aa.txt", 0),
    "衢州 children": ("002_fcf053abc1b695aa.txt", 1),
    "鹿城 children": ("003_c9a26a7ca201c7c9.txt", 0),
    "曾都 women": ("004_aa5ca547c2e032c6.txt", 0),
    "曾都 children": ("004_aa5ca547c2e032c6.txt", 1),
}


def _readmes():
    found = [CORPUS / "README.md"]
    if (SHARED / "corpus" / "README.md").exists():
        found.append(SHARED / "corpus" / "README.md")
    return found


@pytest.mark.parametrize("readme", _readmes(), ids=lambda p: str(p.parent.parent.name))
def test_counts_match_reference_table(readme, parsed_corpus):
    ref = reference_counts(readme)
    assert set(ref) == set(PLAN_KEYS), "README table changed shape"
    by_file = {pf.file: pf for pf in parsed_corpus}
    for key, (file, idx) in PLAN_KEYS.items():
        plan = by_file[file].plans[idx]
        assert plan.counts() == ref[key], key
    totals = {k: sum(r[k] for r in ref.values()) for k in ("domains", "goals", "measures", "key_projects")}
    assert totals == {"domains": 51, "goals": 307, "measures": 500, "key_projects": 22}


def test_seven_plans_in_five_files(parsed_corpus):
    assert [len(pf.plans) for pf in parsed_corpus] == [1, 1, 2, 1, 2]


# Per-domain (goals, measures), counted by reading each domain of each file.
PER_DOMAIN = {
    "000_66127fe5ef2e4799.txt": [[(6, 8), (9, 13), (5, 5), (8, 12), (5, 6), (7, 8), (7, 9)]],
    "001_c3c85c2cfa5687ef.txt": [[(15, 15), (10, 12), (9, 13), (10, 13), (8, 9), (9, 11), (10, 14)]],
    "002_fcf053abc1b695aa.txt": [
        [(0, 10), (0, 11), (0, 7), (0, 10), (0, 7), (0, 7), (0, 12), (0, 9)],
        [(0, 7), (0, 12), (0, 8), (0, 12), (0, 8), (0, 13), (0, 9)],
    ],
    "003_c9a26a7ca201c7c9.txt": [[(5, 5), (8, 5), (5, 6), (6, 8), (6, 6), (7, 8), (7, 8)]],
    "004_aa5ca547c2e032c6.txt": [
        [(11, 11), (8, 9), (10, 10), (11, 8), (9, 11), (8, 9), (11, 14), (10, 11)],
        [(13, 14), (8, 11), (9, 13), (10, 12), (8, 8), (9, 10), (10, 13)],
    ],
}


def test_counts_per_domain(parsed_corpus):
    for pf in parsed_corpus:
        got = [[(len(d.goals), len(d.measures)) for d in p.domains] for p in pf.plans]
        assert got == PER_DOMAIN[pf.file], pf.file


def test_items_are_numbered_in_sequence(all_plans):
    for plan in all_plans:
        for d in plan.domains:
            assert [u.number for u in d.goals] == list(range(1, len(d.goals) + 1))
            assert [u.number for u in d.measures] == list(range(1, len(d.measures) + 1))
        assert [u.number for u in plan.key_projects] == list(range(1, len(plan.key_projects) + 1))


def test_plan_metadata(parsed_corpus):
    meta = [
        (p.title, p.title_inferred, p.region, p.level, p.plan_type, p.period_start, p.period_end, p.draft)
        for pf in parsed_corpus
        for p in pf.plans
    ]
    assert meta == [
        ("杭州市儿童发展“十四五”规划", True, "杭州市", "city", "children", 2021, 2025, False),
        ("盘山县儿童发展规划（2021—2030年）", True, "盘山县", "county", "children", 2021, 2030, False),
        ("衢州市妇女发展“十四五”规划", False, "衢州市", "city", "women", 2021, 2025, False),
        ("衢州市儿童发展“十四五”规划", False, "衢州市", "city", "children", 2021, 2025, False),
        ("鹿城区儿童发展“十四五”规划", False, "鹿城区", "district", "children", 2021, 2025, True),
        ("曾都区妇女发展规划（2021—2030年）", False, "曾都区", "district", "women", 2021, 2030, False),
        ("曾都区儿童发展规划（2021—2030年）", False, "曾都区", "district", "children", 2021, 2030, False),
    ]


def test_inferred_titles_say_where_they_came_from(parsed_corpus):
    hz, ps = parsed_corpus[0].plans[0], parsed_corpus[1].plans[0]
    assert "caption" in hz.title_evidence
    assert "盘山县" in ps.title_evidence and ps.title_evidence


def test_notices_give_issuer_date_and_number(parsed_corpus):
    qz = parsed_corpus[2].plans
    assert {(p.issuer, p.date) for p in qz} == {("衢州市人民政府", "2021-08-02")}
    zd = parsed_corpus[4].plans
    assert {(p.issuer, p.date, p.doc_number) for p in zd} == {("曾都区人民政府", "2022-12-29", "曾政发〔2022〕8号")}
    assert parsed_corpus[0].plans[0].issuer is None
    assert parsed_corpus[2].notices and "通知" in parsed_corpus[2].notices[0]


def test_domain_titles_as_written_and_shared_concepts(all_plans):
    titles = {d.title: d.concept for p in all_plans for d in p.domains}
    assert titles["儿童与法律"] == titles["儿童与法律保护"] == "children-law"
    assert titles["儿童与环境"] == titles["儿童与社会环境"] == "children-environment"
    assert titles["妇女参与决策和管理"] == "women-decision"
    assert titles["妇女与法律"] == titles["妇女与法律保护"] == "women-law"
    hz = all_plans[0].domains[0]
    assert hz.title == "儿童与家庭" and hz.heading.startswith("儿童与家庭：")
    # every children plan covers the same seven concepts, every women plan the same eight
    for plan in all_plans:
        assert len({d.concept for d in plan.domains}) == len(plan.domains)


def test_item_text_starting_with_a_digit():
    ps = parse_file(CORPUS / "001_c3c85c2cfa5687ef.txt").plans[0]
    health = ps.domains[0].goals
    assert health[4].number == 5 and health[4].text.startswith("3岁以下儿童系统管理率")
    assert health[11].number == 12 and health[11].text.startswith("12岁儿童龋患率")


def test_goal_continued_after_blank_line_is_one_goal():
    zd = parse_file(CORPUS / "004_aa5ca547c2e032c6.txt").plans[1]
    g3 = zd.domains[0].goals[2]
    assert g3.number == 3 and g3.source.line == 452 and g3.source.end_line == 454
    assert g3.text.endswith("城乡和地区之间的差距逐步缩小。")
    women_goal5 = parse_file(CORPUS / "004_aa5ca547c2e032c6.txt").plans[0].domains[0].goals[4]
    assert "艾滋病母婴传播率下降至" in women_goal5.text  # broken mid-word across a blank line


def test_bookmarks_and_dash_numbering(parsed_corpus):
    lc = parsed_corpus[3].plans[0]
    m8 = lc.domains[3].measures[7]  # "[bookmark: _Toc72949248]8．加快校外实践基地建设…"
    assert m8.number == 8 and m8.text.startswith("加快校外实践基地建设") and "bookmark" not in m8.text
    zd_safety = parsed_corpus[4].plans[1].domains[1]  # "- 1.减少儿童伤害…"
    assert zd_safety.goals[0].text.startswith("减少儿童伤害所致死亡和残疾")
    assert all("bookmark" not in u.text for p in parsed_corpus for pl in p.plans for _, u in pl.units())


def test_key_projects_with_heading_line_and_responsible_units(parsed_corpus):
    lc = parsed_corpus[3].plans[0].key_projects
    assert lc[0].title == "0-3岁婴幼儿照护服务项目"
    assert lc[0].source.line == 125 and lc[0].source.end_line == 126
    assert lc[0].text.startswith("0-3岁婴幼儿照护服务项目。多元化培育发展")
    qz = parsed_corpus[2].plans[1].key_projects
    assert len(qz) == 7 and "（责任单位：" in qz[0].text


def test_sources_point_at_the_text(parsed_corpus):
    for pf in parsed_corpus:
        text = (CORPUS / pf.file).read_text(encoding="utf-8")
        lines = text.split("\n")
        for plan in pf.plans:
            for _, unit in plan.units():
                src = unit.source
                assert src.file == pf.file and 1 <= src.line <= src.end_line
                assert 0 <= src.start < src.end <= len(text)
                assert text.count("\n", 0, src.start) + 1 == src.line
                head = unit.text[:6]
                assert text[src.start : src.start + 6] == head, (pf.file, src.line)
                assert head in lines[src.line - 1]


def test_indicator_tables(parsed_corpus):
    hz = parsed_corpus[0].plans[0].tables
    assert len(hz) == 1 and hz[0].caption == "杭州市儿童发展“十四五”规划重点指标目标表"
    t = hz[0]
    assert (t.baseline_year, t.target_year, len(t.rows)) == (2020, 2025, 11)
    row = t.rows[0]
    assert (row.name, row.unit, row.baseline_raw, row.target_raw) == ("严重致残的出生缺陷发生率", "1/‰", "5.85", "≤6")
    qz_women = parsed_corpus[2].plans[0].tables[0]
    assert qz_women.rows[5].target_raw == ""  # an empty cell stays empty, rows stay aligned
    assert qz_women.rows[6].name == "城镇职工生育保险女性参保人数" and qz_women.rows[6].unit == "万人"
    assert [len(p.tables) for pf in parsed_corpus for p in pf.plans] == [1, 0, 1, 1, 0, 0, 0]


def test_units_outside_the_domain_section_are_not_counted(parsed_corpus):
    hz = parsed_corpus[0].plans[0]
    texts = [u.text for _, u in hz.units()]
    assert not any(t.startswith("坚持党的领导，明确政府责任") for t in texts)  # 基本原则
    assert not any(t.startswith("加强组织领导") for t in texts)  # 组织实施
    roles = [s.role for s in hz.sections]
    assert roles[:3] == ["principles", "domains", "key_projects"] and "monitoring" in roles
