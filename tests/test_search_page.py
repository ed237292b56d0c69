"""The search page and /api/search in process (``client``: the bundled corpus with the model-free hash
encoder and its own calibrated floor): the real total and paging, the thesaurus line, expand=0, the
nothing-found message with the closest few shown apart, grouping per plan, and the page's JSON twin."""

from __future__ import annotations

import html
import re

OFF_TOPIC = "葡萄酒品鉴"  # below the hash encoder's floor everywhere
COLLOQUIAL = "丈夫打老婆"  # 打老婆 → 家庭暴力 in the thesaurus


def api(client, **params) -> dict:
    r = client.get("/api/search", params)
    assert r.status == 200, r.text
    return r.json()


def page(client, **params) -> str:
    r = client.get("/search", params)
    assert r.status == 200, r.text
    return html.unescape(re.sub(r"<[^>]+>", "", r.text))


def test_total_is_every_result_above_the_floor_and_pages_are_slices_of_it(client):
    first = api(client, q=COLLOQUIAL, k=10)
    assert first["total"] > 10 and len(first["results"]) == 10 and first["offset"] == 0
    assert first["floor"] is not None and all(r["floor_score"] >= first["floor"] for r in first["results"])
    second = api(client, q=COLLOQUIAL, k=10, offset=10)
    assert second["total"] == first["total"]
    assert [r["rank"] for r in second["results"]] == list(range(11, 11 + len(second["results"])))
    both = api(client, q=COLLOQUIAL, k=20)
    assert [r["id"] for r in both["results"]] == [r["id"] for r in first["results"] + second["results"]]
    past = api(client, q=COLLOQUIAL, k=10, offset=first["total"])
    assert past["results"] == [] and past["total"] == first["total"]
    text = page(client, q=COLLOQUIAL)
    assert f"共 {first['total']} 条结果" in text and "这是第 1–10 条" in text and "下一页" in text
    assert "上一页" in page(client, q=COLLOQUIAL, offset=10)


def test_the_page_says_what_else_was_searched_and_expand_0_turns_it_off(client):
    found = api(client, q=COLLOQUIAL)
    assert [(e["matched"], e["label"]) for e in found["expansions"]] == [("丈夫打老婆", "家庭暴力")]
    assert "家庭暴力" in found["expansions"][0]["terms"]
    assert "已同时检索：家庭暴力（由“丈夫打老婆”）" in page(client, q=COLLOQUIAL)
    plain = api(client, q=COLLOQUIAL, expand=0)
    assert plain["expansions"] == [] and plain["expand"] is False
    assert "已同时检索" not in page(client, q=COLLOQUIAL, expand=0)
    assert "已同时检索" not in page(client, q="家庭暴力")  # plan vocabulary: nothing to add


def test_nothing_above_the_floor_says_so_and_shows_the_closest_apart(client):
    found = api(client, q=OFF_TOPIC)
    assert found["total"] == 0 and found["results"] == []
    assert 1 <= len(found["closest"]) <= 3
    assert all(r["floor_score"] < found["floor"] for r in found["closest"])
    text = page(client, q=OFF_TOPIC)
    assert "没有找到直接相关的条目" in text and "最接近的几条（相关度较低）" in text
    assert found["closest"][0]["text"][:20] in text and "共 0 条" not in text


def test_grouped_per_plan_the_counts_add_up_to_the_total(client):
    grouped = api(client, q=COLLOQUIAL, group="plan")
    assert grouped["group"] == "plan" and len(grouped["groups"]) > 1
    assert sum(g["count"] for g in grouped["groups"]) == grouped["total"]
    for g in grouped["groups"]:
        assert g["results"] and all(r["plan"]["iri"] == g["iri"] for r in g["results"])
    text = page(client, q=COLLOQUIAL, group="plan")
    assert f"共 {grouped['total']} 条，分属 {len(grouped['groups'])} 个规划" in text
    assert all(g["title"] in text for g in grouped["groups"])
    assert api(client, q=COLLOQUIAL)["groups"] is None


def test_bad_paging_and_switches_are_400_with_the_reason(client):
    for params, word in (
        ({"offset": -1}, "offset"),
        ({"offset": "ten"}, "offset"),
        ({"offset": 10**6}, "offset"),
        ({"expand": 2}, "expand"),
        ({"group": "region"}, "group"),
    ):
        r = client.get("/api/search", {"q": COLLOQUIAL, **params})
        assert r.status == 400 and word in r.json()["error"], params


def test_the_json_twin_equals_the_api_answer(client):
    for params in (
        {"q": COLLOQUIAL, "offset": 10},
        {"q": COLLOQUIAL, "expand": 0, "k": 3},
        {"q": OFF_TOPIC},
        {"q": COLLOQUIAL, "group": "plan"},
        {},
    ):
        assert client.get("/search.json", params).json() == client.get("/api/search", params).json(), params
