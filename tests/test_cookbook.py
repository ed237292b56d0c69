"""The analyst's cookbook: every query runs against the bundled plans and gives rows; the docs and the
SPARQL page show all of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from builds.generations import current_generation
from builds.layout import DataFolder
from graph.store.oxigraph import OxigraphStore
from service.cookbook import COOKBOOK, markdown
from service.examples import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store(hash_data_dir):
    gen = current_generation(DataFolder(hash_data_dir))
    assert gen is not None
    s = OxigraphStore(gen.store, read_only=True)
    yield s
    s.close()


def test_there_are_at_least_fifteen_recipes_with_titles_and_questions():
    assert len(COOKBOOK) >= 15
    assert len({r.id for r in COOKBOOK}) == len(COOKBOOK)
    for r in COOKBOOK:
        assert r.title and r.question and "SELECT" in r.query, r.id


@pytest.mark.parametrize("recipe", COOKBOOK, ids=lambda r: r.id)
def test_every_recipe_answers_with_rows_labels_before_iris(store, recipe):
    rows = list(store.query(recipe.query))
    assert rows, f"{recipe.id}: no rows on the bundled plans"
    variables = rows[0].keys() if hasattr(rows[0], "keys") else []
    values = [dict(r) for r in rows[:5]]
    first_iri = next(
        (i for i, v in enumerate(variables) if any(str(x.get(v, "")).startswith("http") for x in values)), None
    )
    if first_iri is not None:  # label columns come before the first IRI column
        assert first_iri > 0 and all(
            str(x.get(v, "")).startswith("http") for x in values for v in list(variables)[first_iri:] if x.get(v)
        ), recipe.id


def test_docs_and_sparql_page_show_every_recipe():
    assert (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8") == markdown()
    ids = {e["id"] for e in EXAMPLES}
    assert {r.id for r in COOKBOOK} <= ids
