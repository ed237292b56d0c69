"""Law and policy extraction: 《》 titles, bare law names, canonical titles, document types."""

import pytest

from graph.extract import canonical_law, find_laws


def titles(text):
    return [(law.title, law.doc_type, law.bracketed) for law in find_laws(text)]


@pytest.mark.parametrize(
    "title, expected",
    [
        ("民法典", ("中华人民共和国民法典", "law")),
        ("《宪法》", ("中华人民共和国宪法", "law")),
        ("反家庭暴力法", ("中华人民共和国反家庭暴力法", "law")),
        ("中华人民共和国未成年人保护法", ("中华人民共和国未成年人保护法", "law")),
        ("未保法", ("中华人民共和国未成年人保护法", "law")),
        ("精神卫生法", ("中华人民共和国精神卫生法", "law")),  # not in the alias file
        ("浙江省家庭教育促进条例", ("浙江省家庭教育促进条例", "regulation")),
        (
            "浙江省实施〈中华人民共和国妇女权益保障法〉办法",
            ("浙江省实施〈中华人民共和国妇女权益保障法〉办法", "regulation"),
        ),
        ("女职工劳动保护特别规定", ("女职工劳动保护特别规定", "regulation")),
        ("中国儿童发展纲要（2021-2030年）", ("中国儿童发展纲要（2021—2030年）", "outline")),
        ("中国儿童发展纲要(2021–2030年)", ("中国儿童发展纲要（2021—2030年）", "outline")),
        ("青少年法治教育大纲", ("青少年法治教育大纲", "outline")),
        (
            "杭州市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
            ("杭州市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "outline"),
        ),
        ("浙江省儿童发展“十四五”规划", ("浙江省儿童发展“十四五”规划", "plan")),
        ('浙江省儿童发展"十四五"规划', ("浙江省儿童发展“十四五”规划", "plan")),
        ("健康中国行动（2019—2030年）", ("健康中国行动（2019—2030年）", "plan")),
        ("关于优化生育政策促进人口长期均衡发展的决定", ("关于优化生育政策促进人口长期均衡发展的决定", "opinion")),
        ("关于全面加强新时代大中小学劳动教育的意见", ("关于全面加强新时代大中小学劳动教育的意见", "opinion")),
        ("国家学生体质健康标准", ("国家学生体质健康标准", "standard")),
        ("学生心理健康教育指南", ("学生心理健康教育指南", "standard")),
        ("儿童权利公约", ("联合国儿童权利公约", "other")),
    ],
)
def test_canonical_law(title, expected):
    assert canonical_law(title) == expected


@pytest.mark.parametrize("title", ["雾山五行", "胡柚娃", "今日说法", "我们一起学法", "小猪佩奇", ""])
def test_titles_that_are_not_documents(title):
    assert canonical_law(title) is None


def test_bracketed_titles_from_corpus():
    text = (
        "全面贯彻实施《中华人民共和国母婴保健法》《“健康杭州2030”规划纲要》，依法依规开展儿童健康服务。"
        "贯彻落实《浙江省家庭教育促进条例》。"
    )
    assert titles(text) == [
        ("中华人民共和国母婴保健法", "law", True),
        ("“健康杭州2030”规划纲要", "outline", True),
        ("浙江省家庭教育促进条例", "regulation", True),
    ]


def test_nested_title():
    text = "全面落实《中国妇女发展纲要（2011—2020年）》《浙江省实施〈中华人民共和国妇女权益保障法〉办法》"
    assert [law.title for law in find_laws(text)] == [
        "中国妇女发展纲要（2011—2020年）",
        "浙江省实施〈中华人民共和国妇女权益保障法〉办法",
    ]
    # 《》 nested in 《》 is normalised to 〈〉
    [law] = find_laws("《浙江省实施《中华人民共和国妇女权益保障法》办法》")
    assert law.title == "浙江省实施〈中华人民共和国妇女权益保障法〉办法"


def test_abbreviated_titles_are_canonical_and_deduplicated():
    text = "宣传《民法典》《反家庭暴力法》。学习《中华人民共和国民法典》。"
    found = find_laws(text)
    assert [(law.title, law.surface) for law in found] == [
        ("中华人民共和国民法典", "《民法典》"),
        ("中华人民共和国反家庭暴力法", "《反家庭暴力法》"),
    ]
    assert found[0].start == 2


def test_dash_variants_are_one_document():
    text = "根据《中国儿童发展纲要（2021-2030年）》和《中国儿童发展纲要（2021—2030年）》"
    assert [law.title for law in find_laws(text)] == ["中国儿童发展纲要（2021—2030年）"]


def test_animation_titles_are_not_returned():
    text = "推出《雾山五行》《胡柚娃》等优秀动画作品，宣传《未成年人保护法》。"
    assert titles(text) == [("中华人民共和国未成年人保护法", "law", True)]


def test_work_titles_followed_by_a_work_word_are_not_returned():
    assert find_laws("开播《安全出行指南》栏目") == []


def test_bare_law_names():
    assert titles("4. 深入实施反家庭暴力法，预防和制止针对妇女一切形式的家庭暴力。") == [
        ("中华人民共和国反家庭暴力法", "law", False)
    ]
    assert titles("加强未成年人保护法的实施，落实法律监督。") == [("中华人民共和国未成年人保护法", "law", False)]
    assert titles("学习宣传民法典和家庭教育促进法") == [
        ("中华人民共和国民法典", "law", False),
        ("中华人民共和国家庭教育促进法", "law", False),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "加大反家庭暴力法律法规实施力度",  # 法律法规, not the law
        "开展未成年人保护法治宣传",  # 法治
        "提高妇女遵法学法用法的意识和能力",
        "全面贯彻落实男女平等宪法原则和基本国策",  # bare 宪法 is too generic
        "完善劳动法规体系",
    ],
)
def test_bare_name_traps(text):
    assert find_laws(text) == []


def test_bare_name_inside_a_bracketed_title_is_not_repeated():
    found = find_laws("贯彻《浙江省实施〈中华人民共和国妇女权益保障法〉办法》")
    assert len(found) == 1 and found[0].doc_type == "regulation"


def test_line_break_inside_a_title():
    [law] = find_laws("贯彻落实《浙江省家庭教育\n促进条例》")
    assert law.title == "浙江省家庭教育促进条例"
