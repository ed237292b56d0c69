"""Shared development-domain concepts, so that domains can be compared across plans.

A domain title as written ("儿童与法律保护", "儿童与法律", "妇女与法律") maps to a concept key
"{population}-{topic}" ("children-law", "women-law"); each such concept is narrower than the
population-independent topic ("law").
"""

from __future__ import annotations

import hashlib
import re

POPULATIONS = {
    "儿童": ("children", "儿童", "Children"),
    "妇女": ("women", "妇女", "Women"),
    "女性": ("women", "妇女", "Women"),
    "青少年": ("youth", "青少年", "Youth"),
    "老年人": ("elderly", "老年人", "Older people"),
}

# topic key -> (Chinese label, English label, keywords in priority order)
TOPICS = {
    "decision": ("参与决策和管理", "Participation in decision-making", ("决策", "参政")),
    "social-security": ("社会保障", "Social security", ("社会保障", "社保")),
    "law": ("法律保护", "Legal protection", ("法律", "法治", "司法", "权益")),
    "health": ("健康", "Health", ("健康", "卫生", "医疗")),
    "safety": ("安全", "Safety", ("安全",)),
    "education": ("教育", "Education", ("教育",)),
    "welfare": ("福利", "Welfare", ("福利", "救助")),
    "family": ("家庭", "Family", ("家庭", "婚姻")),
    "environment": ("环境", "Environment", ("环境", "生态")),
    "economy": ("经济", "Economy", ("经济", "就业")),
}


def population_of(text: str) -> str:
    for zh, (key, _, _) in POPULATIONS.items():
        if zh in text:
            return key
    return "general"


def topic_of(title: str) -> str:
    for key, (_, _, words) in TOPICS.items():
        if any(w in title for w in words):
            return key
    # unknown topic: a stable key derived from the title itself
    core = re.sub(r"^(儿童|妇女|女性|青少年|老年人)(与|和|参与)?", "", title) or title
    return "t-" + hashlib.sha1(core.encode("utf-8")).hexdigest()[:8]


def concept_of(title: str, plan_type: str = "") -> str:
    """Concept key for a domain title; ``plan_type`` decides the population when the title omits it."""
    pop = population_of(title)
    if pop == "general" and plan_type:
        pop = plan_type
    return f"{pop}-{topic_of(title)}"


def concept_labels(key: str) -> tuple[str, str]:
    """(Chinese, English) labels of a concept key built by ``concept_of``."""
    pop, _, topic = key.partition("-")
    pz, pe = next(((z, e) for k, z, e in POPULATIONS.values() if k == pop), ("", pop.title()))
    tz, te, _ = TOPICS.get(topic, (topic, topic, ()))
    joiner = "" if topic == "decision" else "与"
    return f"{pz}{joiner}{tz}", f"{pe}: {te}"
