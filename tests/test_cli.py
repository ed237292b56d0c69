"""The plankg command line, run as a user runs it: a subprocess, real files, a real store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from rdflib import Graph

from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.server  # every test runs `plankg` as subprocesses (tier: server)


def plankg(*args, check=True):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.plankg", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"plankg {args} exited {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("kg")
    plankg("build", "--data", data, "--no-index", "--quiet")
    return data


def test_help_lists_the_commands():
    out = plankg("--help").stdout
    for command in ("parse", "build", "export", "stats", "query", "search", "similar", "serve"):
        assert command in out


def test_parse_json_matches_the_reference_counts():
    files = sorted(CORPUS.glob("*.txt"))
    doc = json.loads(plankg("parse", "--json", *files).stdout)
    counts = [p["counts"] for f in doc for p in f["plans"]]
    assert sum(c["goals"] for c in counts) == 307 and sum(c["measures"] for c in counts) == 500
    assert sum(c["domains"] for c in counts) == 51 and sum(c["key_projects"] for c in counts) == 22
    unit = doc[0]["plans"][0]["domains"][1]["measures"][3]  # 杭州 health measure 4
    assert {"kind", "number", "text", "source", "agencies", "laws", "indicators"} <= set(unit)
    assert unit["kind"] == "measure" and unit["number"] == 4 and unit["source"]["line"] == 104
    assert {a["key"] for a in unit["agencies"]} >= {"health", "civil_affairs", "disabled_federation", "finance"}
    goal = doc[0]["plans"][0]["domains"][1]["goals"][1]  # 新生儿、婴儿和5岁以下儿童死亡率分别控制在…
    assert len(goal["indicators"]) == 3


def test_build_stats_and_export_round_trip(built):
    stats = json.loads(plankg("stats", "--data", built, "--json").stdout)
    assert (stats["plans"], stats["domains"], stats["goals"], stats["measures"], stats["key_projects"]) == (
        7,
        51,
        307,
        500,
        22,
    )
    assert stats["agencies"] > 20 and stats["laws"] > 20 and stats["indicators"] > 100
    report = json.loads((built / "current" / "build.json").read_text(encoding="utf-8"))
    assert report["triples"] == stats["triples"]
    for fmt, rdflib_fmt in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")):
        out = built / f"export.{fmt}"
        plankg("export", "--data", built, "--format", fmt, "-o", out)
        assert len(Graph().parse(out, format=rdflib_fmt)) == stats["triples"], fmt


def test_building_twice_gives_the_same_graph(built, tmp_path):
    plankg("build", "--data", tmp_path, "--no-index", "--quiet")
    a = plankg("export", "--data", built, "--format", "ntriples").stdout
    b = plankg("export", "--data", tmp_path, "--format", "ntriples").stdout
    assert sorted(a.splitlines()) == sorted(b.splitlines())


def test_query_command(built):
    out = plankg(
        "query",
        "--data",
        built,
        "PREFIX pkg: <https://w3id.org/plankg/ontology#> SELECT (COUNT(?m) AS ?n) WHERE { ?m a pkg:Measure }",
    ).stdout
    assert out.splitlines()[-1].strip() == "500"


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00" * 100, "binary"),
        ("只有一句话，没有任何规划结构。\n".encode(), "no plan structure"),
    ],
)
def test_bad_input_fails_cleanly_and_keeps_the_store(built, tmp_path, content, reason):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "zz_bad.txt").write_bytes(content)
    before_target = os.readlink(built / "current")
    before = plankg("export", "--data", built, "--format", "ntriples").stdout
    proc = plankg("build", "--data", built, "--corpus", corpus, "--no-index", "--quiet", check=False)
    assert proc.returncode != 0
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "zz_bad.txt" in lines[0] and reason in lines[0]
    assert os.readlink(built / "current") == before_target
    assert plankg("export", "--data", built, "--format", "ntriples").stdout == before


def test_gb18030_is_accepted_with_a_notice(tmp_path):
    src = (CORPUS / "003_c9a26a7ca201c7c9.txt").read_text(encoding="utf-8")
    f = tmp_path / "gbk.txt"
    f.write_bytes(src.encode("gb18030"))
    proc = plankg("parse", f)
    assert "GB18030" in proc.stderr and "gbk.txt" in proc.stderr
    assert "44 goals, 46 measures" in proc.stdout


def test_vanished_file_and_duplicate_titles(tmp_path, built):
    proc = plankg("parse", tmp_path / "gone.txt", check=False)
    assert proc.returncode == 2 and "gone.txt" in proc.stderr and "not found" in proc.stderr
    corpus = tmp_path / "dup"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(CORPUS / "003_c9a26a7ca201c7c9.txt", corpus / name)
    proc = plankg("build", "--data", built, "--corpus", corpus, "--no-index", "--quiet", check=False)
    assert proc.returncode == 2 and "duplicate plan title" in proc.stderr and "b.txt" in proc.stderr


def test_commands_before_any_build_say_what_to_do(tmp_path):
    proc = plankg("stats", "--data", tmp_path / "nothing", check=False)
    assert proc.returncode == 2 and "plankg build" in proc.stderr
