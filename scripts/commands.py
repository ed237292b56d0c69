"""The commands of ``plankg`` (``scripts.plankg`` parses the arguments and calls one of these).

Each command imports what it needs inside its function, so that ``plankg parse`` or ``plankg list`` start
without loading the search models, faiss or Flask.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from config import Config


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def fail(message: str, code: int = 2) -> int:
    print(f"plankg: error: {message}", file=sys.stderr)
    return code


# -- parse -------------------------------------------------------------------------------------------
def cmd_parse(args) -> int:
    from graph.extract import extract_file
    from graph.parse import ParseError, parse_file
    from graph.parse.explain import outline_report, render_outline

    results, failed = [], 0
    for name in args.files:
        try:
            parsed = extract_file(parse_file(name))
        except ParseError as e:
            print(f"plankg: error: {e}", file=sys.stderr)
            failed += 1
            continue
        for notice in parsed.notices:
            if notice.startswith("not UTF-8"):
                print(f"plankg: notice: {parsed.file}: {notice}", file=sys.stderr)
        if not args.explain:
            for w in parsed.warnings:
                print(
                    f"plankg: {'error' if args.strict else 'warning'}: {parsed.file}:{w.line}: {w.message}",
                    file=sys.stderr,
                )
        if args.strict and parsed.warnings:
            failed += 1
        if args.text:
            out = Path(args.text) / (parsed.file + ("" if parsed.file.lower().endswith(".txt") else ".txt"))
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(parsed.text, encoding="utf-8")
        results.append(parsed)
    if args.explain:
        reports = [outline_report(r) for r in results]
        if args.json:
            _print_json(reports)
        else:
            print("\n\n".join(render_outline(r) for r in reports))
    elif args.json:
        _print_json([r.to_dict() for r in results])
    else:
        for r in results:
            for p in r.plans:
                c = p.counts()
                flag = " (title inferred)" if p.title_inferred else ""
                print(
                    f"{r.file}\t{p.title}{flag}\t{c['domains']} domains, {c['goals']} goals, "
                    f"{c['measures']} measures, {c['key_projects']} key projects"
                )
    return 2 if failed else 0


# -- build / export / stats / query ------------------------------------------------------------------
def _waiting(holder: dict) -> None:
    from builds.lock import describe

    print(f"plankg: waiting for the data folder's lock ({describe(holder)})…", file=sys.stderr)


def _lock_wait(args):
    return 0.0 if getattr(args, "no_wait", False) else getattr(args, "wait", None)


def cmd_build(args) -> int:
    from builds.errors import BuildError, Busy
    from builds.pipeline import build
    from graph.parse import ParseError

    cfg = Config.from_env(data_dir=args.data, corpus=args.corpus, remote_store=args.store)
    files = [Path(f) for f in args.files] if args.files else None
    try:
        report = build(
            cfg,
            files=files,
            with_index=not args.no_index,
            progress=not args.quiet,
            encoders=args.encoders,
            lock_wait=_lock_wait(args),
            on_wait=_waiting,
        )
    except (ParseError, BuildError, Busy) as e:
        return fail(str(e))
    for src in report.get("sources", []):
        for warning in src.get("warnings", []):
            print(f"plankg: warning: {warning}", file=sys.stderr)
    if args.json:
        _print_json(report)
    else:
        print(
            f"built {report['plans']} plans from {report['files']} files into {cfg.data_dir / 'current'} "
            f"({report['triples']} triples, {report['seconds']['total']:.1f}s)"
        )
    return 0


# -- add / remove / list ------------------------------------------------------------------------------
def cmd_add(args) -> int:
    from builds import corpus
    from builds.errors import BuildError, CorpusError
    from graph.parse import ParseError, read_sources

    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    if args.dry_run:
        return _add_dry_run(cfg, args)
    try:
        sources = read_sources([Path(f) for f in args.files])
        for src in sources:
            corpus.check_upload_name(src.name)
        result = corpus.add(
            cfg,
            sources,
            encoders=args.encoders,
            lock_wait=_lock_wait(args),
            on_wait=_waiting,
            progress=not args.quiet and not args.json,
        )
    except (ParseError, BuildError, CorpusError) as e:
        return fail(str(e))
    for notice in result.get("notices", []):
        print(f"plankg: notice: {notice}", file=sys.stderr)
    if args.json:
        _print_json(result)
    elif result["status"] == "unchanged":
        print(f"unchanged: {result['message']}")
    else:
        t = result["totals"]
        verb = "replaced " + ", ".join(result["replaced"]) + " by" if result["replaced"] else "added"
        plans = "、".join("《" + p["title"] + "》" for p in result["plans"])
        print(
            f"{verb} {', '.join(result['added'])} ({plans}) → {result['generation']}: "
            f"{t['plans']} plans in {t['files']} files, {t['triples']} triples ({result['seconds']['total']:.1f}s)"
        )
    return 0


def _add_dry_run(cfg: Config, args) -> int:
    """``plankg add --dry-run``: each file's outline and what adding it would do; nothing is changed."""
    from builds.preview import preview, render_preview
    from graph.parse import ParseError, SourceFile, read_source_bytes

    sources, unread = [], []
    for f in args.files:
        try:
            sources.append(SourceFile(Path(f).name, read_source_bytes(f), str(f)))
        except ParseError as e:
            unread.append(e)
    result = preview(cfg, sources)
    for bad in unread:
        print(f"plankg: error: {bad}", file=sys.stderr)
    if args.json:
        _print_json(result)
    elif sources:
        print(render_preview(result))
    return 2 if unread or result["summary"]["error"] else 0


def cmd_remove(args) -> int:
    from builds import corpus
    from builds.errors import BuildError, CorpusError
    from graph.parse import ParseError

    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    try:
        result = corpus.remove(
            cfg, args.target, lock_wait=_lock_wait(args), on_wait=_waiting, progress=not args.quiet and not args.json
        )
    except (ParseError, BuildError, CorpusError) as e:
        return fail(str(e))
    if args.json:
        _print_json(result)
    else:
        t = result["totals"]
        plans = "、".join("《" + p + "》" for p in result["removed_plans"])
        print(
            f"removed {', '.join(result['removed'])} ({plans}) → {result['generation']}: "
            f"{t['plans']} plans in {t['files']} files, {t['triples']} triples ({result['seconds']['total']:.1f}s)"
        )
    return 0


def cmd_list(args) -> int:
    from builds import corpus

    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    info = corpus.listing(cfg)
    if args.json:
        _print_json(info)
        return 0 if not info["problems"] else 1
    if info["generation"] is None:
        return fail(f"no graph built yet in {cfg.data_dir}: run `plankg build` first")
    state = "consistent" if not info["problems"] else "PROBLEMS: " + "; ".join(info["problems"])
    print(
        f"generation {info['generation']} (built {info['built_at']}, {info['plans']} plans, "
        f"{info['triples']} triples, corpus sha256 {str(info['corpus_sha256'])[:12]}…, "
        f"{'with' if info['index'] else 'no'} search index): {state}"
    )
    if info.get("previous"):
        print(f"previous generation (roll-back point): {info['previous']}")
    for f in info["files"]:
        print(f"{f['file']}\t{f['bytes'] / 1024:.0f} KB\t{f['encoding']}\tsha256 {f['sha256'][:12]}…")
        for p in f["plans"]:
            print(f"    {p['title']}\t{p['iri']}")
    for e in info.get("graphs", []):  # analysts' RDF (plankg load)
        for g, n in e["graphs"].items():
            print(f"graph <{g}>\t{n} triples\tfrom {e['file']} ({e['format']}, sha256 {e['sha256'][:12]}…)")
    return 0 if not info["problems"] else 1


def cmd_export(args) -> int:
    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    store = _open_existing(cfg)
    if store is None:
        return fail(f"no graph built yet in {cfg.data_dir}: run `plankg build` first")
    if args.output in (None, "-"):
        store.export(sys.stdout.buffer, args.format)
    else:
        with open(args.output, "wb") as out:
            store.export(out, args.format)
    return 0


_held: list = []  # generations held open (shared lock) while this command reads them


def _open_existing(cfg):
    """The current store, opened read-only (a server may hold it); the generation is held so that a
    concurrent add does not remove it while this command reads it."""
    from builds.generations import current_generation, hold_generation
    from builds.layout import DataFolder
    from graph.store import open_store

    if cfg.remote_store:
        return open_store(cfg.remote_store, auth=cfg.remote_auth)
    gen = current_generation(DataFolder(cfg.data_dir))
    if gen is None or not gen.store.exists():
        return None
    _held.append(hold_generation(gen))
    return open_store(str(gen.store), read_only=True)


def cmd_stats(args) -> int:
    from graph.stats import graph_stats

    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    store = _open_existing(cfg)
    if store is None:
        return fail(f"no graph built yet in {cfg.data_dir}: run `plankg build` first")
    stats = graph_stats(store)
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            if isinstance(value, list):
                print(f"{key}:")
                for row in value:
                    print("  " + "\t".join(str(v) for v in row.values()))
            else:
                print(f"{key}: {value}")
    return 0


def cmd_query(args) -> int:
    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    store = _open_existing(cfg)
    if store is None:
        return fail(f"no graph built yet in {cfg.data_dir}: run `plankg build` first")
    text = Path(args.query[1:]).read_text(encoding="utf-8") if args.query.startswith("@") else args.query
    sys.stdout.buffer.write(store.query_raw(text, args.accept))
    return 0


# -- search / similar --------------------------------------------------------------------------------
def _engine(args):
    from builds.generations import current_generation, hold_generation
    from builds.layout import DataFolder
    from embeddings.engine import SearchEngine

    cfg = Config.from_env(data_dir=args.data)
    gen = current_generation(DataFolder(cfg.data_dir))  # resolved once: every index file from one generation
    if gen is None or not gen.index_meta.exists():
        raise SystemExit(fail(f"no search index in {cfg.data_dir}: run `plankg build` first"))
    _held.append(hold_generation(gen))
    return SearchEngine.load(gen.index)


def cmd_search(args) -> int:
    from embeddings.results import hit_to_dict

    engine = _engine(args)
    filters = {
        k: v
        for k, v in (
            ("plan", args.plan),
            ("plan_type", args.type),
            ("region", args.region),
            ("level", args.level),
            ("domain_concept", args.domain),
            ("kind", args.kind),
            ("agency", args.agency),
            ("law", args.law),
            ("period", args.period),
        )
        if v
    }
    hits = engine.search(args.query, k=args.k, filters=filters, mode=args.mode)
    if args.json:
        _print_json({"query": args.query, "mode": args.mode, "results": [hit_to_dict(h) for h in hits]})
        return 0
    for rank, h in enumerate(hits, 1):
        d = hit_to_dict(h)
        plans = "；".join(p["plan_title"] for p in d["plans"])
        print(f"{rank:2d}. [{d['kind']} {d['number']}] {d['text'][:90]}")
        print(
            f"    {plans} · {d['domain_title'] or '重点实事项目'} · {d['file']}:{d['line']} · "
            f"score {d['score']:.4f} {json.dumps(d['scores'], ensure_ascii=False)}"
        )
    return 0


def cmd_similar(args) -> int:
    from embeddings.results import similar_to_dict

    engine = _engine(args)
    try:
        result = engine.similar(args.unit, threshold=args.threshold)
    except KeyError:
        return fail(f"no unit with id or IRI {args.unit!r}")
    d = similar_to_dict(result)
    if args.json:
        _print_json(d)
        return 0
    src = d["source"]
    print(f"{src['plan_title']} [{src['kind']} {src['number']}] {src['text'][:100]}")
    for c in d["counterparts"]:
        print(f"  {c['score']:.3f} {c['plan_title']} [{c['kind']} {c['number']}] {c['text'][:90]}")
        print(
            f"        shared agencies: {'、'.join(c['shared_agencies']) or '—'}; "
            f"only here: {'、'.join(c['other_agencies']) or '—'}"
        )
    return 0


def cmd_cookbook(args) -> int:
    from service.cookbook import COOKBOOK, markdown

    if args.markdown:
        print(markdown(), end="")
    elif args.json:
        _print_json([{"id": r.id, "title": r.title, "question": r.question, "query": r.query} for r in COOKBOOK])
    else:
        for r in COOKBOOK:
            print(f"{r.id}\t{r.title}\t{r.question}")
    return 0


def cmd_settings(args) -> int:
    from config import SETTINGS, markdown_table

    if args.markdown:
        print(markdown_table())
        return 0
    values = Config.from_env().public()
    if args.json:
        _print_json(
            [{"name": s.name, "value": values[s.name], "default": s.shown_default, "help": s.help} for s in SETTINGS]
        )
        return 0
    for s in SETTINGS:
        print(f"{s.name}={'' if values[s.name] is None else values[s.name]}\t# {s.help} (default {s.shown_default})")
    return 0
