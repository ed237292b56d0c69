"""Chinese display labels for the codes used in the graph."""

from __future__ import annotations

import datetime as dt

KIND = {"goal": "目标", "measure": "措施", "key_project": "重点项目"}
# how drafters cite a unit: 《…》“儿童与安全”策略措施 3
KIND_CITED = {"goal": "主要目标", "measure": "策略措施", "key_project": "重点项目"}
LEVEL = {"province": "省级", "city": "市级", "county": "县级", "district": "区级"}
PLAN_TYPE = {"children": "儿童", "women": "妇女", "other": "其他"}
ROLE = {"lead": "牵头", "partner": "配合", "mentioned": "提及"}
DOC_TYPE = {
    "law": "法律",
    "regulation": "法规",
    "plan": "规划",
    "outline": "纲要",
    "opinion": "意见",
    "standard": "标准",
    "other": "其他",
}
COMPARATOR = {"le": "≤", "lt": "<", "ge": "≥", "gt": ">", "eq": "=", "approx": "≈"}
SCORE = {"bm25": "关键词 BM25", "fused": "融合得分"}


def score_label(key: str) -> str:
    if key.startswith("dense:"):
        return "语义 " + key.split(":", 1)[1]
    return SCORE.get(key, key)


def doc_type_code(iri_or_code) -> str:
    """'https://w3id.org/plankg/ontology#doctype-law' -> 'law'."""
    s = str(iri_or_code or "")
    return s.rsplit("doctype-", 1)[-1] if "doctype-" in s else (s or "other")


def locator_label(locator: str) -> str:
    """'page=3' → '原文第 3 页'; 'paragraph=41' → '原文第 41 段'; 'xpath=/html/…' → '网页元素 /html/…'."""
    kind, _, value = locator.partition("=")
    if kind == "page":
        return f"原文第 {value} 页"
    if kind == "paragraph":
        return f"原文第 {value} 段"
    if kind == "table":
        t, r, c = (part.partition("=")[2] for part in f"table={value}".split(","))
        return f"原文表格 {t} 第 {r} 行第 {c} 列"
    if kind == "xpath":
        return f"网页元素 {value}"
    return ""


def datetime_label(iso: str | None) -> str:
    """'2026-12-07T01:05:12+00:00' → '2026年12月7日 09:05（北京时间）'; dates alone → '2021年8月2日'."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if len(str(iso)) <= 10:
        return f"{t.year}年{t.month}月{t.day}日"
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone(dt.timedelta(hours=8)))
        return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}（北京时间）"
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"
