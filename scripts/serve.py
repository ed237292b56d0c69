"""``plankg serve``: the web service under gunicorn, behind the nginx front (``server.serve``)."""

from __future__ import annotations

from config import Config


def cmd_serve(args) -> int:
    from server import front_config_text, serve

    cfg = Config.from_env(data_dir=args.data, remote_store=args.store)
    if args.print_front_config:
        print(front_config_text(cfg, args.host, args.port), end="")
        return 0
    return serve(cfg, host=args.host, port=args.port, workers=args.workers, threads=args.threads, front=args.front)


def add_parser(sub, common) -> None:
    s = sub.add_parser("serve", parents=[common], help="serve the JSON API, SPARQL endpoint and pages")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, help="worker processes (default: $PLANKG_WORKERS, 2)")
    s.add_argument("--threads", type=int, default=8, help="threads per worker process")
    s.add_argument(
        "--front", choices=("nginx", "none"), help="nginx in front (default: $PLANKG_FRONT, nginx) or gunicorn alone"
    )
    s.add_argument(
        "--print-front-config", action="store_true", help="print the nginx config it would generate, and exit"
    )
    s.set_defaults(func=cmd_serve)
