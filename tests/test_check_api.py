"""The drafting workbench's API in process over the hash-encoder build (``client``): the JSON contract of the
README, the form and its peer preview, JSON and form bodies, the downloads (.docx, .csv, printable HTML), clear
errors for bad input, escaping, the OpenAPI description, and that nothing is written to the data folder.

Similarities from the hash encoder mean little; what is tested here is the shape and the behaviour (the real
models: ``test_check.py``). The first check of a session builds the corpus view and its topics (jieba)."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

import pytest

from graph.extract import extract_file
from graph.parse import parse_text
from tests.check_util import docx_bytes, draft_text, post_form, snapshot
from tests.test_check import sides


@pytest.fixture(scope="module")
def report(client, hash_data_dir):
    """A draft made from the 鹿城 plan (region renamed) checked against the children's plans."""
    # the store is open and the generation pinned before the snapshot (opening RocksDB writes its own files)
    assert client.get("/api/health").status == 200 and client.get("/api/check").status == 200
    before = snapshot(hash_data_dir)
    r = post_form(client, file=[("青山区儿童发展规划.txt", draft_text().encode())], against="plan_type=children")
    assert r.status == 200, r.text[:500]
    assert snapshot(hash_data_dir) == before, "the check wrote to the data folder"
    return r.json()


def test_the_report_follows_the_contract(report):
    plan = extract_file(parse_text(draft_text(), "青山区儿童发展规划.txt")).plans[0]
    assert [p["title"] for p in report["plans"]] == [plan.title]
    assert set(report["plans"][0]) == set(plan.to_dict())  # as `plankg parse --json` gives a plan
    (d,) = report["drafts"]
    assert d["type"] == "children" and len(d["peers"]) == 5 and all("儿童" in p["plan_title"] for p in d["peers"])
    assert len(report["units"]) == sum(plan.counts()[k] for k in ("goals", "measures", "key_projects"))
    for u in report["units"]:
        assert {
            "id",
            "kind",
            "number",
            "domain",
            "text",
            "counterparts",
            "suggested_agencies",
            "suggested_laws",
        } <= set(u)
        assert u["new"] == (not u["counterparts"])
        assert len({c["plan"] for c in u["counterparts"]}) == len(u["counterparts"])  # one per peer plan
        for c in u["counterparts"]:
            assert {"plan", "plan_title", "unit", "text", "similarity", "diff"} <= set(c)
            assert c["similarity"] >= report["threshold"] and c["url"].startswith("/units/")
            assert sides(c["diff"]) == (u["text"], c["text"])
        for a in u["suggested_agencies"]:
            assert {"name", "type", "plans"} <= set(a) and 1 <= a["plans"] <= len(u["counterparts"])
        for law in u["suggested_laws"]:
            assert {"title", "plans"} <= set(law)
    assert report["indicators"], "the 鹿城 plan has targets"
    for t in report["indicators"]:
        assert {"name", "draft", "peers", "position"} <= set(t)
        assert t["position"] in ("weaker", "stronger", "same", "incomparable")
        assert {"value", "unit", "comparator", "year"} <= set(t["draft"])
        for p in t["peers"]:
            assert {"plan_title", "value", "unit", "comparator", "year"} <= set(p)
    for m in report["missing_topics"]:
        assert {"label", "domain", "plans", "examples"} <= set(m) and m["plans"] >= 2
        assert len({e["plan_title"] for e in m["examples"]}) == len(m["examples"]) == m["plans"]
    s = report["summary"]
    assert s["units"] == s["with_counterparts"] + s["new"] == len(report["units"])
    assert sum(c["units"] for c in d["coverage"]) == s["units"]


def test_unchanged_texts_take_their_vectors_from_the_index(report):
    # only units naming the region (renamed) are new texts; the rest are worded as in 鹿城's plan
    assert 0 < report["summary"]["encoded"] < 10


def test_the_form_lists_the_plans_and_previews_the_peers(client):
    form = client.get("/api/check").json()
    assert len(form["plans"]) == 7 and form["against"]["plan_type"] == ["children", "women"]
    assert client.get("/check.json").json()["plans"] == form["plans"]
    women = client.get("/api/check", {"against": "plan_type=妇女"}).json()["peers"]
    assert sorted(p["plan_title"][:2] for p in women) == ["曾都", "衢州"]
    bad = client.get("/api/check", {"against": "colour=red"})
    assert bad.status == 400 and "colour" in bad.json()["error"]


def test_json_and_form_bodies_are_checked_too(client):
    text = draft_text()
    as_json = client.post("/api/check", json.dumps({"text": text, "against": "plan_type=children"}), "application/json")
    assert as_json.status == 200 and as_json.json()["summary"]["units"] > 90
    form = client.post("/check.json", urlencode({"text": text}), "application/x-www-form-urlencoded")
    assert form.status == 200 and len(form.json()["drafts"][0]["peers"]) == 7  # no filter: every plan
    odd = client.post("/api/check", "text=x", "text/plain")
    assert odd.status == 400 and "multipart/form-data" in odd.json()["error"]


@pytest.mark.parametrize(
    "fields,words",
    [
        ({}, "没有草稿"),
        ({"text": "draft", "against": "colour=red"}, "colour"),
        ({"text": "draft", "format": "pdf"}, "format"),
        ({"text": "draft", "encoders": "nope"}, "encoders: nope not in the index"),
        ({"file": [("说明.docx", b"not a word file")]}, "说明.docx"),
        ({"file": [("草稿.exe", b"MZ")]}, "草稿.exe"),
        ({"file": [(f"{n}.txt", b"x") for n in range(5)]}, "最多"),
    ],
)
def test_bad_input_is_a_clear_error(client, fields, words):
    r = post_form(client, **fields)
    assert r.status == 400 and words in r.json()["error"], r.text[:300]


def test_a_file_without_plan_structure_is_named_with_the_reason_in_chinese(client):
    r = post_form(client, file=[("说明.docx", docx_bytes(["这份文件只有一句说明，没有规划结构。"]))])
    assert r.status == 400 and "说明.docx" in r.json()["error"] and "没有找到规划结构" in r.json()["error"]


def test_the_downloads_hold_the_report(client, report):
    fields = {"file": [("青山区儿童发展规划.txt", draft_text().encode())], "against": "plan_type=children"}
    word = post_form(client, **fields, format="docx")
    assert word.status == 200 and "attachment" in word.headers["content-disposition"]
    assert word.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.body)).paragraphs)
    assert "起草检查报告" in text and report["units"][0]["text"] in text
    table = post_form(client, **fields, format="csv")
    assert table.status == 200 and table.body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(table.text.lstrip("\ufeff"))))
    assert rows[0][:6] == ["草稿规划", "条目", "领域", "类型", "序号", "草稿文本"]
    assert len(rows) - 1 == sum(max(1, len(u["counterparts"])) for u in report["units"])
    page = post_form(client, **fields, format="html")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "@media print" in page.text and "逐条对照" in page.text


def test_draft_text_is_escaped_in_the_printable_report(client):
    hostile = "加强儿童安全教育<script>alert(1)</script>，开展<b>防溺水</b>宣传。"
    r = post_form(client, text=hostile, format="html")
    assert r.status == 200 and "<script>alert" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    as_json = post_form(client, text=hostile).json()
    assert as_json["units"][0]["text"] == hostile and as_json["missing_topics"] == []  # a snippet misses no topic
    assert as_json["notices"]


def test_the_openapi_document_describes_the_post(client):
    doc = client.get("/api/openapi.json").json()
    post = doc["paths"]["/api/check"]["post"]
    assert set(post["requestBody"]["content"]) == {
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "application/json",
    }
    schema = doc["components"]["schemas"]["CheckReport"]
    assert {"plans", "units", "indicators", "missing_topics"} <= set(schema["required"])
    unit = schema["properties"]["units"]["items"]
    assert {"counterparts", "suggested_agencies", "suggested_laws"} <= set(unit["required"])
