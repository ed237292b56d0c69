"""The search benchmark's queries are well-formed, and bench/search_metrics.py scores rankings right.

No models here: the benchmark's numbers are in docs/benchmarks.md, not asserted by tests.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.search_eval import MAIN, VARIANTS, replace_section
from bench.search_metrics import (
    JUDGED_TYPES,
    OFFTOPIC,
    QUERY_TYPES,
    SPEAKERS,
    Coverage,
    load_queries,
    metrics,
    score_query,
    summarise,
)
from embeddings.documents import normalise_text
from graph.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "plans"
QUERIES = ROOT / "bench" / "search_queries.json"


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    return load_queries(QUERIES)


@pytest.fixture(scope="module")
def units() -> dict[str, list[tuple[int, int, str]]]:
    """file name → [(start line, end line, text)] of every goal, measure and key project (graph.parse)."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for path in sorted(CORPUS.glob("*.txt")):
        for plan in parse_file(path).plans:
            for _, unit in plan.units():
                src = unit.source
                out.setdefault(path.name, []).append((src.line, max(src.end_line, src.line), unit.text))
    return out


def test_ids_types_and_counts(queries):
    ids = [q["id"] for q in queries]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert {q["type"] for q in queries} <= set(QUERY_TYPES)
    texts = [q["query"].strip() for q in queries]
    assert all(texts) and len(texts) == len(set(texts)), "empty or repeated query text"
    by_type = Counter(q["type"] for q in queries)
    assert by_type["keyword"] >= 24 and by_type["paraphrase"] >= 21  # the original 45 stay
    plain = [q for q in queries if q["type"] == "plain"]
    assert len(plain) >= 30
    assert all(q.get("speaker") in SPEAKERS for q in plain), [
        q["id"] for q in plain if q.get("speaker") not in SPEAKERS
    ]
    assert {q["speaker"] for q in plain} == set(SPEAKERS)
    off = [q for q in queries if q["type"] == OFFTOPIC]
    assert len(off) >= 10
    assert all(not q.get("relevant") for q in off), "off-topic queries carry no judgments"
    assert all(q.get("relevant") for q in queries if q["type"] in JUDGED_TYPES), "a judged query without judgments"


def test_every_judgment_points_into_a_parsed_unit(queries, units):
    problems = []
    for q in queries:
        seen = set()
        for j in q.get("relevant", []):
            where = f"{q['id']} {j.get('file')}:{j.get('line')}"
            if j.get("grade") not in (1, 2):
                problems.append(f"{where}: grade {j.get('grade')!r} not 1 or 2")
            if not (CORPUS / str(j.get("file"))).is_file():
                problems.append(f"{where}: no such file in data/plans")
                continue
            found = [u for u in units.get(j["file"], []) if u[0] <= j["line"] <= u[1]]
            if len(found) != 1:
                problems.append(f"{where}: line is inside {len(found)} parsed units")
                continue
            start, _, text = found[0]
            if j.get("text") and not normalise_text(text).startswith(normalise_text(j["text"])):
                problems.append(f"{where}: text {j['text']!r} is not the opening of the unit at line {start}")
            if (j["file"], start) in seen:
                problems.append(f"{where}: unit judged twice")
            seen.add((j["file"], start))
    assert not problems, "\n".join(problems)


def test_metrics_on_hand_made_rankings():
    rel = {1: 2, 2: 1, 3: 2}  # three judged groups
    best = metrics([[1], [3], [2], [9]], rel)
    assert best == {"ndcg": pytest.approx(1.0), "recall": 1.0, "mrr": 1.0}
    # relevant groups found at ranks 2 and 4: gains 3 and 1 against the ideal 3, 3, 1
    got = metrics([[9], [1], [8], [2]], rel)
    dcg = 3 / 1.584962500721156 + 1 / 2.321928094887362
    idcg = 3 + 3 / 1.584962500721156 + 1 / 2.0
    assert got["ndcg"] == pytest.approx(dcg / idcg)
    assert got["recall"] == pytest.approx(2 / 3)
    assert got["mrr"] == pytest.approx(0.5)
    assert metrics([], rel) == {"ndcg": 0.0, "recall": 0.0, "mrr": 0.0}
    # beyond the first 10: counts for MRR only
    deep = metrics([[100 + i] for i in range(11)] + [[3]], rel)
    assert deep["ndcg"] == 0.0 and deep["recall"] == 0.0 and deep["mrr"] == pytest.approx(1 / 12)


def test_a_hit_covering_several_groups_counts_each_group_once():
    rel = {1: 2, 2: 2}
    merged = metrics([[1, 2], [2], [7]], rel)  # near-duplicates merged into the first hit
    assert merged["recall"] == 1.0 and merged["mrr"] == 1.0
    assert merged["ndcg"] == pytest.approx(3 / (3 + 3 / 1.584962500721156))  # group 2 is not scored twice


def test_summary_by_type_speaker_and_off_topic():
    def q(i, t, speaker=None):
        return {"id": i, "type": t, "speaker": speaker}

    recs = [
        score_query(q("a", "keyword"), [[1]], {1: 2}),
        score_query(q("b", "plain", "parent"), [[5], [1]], {1: 1}),
        score_query(q("c", "plain", "drafter"), [[5]], {1: 1}),
        score_query(q("x", OFFTOPIC), [], {}),
        score_query(q("y", OFFTOPIC), [[i] for i in range(30)], {}),
    ]
    s = summarise(recs)
    assert s["keyword"]["ndcg"] == pytest.approx(1.0) and s["keyword"]["n"] == 1
    assert s["plain"]["n"] == 2 and s["plain"]["mrr"] == pytest.approx(0.25)
    assert s["plain:parent"]["recall"] == 1.0 and s["plain:drafter"]["recall"] == 0.0 and s["plain:citizen"]["n"] == 0
    assert s["all"]["n"] == 3
    assert s[OFFTOPIC] == {"precision": 0.5, "mean_shown": 5.0, "n": 2}  # 0 and 10 shown (first page)


def test_coverage_reads_the_hit_group_and_its_listed_units():
    docs = [
        SimpleNamespace(file="a.txt", line=3),
        SimpleNamespace(file="a.txt", line=9),
        SimpleNamespace(file="b.txt", line=4),
    ]
    engine = SimpleNamespace(docs=docs, doc_group=[0, 1, 1], group_ids=["g0", "g1"])
    cov = Coverage(engine)
    hit = SimpleNamespace(
        group="g0", plans=[SimpleNamespace(file="a.txt", line=3), SimpleNamespace(file="b.txt", line=4)]
    )
    assert cov.groups(hit) == [0, 1]
    near = SimpleNamespace(group="g1", plans=[], near_duplicates=[SimpleNamespace(doc=docs[0])])
    assert cov.groups(near) == [1, 0]
    assert cov.groups(SimpleNamespace(group="g1", plans=[], near=["g0", "unknown"])) == [1, 0]


def test_systems_and_docs_section(tmp_path):
    labels = [s.label for s in MAIN + VARIANTS]
    assert len(labels) == len(set(labels))
    assert {s.call for s in MAIN} == {"search", "query"}
    doc = tmp_path / "b.md"
    doc.write_text("# B\n\n## One\n\nold one\n\n## Search relevance and speed\n\nold table\n\n## Two\n\nkept\n")
    replace_section(doc, "Search relevance and speed", "new table")
    assert (
        doc.read_text() == "# B\n\n## One\n\nold one\n\n## Search relevance and speed\n\nnew table\n\n## Two\n\nkept\n"
    )
    with pytest.raises(SystemExit):
        replace_section(doc, "Nowhere", "x")
