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
        ("科学规划学前教育，普惠性幼儿园覆盖率达到90%。", [("普惠性幼儿园覆盖率", "ge", 90.0, "%", 2025)]),
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
        ("保证婴儿母乳喂养达到6个月以上。", [("婴儿母乳喂养", "ge", 6.0, "个月", 2025)]),
        ("5 岁以下儿童低体重率控制在 5 % 以下。", [("5岁以下儿童低体重率", "le", 5.0, "%", 2025)]),
        ("儿童伤害死亡率≤7.49/10万。", [("儿童伤害死亡率", "le", 7.49, "1/10万", 2025)]),
        ("孕产妇死亡率控制在7/10万以下。", [("孕产妇死亡率", "le", 7.0, "1/10万", 2025)]),
        ("到2030年，妇女人均预期寿命达到83岁以上。", [("妇女人均预期寿命", "ge", 83.0, "岁", 2030)]),
        ("女性平均受教育年限提高到11年。", [("女性平均受教育年限", "ge", 11.0, "年", 2025)]),
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
    found = find_indicators("孤儿和事实无人抚养儿童基本生活养育标准年均提高6%以上，保障率100%。")
    assert [(i.name, i.comparator, i.value, i.unit) for i in found] == [
        ("孤儿和事实无人抚养儿童基本生活养育标准", "ge", None, None),
        ("孤儿和事实无人抚养儿童保障率", "eq", 100.0, "%"),
    ]
    assert (found[0].change_direction, found[0].change_amount, found[0].change_unit) == ("increase", 6.0, "%/年")


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
        ("每千人口拥有3岁以下婴幼儿托位数", "ge", 4.5, "个", 2025)
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


def change(ind):
    return (ind.name, ind.value, ind.change_direction, ind.change_amount, ind.change_unit, ind.baseline_year)


def test_relative_to_a_base_year():
    [ind] = find_indicators("儿童伤害所致死亡和残疾减少。儿童伤害死亡率以2020年为基数下降20%。", 2030)
    # a relative target is a change, never the value -20 %
    assert change(ind) == ("儿童伤害死亡率", None, "decrease", 20.0, "%", 2020)
    assert (ind.comparator, ind.unit, ind.year, ind.year_inferred) == ("eq", None, 2030, True)
    assert ind.text == "儿童伤害死亡率以2020年为基数下降20%"


@pytest.mark.parametrize(
    "text, expected",
    [
        # 盘山 goal 1.1 (数据为基数), 曾都 children goal 2.1
        ("儿童伤害死亡率以2020年数据为基数下降20%。", ("儿童伤害死亡率", None, "decrease", 20.0, "%", 2020)),
        ("孕产妇死亡率比2020年降低10%。", ("孕产妇死亡率", None, "decrease", 10.0, "%", 2020)),
        ("儿童伤害死亡率较2020年下降1/3。", ("儿童伤害死亡率", None, "decrease", 33.33, "%", 2020)),
        ("5岁以下儿童死亡率下降三分之一。", ("5岁以下儿童死亡率", None, "decrease", 33.33, "%", None)),
        # 盘山 goal 1.10: the base is the baseline level, no year
        (
            "儿童超重、肥胖上升趋势得到有效控制。儿童超重率和肥胖率年均增幅在基线基础上下降80％。",
            ("儿童超重率和肥胖率年均增幅", None, "decrease", 80.0, "%", None),
        ),
        ("城乡居民收入比2020年增长30%左右。", ("城乡居民收入", None, "increase", 30.0, "%", 2020)),
    ],
)
def test_relative_targets(text, expected):
    [ind] = find_indicators(text, 2030)
    assert change(ind) == expected


def test_yearly_change_in_points():
    [ind] = find_indicators("实现儿童青少年总体近视率在2018年基础上每年降低1个百分点以上。")
    assert change(ind) == ("儿童青少年总体近视率", None, "decrease", 1.0, "个百分点/年", 2018)
    assert ind.comparator == "ge"  # a fall of at least one point a year


# ------------------------------------------------------------------ inferred target years


def test_year_from_the_plan_period_is_marked_inferred():
    written, inferred = find_indicators("到2025年，新生儿死亡率控制在3‰以下。婴儿死亡率控制在5‰以下。", 2030)
    assert (written.year, written.year_inferred) == (2025, False)
    assert (inferred.year, inferred.year_inferred) == (2030, True)
    [none] = find_indicators("婴儿死亡率控制在5‰以下。")
    assert (none.year, none.year_inferred) == (None, False)


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


# ------------------------------------------------------------------ measures (real sentences of the bundled plans)


@pytest.mark.parametrize(
    "text, expected",
    [
        # 衢州 children measure 2.1
        (
            "新生儿、婴儿和5岁以下儿童死亡率分别控制在3‰、5‰和6‰以下；儿童常见疾病和恶性肿瘤等严重危害儿童健康的"
            "疾病得到有效控制。严重多发致残的出生缺陷发生率控制在较低水平；0—6个月婴儿纯母乳喂养率达到65%以上；",
            [
                ("新生儿死亡率", "le", 3.0, "‰", 2025),
                ("婴儿死亡率", "le", 5.0, "‰", 2025),
                ("5岁以下儿童死亡率", "le", 6.0, "‰", 2025),
                ("0—6个月婴儿纯母乳喂养率", "ge", 65.0, "%", 2025),
            ],
        ),
        # 衢州 children measure 6.5
        (
            "推进未成年人保护公共法律服务网络、实体、热线平台建设，社区儿童维权机构覆盖率达到100%，县（市、区）"
            "“12355”青少年服务台基层工作站覆盖率达到100%，为未成年人提供高效、快捷的法律服务。",
            [
                ("社区儿童维权机构覆盖率", "ge", 100.0, "%", 2025),
                ("县（市、区）“12355”青少年服务台基层工作站覆盖率", "ge", 100.0, "%", 2025),
            ],
        ),
        # 衢州 children key project 3
        (
            "新生儿疾病筛查率达95%以上，新生儿听力筛查率达95%以上。（责任单位：市卫健委等）",
            [("新生儿疾病筛查率", "ge", 95.0, "%", 2025), ("新生儿听力筛查率", "ge", 95.0, "%", 2025)],
        ),
        # 衢州 children measure 2.3 / 2.4: the metric's subject is in the clause before
        ("加强新生儿规范化访视，访视率保持在90%以上。", [("新生儿规范化访视率", "ge", 90.0, "%", 2025)]),
        ("开展0—6岁儿童健康管理工作，管理率保持在90%以上。", [("0—6岁儿童健康管理率", "ge", 90.0, "%", 2025)]),
        # 盘山 measure 1.4: 至少 + verb
        (
            "依托儿科实力较强的医疗机构，县至少设有1个危重新生儿救治中心。",
            [("县危重新生儿救治中心", "ge", 1.0, "个", 2025)],
        ),
        # 盘山 measure 1.2: a short name borrows the per-capita subject; a target to reach is a floor (ge)
        (
            "每千名儿童拥有儿科执业（助理）医生达到1.12名、床位增至3.17张。",
            [
                ("每千名儿童拥有儿科执业（助理）医生", "ge", 1.12, "名", 2025),
                ("每千名儿童床位", "ge", 3.17, "张", 2025),
            ],
        ),
        # 盘山 measure 1.13: the population comes after the metric, then bare populations
        (
            "保证每天睡眠时间小学生达到10小时、初中生达到9小时、高中生达到8小时。",
            [
                ("小学生每天睡眠时间", "ge", 10.0, "小时", 2025),
                ("初中生每天睡眠时间", "ge", 9.0, "小时", 2025),
                ("高中生每天睡眠时间", "ge", 8.0, "小时", 2025),
            ],
        ),
        # 盘山 measure 3.13: a second count in the same phrase does not run into the name
        (
            "中小学每学期至少组织1次家庭教育指导和1次家庭教育实践活动。",
            [("中小学每学期家庭教育指导", "ge", 1.0, "次", 2025)],
        ),
    ],
)
def test_targets_in_measures(text, expected):
    assert rows(text, 2025) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # shares of a population (杭州 measure 2.5, 衢州 children measure 7.5, 曾都 children goal 5.5)
        ("推动80%的基层医疗机构开展标准化发育筛查。", [("基层医疗机构开展标准化发育筛查", "eq", 80.0, "%")]),
        ("市级和75%的县（市、区）建立儿童活动中心。", [("县（市、区）建立儿童活动中心", "eq", 75.0, "%")]),
        (
            "95%的城市社区和85%的农村社区(村)建立家长学校或家庭教育指导服务站点。",
            [
                ("城市社区建立家长学校或家庭教育指导服务站点", "eq", 95.0, "%"),
                ("农村社区(村)建立家长学校或家庭教育指导服务站点", "eq", 85.0, "%"),
            ],
        ),
        # counts to build (衢州 children measure 6.13, 曾都 children measure 3.4, 鹿城 key project 4)
        (
            "推进未成年人观护帮教基地建设，力争在5年内增建5个优质观护帮教基地。",
            [("增建优质观护帮教基地", "eq", 5.0, "个")],
        ),
        ("改扩建10所公办幼儿园。", [("改扩建公办幼儿园", "eq", 10.0, "所")]),
        ("每年开展心理健康教育及干预活动10场；", [("每年开展心理健康教育及干预活动", "eq", 10.0, "场")]),
        # a per-capita count without a comparator word (杭州 goal 2.8)
        ("提高0—3岁婴幼儿托育水平，实现每千人4.6个托位。", [("每千人托位数", "eq", 4.6, "个")]),
    ],
)
def test_shares_and_counts(text, expected):
    assert [(i.name, i.comparator, i.value, i.unit) for i in find_indicators(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        # ranges of counts and ages are not targets (衢州 children measures 5.4, 2.8; 杭州 measure 2.9)
        "加快儿童福利设施建设，全市建有1—2个区域性儿童福利机构，整合儿童福利服务资源。",
        "全市建成1—2个集养育、医疗、康复、教育、社会工作一体化发展的区域性儿童福利机构。",
        "保障学生每天校内、校外各1小时体育活动，帮助熟练掌握1—2项运动技能。",
        "新建城区义务教育学校2—3所。",
        "加强0—6岁儿童眼保健和视力检查，提升眼保健和视力检查覆盖率。",
        "指导学生形成1至2项艺术爱好和特长。",
        # ages, thresholds and rules (杭州 measures 6.3, 3.4; 盘山 measure 3.7; 衢州 children measure 2.2)
        "不得安排16周岁以上、18周岁以下未成年工从事禁止的劳动。",
        "校园周边200米以内禁设网吧、游艺娱乐场所。",
        "鼓励支持20万人口以上的县（区）办好一所达到标准的特殊教育学校。",
        "600名学生以下的非寄宿制中小学校，配备专兼职保健教师或卫生专业技术人员。",
        # a count that is not a target, numbers inside names, years and durations
        "以“1个示范型儿童之家联结N个基础型儿童之家”的方式，实现儿童之家服务全覆盖。",
        "加强“12338”妇女维权公益服务热线建设。",
        "贯彻落实《健康衢州2030行动纲要》，健全妇女健康保障工作机制。",
        "实施残疾儿童从学前到高中阶段15年免费教育。",
        "打造中心城区“10分钟急救圈”、非中心城区“15分钟急救圈”。",
    ],
)
def test_traps_in_measures(text):
    assert find_indicators(text, 2025) == []


# ------------------------------------------------------------------ concepts


def test_concepts_unify_wordings():
    from graph.extract import concept_key
    from graph.extract.indicator_concepts import normal_name

    same = [
        ("每千人口拥有3岁以下婴幼儿托位数", "每千人拥有3岁以下婴幼儿托位数", "每千人口3岁以下婴幼儿托位数"),
        ("0-6岁儿童眼保健和视力检查覆盖率", "0—6岁儿童眼保健和视力检查覆盖率", "0～6岁儿童眼保健和视力检查覆盖率"),
        ("高中阶段毛入学率", "高中阶段教育毛入学率"),
        ("就业人员中女性比例", "就业人员中女性的比例", "就业人员中女性比重"),
        ("普惠性幼儿园覆盖率", "普惠性幼儿园覆盖面", "普惠性幼儿园覆盖率（%）"),
        ("千名儿童儿科执业（助理）医师数", "每千名儿童儿科执业(助理)医师数"),
    ]
    for names in same:
        assert len({concept_key(n) for n in names}) == 1, names
    assert concept_key("每千人口拥有3岁以下婴幼儿托位数") == "childcare-places-per-1000"
    assert concept_key("新生儿死亡率") != concept_key("婴儿死亡率")
    assert normal_name("严重致残的出生缺陷发生率（1/‰）") == "严重致残出生缺陷发生率"
    # an unlisted name gets a key from its normal form: identical wordings still group
    key = concept_key("某某县 “十五五” 新指标达标率")
    assert key.startswith("name-") and key == concept_key("某某县“十五五”新指标达标率")


def test_every_indicator_of_the_bundled_plans_has_a_concept():
    from graph.extract import extract_file
    from graph.parse import parse_corpus
    from tests.corpus_util import CORPUS

    found = []
    for pf in parse_corpus(CORPUS):
        extract_file(pf)
        for plan in pf.plans:
            found += [(u.kind, i) for _, u in plan.units() for i in u.indicators]
            found += [("table", r.indicator) for t in plan.tables for r in t.rows]
    by_kind = {k: sum(1 for kind, _ in found if kind == k) for k in ("goal", "measure", "key_project", "table")}
    print("indicators per kind:", by_kind)
    assert all(i.concept for _, i in found)
    assert by_kind["measure"] >= 90  # measures state targets too (none were read before)
    listed = sum(1 for _, i in found if not i.concept.startswith("name-"))
    assert listed / len(found) > 0.95  # the concept list covers the bundled plans' wordings
    assert all(i.value is None or i.value >= 0 for _, i in found)  # no -20 % for "下降20%"
