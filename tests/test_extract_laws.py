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


def test_nested_title_cites_the_outer_regulation_and_the_inner_law():
    text = "全面落实《中国妇女发展纲要（2011—2020年）》《浙江省实施〈中华人民共和国妇女权益保障法〉办法》"
    found = find_laws(text)
    assert [(law.title, law.doc_type, law.within) for law in found] == [
        ("中国妇女发展纲要（2011—2020年）", "outline", ""),
        ("浙江省实施〈中华人民共和国妇女权益保障法〉办法", "regulation", ""),
        ("中华人民共和国妇女权益保障法", "law", "浙江省实施〈中华人民共和国妇女权益保障法〉办法"),
    ]
    inner = found[2]
    assert inner.surface == "〈中华人民共和国妇女权益保障法〉" and text[inner.start : inner.end] == inner.surface
    # 《》 nested in 《》 is normalised to 〈〉
    outer, inner = find_laws("《浙江省实施《中华人民共和国妇女权益保障法》办法》")
    assert outer.title == "浙江省实施〈中华人民共和国妇女权益保障法〉办法"
    assert (inner.title, inner.surface) == ("中华人民共和国妇女权益保障法", "《中华人民共和国妇女权益保障法》")


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


def test_law_inside_a_bracketed_title_is_cited_once_as_nested():
    found = find_laws("贯彻《浙江省实施〈中华人民共和国妇女权益保障法〉办法》")
    assert [(law.doc_type, law.bracketed, bool(law.within)) for law in found] == [
        ("regulation", True, False),
        ("law", True, True),
    ]
    # a short name inside: the law of the lexicon, once
    found = find_laws("深入实施《浙江省实施〈妇女权益保障法〉办法》和妇女权益保障法")
    assert [law.title for law in found] == ["浙江省实施〈妇女权益保障法〉办法", "中华人民共和国妇女权益保障法"]


def test_line_break_inside_a_title():
    [law] = find_laws("贯彻落实《浙江省家庭教育\n促进条例》")
    assert law.title == "浙江省家庭教育促进条例"


# ------------------------------------------------------------------ titles without 《》


def cited(text):
    return [(law.title, law.surface, law.doc_type, law.bracketed, law.resolution) for law in find_laws(text)]


def test_unbracketed_central_document_with_its_issuers_resolves_to_the_lexicon():
    # the brief's example, issuers separated by a space (dropped by normalisation) or 、
    for issuers in ("中共中央 国务院", "中共中央、国务院", "中共中央国务院"):
        text = f"认真贯彻{issuers}关于优化生育政策促进人口长期均衡发展的决定，完善生育支持政策。"
        [law] = find_laws(text)
        assert (law.title, law.doc_type, law.bracketed, law.resolution) == (
            "关于优化生育政策促进人口长期均衡发展的决定",
            "opinion",
            False,
            "lexicon",
        )
        assert law.surface.startswith("中共中央") and text[law.start : law.end].startswith("中共中央")


def test_unbracketed_title_in_a_corpus_sentence():
    # 002_fcf053abc1b695aa.txt (衢州市妇女发展“十四五”规划)
    text = "落实《中华人民共和国社会保险法》和中共中央、国务院关于深化医疗保障制度改革的意见及《浙江省医疗保障条例》。"
    assert cited(text) == [
        ("中华人民共和国社会保险法", "《中华人民共和国社会保险法》", "law", True, "lexicon"),
        (
            "关于深化医疗保障制度改革的意见",
            "中共中央、国务院关于深化医疗保障制度改革的意见",
            "opinion",
            False,
            "lexicon",
        ),
        ("浙江省医疗保障条例", "《浙江省医疗保障条例》", "regulation", True, "title"),
    ]


@pytest.mark.parametrize(
    "text, title, doc_type, resolution",
    [
        ("贯彻国务院关于加强困境儿童保障工作的意见，", "国务院关于加强困境儿童保障工作的意见", "opinion", "title"),
        (
            "全面落实教育部关于加强中小学生手机管理工作的通知",
            "教育部关于加强中小学生手机管理工作的通知",
            "opinion",
            "title",
        ),
        (
            "贯彻落实中共浙江省委关于推进儿童友好城市建设的决定",
            "中共浙江省委关于推进儿童友好城市建设的决定",
            "opinion",
            "title",
        ),
        ("贯彻落实浙江省家庭教育促进条例，", "浙江省家庭教育促进条例", "regulation", "title"),
        ("在全市贯彻落实杭州市未成年人保护条例", "杭州市未成年人保护条例", "regulation", "title"),
        ("落实校车安全管理条例", "校车安全管理条例", "regulation", "lexicon"),  # 001_c3c85c2cfa5687ef.txt
        ("全面实施国家学生体质健康标准，建立学生体质健康档案", "国家学生体质健康标准", "standard", "lexicon"),  # 003_…
        ("落实关于加强困境儿童保障工作的意见", "关于加强困境儿童保障工作的意见", "opinion", "unresolved"),
    ],
)
def test_unbracketed_titles(text, title, doc_type, resolution):
    [law] = find_laws(text)
    assert (law.title, law.doc_type, law.bracketed, law.resolution) == (title, doc_type, False, resolution)


def test_unbracketed_regulation_implementing_a_law_cites_both():
    found = find_laws("贯彻落实浙江省实施妇女权益保障法办法")
    assert [(law.title, law.within) for law in found] == [
        ("浙江省实施妇女权益保障法办法", ""),
        ("中华人民共和国妇女权益保障法", "浙江省实施妇女权益保障法办法"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "坚决落实党中央关于儿童工作的战略部署",  # 关于 … but no document word
        "贯彻党中央、省委、市委关于妇女事业发展的决策部署",
        "落实关于进一步减轻义务教育阶段学生作业负担和校外培训负担政策",  # 000_66127fe5ef2e4799.txt: a policy, no title
        "在实施规划过程中，重视听取关于规划实施的意见",  # 听取 is no citing verb
        "重视听取并采纳儿童的合理意见",
        "贯彻落实关于加强儿童保护的意见建议",
        "严格执行未成年工保护规定",  # a loose reference, not the title 未成年工特殊保护规定
        "校园周边严格按规定设置安全设施",
        "浙江省各级政府按照有关条例规定执行",
        "对实施规划先进集体和先进个人按照有关规定给予表彰",
        "除法律规定的特殊工种外",
        "完善公办学校与民办学校义务教育段同步招生实施办法",  # no issuer or region
    ],
)
def test_unbracketed_title_traps(text):
    assert find_laws(text) == []


# ------------------------------------------------------------------ resolution: nothing invented


def test_unknown_short_law_name_is_kept_as_written_and_flagged():
    # 004_aa5ca547c2e032c6.txt cites 《妇女儿童权益保护法》, a law that does not exist under that name
    [law] = find_laws("宣传《妇女儿童权益保护法》")
    assert (law.title, law.doc_type, law.resolution) == ("妇女儿童权益保护法", "law", "unresolved")
    assert "not in the lexicon" in law.note and "中华人民共和国 not assumed" in law.note
    assert canonical_law("妇女儿童权益保护法") == ("妇女儿童权益保护法", "law")


@pytest.mark.parametrize(
    "text, resolution, doc_type, note",
    [
        ("宣传《民法典》", "lexicon", "law", ""),
        ("落实《关于优化生育政策促进人口长期均衡发展的决定》", "lexicon", "opinion", ""),
        ("贯彻落实《浙江省家庭教育促进条例》", "title", "regulation", ""),
        ("落实《盘锦市儿童发展规划（2021-2030年）》", "title", "plan", ""),
        ("执行《国家学生体质健康标准》", "lexicon", "standard", ""),
        ("参照《学生心理健康教育指南》", "unresolved", "standard", "names no issuer or region"),
        ("实施《“健康杭州2030”规划纲要》", "unresolved", "outline", "typed by its ending"),
    ],
)
def test_every_citation_says_how_it_resolved(text, resolution, doc_type, note):
    [law] = find_laws(text)
    assert (law.resolution, law.doc_type) == (resolution, doc_type)
    assert (note in law.note) if note else law.note == ""


def test_laws_named_after_officials_are_laws_not_agencies():
    from graph.extract import find_agencies

    text = "学习宣传法官法、检察官法和人民警察法"
    assert [law.title for law in find_laws(text)] == [
        "中华人民共和国法官法",
        "中华人民共和国检察官法",
        "中华人民共和国人民警察法",
    ]
    assert find_agencies(text) == []


def test_offsets_point_at_the_surface():
    text = "全面贯彻实施《中华人民共和国母婴\n保健法》和中共中央 国务院关于深化医疗保障制度改革的意见，学习民法典。"
    for law in find_laws(text):
        assert law.start >= 0 and law.end > law.start
        assert "".join(text[law.start : law.end].split()) == law.surface
