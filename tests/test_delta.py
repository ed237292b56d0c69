"""Adding, replacing and removing plans without a full rebuild (``builds.pipeline.delta_locked``).

Every change is checked against a full build of the same files in a fresh data folder: the same
triples in the store, the same search documents and index, the same build report counts. And it
must really be a delta: the kept files' parts are hard links to the previous generation's, nothing
of them is parsed again, and the store is a checkpoint of the previous one with the difference
applied. The model-free ``hash`` encoder keeps this fast; the default encoders are covered by
``test_corpus_ops``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from builds import corpus
from builds.layout import DataFolder
from builds.parts import part_key
from builds.pipeline import build
from config import Config
from graph.parse import SourceFile, read_sources
from graph.store import open_store
from tests.conftest import CORPUS
from tests.corpus_util import LUCHENG, LUCHENG_TITLE, QUZHOU, copy_data, variant

ENC = "hash"


def settings(folder: Path, store: str | None = None) -> Config:
    return Config(data_dir=folder, corpus=CORPUS, remote_store=store)


def graph_lines(s: Config) -> list[str]:
    store = (
        open_store(s.remote_store)
        if s.remote_store
        else open_store(str(DataFolder(s.data_dir).current / "store"), read_only=True)
    )
    try:
        return sorted(ln for ln in store.export(format="ntriples").decode("utf-8").splitlines() if ln.strip())
    finally:
        store.close()


def served(s: Config) -> dict:
    """What a generation serves, without timings and generation names."""
    report = json.loads((DataFolder(s.data_dir).current / "build.json").read_text(encoding="utf-8"))
    meta = json.loads((DataFolder(s.data_dir).current / "index" / "meta.json").read_text(encoding="utf-8"))
    keep = (
        "files",
        "plans",
        "corpus_sha256",
        "counts",
        "totals",
        "agencies",
        "agency_types",
        "laws",
        "indicators",
        "table_rows",
        "triples",
        "graph_triples",
        "sources",
    )
    return {
        "report": {k: report[k] for k in keep},
        "index": {k: meta[k] for k in ("corpus_hash", "doc_count", "group_count", "index_type")},
        "docs": (DataFolder(s.data_dir).current / "index" / "docs.jsonl").read_bytes(),
        "graph": graph_lines(s),
    }


def full_build(tmp: Path, sources: list[SourceFile]) -> dict:
    s = settings(tmp / f"full-{len(list(tmp.iterdir()))}")
    build(s, sources=sources, encoders=ENC)
    return served(s)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    s = settings(tmp_path_factory.mktemp("delta-base") / "data")
    build(s, encoders=ENC)
    return s


@pytest.fixture
def data(base, tmp_path):
    return settings(copy_data(base.data_dir, tmp_path / "data"))


def corpus_sources() -> list[SourceFile]:
    return read_sources(sorted(CORPUS.glob("*.txt")))


def src(path: Path) -> SourceFile:
    return SourceFile(path.name, path.read_bytes(), str(path))


def test_add_is_a_delta_equal_to_a_full_build(data, tmp_path):
    before = os.readlink(DataFolder(data.data_dir).current)
    new = variant(tmp_path, "ouhai.txt", "瓯海")
    result = corpus.add(data, [src(new)], encoders=ENC)
    assert result["status"] == "added"
    report = json.loads((DataFolder(data.data_dir).current / "build.json").read_text(encoding="utf-8"))
    delta = report["delta"]
    assert delta["base"] == before and delta["added"] == ["ouhai.txt"] and delta["removed"] == []
    assert delta["kept"] == 5 and delta["triples_added"] > 2000
    # only the new file went through parsing; the RDF stage made its triples alone
    assert "parse" not in report["seconds"]
    # kept parts and sources are the previous generation's files (hard links), not re-derived
    prev = data.data_dir / before
    for f in CORPUS.glob("*.txt"):
        key = part_key(f.name, report_sha(report, f.name))
        for name in ("own.nt", "part.json", "docs.jsonl", "parsed.json"):
            assert (
                os.stat(DataFolder(data.data_dir).current / "parts" / key / name).st_ino
                == os.stat(prev / "parts" / key / name).st_ino
            )
        assert (
            os.stat(DataFolder(data.data_dir).current / "sources" / f.name).st_ino
            == os.stat(prev / "sources" / f.name).st_ino
        )
    assert served(data) == full_build(tmp_path, corpus_sources() + [src(new)])


def report_sha(report: dict, name: str) -> str:
    return next(s["sha256"] for s in report["sources"] if s["file"] == name)


def test_replace_and_remove_are_deltas_equal_to_full_builds(data, tmp_path):
    text = LUCHENG.read_text(encoding="utf-8")
    v2 = tmp_path / "lucheng-v2.txt"
    v2.write_text(
        text.replace("加强儿童安全", "全面加强儿童安全", 1).replace("卫健委", "卫生健康局", 3), encoding="utf-8"
    )
    result = corpus.add(data, [src(v2)], encoders=ENC)
    assert result["status"] == "replaced" and result["replaced"] == [LUCHENG.name]
    report = json.loads((DataFolder(data.data_dir).current / "build.json").read_text(encoding="utf-8"))
    assert report["delta"]["removed"] == [LUCHENG.name] and report["delta"]["added"] == ["lucheng-v2.txt"]
    others = [s for s in corpus_sources() if s.name != LUCHENG.name]
    assert served(data) == full_build(tmp_path, others + [src(v2)])

    corpus.remove(data, QUZHOU.name)  # a file with two plans: agencies and laws shared with others
    report = json.loads((DataFolder(data.data_dir).current / "build.json").read_text(encoding="utf-8"))
    assert report["delta"]["removed"] == [QUZHOU.name] and report["plans"] == 5
    rest = [s for s in others if s.name != QUZHOU.name]
    assert served(data) == full_build(tmp_path, rest + [src(v2)])


def test_remove_then_add_back_restores_the_graph(data):
    first = served(data)
    corpus.remove(data, LUCHENG_TITLE)
    assert LUCHENG.name not in {s["file"] for s in served(data)["report"]["sources"]}
    corpus.add(data, [src(LUCHENG)], encoders=ENC)
    assert served(data) == first


def test_a_generation_from_other_code_gets_a_full_build(data, tmp_path):
    report_path = DataFolder(data.data_dir).current / "build.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["parts"]["fingerprint"] = "another-version"
    report_path.write_text(json.dumps(report), encoding="utf-8")
    new = variant(tmp_path, "ouhai.txt", "瓯海")
    corpus.add(data, [src(new)], encoders=ENC)
    after = json.loads((DataFolder(data.data_dir).current / "build.json").read_text(encoding="utf-8"))
    assert "delta" not in after and "parse" in after["seconds"]
    assert after["parts"]["fingerprint"] != "another-version"
    assert served(data) == full_build(tmp_path, corpus_sources() + [src(new)])


def test_a_shacl_violation_in_the_added_plan_changes_nothing(data, tmp_path, monkeypatch):
    from builds import pipeline
    from builds.errors import BuildError
    from graph.rdf import build as rdf_build

    before = (os.readlink(DataFolder(data.data_dir).current), graph_lines(data))
    real = rdf_build.file_part

    def broken(pf, *a, **kw):  # the new plan's units lose their text: a violation
        part = real(pf, *a, **kw)
        part.triples = [t for t in part.triples if str(t[1]) != "https://w3id.org/plankg/ontology#text"]
        return part

    monkeypatch.setattr(pipeline, "file_part", broken)  # the pipeline's own reference to the stage
    with pytest.raises(BuildError, match="SHACL"):
        corpus.add(data, [src(variant(tmp_path, "ouhai.txt", "瓯海"))], encoders=ENC)
    assert (os.readlink(DataFolder(data.data_dir).current), graph_lines(data)) == before
    assert [p.name for p in data.data_dir.glob("gen-*")] == [before[0]]


def test_user_updates_survive_a_delta_on_the_embedded_store(data, tmp_path):
    store = open_store(str(DataFolder(data.data_dir).current / "store"))
    store.update('INSERT DATA { <urn:x:note> <http://www.w3.org/2000/01/rdf-schema#comment> "kept" }')
    store.close()
    corpus.add(data, [src(variant(tmp_path, "ouhai.txt", "瓯海"))], encoders=ENC)
    assert any(ln.startswith("<urn:x:note>") for ln in graph_lines(data))
