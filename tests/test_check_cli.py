"""``plankg check`` as a subprocess over a copy of the hash-encoder build: the text summary, the whole report as
JSON, the report written as .docx/.html/.csv, text from standard input, and clear errors (exit status 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.check_util import draft_text, snapshot
from tests.corpus_util import HASH_ENV, ROOT, copy_data, plankg

pytestmark = pytest.mark.server  # runs the CLI as subprocesses (each loads the index and builds the topics)


@pytest.fixture(scope="module")
def data(hash_data_dir, tmp_path_factory):
    return copy_data(hash_data_dir, tmp_path_factory.mktemp("check-cli") / "data")


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    path = tmp_path_factory.mktemp("check-draft") / "青山区儿童发展规划.txt"
    path.write_text(draft_text(), encoding="utf-8")
    return path


def test_the_summary_and_the_files(data, draft, tmp_path):
    plankg("list", "--data", data)  # the store has been opened once (RocksDB writes its own files then)
    before = snapshot(data)
    out = plankg(
        "check", draft, "--data", data, "--against", "plan_type=儿童",
        "--docx", tmp_path / "r.docx", "--html", tmp_path / "r.html", "--csv", tmp_path / "r.csv",
    ).stdout  # fmt: skip
    assert "《青山区儿童发展“十四五”规划》 (children, 青山区) against 5 plans:" in out
    assert "coverage by domain" in out and "儿童与健康" in out
    assert (tmp_path / "r.docx").read_bytes()[:2] == b"PK"
    assert "起草检查报告" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").startswith("草稿规划,条目")
    assert snapshot(data) == before, "the check wrote to the data folder"


def test_json_is_the_whole_report(data, draft):
    report = json.loads(plankg("check", draft, "--data", data, "--json").stdout)
    assert {"plans", "drafts", "units", "indicators", "missing_topics", "summary"} <= set(report)
    assert report["summary"]["units"] == len(report["units"]) > 90 and len(report["drafts"][0]["peers"]) == 7


def test_text_from_standard_input(data):
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.plankg", "check", "-", "--data", str(data), "--json"],
        input="1．预防和控制儿童溺水，加强看护。\n2．加强儿童近视防控。\n",
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), **HASH_ENV),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert [u["text"] for u in report["units"]] == ["预防和控制儿童溺水，加强看护。", "加强儿童近视防控。"]
    assert report["notices"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--against", "colour=red"], "against: unknown filter 'colour'"),
        (["--against", "level=村"], "level='村' is not a known value"),
    ],
)
def test_bad_filters_are_named(data, draft, args, message):
    proc = plankg("check", draft, "--data", data, *args, check=False)
    assert proc.returncode == 2 and message in proc.stderr and proc.stdout == ""


def test_a_missing_file_and_a_missing_build_are_said_plainly(data, tmp_path):
    proc = plankg("check", tmp_path / "nope.txt", "--data", data, check=False)
    assert proc.returncode == 2 and "nope.txt: file not found" in proc.stderr
    (tmp_path / "d.txt").write_text(draft_text(), encoding="utf-8")
    proc = plankg("check", tmp_path / "d.txt", "--data", tmp_path / "empty", check=False)
    assert proc.returncode == 2 and "plankg build" in proc.stderr
