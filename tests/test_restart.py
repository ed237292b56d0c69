"""Restart safety with real processes: ``plankg add`` killed (SIGKILL) at several points, the server
killed during an upload or while another process adds, a graceful SIGTERM. After each, a restarted
server serves one whole generation (the previous or the new one, never a mix: store, index and
manifest agree) and nothing an interrupted add left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.corpus_util import (
    HASH_ENV,
    TOKEN,
    assert_consistent,
    build_hash_data,
    build_report,
    copy_data,
    current,
    plankg,
    snapshot,
    upload,
    variant,
    wait_for,
)

pytestmark = pytest.mark.server  # `plankg` processes killed and servers restarted (tier: server)

NEW_TITLE = "瓯海区儿童发展“十四五”规划"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_hash_data(tmp_path_factory.mktemp("restart-base") / "data")


@pytest.fixture
def data(base, tmp_path):
    return copy_data(base, tmp_path / "data")


@pytest.fixture
def new_file(tmp_path):
    return variant(tmp_path, "ouhai.txt", "瓯海")


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
            except OSError:
                continue
            for k in map(int, kids):
                out.append(k)
                todo.append(k)
    return out


def kill_tree(server) -> None:
    """SIGKILL the server: gunicorn master, its workers and their query worker processes at once."""
    pids = [server.proc.pid] + descendants(server.proc.pid)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    server.proc.wait(timeout=30)
    for pid in pids[1:]:
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or "Z" in _state(pid), timeout=30)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
    except (OSError, IndexError):
        return "Z"


def new_gens(data: Path, known: set) -> list[Path]:
    return [p for p in data.glob("gen-*") if p.name not in known]


def assert_served_whole(server, data: Path) -> dict:
    """The server serves exactly the current generation: graph, search index and manifest agree."""
    report = assert_consistent(data)
    health = server.get("/api/health").json()
    assert health["triples"] == report["triples"] and health["build"]["plans"] == report["plans"]
    plans = {p["title"]: p for p in server.get("/api/plans", {"per_page": 100}).json()["items"]}
    assert len(plans) == report["plans"]
    in_graph = NEW_TITLE in plans
    hits = server.get("/api/search", {"q": "预防儿童溺水", "plan": NEW_TITLE, "mode": "bm25"}).json()["results"]
    assert bool(hits) == in_graph  # the index has the new plan iff the graph has it
    assert (
        server.get(
            "/sparql", {"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}
        ).json()["boolean"]
        is True
    )
    return report


@pytest.mark.parametrize("stage", ["store", "index", "flip", "published"])
def test_add_killed_at_a_stage_then_restart(data, new_file, start_server, stage):
    before = snapshot(data)
    proc = plankg("add", "--data", data, "--quiet", new_file, env={"PLANKG_FAULT": stage}, check=False)
    assert proc.returncode == -signal.SIGKILL
    left = new_gens(data, set(before["gens"]))
    if stage == "published":  # killed after the flip: the new generation is whole
        assert current(data) != before["current"] and build_report(data)["plans"] == 8
    else:  # killed before it: the old one is still current
        assert current(data) == before["current"] and len(left) == 1
    server = start_server(data, env=HASH_ENV)  # restart: cleans up, then serves
    try:
        gens = sorted(p.name for p in data.glob("gen-*"))
        assert current(data) in gens and all(
            g in (current(data), os.readlink(data / "previous") if (data / "previous").is_symlink() else None)
            for g in gens
        )
        report = assert_served_whole(server, data)
        assert report["plans"] == (8 if stage == "published" else 7)
        if stage != "published":
            after = snapshot(data)
            assert {k: after[k] for k in ("current", "ntriples", "index_meta", "docs")} == {
                k: before[k] for k in ("current", "ntriples", "index_meta", "docs")
            }
    finally:
        server.stop()
    plankg("add", "--data", data, "--quiet", new_file)  # the next add goes through
    assert assert_consistent(data)["plans"] == 8


def test_server_killed_during_an_upload_then_restart(data, new_file, start_server):
    env = {**HASH_ENV, "PLANKG_ADMIN_TOKEN": TOKEN}
    server = start_server(data, env=env)
    before = current(data)
    known = {p.name for p in data.glob("gen-*")}
    errors = []

    def send():
        try:
            errors.append(upload(server, "ouhai.txt", new_file.read_bytes()).status)
        except Exception as e:  # noqa: BLE001 - the connection drops when the server dies
            errors.append(e)

    t = threading.Thread(target=send)
    t.start()
    gen = wait_for(lambda: next(iter(new_gens(data, known)), None), timeout=120)
    wait_for(lambda: (gen / "sources" / "ouhai.txt").exists() or (gen / "store").exists(), timeout=60)
    kill_tree(server)  # mid-add: gen folder half written
    t.join(30)
    assert errors and not isinstance(errors[0], int), errors  # the client saw the connection drop
    assert current(data) == before and gen.exists()
    server = start_server(data, env=env)
    try:
        assert not gen.exists()  # removed at start, never served
        assert assert_served_whole(server, data)["plans"] == 7
        r = upload(server, "ouhai.txt", new_file.read_bytes())
        assert r.status == 201, r.text
        assert assert_served_whole(server, data)["plans"] == 8
    finally:
        server.stop()


def test_server_killed_while_another_process_adds(data, new_file, start_server):
    server = start_server(data, env=HASH_ENV)
    known = {p.name for p in data.glob("gen-*")}
    env = dict(os.environ, PYTHONPATH=str(ROOT), **HASH_ENV)
    env.pop("PLANKG_FAULT", None)
    add = subprocess.Popen(
        [sys.executable, "-m", "scripts.plankg", "add", "--data", str(data), "--quiet", str(new_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: new_gens(data, known), timeout=120)
    assert server.get("/api/health").json()["build"]["plans"] == 7  # still serving the old generation
    kill_tree(server)
    out, err = add.communicate(timeout=300)
    assert add.returncode == 0, err
    server = start_server(data, env=HASH_ENV)
    try:
        assert assert_served_whole(server, data)["plans"] == 8
    finally:
        server.stop()


def test_sigterm_is_graceful(data, start_server):
    server = start_server(data, env=HASH_ENV)
    results = []
    t = threading.Thread(target=lambda: results.append(server.get("/api/search", {"q": "溺水"}).status))
    t.start()
    time.sleep(0.05)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=30) == 0
    t.join(30)
    assert results in ([], [200])  # a request already accepted is finished
    assert not [p for p in descendants(server.proc.pid)]
    server = start_server(data, env=HASH_ENV)
    try:
        assert assert_served_whole(server, data)["plans"] == 7
    finally:
        server.stop()
