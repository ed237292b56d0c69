"""Document titles cited without 《》, and whether a title names its own issuer or region.

An unbracketed title is taken only where its form is unmistakable, because running text is full of
"关于……的要求" and "按规定":

* an issuer, then 关于……的 and a document word: 中共中央 国务院关于优化生育政策促进人口长期均衡发展的决定,
  国务院关于……的意见, 浙江省人民政府办公厅关于……的通知;
* 关于……的 + 决定 / 意见 / 通知 right after a citing verb (贯彻, 落实, 根据 …): 落实关于……的意见;
* a province (or, after a citing verb, a city or county) and a regulation's ending: 浙江省家庭教育促进条例,
  贯彻落实杭州市未成年人保护条例, 浙江省实施〈……〉办法.

The body of a title has no sentence punctuation and no word of running text (按, 有关, 相关, 等 …), and a
title ends at its document word (not at 意见建议 or 决定书).
"""

from __future__ import annotations

import re

HAN = "\u4e00-\u9fff"
PROVINCES = (
    "北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 江西省 山东省 "
    "河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 台湾省 内蒙古自治区 "
    "广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区"
).split()
_PROVINCE = "|".join(PROVINCES)
PROVINCE = re.compile(_PROVINCE)
_LOCAL = rf"[{HAN}]{{2,4}}?(?:市|县|区|州|盟|旗)"
_MINISTRIES = (
    "教育部 民政部 公安部 司法部 财政部 人力资源社会保障部 人力资源和社会保障部 文化和旅游部 农业农村部 "
    "住房和城乡建设部 住房城乡建设部 交通运输部 应急管理部 商务部 工业和信息化部 科学技术部 科技部 生态环境部 "
    "自然资源部 退役军人事务部 水利部 外交部 国防部 中央宣传部 中共中央宣传部 中央组织部 中共中央组织部 "
    "中央政法委 中央网信办 国家卫生健康委员会 国家卫生健康委 国家发展改革委 国家发展和改革委员会 国家医保局 "
    "国家市场监督管理总局 国家市场监管总局 国家统计局 国家体育总局 国家广播电视总局 国家新闻出版署"
).split()
_NATIONAL = (
    r"中共中央办公厅|国务院办公厅|中共中央|党中央|国务院|全国人民代表大会常务委员会|全国人大常委会|全国人民代表大会|"
    r"最高人民法院|最高人民检察院|全国妇联|中华全国妇女联合会|共青团中央|中国关心下一代工作委员会|国务院妇女儿童工作委员会|"
    r"国务院妇儿工委|" + "|".join(_MINISTRIES)
)
_LOCAL_BODY = r"(?:人民政府|政府|人民代表大会常务委员会|人大常委会|委员会|委)(?:办公厅|办公室)?"
ISSUER = rf"(?:{_NATIONAL}|(?:中共)?(?:{_PROVINCE}|{_LOCAL}){_LOCAL_BODY})"
ISSUERS = re.compile(rf"(?:{ISSUER})(?:[、]?(?:{ISSUER}))*(?:等[一二三四五六七八九十\d]+(?:个)?部门)?")
_BODY = rf"[{HAN}\d、“”〈〉（）()—\-]"
_ABOUT_WORDS = "指导意见|实施意见|若干意见|意见|决定|通知|规定|办法|决议|实施细则"
ABOUT = re.compile(rf"关于{_BODY}{{2,60}}?的(?P<word>{_ABOUT_WORDS})")
REGIONAL = re.compile(
    rf"(?:(?P<province>{_PROVINCE})|{_LOCAL})(?:{_LOCAL})?{_BODY}{{2,30}}?(?P<word>条例|实施办法|实施细则|办法)"
)
CITING = re.compile(r"贯彻落实|贯彻执行|贯彻|落实|执行|实施|根据|依据|依照|按照|遵照|对照|学习|宣传|遵循|响应|结合")
RUNNING_TEXT = re.compile(r"按|依照|依据|有关|相关|各级|等|要|应|的|和规定|其他")
NOT_AFTER = re.compile(r"建议|稿|书|反馈|和建议")
OPINION_WORDS = ("决定", "意见", "指导意见", "实施意见", "若干意见", "通知")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


class _Starts:
    """Where a title may start in one text: its start, after a non-Han character or 和/及/与, or right
    after a citing verb (``cited``)."""

    def __init__(self, text: str):
        self.text = text
        self.cited = {m.end() for m in CITING.finditer(text)}

    def ok(self, at: int) -> bool:
        before = self.text[at - 1] if at else ""
        return at == 0 or not _is_han(before) or before in "和及与" or at in self.cited


def unbracketed_titles(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, with issuer or region) of the titles cited without 《》 in ``text``."""
    starts = _Starts(text)
    out: list[tuple[int, int, bool]] = []
    for m in ABOUT.finditer(text):
        if NOT_AFTER.match(text, m.end()):
            continue
        issuers = _issuers_ending_at(starts, m.start())
        if issuers is not None:
            out.append((issuers, m.end(), True))
        elif m.group("word") in OPINION_WORDS and m.start() in starts.cited:
            out.append((m.start(), m.end(), False))
    # a regional title starts at a province (after a boundary) or right after a citing verb
    candidates = sorted({m.start() for m in PROVINCE.finditer(text) if starts.ok(m.start())} | starts.cited)
    done = 0
    for at in candidates:
        r = REGIONAL.match(text, at) if at >= done else None
        if (
            r is not None
            and (r.group("word") != "办法" or "实施" in r.group())
            and not RUNNING_TEXT.search(r.group())
            and (bool(r.group("province")) or at in starts.cited)
            and not any(a <= at < b for a, b, _ in out)
        ):
            out.append((at, r.end(), True))
            done = r.end()
    return sorted(out)


def _issuers_ending_at(starts: _Starts, end: int) -> int | None:
    """Where the issuers written just before ``end`` start (None: no issuer there): the nearest start
    that may begin a title, extended leftwards over further issuers (中共中央、国务院)."""
    text = starts.text
    valid = [a for a in range(end - 1, max(-1, end - 41), -1) if ISSUERS.fullmatch(text, a, end) and starts.ok(a)]
    if not valid:
        return None
    start = valid[0]
    for a in valid[1:]:
        if ISSUERS.fullmatch(text[a:start].rstrip("、")):
            start = a
    return start


def issuer_length(title: str) -> int:
    """Characters of the issuers a 关于 title starts with ("中共中央国务院关于…" → 7), else 0."""
    at = title.find("关于")
    return at if at > 0 and ISSUERS.fullmatch(title, 0, at) else 0


_SELF_NAMED = re.compile(rf"(?:中华人民共和国|中国|国家|全国|{_PROVINCE}|{_NATIONAL})")
_REGION_START = re.compile(rf"([{HAN}]{{2,4}}?)(?:市|县|区|盟|旗)")


def names_itself(title: str) -> bool:
    """The title says whose document it is: a national prefix, an issuer, a province or a region name
    (杭州市…, 盘山县…), so that it identifies the document without a lexicon."""
    if _SELF_NAMED.match(title) or issuer_length(title):
        return True
    region = _REGION_START.match(title)
    return region is not None and not any(c in region.group(1) for c in "市县区省")
