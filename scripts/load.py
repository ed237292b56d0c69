"""``plankg load``: an analyst's RDF file into a named graph beside the plans (``builds.graphs``), or
``--remove`` one."""

from __future__ import annotations

from config import Config

from .commands import _lock_wait, _print_json, _waiting, fail


def cmd_load(args) -> int:
    from builds import graphs
    from builds.errors import BuildError, CorpusError
    from graph.parse import ParseError
    from graph.store import StoreError

    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    if (args.file is None) == (args.remove is None):
        return fail("give one FILE to load, or --remove IRI (or the file name of a loaded file)")
    wait = {"lock_wait": _lock_wait(args), "on_wait": _waiting}
    try:
        if args.remove is not None:
            if args.graph or args.format:
                return fail("--remove takes no --graph or --format")
            result = graphs.remove(cfg, args.remove, **wait)
        else:
            result = graphs.load(cfg, graphs.read_graph_file(args.file, graph=args.graph, format=args.format), **wait)
    except (ParseError, CorpusError, BuildError, StoreError) as e:
        return fail(str(e))
    if args.json:
        _print_json(result)
        return 0
    names = ", ".join(f"<{g}> ({n} triples)" for g, n in result["graphs"].items())
    if result["status"] == "unchanged":
        print(f"unchanged: {result['file']} is already loaded into {names}")
    elif result["status"] == "removed":
        print(f"removed {names}, loaded from {result['file']} → {result['generation']}")
    else:
        verb = f"replaced {', '.join(result['replaced'])} by" if result["replaced"] else "loaded"
        print(f"{verb} {result['file']} into {names} → {result['generation']} ({result['seconds']:.1f}s)")
    return 0
