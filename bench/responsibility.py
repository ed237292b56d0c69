"""Responsibility views at 1×, 10× and 100×: the build's aggregates, JSON sizes, server times and first paint.

    .venv/bin/python bench/responsibility.py                       # 1× (the bundled plans) and 10×
    .venv/bin/python bench/responsibility.py --scales 1,10,100     # 100× too: its build takes long
    .venv/bin/python bench/responsibility.py --work /tmp/resp --json resp.json

For each scale, a data folder under ``--work`` (default /tmp/plankg-responsibility) is reused when it holds a
build, else made: 1× is the bundled corpus, 10× and 100× are ``bench/gen_corpus.py`` corpora (70 and 700
plans), built without a search index (the responsibility views do not use it). Then:

* build: the seconds of the build's ``aggregates`` stage (build.json), and the same work timed again here
  on the finished generation: reading every part's facts and assembling the totals (what a delta does for
  the kept files), deriving every part's facts from its parsed.json (what happens when a part has none),
  and the size of aggregates.json;
* server (``plankg serve``, one worker): the first answer of /sectors.json (the process reads the
  aggregates then), the median of 5 more (each with a query string of its own, so that the response cache
  does not answer), its size; the same for /sectors (HTML), /agency-graph.json (all
  plans: summed by type above the cap) and the agency graph of the region with the most plans, and the
  units behind the busiest cell;
* Chromium (headless, 1280×900, a new context each time, after the server has answered once): for /sectors
  the median over 3 loads of first contentful paint and DOMContentLoaded (the sector graph is an SVG in the
  page: painted with it), and for /agency-graph?region=… the time until Cytoscape has laid out the graph.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gen_corpus import generate  # noqa: E402


def ensure_build(work: Path, scale: int) -> Path:
    """The data folder of ``scale`` (built when it has no current generation)."""
    data = work / f"x{scale}" / "data"
    if (data / "current" / "build.json").is_file():
        return data
    corpus = ROOT / "data" / "plans"
    if scale != 1:
        corpus = work / f"x{scale}" / "corpus"
        if not (corpus / "manifest.json").is_file():
            generate(corpus, scale=scale)
    cmd = [sys.executable, "-m", "scripts.plankg", "build", "--data", str(data), "--corpus", str(corpus)]
    print(f"building {scale}x into {data} …", flush=True)
    t = time.perf_counter()
    subprocess.run([*cmd, "--no-index", "--quiet", "--json"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"  built in {time.perf_counter() - t:.0f} s", flush=True)
    return data


def build_figures(data: Path) -> dict:
    from builds import aggregates as A
    from builds.generations import current_generation
    from builds.layout import DataFolder

    gen = current_generation(DataFolder(data))
    assert gen is not None
    report = gen.read_build()
    entries = report["parts"]["files"]
    stored = json.loads(gen.aggregates_json.read_text(encoding="utf-8"))
    t = time.perf_counter()
    plans = [p for e in entries for p in A.read_part(gen, e["key"]) or []]
    assembled = A.assemble(plans, stored["labels"]["agencies"])
    text = json.dumps(assembled, ensure_ascii=False, separators=(",", ":"))
    kept = time.perf_counter() - t
    t = time.perf_counter()
    for e in entries:
        A.part_facts(json.loads(gen.part(e["key"]).parsed_json.read_text(encoding="utf-8")))
    derive = time.perf_counter() - t
    total = stored["total"]
    return {
        "plans": total["plans"],
        "units": total["units"],
        "units_with_agency": total["agency_units"],
        "sectors": len(total["sectors"]),
        "agencies": len(stored["labels"]["agencies"]),
        "build_stage_s": report["seconds"].get("aggregates"),
        "build_total_s": report["seconds"].get("total"),
        "assemble_from_parts_s": round(kept, 3),
        "derive_all_facts_s": round(derive, 3),
        "aggregates_json_kb": round(len(text.encode("utf-8")) / 1024, 1),
        "same_as_stored": assembled == stored,
    }


def timed(server, path: str, n: int = 5) -> dict:
    t = time.perf_counter()
    r = server.get(path, timeout=600)
    first = time.perf_counter() - t
    if r.status != 200:
        raise SystemExit(f"{path}: {r.status} {r.text[:300]}")
    times = []
    for i in range(n):  # a query of its own each time: not an answer of the server's response cache
        t = time.perf_counter()
        server.get(f"{path}{'&' if '?' in path else '?'}_bench={i}", timeout=600)
        times.append(time.perf_counter() - t)
    return {
        "first_ms": round(1000 * first),
        "median_ms": round(1000 * statistics.median(times)),
        "kb": round(len(r.body) / 1024, 1),
    }


def browser_figures(base: str, region: str, runs: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser_util import ARGS, CHROMIUM

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            fcp, dcl, graph, agency_fcp = [], [], [], []
            for _ in range(runs):
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                page = ctx.new_page()
                page.goto(base + "/sectors")
                for _ in range(100):  # polled from here: the pages' CSP forbids the eval of wait_for_function
                    if page.evaluate("performance.getEntriesByName('first-contentful-paint').length"):
                        break
                    time.sleep(0.05)
                t = page.evaluate(
                    "(() => { const n = performance.getEntriesByType('navigation')[0];"
                    " return [performance.getEntriesByName('first-contentful-paint')[0].startTime,"
                    " n.domContentLoadedEventEnd]; })()"
                )
                fcp.append(t[0])
                dcl.append(t[1])
                ctx.close()
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                page = ctx.new_page()
                page.goto(f"{base}/agency-graph?region={quote(region)}")
                page.wait_for_selector("#graph.ready", timeout=60000)
                graph.append(page.evaluate("performance.now()"))
                agency_fcp.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
                ctx.close()
            out = {
                "sectors_fcp_ms": round(statistics.median(fcp)),
                "sectors_dcl_ms": round(statistics.median(dcl)),
                "region_graph_ready_ms": round(statistics.median(graph)),
                "region_page_fcp_ms": round(statistics.median(agency_fcp)),
            }
        finally:
            browser.close()
    return out


def server_figures(data: Path) -> dict:
    from tests.conftest_server import launch

    with tempfile.TemporaryDirectory() as logs:
        server = launch(data, Path(logs), wait_s=600)
        try:
            out = {"sectors_json": timed(server, "/sectors.json")}
            view = server.get("/sectors.json").json()
            region = view["facets"]["region"][0]["value"]
            row = view["matrix"]["rows"][0]
            col = view["matrix"]["columns"][max(range(len(row["cells"])), key=lambda i: sum(row["cells"][i] or [0]))]
            out["sectors_page"] = timed(server, "/sectors")
            out["sectors_json_lead_partner"] = timed(server, "/sectors.json?role=lead,partner")
            out["sectors_json_one_type"] = timed(server, "/sectors.json?plan_type=children")
            out["agency_graph_all_json"] = timed(server, "/agency-graph.json")
            all_plans = server.get("/agency-graph.json").json()
            out["agency_graph_all_nodes"] = len(all_plans["elements"]["nodes"])
            out["agency_graph_all_aggregated"] = bool(all_plans["aggregated"])
            out["agency_graph_region_json"] = timed(server, f"/agency-graph.json?region={quote(region)}")
            out["region"] = region
            out["cell_units_json"] = timed(server, f"/sectors/units.json?sector={row['sector']}&domain={col['key']}")
            out["graph"] = {k: view["graph"][k] for k in ("nodes", "edges", "edges_total")}
            out["browser"] = browser_figures(server.url, region)
        finally:
            server.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,10", help="comma-separated: 1, 10, 100")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "plankg-responsibility")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = {}
    for scale in (int(s) for s in args.scales.split(",")):
        data = ensure_build(args.work, scale)
        results[f"{scale}x"] = {"build": build_figures(data), "server": server_figures(data)}
        print(json.dumps({f"{scale}x": results[f"{scale}x"]}, ensure_ascii=False, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    cols = list(results)
    rows = [
        (
            "plans / units / units naming an agency",
            lambda r: f"{r['build']['plans']} / {r['build']['units']} / {r['build']['units_with_agency']}",
        ),
        ("agency types / agencies", lambda r: f"{r['build']['sectors']} / {r['build']['agencies']}"),
        ("build: aggregates stage (s)", lambda r: r["build"]["build_stage_s"]),
        ("aggregates from the parts' facts, again (s)", lambda r: r["build"]["assemble_from_parts_s"]),
        ("every part's facts from parsed.json (s)", lambda r: r["build"]["derive_all_facts_s"]),
        ("aggregates.json (KB)", lambda r: r["build"]["aggregates_json_kb"]),
        ("/sectors.json: KB, first / median (ms)", lambda r: _t(r["server"]["sectors_json"])),
        ("/sectors page: KB, first / median (ms)", lambda r: _t(r["server"]["sectors_page"])),
        ("/sectors.json?plan_type=children (ms)", lambda r: _t(r["server"]["sectors_json_one_type"])),
        ("/agency-graph.json, all plans: KB, first / median (ms)", lambda r: _t(r["server"]["agency_graph_all_json"])),
        (
            "  nodes (summed by type above 120 agencies)",
            lambda r: (
                f"{r['server']['agency_graph_all_nodes']}"
                + (" (by type)" if r["server"]["agency_graph_all_aggregated"] else "")
            ),
        ),
        ("/agency-graph.json, one region (ms)", lambda r: _t(r["server"]["agency_graph_region_json"])),
        ("units of the busiest cell (ms)", lambda r: _t(r["server"]["cell_units_json"])),
        (
            "sector graph: nodes / edges drawn / edges",
            lambda r: "{nodes} / {edges} / {edges_total}".format(**r["server"]["graph"]),
        ),
        (
            "Chromium /sectors: first paint / DOMContentLoaded (ms)",
            lambda r: f"{r['server']['browser']['sectors_fcp_ms']} / {r['server']['browser']['sectors_dcl_ms']}",
        ),
        (
            "Chromium /agency-graph of a region: first paint / graph laid out (ms)",
            lambda r: (
                f"{r['server']['browser']['region_page_fcp_ms']} / {r['server']['browser']['region_graph_ready_ms']}"
            ),
        ),
    ]
    print("\n| | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for name, fn in rows:
        print(f"| {name} | " + " | ".join(str(fn(results[c])) for c in cols) + " |")


def _t(x: dict) -> str:
    return f"{x['kb']} KB, {x['first_ms']} / {x['median_ms']}"


if __name__ == "__main__":
    main()
