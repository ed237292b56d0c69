"""Query workers that copy the store into memory (``PLANKG_SPARQL_IN_MEMORY``): the same answers as
workers reading the on-disk store, updates seen after the workers are replaced, the per-query memory
cap still in force on top of the copy, and the ``auto`` setting by size."""

from __future__ import annotations

import json
import time

import pytest

from bench.store_compare import QUERIES
from graph.rdf import plans_to_graph
from graph.store import open_store
from service.resources import IN_MEMORY_AUTO_MAX, Resources
from service.sparql.runner import OutOfMemory, ProcessQueryRunner


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    from graph.extract import agency_types, extract_file
    from graph.parse import corpus_files, parse_files
    from tests.conftest import CORPUS

    path = tmp_path_factory.mktemp("memstore") / "store"
    store = open_store(str(path))
    store.load(plans_to_graph([extract_file(pf) for pf in parse_files(corpus_files(CORPUS))], agency_types()))
    store.close()
    return str(path)


def rows(runner, query: str) -> list:
    info, body = runner.run({"query": query, "format": "json", "max_rows": 0})
    bindings = json.loads(body)["results"]["bindings"]
    return sorted(json.dumps(b, sort_keys=True, ensure_ascii=False) for b in bindings)


def test_in_memory_workers_give_the_on_disk_answers(store_dir):
    disk = ProcessQueryRunner(store_dir, size=1, timeout=60)
    mem = ProcessQueryRunner(store_dir, size=1, timeout=60, in_memory=True)
    try:
        for name, q in QUERIES.items():
            want = rows(disk, q)
            assert want, name
            assert rows(mem, q) == want, name
        w = next(iter(mem._all))
        assert w.proc.poll() is None and w.generation == mem.generation
    finally:
        disk.close()
        mem.close()


def test_an_update_is_seen_by_fresh_in_memory_workers(tmp_path, store_dir):
    import shutil

    path = tmp_path / "store"
    shutil.copytree(store_dir, path)
    runner = ProcessQueryRunner(str(path), size=2, timeout=60, in_memory=True)
    ask = "ASK { <urn:x:s> <urn:x:p> 'fresh' }"
    try:
        assert json.loads(runner.run({"query": ask, "format": "json"})[1])["boolean"] is False
        old = {w.proc.pid for w in runner._all}
        writer = open_store(str(path))
        writer.update("INSERT DATA { <urn:x:s> <urn:x:p> 'fresh' }")
        writer.close()
        runner.bump_generation()
        assert json.loads(runner.run({"query": ask, "format": "json"})[1])["boolean"] is True
        deadline = time.monotonic() + 30  # the old copies are replaced, not kept beside the new
        while time.monotonic() < deadline and old & {w.proc.pid for w in runner._all}:
            time.sleep(0.05)
        assert not old & {w.proc.pid for w in runner._all}
    finally:
        runner.close()


def test_the_query_memory_cap_applies_on_top_of_the_copy(store_dir):
    runner = ProcessQueryRunner(store_dir, size=1, timeout=60, memory_mb=64, in_memory=True)
    try:
        assert rows(runner, QUERIES["Q4 count all triples"])  # the copy itself fits
        blowup = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?a ?d ?g ORDER BY ?n"
        with pytest.raises(OutOfMemory):
            runner.run({"query": blowup, "format": "json"})
    finally:
        runner.close()


def test_on_disk_workers_are_ready_at_once_and_start_on_demand(store_dir):
    runner = ProcessQueryRunner(store_dir, size=2, timeout=60, in_memory=False)
    try:
        assert runner.state() == {
            "kind": "process",
            "in_memory": False,
            "size": 2,
            "ready": 0,
            "starting": 0,
            "all_ready": True,
        }  # nothing to copy: nothing to wait for
        assert rows(runner, QUERIES["Q4 count all triples"])
        assert runner.state()["ready"] == 1 and runner.state()["all_ready"]
    finally:
        runner.close()


def test_auto_copies_stores_up_to_the_threshold(tmp_path):
    from config import Config

    auto, off, on = (Resources(Config(tmp_path, tmp_path, sparql_in_memory=v)) for v in ("auto", "off", "on"))
    assert auto.use_in_memory({"triples": 18_200}) and not auto.use_in_memory({"triples": IN_MEMORY_AUTO_MAX + 1})
    assert not auto.use_in_memory({}) and not off.use_in_memory({"triples": 10}) and on.use_in_memory({})


def test_a_server_starts_its_query_workers_before_the_first_query(built_data_dir, server_logs):
    """gunicorn's post_worker_init starts the (in-memory) query workers: no query pays for the copy;
    /api/health reports them ready."""
    from bench.load import server_pids
    from tests.conftest_server import launch

    server = launch(built_data_dir, server_logs)
    try:

        def workers() -> int:
            n = 0
            for pid in server_pids(server.port, server.proc.pid):
                try:
                    cmd = open(f"/proc/{pid}/cmdline", "rb").read()
                except OSError:
                    continue
                n += b"service.sparql.worker" in cmd
            return n

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and workers() < 2:
            time.sleep(0.2)
        assert workers() == 2
        while time.monotonic() < deadline and not server.get("/api/health").json()["query_workers"]["all_ready"]:
            time.sleep(0.2)  # /api/health says when the copies are made
        state = server.get("/api/health").json()["query_workers"]
        assert state == {"kind": "process", "in_memory": True, "size": 2, "ready": 2, "starting": 0, "all_ready": True}
        r = server.post(
            "/sparql",
            "ASK { ?s a <https://w3id.org/plankg/ontology#Plan> }",
            "application/sparql-query",
            headers={"Accept": "application/sparql-results+json"},
        )
        assert r.status == 200 and r.json()["boolean"] is True and workers() == 2
    finally:
        server.stop()


def test_waiting_for_workers_that_cannot_start_ends(tmp_path):
    """A store that cannot be copied (no such folder): the prewarm ends and so does the wait for it."""
    runner = ProcessQueryRunner(str(tmp_path / "missing"), size=1, timeout=5, in_memory=True)
    try:
        t = time.monotonic()
        assert runner.wait_ready(120)
        assert time.monotonic() - t < 60 and not runner._all
    finally:
        runner.close()
