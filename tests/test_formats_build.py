"""A corpus of mixed formats built end to end: the derived text beside each original, spans that point
into it and into the original (pkg:locator), SHACL-valid, the same units as the .txt corpus, and a
delta that keeps the derived text of the files it does not touch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builds import corpus
from builds.generations import current_generation
from builds.layout import DataFolder
from builds.pipeline import build
from config import Config
from graph.parse import SourceFile, parse_file
from graph.parse.formats import read_document
from graph.store.oxigraph import OxigraphStore
from tests.format_convert import PLANS, converted, units_of
from tests.pdf_convert import chromium_pdfs

pytestmark = pytest.mark.slow

LOCATOR_OF = {".docx": "paragraph=", ".pdf": "page=", ".html": "xpath=/html/"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Config, dict[str, Path]]:
    """Plans 000 (auto-numbered .docx), 001 (printed web page .pdf), 003 (.html), 004 (.txt) built together."""
    folder = tmp_path_factory.mktemp("mixed-corpus")
    by_txt = {p.name[:3]: p for p in PLANS}
    files = {
        "000": converted(by_txt["000"], "numbered.docx"),
        "001": chromium_pdfs([by_txt["001"]])[0],
        "003": converted(by_txt["003"], "html"),
        "004": by_txt["004"],
    }
    placed = {}
    for key, src in files.items():
        dst = folder / f"{by_txt[key].stem}{src.suffix}"
        shutil.copyfile(src, dst)
        placed[key] = dst
    cfg = Config(data_dir=tmp_path_factory.mktemp("mixed-data") / "data", corpus=folder)
    build(cfg, encoders="hash")
    return cfg, placed


def _store(cfg: Config) -> OxigraphStore:
    gen = current_generation(DataFolder(cfg.data_dir))
    assert gen is not None
    return OxigraphStore(gen.store, read_only=True)


def test_every_format_gives_the_units_of_its_txt(mixed):
    cfg, placed = mixed
    for key, path in placed.items():
        txt = next(p for p in PLANS if p.name.startswith(key))
        assert units_of(parse_file(path)) == units_of(parse_file(txt)), path.name


def test_derived_text_is_kept_beside_the_original_and_spans_point_into_it(mixed):
    cfg, placed = mixed
    gen = current_generation(DataFolder(cfg.data_dir))
    assert gen is not None
    for path in placed.values():
        assert gen.source(path.name).read_bytes() == path.read_bytes()
        derived = gen.derived_text(path.name)
        if path.suffix == ".txt":
            assert not derived.exists()
            continue
        text = derived.read_text(encoding="utf-8")
        assert text == read_document(path.read_bytes(), path.name).text
        for plan in parse_file(path).plans:
            for _, unit in plan.units():
                s = unit.source
                assert text[s.start : s.end].replace("\n", "")[:6] == unit.text[:6], (path.name, s)
                assert s.locator.startswith(LOCATOR_OF[path.suffix]), (path.name, s)


def test_the_store_carries_locators_and_media_types(mixed):
    cfg, placed = mixed
    rows = _store(cfg).query(
        """PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?file ?format (COUNT(?loc) AS ?n) (SAMPLE(?loc) AS ?some) WHERE {
          ?f a pkg:SourceFile ; dcterms:identifier ?file ; dcterms:format ?format .
          OPTIONAL { ?span pkg:sourceFile ?f ; pkg:locator ?loc }
        } GROUP BY ?file ?format"""
    )
    got = {r["file"]: r for r in rows}
    assert {p.name for p in placed.values()} == set(got)
    expect = {".docx": "wordprocessingml", ".pdf": "application/pdf", ".html": "text/html", ".txt": "text/plain"}
    for path in placed.values():
        r = got[path.name]
        assert expect[path.suffix] in r["format"]
        if path.suffix == ".txt":
            assert int(r["n"]) == 0
        else:
            assert int(r["n"]) > 100 and r["some"].startswith(LOCATOR_OF[path.suffix])


def test_a_delta_keeps_the_derived_text_of_untouched_files(mixed):
    cfg, placed = mixed
    before = current_generation(DataFolder(cfg.data_dir))
    assert before is not None
    extra = next(p for p in PLANS if p.name.startswith("002"))
    result = corpus.add(cfg, [SourceFile(extra.name, extra.read_bytes())], encoders="hash")
    assert result["status"] == "added"
    after = current_generation(DataFolder(cfg.data_dir))
    assert after is not None and after.name != before.name
    for path in placed.values():
        if path.suffix != ".txt":
            kept = after.derived_text(path.name)
            assert kept.read_bytes() == before.derived_text(path.name).read_bytes()
            assert kept.stat().st_ino == before.derived_text(path.name).stat().st_ino  # linked, not redone


def test_a_unit_page_says_where_the_unit_sits_in_the_original(mixed):
    from service.links import page_path
    from web.app import create_app

    cfg, _ = mixed
    [row] = _store(cfg).query(
        """PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?u ?loc WHERE { ?u a pkg:Measure ; prov:wasDerivedFrom ?s . ?s pkg:locator ?loc .
          FILTER(STRSTARTS(?loc, "page=")) } ORDER BY ?u LIMIT 1"""
    )
    app = create_app(cfg)
    try:
        client = app.test_client()
        data = client.get(page_path(row["u"]) + ".json").get_json()
        assert data["locator"] == row["loc"] and data["locator_label"] == f"原文第 {row['loc'][5:]} 页"
        html = client.get(page_path(row["u"])).get_data(as_text=True)
        assert f"原文第 {row['loc'][5:]} 页" in html
    finally:
        app.extensions["plankg"].close()
