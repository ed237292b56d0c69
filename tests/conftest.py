"""Shared fixtures (the bundled corpus, the W3C suite beside the clone, a parsed corpus) and the test tiers.

Tiers (markers registered in pyproject.toml, applied in ``pytest_collection_modifyitems``):

* ``server``: the test uses a fixture that starts a real service or builds the session's real data
  folder (``SERVER_FIXTURES``), or its module says so with ``pytestmark = pytest.mark.server``
  (``oxigraph serve`` / Virtuoso, many ``plankg`` subprocesses);
* ``browser``: it uses a fixture that drives Chromium (``BROWSER_FIXTURES``);
* ``slow``: it, or one of its fixtures, calls a helper of tests/search_util.py that loads the real
  models (``REAL_MODEL_HELPERS``); or it takes seconds by itself (measured with ``--durations``: a
  test over ~2 s on the 2-core machine, or a module whose tests all build the corpus), marked with
  ``pytest.mark.slow`` in its module or listed in ``SLOW_TESTS`` here;
* ``fast``: every other test (unit and in-process tests); ``make test-fast`` runs ``pytest -m fast``.
"""

from __future__ import annotations

import gc
import os
import re
import warnings
from pathlib import Path

import pytest

pytest_plugins = ["tests.conftest_server", "tests.conftest_app", "tests.browser_util"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "plans"
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "test-artifacts"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def reference_counts(readme: Path) -> dict[str, dict[str, int]]:
    """The per-plan reference table of the corpus README: {'杭州 children': {'domains': 7, ...}}."""
    rows = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and all(re.fullmatch(r"\d+", c) for c in cells[1:]) and "all" not in cells[0]:
            name = re.sub(r"\s*\(.*\)", "", cells[0])
            rows[name] = dict(zip(("domains", "goals", "measures", "key_projects"), map(int, cells[1:])))
    return rows


SERVER_FIXTURES = {"live_server", "start_server", "built_data_dir", "server_logs"}
BROWSER_FIXTURES = {"browser"}
REAL_MODEL_HELPERS = {"corpus_engine", "real_encoders"}  # tests/search_util.py
TIERS = ("server", "browser", "slow")

# in-process tests that take seconds (call time measured on the 2-core machine, idle); "module.py" is the
# whole module, "module.py::test" every parametrisation of the test
SLOW_TESTS = {
    "test_delta.py": "builds the corpus (4 s), then deltas and full builds: 1-11 s per test, 38 s in all",
    "test_rdf_build.py::test_corpus_graph_conforms_and_counts_match_the_model": "SHACL on the corpus: 2.8 s",
    "test_search_index.py::test_build_persist_and_rebuild_only_on_change": "index builds: 2.9 s",
    "test_search_index.py::test_pipeline_entry_point": "a build with its index: 2.4 s",
    "test_search_index.py::test_hnsw_index_end_to_end": "2.0 s",
    "test_store_oxigraph.py::test_load_from_files_and_bytes": "3.8 s",
    "test_store_oxigraph.py::test_building_twice_gives_identical_data": "two corpus builds: 2.2 s",
    "test_store_oxigraph.py::test_failed_directory_swap_rolls_back": "2.0 s",
    # measured 2026-12-06 (pytest -m fast --durations=0): the fast tier had grown to 155 s
    "test_admin_api.py": "builds a data folder per module, uploads rebuild generations: 25 s in all",
    "test_rdf_indicators.py": "corpus builds with SHACL, twice for determinism: 17 s in all",
    "test_linked_data.py": "74 negotiations over the bundled build, dumps and VoID: 14 s in all",
    "test_preview.py": "previews and real adds on a built folder: 7 s in all",
    "test_sparql_memory.py": "query workers in subprocesses: 7 s in all",
    "test_rdf_build.py::test_corpus_mention_spans_point_at_their_surface": "every mention of the corpus: 2.2 s",
    "test_rdf_build.py::test_build_with_validate_raises_on_violation": "SHACL on the corpus: 2.0 s",
    "test_rdf_build.py::test_citation_violations": "SHACL runs: 2.0 s",
    "test_rdf_build.py::test_corpus_labels_and_flags": "1.5 s",
    "test_rdf_build.py::test_structural_violations_on_edited_graphs": "1.2 s",
    "test_rdf_ontology.py::test_shapes_are_valid_shacl": "SHACL-SHACL: 3.8 s",
    "test_search_lexical.py::test_jieba_user_words_and_stopwords": "loads jieba's dictionary: 3.0 s",
    "test_search_lexical.py::test_bm25_save_load": "2.3 s",
    "test_store_oxigraph.py": "on-disk stores, exports in every syntax, swaps: 12 s in all",
    "test_escaping.py": "a corpus of payloads built and served: 4.5 s in all",
    "test_search_index.py": "index builds and token caches: 6 s in all",
    # measured 2026-12-07: the first check of a session builds the corpus view and its topics (jieba's dictionary)
    "test_check_api.py": "drafts of 95 units checked in process, topics built once, downloads: ~20 s in all",
    "test_sectors.py::test_deltas_and_loads_keep_the_aggregates_right": "three builds, an add, a remove, a load: 68 s",
    "test_sectors.py::test_a_store_changed_by_sparql_update_is_counted_from_the_store": "a copied data folder: 40 s",
    "test_sectors.py::test_aggregates_equal_counts_by_sparql_on_the_same_store": "20 SPARQL aggregations: 1.8 s",
    "test_sectors.py::test_agency_graph_rows_from_the_aggregates_equal_the_sparql_rows": "SPARQL rows: 1.2 s",
    "test_sectors.py::test_drill_down_to_one_plan_shows_its_agencies_as_before": "the same SPARQL rows: 1.2 s",
    "test_sectors.py::test_the_whole_corpus_agency_graph_is_as_before_below_the_cap": "the same SPARQL rows: 1.2 s",
    # measured 2026-12-07 (pytest -m fast --durations=0, 55.8 s in all): the slowest left in the fast tier
    "test_pages_tasks.py::test_unit_without_agency_says_so_and_suggests_with_evidence": "counterparts of 5 units: 3.2 s",
    "test_rdf_ontology.py::test_parses_in_rdflib_and_pyoxigraph_with_same_triples": "the shapes in two parsers: 2.5 s",
    "test_hostile.py::test_search_query_length_limit": "searches of the longest queries: 1.9 s",
    "test_search_encoders.py::test_configure_threads_sets_torch_and_faiss": "imports torch: 1.6 s",
}


def _calls_real_models(item) -> bool:
    """Whether the test function or one of its fixtures calls a real-model helper of tests/search_util.py."""
    funcs = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        funcs += [d.func for d in defs]
    return any(REAL_MODEL_HELPERS & set(getattr(getattr(f, "__code__", None), "co_names", ())) for f in funcs)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.path.name
        for key in (module, f"{module}::{getattr(item, 'originalname', item.name)}"):
            if key in SLOW_TESTS:
                item.add_marker(pytest.mark.slow)
        names = set(getattr(item, "fixturenames", ()))
        if names & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
        if names & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if _calls_real_models(item):
            item.add_marker(pytest.mark.slow)
        if not any(item.get_closest_marker(t) for t in TIERS):
            item.add_marker(pytest.mark.fast)
    modules = {item.path.name: item.module for item in items if getattr(item, "module", None) is not None}
    stale = [
        k
        for k in SLOW_TESTS
        if "::" in k and k.split("::")[0] in modules and not hasattr(modules[k.split("::")[0]], k.split("::")[1])
    ]
    if stale:
        warnings.warn(
            pytest.PytestWarning(f"tests/conftest.py SLOW_TESTS names tests that do not exist: {stale}"), stacklevel=2
        )


class FreezeAfterSessionFixtures:
    """Once a session fixture is set up, move what is alive to the collector's permanent generation
    (``gc.freeze``). Closing an on-disk store runs a full ``gc.collect()`` (graph/store/oxigraph.py, so
    that RocksDB lets go of its directory), and a full collection walks every object of the session: the
    parsed corpus, built data, the apps. Without this, the fast tier spent ~16 of its ~50 s in such
    collections; with it, ~2 s. Frozen objects are still freed when their last reference goes; only
    reference cycles among them (session-long objects, and whatever else was alive at that moment) are
    no longer collected. No test depends on the collector freeing something it did not collect itself.

    A plugin of its own (registered in ``pytest_configure``): a hook in this conftest would only see the
    fixtures requested below tests/, and session fixtures are requested by the session."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        result = yield
        if fixturedef.scope == "session":
            gc.collect()
            gc.freeze()
        return result


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("plankg-gc-freeze"):
        config.pluginmanager.register(FreezeAfterSessionFixtures(), "plankg-gc-freeze")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def parsed_corpus():
    from graph.parse import parse_corpus

    return parse_corpus(CORPUS)


@pytest.fixture(scope="session")
def all_plans(parsed_corpus):
    return [p for pf in parsed_corpus for p in pf.plans]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
