"""Indicator extraction from goal sentences and indicator-table cells."""

import pytest

from graph.extract import find_indicators, parse_table_value


def rows(text, end_year=None):
    return [(i.name, i.comparator, i.value, i.unit, i.year) for i in find_indicators(text, end_year)]


# ------------------------------------------------------------------ comparators and units


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "食品安全得到有效保障，抽查批次合格率达到95%以上，确保儿童饮食安全。",
            [("抽查批次合格率", "ge", 95.0, "%", 2025)],
        ),
        ("科学规划学前教育，普惠性幼儿园覆盖率达到90%。", [("普惠性幼儿园覆盖率", "eq", 90.0, "%", 2025)]),
        ("12岁儿童龋患率控制在25％以内。", [("12岁儿童龋患率", "le", 25.0, "%", 2025)]),
        ("减少和避免儿童意外伤害，儿童伤害死亡率低于8.78/10万。", [("儿童伤害死亡率", "lt", 8.78, "1/10万", 2025)]),
        ("就业人员中女性比例保持在46%左右。", [("就业人员中女性比例", "approx", 46.0, "%", 2025)]),
        ("艾滋病母婴传播率下降至 2%以下。", [("艾滋病母婴传播率", "le", 2.0, "%", 2025)]),
        (
            "小学生近视率降至38％以下，初中生近视率降至60％以下。",
            [("小学生近视率", "le", 38.0, "%", 2025), ("初中生近视率", "le", 60.0, "%", 2025)],
        ),
        ("学前教育毛入园率达到并保持在90%以上。", [("学前教育毛入园率", "ge", 90.0, "%", 2025)]),
        (
            "空气质量优良天数比率不低于市定考核目标 87%，重点城市声环境功能区夜间达标率 $\\geq 80\\%$ 。",
            [
                ("空气质量优良天数比率", "ge", 87.0, "%", 2025),
                ("重点城市声环境功能区夜间达标率", "ge", 80.0, "%", 2025),
            ],
        ),
        (
            "全市每千名儿童床位数增加到2.2张以上；每千名儿童儿科执业（助理）医师数达到1名以上。",
            [("每千名儿童床位数", "ge", 2.2, "张", 2025), ("每千名儿童儿科执业（助理）医师数", "ge", 1.0, "名", 2025)],
        ),
        ("0-6岁儿童眼保健和视力检查覆盖率90％以上。", [("0-6岁儿童眼保健和视力检查覆盖率", "ge", 90.0, "%", 2025)]),
        ("严重致残的出生缺陷发生率控制在9‰以下。", [("严重致残的出生缺陷发生率", "le", 9.0, "‰", 2025)]),
        ("新生儿遗传代谢性疾病筛查率达 98% 以上。", [("新生儿遗传代谢性疾病筛查率", "ge", 98.0, "%", 2025)]),
        (
            "镇、街道、管委会党政领导班子中至少各配备 1 名女干部。",
            [("镇、街道、管委会党政领导班子中女干部", "ge", 1.0, "名", 2025)],
        ),
        ("保证婴儿母乳喂养达到6个月以上。", [("保证婴儿母乳喂养", "ge", 6.0, "个月", 2025)]),
        ("5 岁以下儿童低体重率控制在 5 % 以下。", [("5岁以下儿童低体重率", "le", 5.0, "%", 2025)]),
        ("儿童伤害死亡率≤7.49/10万。", [("儿童伤害死亡率", "le", 7.49, "1/10万", 2025)]),
        ("孕产妇死亡率控制在7/10万以下。", [("孕产妇死亡率", "le", 7.0, "1/10万", 2025)]),
        ("到2030年，妇女人均预期寿命达到83岁以上。", [("妇女人均预期寿命", "ge", 83.0, "岁", 2030)]),
        ("女性平均受教育年限提高到11年。", [("女性平均受教育年限", "eq", 11.0, "年", 2025)]),
        ("高中阶段毛入学率达到９７％以上。", [("高中阶段毛入学率", "ge", 97.0, "%", 2025)]),
        (
            "中小学每班每月开设心理健康教育课不少于2课时。",
            [("中小学每班每月开设心理健康教育课", "ge", 2.0, "课时", 2025)],
        ),
    ],
)
def test_single_targets(text, expected):
    assert rows(text, 2025) == expected


def test_suffix_comparator_without_a_verb():
    assert rows("确保中小学生每天1小时以上体育活动时间。") == [("中小学生每天体育活动时间", "ge", 1.0, "小时", None)]
    assert rows("完善儿童社区阅读场所和功能，90%以上的社区图书馆设立亲子阅读区。") == [
        ("社区图书馆设立亲子阅读区", "ge", 90.0, "%", None)
    ]


def test_metric_followed_by_value_borrows_the_subject():
    assert rows("孤儿和事实无人抚养儿童基本生活养育标准年均提高6%以上，保障率100%。") == [
        ("孤儿和事实无人抚养儿童基本生活养育标准", "ge", 6.0, "%/年", None),
        ("孤儿和事实无人抚养儿童保障率", "eq", 100.0, "%", None),
    ]


def test_share_of_a_whole():
    assert rows("示范型儿童之家达到儿童之家总数的15%以上。") == [
        ("示范型儿童之家占儿童之家总数比例", "ge", 15.0, "%", None)
    ]


def test_counting_unit_qualifier_is_dropped():
    assert rows("适龄儿童免疫规划疫苗接种率以镇（街道）为单位保持在90%以上。") == [
        ("适龄儿童免疫规划疫苗接种率", "ge", 90.0, "%", None)
    ]


# ------------------------------------------------------------------ distributive lists and years


def test_three_names_three_values():
    assert rows("新生儿、婴儿和5岁以下儿童死亡率分别控制在3.0‰以下、3.0‰和4.0‰以下。", 2025) == [
        ("新生儿死亡率", "le", 3.0, "‰", 2025),
        ("婴儿死亡率", "le", 3.0, "‰", 2025),
        ("5岁以下儿童死亡率", "le", 4.0, "‰", 2025),
    ]


def test_shared_subject():
    assert rows("普及儿童健康生活方式，5岁以下儿童贫血患病率、生长迟缓率分别控制在9.0%、0.6%以下。") == [
        ("5岁以下儿童贫血患病率", "le", 9.0, "%", None),
        ("5岁以下儿童生长迟缓率", "le", 0.6, "%", None),
    ]
    assert rows("5 岁以下儿童贫血患病率和生长迟缓率分别控制在 8% 和 4% 以下") == [
        ("5岁以下儿童贫血患病率", "le", 8.0, "%", None),
        ("5岁以下儿童生长迟缓率", "le", 4.0, "%", None),
    ]


def test_two_years_two_values():
    text = (
        "到2025年和2030年，产前筛查率分别达80%以上和82%以上，孕产妇死亡率分别控制到万分之一以下和"
        "十万分之九以下，优于全省平均水平，城乡、区域差距逐步缩小。"
    )
    assert rows(text, 2030) == [
        ("产前筛查率", "ge", 80.0, "%", 2025),
        ("产前筛查率", "ge", 82.0, "%", 2030),
        ("孕产妇死亡率", "le", 1.0, "1/万", 2025),
        ("孕产妇死亡率", "le", 9.0, "1/10万", 2030),
    ]


def test_year_inside_the_sentence_and_names_carried_over():
    text = (
        "新生儿、婴儿和5岁以下儿童死亡率到2025年分别控制在3.0‰、4.5‰和5.5‰以下，到2030年分别控制在"
        "2.3‰、3.4‰和4.4‰以下，地区和城乡差距逐步缩小。新生儿访视率保持在90%以上。"
    )
    assert rows(text, 2030) == [
        ("新生儿死亡率", "le", 3.0, "‰", 2025),
        ("婴儿死亡率", "le", 4.5, "‰", 2025),
        ("5岁以下儿童死亡率", "le", 5.5, "‰", 2025),
        ("新生儿死亡率", "le", 2.3, "‰", 2030),
        ("婴儿死亡率", "le", 3.4, "‰", 2030),
        ("5岁以下儿童死亡率", "le", 4.4, "‰", 2030),
        ("新生儿访视率", "ge", 90.0, "%", 2030),
    ]


def test_spaced_years_and_values():
    text = "培养儿童良好运动和睡眠习惯，2025 年和 2030 年，学生体质健康标准达标优良率分别达 50% 以上和 60% 以上。"
    assert rows(text) == [
        ("学生体质健康标准达标优良率", "ge", 50.0, "%", 2025),
        ("学生体质健康标准达标优良率", "ge", 60.0, "%", 2030),
    ]


def test_single_year_clause_applies_to_the_sentence():
    assert rows("2025年，每千人口拥有3岁以下婴幼儿托位数达到4.5个，以后保持稳定增长。", 2030) == [
        ("每千人口拥有3岁以下婴幼儿托位数", "eq", 4.5, "个", 2025)
    ]


def test_shared_value_with_jun():
    assert rows("孕产妇艾滋病、梅毒、乙肝检测率均达98%以上，提高孕早期检测率。") == [
        ("孕产妇艾滋病检测率", "ge", 98.0, "%", None),
        ("孕产妇梅毒检测率", "ge", 98.0, "%", None),
        ("孕产妇乙肝检测率", "ge", 98.0, "%", None),
    ]
    assert [r[0] for r in rows("药品、化妆品质量抽检合格率和日常专用消费品质量抽查复查合格率均 98%以上")] == [
        "药品质量抽检合格率",
        "化妆品质量抽检合格率",
        "日常专用消费品质量抽查复查合格率",
    ]


def test_two_complete_metrics_share_one_value():
    assert rows("3岁以下儿童系统管理率和7岁以下儿童健康管理率保持在90%以上。") == [
        ("3岁以下儿童系统管理率", "ge", 90.0, "%", None),
        ("7岁以下儿童健康管理率", "ge", 90.0, "%", None),
    ]


def test_combined_indicator_is_not_split():
    assert rows("公办幼儿园和普惠性民办幼儿园覆盖率达82%以上。") == [
        ("公办幼儿园和普惠性民办幼儿园覆盖率", "ge", 82.0, "%", None)
    ]


def test_synthetic_goal_of_another_county():
    text = "到2027年，全县婴儿死亡率和5岁以下儿童死亡率分别降至4‰和6‰以下，儿童肥胖率不高于8%。"
    assert rows(text, 2030) == [
        ("婴儿死亡率", "le", 4.0, "‰", 2027),
        ("5岁以下儿童死亡率", "le", 6.0, "‰", 2027),
        ("儿童肥胖率", "le", 8.0, "%", 2027),
    ]


# ------------------------------------------------------------------ relative targets


def test_relative_to_a_base_year():
    [ind] = find_indicators("儿童伤害所致死亡和残疾减少。儿童伤害死亡率以2020年为基数下降20%。", 2030)
    assert (ind.name, ind.comparator, ind.value, ind.unit, ind.year, ind.baseline_year) == (
        "儿童伤害死亡率",
        "le",
        -20.0,
        "%",
        2030,
        2020,
    )
    assert ind.text == "儿童伤害死亡率以2020年为基数下降20%"


def test_yearly_change_in_points():
    [ind] = find_indicators("实现儿童青少年总体近视率在2018年基础上每年降低1个百分点以上。")
    assert (ind.name, ind.comparator, ind.value, ind.unit, ind.baseline_year) == (
        "儿童青少年总体近视率",
        "le",
        -1.0,
        "个百分点/年",
        2018,
    )


# ------------------------------------------------------------------ precision


@pytest.mark.parametrize(
    "text",
    [
        "适龄儿童普遍接受高质量教育，提升“五育”水平。每位学生掌握1-2项运动技能。",
        "区级设1所标准化妇幼保健机构，设有1个危重新生儿救治中心。",
        "提高0—3岁婴幼儿托育水平。",
        "5岁以下儿童常见病得到有效控制，3岁以下婴幼儿照护服务体系健康发展。",
        "儿童总体近视率力争每年下降0.5-1个百分点。",
        "留守儿童和困境儿童关爱服务体系不断完善，残疾儿童康复救助人数逐年增加。",
        "地表水质量达到或优于Ⅲ类水体比例不低于市定目标。",
        "到2025年，形成较为完善的儿童友好政策体系。",
    ],
)
def test_numbers_without_a_comparator_are_not_targets(text):
    assert find_indicators(text) == []


def test_text_keeps_the_phrase():
    [ind] = find_indicators("普及儿童健康生活方式，农村自来水普及率达到 95%，提升城市集中式饮用水水质水源。")
    assert ind.text == "农村自来水普及率达到95%"


# ------------------------------------------------------------------ table cells


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("≤6", ("le", 6.0, None, None)),
        ("＜9.5", ("lt", 9.5, None, None)),
        ("<8.78", ("lt", 8.78, None, None)),
        ("≥1.94", ("ge", 1.94, None, None)),
        ("90.1%", ("eq", 90.1, "%", None)),
        ("94.30", ("eq", 94.3, None, None)),
        ("98 %以上", ("ge", 98.0, "%", None)),
        ("应援尽援", (None, None, None, "应援尽援")),
        ("逐年增加", (None, None, None, "逐年增加")),
        ("提高", (None, None, None, "提高")),
        ("", (None, None, None, None)),
        ("换届后当年达到100%，平时保持在85%以上", ("ge", 85.0, "%", "换届后当年达到100%，平时保持在85%以上")),
    ],
)
def test_parse_table_value(raw, expected):
    assert parse_table_value(raw) == expected


def test_table_indicator_from_a_row():
    from graph.extract import table_indicator
    from graph.model import IndicatorTable, Source, TableRow

    src = Source("x.txt", 1, 0, 1)
    table = IndicatorTable("衢州市儿童发展“十四五”规划重点指标目标表", src, baseline_year=2020, target_year=2025)
    row = TableRow(1, "严重致残的出生缺陷发生率", "1/‰", "7.06", "＜9.5", src)
    ind = table_indicator(row, table)
    assert (ind.name, ind.comparator, ind.value, ind.unit, ind.year, ind.baseline_value, ind.baseline_year) == (
        "严重致残的出生缺陷发生率",
        "lt",
        9.5,
        "‰",
        2025,
        7.06,
        2020,
    )
    row = TableRow(8, "获得法律机构援助的未成年人数", "人", "656", "应援尽援", src)
    ind = table_indicator(row, table)
    assert (ind.comparator, ind.value, ind.unit, ind.qualitative) == (None, None, "人", "应援尽援")


def test_per_mille_written_as_percent_is_corrected_for_child_mortality():
    text = "到2025年和2030年,新生儿死亡率分别降至3.5%以下和3%以下,婴儿死亡率分别控制在5%以下和4.5%以下。"
    found = find_indicators(text)
    assert [(i.name, i.value, i.unit, i.unit_as_written) for i in found] == [
        ("新生儿死亡率", 3.5, "‰", "%"),
        ("新生儿死亡率", 3.0, "‰", "%"),
        ("婴儿死亡率", 5.0, "‰", "%"),
        ("婴儿死亡率", 4.5, "‰", "%"),
    ]
    rate = find_indicators("普惠性幼儿园覆盖率达到90%以上。")[0]
    assert rate.unit == "%" and rate.unit_as_written is None
