"""`plankg parse --explain` / `--strict`: the outline as found, warnings naming the line, never silent loss."""

from __future__ import annotations

import json

import pytest

from graph.parse import parse_text
from graph.parse.explain import outline_report, render_outline
from scripts.plankg import main

PLAN = """\
某某县妇女发展规划（2021—2030年）
一、总体要求
坚持男女平等基本国策。
二、发展领域、主要目标和策略措施
（一）妇女与健康。
主要目标：
1．孕产妇死亡率控制在10/10万以下。
2．妇女人均预期寿命延长。
策略措施：
1．完善妇幼健康服务体系。
2．加强妇女心理健康服务。
（二）妇女与教育。
主要目标：
1．女性平均受教育年限不断提高。
3．高等教育在校生中女性比例保持在50%左右。
工作措施：
1．落实男女平等基本国策。
2．加强女性科技人才培养。
（三）妇女与经济。
主要目标：
1．促进妇女平等就业。
2．妇女就业人员比例保持基本稳定。
支持措施：
这一段没有编号，又不接在任何条目后面。
三、组织实施
（一）加强组织领导。
"""


def test_report_shows_sections_domains_labels_and_counts():
    report = outline_report(parse_text(PLAN, "w.txt"))
    [plan] = report["plans"]
    assert [(s["title"], s["role"]) for s in plan["sections"]] == [
        ("总体要求", "principles"),
        ("发展领域、主要目标和策略措施", "domains"),
        ("组织实施", "implementation"),
    ]
    assert [(d["title"], d["goals"], d["measures"]) for d in plan["domains"]] == [
        ("妇女与健康", 2, 2),
        ("妇女与教育", 2, 2),
        ("妇女与经济", 2, 0),
    ]
    labels = [(lab["text"], lab["kind"], lab["items"]) for d in plan["domains"] for lab in d["labels"]]
    assert ("工作措施：", "measure", 2) in labels and ("支持措施：", "measure", 0) in labels
    # the unnumbered line after an empty label belongs to no unit: shown, not dropped silently
    assert [s["text"] for s in plan["stray_lines"]] == ["这一段没有编号，又不接在任何条目后面。"]


def test_warnings_name_the_line():
    lines = PLAN.split("\n")
    warnings = {(w["line"], w["message"]) for w in outline_report(parse_text(PLAN, "w.txt"))["warnings"]}
    jump = lines.index("3．高等教育在校生中女性比例保持在50%左右。") + 1
    empty_label = lines.index("支持措施：") + 1
    third_domain = lines.index("（三）妇女与经济。") + 1
    assert (jump, "numbering jumps from 1 to 3") in warnings
    assert any(line == empty_label and "支持措施" in m for line, m in warnings)
    assert any(line == third_domain and "no measures" in m for line, m in warnings)


def test_a_clean_plan_has_no_warnings():
    clean = PLAN.replace("3．高等教育", "2．高等教育").replace(
        "支持措施：\n这一段没有编号，又不接在任何条目后面。\n", ""
    )
    clean = clean.replace(
        "（三）妇女与经济。\n主要目标：\n1．促进妇女平等就业。\n2．妇女就业人员比例保持基本稳定。\n", ""
    )
    assert parse_text(clean, "c.txt").warnings == []


def test_cli_explain_prints_the_outline_and_strict_fails(tmp_path, capsys):
    f = tmp_path / "w.txt"
    f.write_text(PLAN, encoding="utf-8")
    assert main(["parse", "--explain", str(f)]) == 0
    out = capsys.readouterr().out
    assert "section 2 发展领域、主要目标和策略措施  role=domains" in out
    assert "domain 2 妇女与教育" in out and "label 工作措施： (measure)" in out
    assert "1 lines in the domain section belong to no unit" in out
    assert f"warning w.txt:{PLAN.split(chr(10)).index('支持措施：') + 1}" in out
    assert out.strip() == render_outline(outline_report(parse_text(PLAN, "w.txt")))

    assert main(["parse", "--strict", str(f)]) == 2
    err = capsys.readouterr().err
    assert "plankg: error: w.txt:" in err and "numbering jumps" in err

    assert main(["parse", "--explain", "--json", str(f)]) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert report["plans"][0]["counts"]["goals"] == 6


@pytest.mark.parametrize("name", ["001_c3c85c2cfa5687ef.txt", "004_aa5ca547c2e032c6.txt"])
def test_bundled_plans_parse_without_warnings(name):
    from pathlib import Path

    from graph.parse import parse_file

    pf = parse_file(Path(__file__).resolve().parents[1] / "data" / "plans" / name)
    assert pf.warnings == [] and all(not p.outline.stray for p in pf.plans)


OLD_PROVINCIAL = """\
贵州省儿童发展规划（2011—2020年）

前言
儿童是人类的未来，是社会可持续发展的重要资源。

主要目标、具体目标与策略措施
一、儿童与健康
主要目标
1、提高儿童健康水平，缩小城乡区域差距。
2、降低婴儿和5岁以下儿童死亡率。
具体目标
1、婴儿死亡率降低到12‰以下。
2、5岁以下儿童死亡率降低到15‰以下。
3、低出生体重发生率控制在4%以下。
策略措施
1、加大妇幼卫生经费投入。
2、加强妇幼卫生服务体系建设。
二、儿童与教育
主要目标
1、促进基本公共教育服务均等化。
具体目标
1、学前三年毛入园率达到70%。
2、九年义务教育巩固率达到93%。
策略措施
1、加大教育经费投入。
2、推进学前教育发展。
三、儿童与法律保护
主要目标
1、完善保护儿童的法规体系。
策略措施
1、加强儿童法律保护宣传。
组织实施
一、加强组织领导。
二、建立健全监测评估制度。
"""


def test_unnumbered_headings_open_and_close_the_domain_section():
    """An older provincial layout: 主要目标、具体目标与策略措施 and 组织实施 as bare headings, domains at 一、,
    goals under both 主要目标 and 具体目标, items 1、, labels without colons."""
    [plan] = parse_text(OLD_PROVINCIAL, "gz.txt").plans
    assert [(d.number, d.title, len(d.goals), len(d.measures)) for d in plan.domains] == [
        (1, "儿童与健康", 5, 2),
        (2, "儿童与教育", 3, 2),
        (3, "儿童与法律保护", 1, 1),
    ]
    assert plan.domains[0].goals[2].text == "婴儿死亡率降低到12‰以下。"
    assert plan.domains[2].measures[0].text == "加强儿童法律保护宣传。"  # 组织实施 and its items stay out
    assert plan.sections[-1].title == "组织实施" and plan.sections[-1].role == "implementation"
