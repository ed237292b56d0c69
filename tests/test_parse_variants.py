"""Plans written in other styles than the bundled ones, and bad input."""

from __future__ import annotations

import re

import pytest

from graph.parse import ParseError, parse_bytes, parse_file, parse_text
from tests.conftest import CORPUS

LUCHENG = (CORPUS / "003_c9a26a7ca201c7c9.txt").read_text(encoding="utf-8")
LUCHENG_COUNTS = {"domains": 7, "goals": 44, "measures": 46, "key_projects": 5}

SYNTHETIC = """\
某某省儿童发展规划（2026—2035年）

第一章 总体要求
本规划所称儿童是指未满十八周岁的未成年人。
第二章 发展领域与主要目标、策略措施
一、儿童与健康
（一）主要目标
1、新生儿死亡率控制在2.5‰以下。
2、儿童近视率逐年下降，
到2030年下降到40%以下。
（二）策略措施
1、加强儿童健康管理，由省卫生健康委牵头。
2、12岁儿童口腔保健纳入基本公共卫生服务。
二、儿童与安全
（一）主要目标
1、儿童溺水死亡率持续下降。
（二）策略措施
1、强化儿童溺水预防，公安、教育、应急管理等部门按职责分工负责。
第三章 重点实事项目
一、儿童安全守护工程。建设一批防溺水设施。（责任单位：省教育厅、省应急管理厅）
第四章 组织实施
一、加强组织领导。
"""


def test_chapters_cn_domains_and_comma_items():
    plan = parse_text(SYNTHETIC, "synthetic.txt").plans[0]
    assert plan.title == "某某省儿童发展规划（2026—2035年）" and plan.level == "province"
    assert (plan.period_start, plan.period_end) == (2026, 2035)
    assert [d.title for d in plan.domains] == ["儿童与健康", "儿童与安全"]
    assert plan.counts() == {"domains": 2, "goals": 3, "measures": 3, "key_projects": 1}
    near = plan.domains[0].goals[1]
    assert near.text == "儿童近视率逐年下降，到2030年下降到40%以下。" and near.source.end_line == near.source.line + 1
    assert plan.domains[0].measures[1].text.startswith("12岁儿童口腔保健")


def _restyle(text: str) -> str:
    """Other numbering punctuation and half-width brackets: （1）→(1)、1．→1、（一）→(一)."""
    text = re.sub(r"（([一二三四五六七八九十]+)）", r"(\1)", text)
    text = re.sub(r"（(\d+)）", r"(\1)", text)
    return re.sub(r"^(\[bookmark: [^\]]*\])*(\d+)．\s*", r"\1\2、", text, flags=re.M)


def _break_lines(text: str) -> str:
    """Break every long line mid-sentence, with a blank line between the halves."""
    out = []
    for line in text.split("\n"):
        if len(line) > 80:
            cut = len(line) // 2
            while cut < len(line) and re.match(r"[\d\s.．、]", line[cut]):
                cut += 1  # never leave a half that starts with a digit
            out += [line[:cut], "", line[cut:]]
        else:
            out.append(line)
    return "\n".join(out)


def _stray_markup(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(("[bookmark: _Toc%d]" % i + l if i % 3 == 0 and l else "  " + l) for i, l in enumerate(lines))


@pytest.mark.parametrize(
    "variant",
    [_restyle, _break_lines, _stray_markup, lambda t: t.replace("\n", "\n\n"), lambda t: _break_lines(_restyle(t))],
    ids=["restyled", "broken-lines", "stray-markup", "double-spaced", "restyled+broken"],
)
def test_reformatted_real_plan_keeps_its_counts(variant):
    plan = parse_text(variant(LUCHENG), "variant.txt").plans[0]
    assert plan.counts() == LUCHENG_COUNTS


def test_crlf_bom_and_gb18030_give_the_same_plan():
    base = parse_text(LUCHENG, "x.txt").plans[0]
    for data, encoding in [
        (LUCHENG.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + LUCHENG.encode("utf-8"), "utf-8-sig"),
        (LUCHENG.encode("gb18030"), "gb18030"),
    ]:
        parsed = parse_bytes(data, "x.txt")
        assert parsed.encoding == encoding
        assert parsed.plans[0].counts() == base.counts()
        assert [u.text for _, u in parsed.plans[0].units()] == [u.text for _, u in base.units()]
        assert [u.source.line for _, u in parsed.plans[0].units()] == [u.source.line for _, u in base.units()]
    assert any("GB18030" in n for n in parse_bytes(LUCHENG.encode("gb18030"), "x.txt").notices)


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (b"  \n\n \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("这是一段没有任何规划结构的文字。\n第二行。\n".encode(), "no plan structure"),
        (
            "某某市儿童发展规划（2021—2030年）\n一、总体要求\n二、发展领域\n（一）儿童与健康\n（二）儿童与安全\n".encode(),
            "no goals or measures",
        ),
        (b"\xff\xfe\xfa\xfb" * 50, "not valid UTF-8 nor GB18030"),
    ],
)
def test_bad_input_is_named_and_explained(data, reason):
    with pytest.raises(ParseError) as err:
        parse_bytes(data, "bad.txt")
    assert err.value.file == "bad.txt" and reason in str(err.value)
    assert str(err.value).startswith("bad.txt")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ParseError, match="not found"):
        parse_file(tmp_path / "gone.txt")
    with pytest.raises(ParseError, match="directory"):
        parse_file(tmp_path)


def test_no_structure_error_names_the_line():
    text = "某某市儿童发展规划（2021—2030年）\n一、总体要求\n二、发展领域\n（一）儿童与健康\n（二）儿童与安全\n"
    with pytest.raises(ParseError) as err:
        parse_text(text, "empty-domains.txt")
    assert err.value.line == 4
