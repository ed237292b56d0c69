"""Shared fixtures: the bundled corpus, the W3C suite beside the clone, a parsed corpus."""
from __future__ import annotations

import os
import re
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
