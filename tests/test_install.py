"""PlanKG installs as it stands: a wheel built from the repository (not an editable install), put on a
path of its own, builds a corpus from another folder and finds its ontology, shapes and lexicons as
package data (``importlib.resources``), with the same triples as the repository's own build."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "plans"

pytestmark = pytest.mark.slow


def run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("install")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(ROOT),
        ],
        tmp,
        dict(os.environ),
    )
    wheel = next((tmp / "dist").glob("plankg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for data_file in (
        "ontology/plankg.ttl",
        "ontology/shapes.ttl",
        "ontology/domains.ttl",
        "graph/extract/agencies.tsv",
        "graph/extract/laws.tsv",
        "web/templates/search.html",
    ):
        assert data_file in names, f"{data_file} missing from the wheel"
    assert not any(n.startswith(("data/", "var/", "tests/")) for n in names)
    site = tmp / "site"
    run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        tmp,
        dict(os.environ),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANKG_")}
    env["PYTHONPATH"] = str(site)  # ahead of the repository's editable install
    return site, env


def test_the_wheel_is_what_runs(installed, tmp_path):
    site, env = installed
    out = run(
        [
            sys.executable,
            "-c",
            "import graph, graph.rdf.ns as ns, builds; print(graph.__file__); "
            "print(ns.SHAPES_TTL); print(builds.__file__)",
        ],
        tmp_path,
        env,
    ).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in out), out


def test_plankg_builds_in_any_folder(installed, tmp_path):
    site, env = installed
    work = tmp_path / "elsewhere"
    work.mkdir()
    plankg = site / "bin" / "plankg"
    run([str(plankg), "build", "--corpus", str(CORPUS), "--no-index", "--quiet"], work, env)
    assert (work / "var" / "current" / "store").is_dir()  # ./var of the working folder
    mine = run([str(plankg), "export", "--format", "ntriples"], work, env).stdout
    assert len(mine.splitlines()) > 10_000

    repo = tmp_path / "repo-build"
    env_repo = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    run(
        [
            sys.executable,
            "-m",
            "scripts.plankg",
            "build",
            "--corpus",
            str(CORPUS),
            "--no-index",
            "--quiet",
            "--data",
            str(repo),
        ],
        ROOT,
        env_repo,
    )
    theirs = run(
        [sys.executable, "-m", "scripts.plankg", "export", "--format", "ntriples", "--data", str(repo)], ROOT, env_repo
    ).stdout
    assert sorted(mine.splitlines()) == sorted(theirs.splitlines())
