"""One configuration: every PLANKG_* setting is declared once (config.settings.SETTINGS), parsed by its
declaration, documented by the table generated from it, and no product code reads an undeclared one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import SETTINGS, Config, SettingError, markdown_table, value

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["config", "graph", "embeddings", "builds", "service", "web", "scripts", "server.py"]
NAME = re.compile(r"PLANKG_[A-Z][A-Z0-9_]*")
# read by the test suite only (where to find test binaries, a reusable test build), never by the product
TEST_ONLY = {"PLANKG_TEST_DATA", "PLANKG_CHROMIUM", "PLANKG_OXIGRAPH_BIN", "PLANKG_VIRTUOSO_BIN"}


def product_files() -> list[Path]:
    out = []
    for name in PRODUCT:
        p = ROOT / name
        out += [p] if p.is_file() else sorted(p.rglob("*.py"))
    return out


def test_the_readme_table_is_generated_from_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:start -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert block == markdown_table()


def test_every_setting_the_product_names_is_declared():
    declared = {s.name for s in SETTINGS}
    named = {m for f in product_files() for m in NAME.findall(f.read_text(encoding="utf-8"))}
    assert named - declared == set()
    assert len(named & declared) >= 20  # the scan does see the product's settings


def test_every_setting_the_docs_name_is_declared():
    declared = {s.name for s in SETTINGS} | TEST_ONLY
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    named = {m for f in docs for m in NAME.findall(f.read_text(encoding="utf-8"))}
    assert named - declared == set()


def test_no_product_code_reads_the_environment_for_a_setting_directly():
    direct = re.compile(r"environ(?:\.get)?\(?\[?\s*[\"']PLANKG_")
    offenders = [
        str(f.relative_to(ROOT))
        for f in product_files()
        if f.parent.name != "config" and direct.search(f.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_values_are_parsed_by_their_declaration(tmp_path):
    env = {
        "PLANKG_QUERY_TIMEOUT": "2.5",
        "PLANKG_MAX_ROWS": "7",
        "PLANKG_SPARQL_IN_MEMORY": "OFF",
        "PLANKG_DATA": str(tmp_path),
        "PLANKG_UPDATE_TOKEN": "s3cret",
    }
    cfg = Config.from_env(env)
    assert (cfg.query_timeout, cfg.max_rows, cfg.sparql_in_memory, cfg.data_dir) == (2.5, 7, "off", tmp_path)
    assert cfg.public()["PLANKG_UPDATE_TOKEN"] == "***" and "s3cret" not in str(cfg.public())
    assert Config.from_env({}).max_rows == 10000 and value("PLANKG_MAX_ROWS", {"PLANKG_MAX_ROWS": " "}) == 10000


def test_overrides_win_over_the_environment_unless_none(tmp_path):
    env = {"PLANKG_DATA": str(tmp_path / "a"), "PLANKG_STORE": "http://127.0.0.1:7878"}
    cfg = Config.from_env(env, data_dir=tmp_path / "b", remote_store=None)
    assert cfg.data_dir == tmp_path / "b" and cfg.remote_store == "http://127.0.0.1:7878"
    with pytest.raises(TypeError, match="unknown setting"):
        Config.from_env(env, no_such_setting=1)


@pytest.mark.parametrize(
    "name, raw", [("PLANKG_QUERY_TIMEOUT", "soon"), ("PLANKG_HNSW", "maybe"), ("PLANKG_MAX_ROWS", "many")]
)
def test_a_bad_value_names_the_variable(name, raw):
    with pytest.raises(SettingError, match=name):
        Config.from_env({name: raw})
