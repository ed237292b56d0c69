"""Agency extraction: lexicon, shared-suffix lists, abbreviations, roles, traps, 责任单位."""

import pytest

from graph.extract import agency_types, extract_unit, find_agencies, parse_responsible, responsible_mentions
from graph.extract.agency_lexicon import alias_table, canonical_label
from graph.model import GOAL, KEY_PROJECT, MEASURE, Source, Unit


def keys(text, region="", level=""):
    return [m.key for m in find_agencies(text, region, level)]


# ------------------------------------------------------------------ lexicon


def test_lexicon_covers_the_agencies_plans_name():
    have = {t["key"] for t in agency_types()}
    assert {
        "health",
        "education",
        "civil_affairs",
        "public_security",
        "justice",
        "court",
        "procuratorate",
        "hr_social_security",
        "finance",
        "development_reform",
        "womens_federation",
        "youth_league",
        "disabled_federation",
        "ggw",
        "science_association",
        "civilization_office",
        "propaganda",
        "cyberspace",
        "culture_tourism",
        "sports",
        "market_regulation",
        "housing",
        "natural_resources",
        "ecology_environment",
        "transport",
        "emergency",
        "medical_insurance",
        "statistics",
        "trade_union",
        "agriculture",
        "water",
        "radio_tv",
        "economy_it",
        "urban_management",
        "wcwc",
        "political_legal",
        "organization",
        "united_front",
        "veterans",
        "red_cross",
        "science_technology",
        "traffic_police",
    } <= have


def test_agency_types_expose_labels_and_aliases():
    health = next(t for t in agency_types() if t["key"] == "health")
    assert health["zh"] == "卫生健康部门" and health["en"] == "Health Commission"
    for alias in ("卫健委", "卫健局", "卫生健康局", "卫生健康部门", "卫生健康委", "卫生计生委", "卫生健康", "卫健"):
        assert alias in health["aliases"]


def test_every_alias_belongs_to_one_type():
    table = alias_table()  # raises on a conflict
    assert table["卫健"] == (("health",), False)
    assert table["卫健委"] == (("health",), True)
    assert table["公检法司"][0] == ("public_security", "procuratorate", "court", "justice")


@pytest.mark.parametrize(
    "region, level, label",
    [
        ("杭州市", "city", "杭州市卫生健康委员会"),
        ("鹿城区", "district", "鹿城区卫生健康局"),
        ("盘山县", "county", "盘山县卫生健康局"),
        ("浙江省", "province", "浙江省卫生健康委员会"),
        ("", "", "卫生健康部门"),
    ],
)
def test_canonical_label_by_level(region, level, label):
    assert canonical_label("health", region, level) == label


def test_canonical_label_templates_and_level_inferred_from_region():
    assert canonical_label("youth_league", "衢州市") == "共青团衢州市委员会"
    assert canonical_label("propaganda", "曾都区") == "曾都区委宣传部"
    assert canonical_label("court", "杭州市") == "杭州市中级人民法院"


# ------------------------------------------------------------------ names and prefixes


def test_level_prefixed_names_resolve_to_one_type():
    for text in ("市卫健委", "区卫健局", "卫生健康部门", "县卫生健康局", "省卫生健康委员会", "卫生计生委"):
        assert keys(text) == ["health"], text
    assert keys("县教育局") == ["education"]
    assert keys("省妇联") == ["womens_federation"]


def test_label_uses_plan_region_and_keeps_surface():
    [m] = find_agencies("（3）市卫健委负责儿童健康工作", "杭州市", "city")
    assert (m.key, m.label, m.surface, m.role) == ("health", "杭州市卫生健康委员会", "市卫健委", "lead")
    assert m.start == 3


def test_prefix_of_other_level_names_that_level():
    by_key = {m.key: m for m in find_agencies("省妇联、区统计局", "杭州市", "city")}
    assert by_key["womens_federation"].label == "省妇女联合会"
    assert by_key["statistics"].label == "区统计局"


def test_party_committee_prefixes():
    found = find_agencies("团市委、市文明办、市委宣传部、市委网信办", "温州市", "city")
    assert [(m.key, m.label) for m in found] == [
        ("youth_league", "共青团温州市委员会"),
        ("civilization_office", "温州市委精神文明建设委员会办公室"),
        ("propaganda", "温州市委宣传部"),
        ("cyberspace", "温州市委网络安全和信息化委员会办公室"),
    ]


def test_department_forms():
    assert keys("教育行政部门和司法行政部门") == ["education", "justice"]
    assert keys("禁止除公安机关以外的任何组织或者个人收集被拐卖儿童") == ["public_security"]
    assert keys("符合法定情形的未成年人由县级以上民政部门代表国家进行监护") == ["civil_affairs"]


def test_national_body_keeps_its_name():
    [m] = find_agencies("落实最高人民检察院“一号检察建议”", "衢州市", "city")
    assert (m.key, m.label) == ("procuratorate", "最高人民检察院")


def test_one_mention_per_type_first_occurrence():
    found = find_agencies("市卫健委牵头，区卫健局配合，卫生健康部门参与")
    assert len(found) == 1 and found[0].surface == "市卫健委" and found[0].role == "lead"


def test_line_break_inside_a_name():
    assert keys("明确教育、文化旅\n游、体育等部门职责") == ["education", "culture_tourism", "sports"]


# ------------------------------------------------------------------ shared-suffix lists


def test_shared_suffix_list_from_corpus():
    text = "加强卫生健康、民政、残联、财政等部门之间的协作，以视力、听力、肢体、智力残疾及孤独症为重点"
    assert keys(text) == ["health", "civil_affairs", "disabled_federation", "finance"]


def test_shared_suffix_list_with_duo_bumen():
    text = "构建完善包含教育、公安、应急、卫健、司法、市场监管等多部门合作的儿童伤害防控工作机制"
    assert keys(text) == ["education", "public_security", "emergency", "health", "justice", "market_regulation"]


def test_list_skips_unknown_items_and_spans_two_suffixes():
    text = (
        "建立健全纵贯市、县、乡、村，横联民政、教育、公安、卫生健康、人力社保、对口支援和区域合作、"
        "共青团、妇联、残联等部门的儿童信息管理平台"
    )
    assert keys(text) == [
        "civil_affairs",
        "education",
        "public_security",
        "health",
        "hr_social_security",
        "youth_league",
        "womens_federation",
        "disabled_federation",
    ]
    text = "横联民政、教育、公安、人力社保、卫生健康等部门和团委、妇联、残联等群团组织的儿童信息管理平台"
    assert len(keys(text)) == 8


def test_list_separators_he_ji_yu():
    assert keys("加强学校与交通、交警、应急等部门沟通和合作") == ["transport", "traffic_police", "emergency"]
    assert keys("民政和教育部门") == ["civil_affairs", "education"]
    assert keys("由财政及人社等部门共同保障") == ["finance", "hr_social_security"]


def test_list_ending_in_deng_with_a_named_body():
    text = "完善项目管理平台的作用，实现残联、教育、卫健、医保、妇联等信息互联互通。"
    assert keys(text) == ["disabled_federation", "education", "health", "medical_insurance", "womens_federation"]


def test_list_of_fields_is_not_a_list_of_agencies():
    assert keys("重视在卫生、教育、文旅等女性集中的行业提高决策管理层中的女性比例") == []
    assert keys("增加县乡两级儿童教育、科技、文化、体育、娱乐等校外活动设施和场所") == []


def test_synthetic_list_in_another_city():
    text = "由区住建、自然资源和规划、生态环境、城管等部门负责儿童友好空间建设"
    found = find_agencies(text, "西湖区", "district")
    assert [m.key for m in found] == ["housing", "natural_resources", "ecology_environment", "urban_management"]
    assert {m.role for m in found} == {"lead"}
    assert found[0].label == "西湖区住房和城乡建设局"


# ------------------------------------------------------------------ abbreviations


def test_gong_jian_fa_si_is_four_bodies():
    assert keys("健全未成年人司法工作体系。公检法司部门应当确定专门机构") == [
        "public_security",
        "procuratorate",
        "court",
        "justice",
    ]


def test_gong_jian_fa_is_three_bodies():
    assert keys("支持公检法普遍设立办理涉及未成年人案件专门工作机构") == ["public_security", "procuratorate", "court"]


def test_abbreviation_inside_a_list():
    text = "进一步深化公检法司、教育、民政、卫健、妇联、团委等儿童关爱保护多部门联合工作机制内涵"
    assert keys(text) == [
        "public_security",
        "procuratorate",
        "court",
        "justice",
        "education",
        "civil_affairs",
        "health",
        "womens_federation",
        "youth_league",
    ]


# ------------------------------------------------------------------ traps


@pytest.mark.parametrize(
    "text",
    [
        "强化院内产前、产时及产后密切合作等多学科协作和联动",  # 科协
        "建立符合儿童早期发展特点的产科、儿科和儿童保健科等多学科协作机制",
        "推进儿童发展统计监测制度化建设",  # 统计
        "将家庭教育工作经费纳入财政预算",  # 财政
        "财政资金优先保障教育投入",
        "各级财政应加大对儿童发展重点领域投入力度",
        "加强儿童教育，完善司法保护制度，促进司法公正",  # bare 教育 / 司法
        "加强司法机关与政府部门、人民团体、社会组织的合作",  # 司法机关 is not the justice bureau
        "加大反家庭暴力法律法规实施力度",
        "加强文化市场监管和执法",  # 市场监管 as an activity
        "探索建立未成年人保护跨部门综合执法制度",  # 综合执法 as an activity
        "完善儿童参加城乡居民医保相关制度",  # 医保 as insurance
        "将儿童心理危机干预纳入应急预案",  # 应急
        "提高妇女参与生态环境保护的能力",
        "帮助农村妇女参与农业农村现代化建设",
        "支持女性科技人才投身科技创业，发展农村电子商务",
        "从致富女能手、经商务工女性中选拔村干部",
        "人大代表中的女性比例逐步提高。全区政协委员的女性比例逐步提高",
        "鼓励老年人大学开设课程",
        "召开职工会议，企业集团委托第三方评估",
        "做好组织部署和宣传部署",
    ],
)
def test_traps_are_not_agencies(text):
    assert keys(text) == []


def test_political_legal_committee_is_not_a_court():
    assert keys("市委政法委牵头，法院配合") == ["political_legal", "court"]
    assert keys("政法委") == ["political_legal"]


def test_education_department_is_education():
    assert keys("联合四市教育部门，加强研学基地建设") == ["education"]


def test_finance_bureau_and_prefixed_finance_are_agencies():
    assert keys("市财政可设立妇女儿童发展专项资金") == ["finance"]
    assert keys("由区财政局保障经费") == ["finance"]


# ------------------------------------------------------------------ roles


def test_roles_lead_partner_mentioned():
    text = "监测组由区统计局牵头，相关部门负责规划实施统计监测的人员参加。区妇儿工委组织开展评估。"
    found = {m.key: m.role for m in find_agencies(text)}
    assert found == {"statistics": "lead", "wcwc": "mentioned"}
    found = {m.key: m.role for m in find_agencies("由卫生健康部门负责，民政、残联等部门配合")}
    assert found == {"health": "lead", "civil_affairs": "partner", "disabled_federation": "partner"}
    found = {m.key: m.role for m in find_agencies("教育局会同公安局开展校园周边治理，团委参与")}
    assert found == {"education": "lead", "public_security": "partner", "youth_league": "partner"}


def test_head_of_an_organisation_is_not_a_lead_role():
    [m] = find_agencies("妇联负责人参加会议")
    assert m.role == "mentioned"


# ------------------------------------------------------------------ 责任单位


def test_parse_responsible_full_width_brackets():
    text = "新生儿听力筛查率达95%以上。（责任单位：市卫健委等）"
    cleaned, names = parse_responsible(text)
    assert cleaned == "新生儿听力筛查率达95%以上。" and names == ["市卫健委"]


def test_parse_responsible_keeps_names_as_written():
    text = "提升女大学心理健康水平。（责任单位：市卫健委、市教育局、市民政等、\n市妇联）"
    cleaned, names = parse_responsible(text)
    assert cleaned == "提升女大学心理健康水平。"
    assert names == ["市卫健委", "市教育局", "市民政", "市妇联"]


def test_parse_responsible_half_width_and_other_labels():
    assert parse_responsible("开展培训(牵头单位:区妇联;配合单位:区人社局、区总工会)")[1] == [
        "区妇联",
        "区人社局",
        "区总工会",
    ]
    assert parse_responsible("建设儿童公园。（责任部门：县住建局）")[1] == ["县住建局"]
    assert parse_responsible("没有责任单位的文字。") == ("没有责任单位的文字。", [])


def test_responsible_mentions_lead_then_partners():
    found = responsible_mentions(["市卫健委", "市教育局", "市民政", "市妇联"], "衢州市", "city")
    assert [(m.key, m.label, m.role) for m in found] == [
        ("health", "衢州市卫生健康委员会", "lead"),
        ("education", "衢州市教育局", "partner"),
        ("civil_affairs", "衢州市民政局", "partner"),
        ("womens_federation", "衢州市妇女联合会", "partner"),
    ]
    assert [m.surface for m in found][2] == "市民政"


def test_responsible_mentions_district_and_unknown_units():
    found = responsible_mentions(["区卫健局", "区残联", "区融媒体中心"], "鹿城区", "district")
    assert [(m.key, m.label, m.role) for m in found] == [
        ("health", "鹿城区卫生健康局", "lead"),
        ("disabled_federation", "鹿城区残疾人联合会", "partner"),
        ("other", "区融媒体中心", "partner"),
    ]


# ------------------------------------------------------------------ extract_unit


def _unit(kind, text):
    return Unit(kind=kind, number=1, text=text, source=Source("x.txt", 1, 0, len(text)))


def test_extract_unit_moves_responsible_units_of_a_key_project():
    text = (
        "（七）0—6周岁残疾儿童医教结合项目。完善“新发疑似残疾儿童”项目管理平台的作用，实现残联、教育、"
        "卫健、医保、妇联等信息互联互通。（责任单位：市残联、市教育局、市财政局、市卫健委等）"
    )
    unit = extract_unit(_unit(KEY_PROJECT, text), "衢州市", "city", 2025)
    assert "责任单位" not in unit.text
    assert unit.responsible == ["市残联", "市教育局", "市财政局", "市卫健委"]
    assert [(m.key, m.role) for m in unit.agencies] == [
        ("medical_insurance", "mentioned"),
        ("womens_federation", "mentioned"),
        ("disabled_federation", "lead"),
        ("education", "partner"),
        ("finance", "partner"),
        ("health", "partner"),
    ]
    again = extract_unit(unit, "衢州市", "city", 2025)  # idempotent
    assert again.responsible == unit.responsible and len(again.agencies) == 6


def test_extract_unit_fills_measures_and_their_indicators():
    text = "全面贯彻实施《中华人民共和国母婴保健法》，加强卫生健康、民政等部门协作，新生儿访视率保持在90％以上。"
    unit = extract_unit(_unit(MEASURE, text), "杭州市", "city", 2025)
    assert [m.key for m in unit.agencies] == ["health", "civil_affairs"]
    assert [law.title for law in unit.laws] == ["中华人民共和国母婴保健法"]
    assert [(i.name, i.value, i.year) for i in unit.indicators] == [("新生儿访视率", 90.0, 2025)]
    goal = extract_unit(_unit(GOAL, text), "杭州市", "city", 2025)
    assert [(i.name, i.value, i.year) for i in goal.indicators] == [("新生儿访视率", 90.0, 2025)]


def test_find_agencies_reads_roles_from_a_responsible_bracket():
    text = "加强心理健康教育。（责任单位：市卫健委、市教育局、市民政等、市妇联）"
    assert [(m.key, m.role) for m in find_agencies(text)] == [
        ("health", "lead"),
        ("education", "partner"),
        ("civil_affairs", "partner"),
        ("womens_federation", "partner"),
    ]


# ------------------------------------------------------------------ the acting government


def found(text, region="", level=""):
    return [(m.key, m.label, m.surface, m.role) for m in find_agencies(text, region, level)]


@pytest.mark.parametrize(
    "text, region, level, expected",
    [
        # real sentences of the bundled plans
        (
            "县级以上人民政府开通并有效运行全国统一的儿童救助保护热线",  # 001_c3c85c2cfa5687ef.txt:114
            "盘山县",
            "county",
            ("government", "盘山县人民政府", "县级以上人民政府", "mentioned"),
        ),
        ("各级政府负责规划实施工作", "盘山县", "county", ("government", "盘山县人民政府", "各级政府", "lead")),
        (
            "各级人民政府应当将家庭教育事业发展纳入本级国民经济和社会发展规划",  # 002_fcf053abc1b695aa.txt:370
            "衢州市",
            "city",
            ("government", "衢州市人民政府", "各级人民政府", "mentioned"),
        ),
        (
            "健全政府主导、部门统筹、社会参与的儿童关爱服务体系",
            "衢州市",
            "city",
            ("government", "衢州市人民政府", "政府", "lead"),
        ),
        (
            "由区人民政府统筹家庭教育指导服务体系",  # 003_c9a26a7ca201c7c9.txt:25
            "鹿城区",
            "district",
            ("government", "鹿城区人民政府", "区人民政府", "lead"),
        ),
        (
            "县级及以上政府统筹家庭教育指导服务",  # 000_66127fe5ef2e4799.txt:86
            "杭州市",
            "city",
            ("government", "杭州市人民政府", "县级及以上政府", "lead"),
        ),
        (
            "落实区委、区政府工作要求",
            "曾都区",
            "district",
            ("government", "曾都区人民政府", "区政府", "mentioned"),
        ),
        (
            "加大政府购买服务力度，将符合条件的儿童保护服务项目纳入目录",
            "衢州市",
            "city",
            ("government", "衢州市人民政府", "政府", "mentioned"),
        ),
        # the plan's region in full, and another level's government
        ("衢州市人民政府负责组织实施", "衢州市", "city", ("government", "衢州市人民政府", "衢州市人民政府", "lead")),
        (
            "各县（市、区）政府结合当地实际，制定本地儿童发展规划",
            "衢州市",
            "city",
            ("government", "县人民政府", "各县（市、区）政府", "mentioned"),
        ),
        ("县级以上人民政府民政部门", "", "", None),  # a department of it: the civil affairs bureau only
    ],
)
def test_government_at_its_level(text, region, level, expected):
    got = [f for f in found(text, region, level) if f[0] == "government"]
    assert got == ([expected] if expected else [])


@pytest.mark.parametrize(
    "text",
    [
        "提高政府部门和社会公众对儿童权利的认识",  # 001_c3c85c2cfa5687ef.txt:163 (generic departments)
        "加强司法机关与政府部门、人民团体、社会组织的配合衔接",
        "落实政府有关部门、相关机构的责任",
        "家庭保护、学校保护、社会保护、网络保护、政府保护、司法保护全方位",  # the six protections of minors
        "市县两级均设置政府举办的标准化妇幼保健机构",  # 002_fcf053abc1b695aa.txt:259
        "推进数字政府、法治政府和服务型政府建设",
        "发挥有效市场和有为政府的作用",
        "中央政府转移支付资金",
        "用好地方政府专项债券",
        "市政府办公室印发实施方案",
        "设立政府性基金",
        "统筹协调政府力量和社会资源",  # 003_c9a26a7ca201c7c9.txt:133 (its means, not the body)
    ],
)
def test_government_traps(text):
    assert [f for f in found(text, "杭州市", "city") if f[0] == "government"] == []


def test_government_as_a_prefix_names_the_other_body_only():
    assert found("市政府妇儿工委负责规划组织实施", "杭州市", "city") == [
        ("wcwc", "杭州市人民政府妇女儿童工作委员会", "市政府妇儿工委", "lead")
    ]
    assert keys("区人民政府妇女儿童工作委员会办公室负责日常工作", "曾都区", "district") == ["wcwc"]


def test_another_regions_government_is_left_out():
    assert keys("杭州市政府印发通知", "衢州市", "city") == []


# ------------------------------------------------------------------ committees, pioneers, party school


@pytest.mark.parametrize(
    "text, surface",
    [
        ("村民委员会、居民委员会组织开展家教、家风、家训宣传", "村民委员会"),  # 000_66127fe5ef2e4799.txt:86
        ("强化村（居）民委员会对家庭监护和委托照护的监督责任", "村（居）民委员会"),  # 002_fcf053abc1b695aa.txt:478
        ("推动村（居）委会设立专人专岗", "村（居）委会"),  # 001_c3c85c2cfa5687ef.txt:75
        ("强化村(居)民委员会的监督责任", "村(居)民委员会"),
        ("社区居委会成员中女性比例保持在50%左右", "社区居委会"),  # 004_aa5ca547c2e032c6.txt:184
        ("村委会主任中女性比例逐步提高", "村委会"),
    ],
)
def test_village_and_residents_committees(text, surface):
    [m] = find_agencies(text, "盘山县", "county")
    assert (m.key, m.label, m.surface) == ("community_committee", "村（居）民委员会", surface)


@pytest.mark.parametrize(
    "text",
    [
        "贯彻落实村民委员会组织法和城市居民委员会组织法",  # laws, not the committees
        "城市和农村少先队员参加雏鹰争章活动率分别达到90%",  # members, not the organisation
        "配齐配强少先队辅导员",
    ],
)
def test_committee_and_pioneer_traps(text):
    assert [k for k in keys(text) if k in ("community_committee", "young_pioneers")] == []


def test_young_pioneers():
    # 002_fcf053abc1b695aa.txt:422
    assert found("充分发挥共青团、少先队组织育人作用", "衢州市", "city") == [
        ("youth_league", "共青团衢州市委员会", "共青团", "mentioned"),
        ("young_pioneers", "少先队衢州市工作委员会", "少先队", "mentioned"),
    ]
    assert keys("全面加强新时代少年先锋队工作") == ["young_pioneers"]


def test_party_school():
    # 004_aa5ca547c2e032c6.txt:319, and its half-width twin
    for text in ("将男女平等基本国策纳入党校（行政学院）培训内容", "纳入党校(行政学院)培训课程"):
        [m] = find_agencies(text, "曾都区", "district")
        assert (m.key, m.label) == ("party_school", "中共曾都区委党校")
    assert keys("纳入各级党校教学计划和各级干部培训规划") == ["party_school"]


# ------------------------------------------------------------------ bodies named through their people


def test_bodies_acting_through_their_people():
    # 001_c3c85c2cfa5687ef.txt:192
    text = "建立完善法官、检察官、行政执法人员、律师在法律实施过程中面向未成年人以案释法制度"
    assert found(text, "盘山县", "county") == [
        ("court", "盘山县人民法院", "法官", "mentioned"),
        ("procuratorate", "盘山县人民检察院", "检察官", "mentioned"),
    ]
    # 000_66127fe5ef2e4799.txt:125
    assert keys("设置交通警示标志和安全设施，派民警或协管员维护地处交通复杂路段的学校周边秩序") == ["public_security"]
    assert keys("由检察官、法官、人民警察等担任法治副校长") == ["procuratorate", "court", "public_security"]


@pytest.mark.parametrize(
    "text",
    [
        "提高女法官、女检察官、女警察的比例",  # a statistic about members
        "法官中女性比例逐步提高",
        "学习宣传法官法、检察官法和人民警察法",  # laws
        "支持人民警察学院开设课程",
        "组织模拟法庭活动，由学生担任小法官",
    ],
)
def test_people_traps(text):
    assert keys(text) == []


# ------------------------------------------------------------------ offsets and spans


def test_mention_offsets_cover_the_surface():
    text = "市卫健委牵头，\n县级以上人民政府、法官和村（居）民委员会参与"
    for m in find_agencies(text, "杭州市", "city"):
        assert "".join(text[m.start : m.end].split()) == m.surface


def test_extract_file_places_every_mention_in_the_source_text():
    from graph.extract import extract_file
    from graph.parse import parse_text

    text = (
        "杭州市儿童发展规划（2021—2030年）\n"
        "根据《中华人民共和国未成年人保护法》和\n《浙江省儿童发展“十四五”规划》，制定本规划。\n"
        "一、主要目标和策略措施\n"
        "（一）儿童与健康\n"
        "主要目标：\n"
        "1.婴儿死亡率控制在5‰以下。\n"
        "策略措施：\n"
        "1.加强儿童健康管理\n各级政府负责，市卫健委牵头，\n  民政、教育等部门配合。落实《母婴保健法》。\n"
        "二、重点项目\n"
        "1.儿童友好医院建设。（责任单位：市卫健委、市民政局）\n"
        "三、组织实施\n"
    )
    pf = extract_file(parse_text(text, "t.txt"))
    plan = pf.plans[0]
    mentions = list(plan.preamble_laws) + [m for _, u in plan.units() for m in (*u.agencies, *u.laws)]
    assert len(mentions) >= 8
    for m in mentions:
        assert m.span is not None, m
        written = text[m.span.start : m.span.end]
        assert "".join(written.split()) == m.surface, (written, m)
        assert m.span.line == text.count("\n", 0, m.span.start) + 1
    kp = plan.key_projects[0]
    assert [(m.surface, m.role) for m in kp.agencies] == [("市卫健委", "lead"), ("市民政局", "partner")]
