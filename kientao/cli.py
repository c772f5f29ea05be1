"""The ``kientao`` command.

``kientao serve | worker | demo | manage ...`` run the platform; one subcommand
group per capability (``kientao indices ...``, ``kientao conversations ...``)
serves analysts. The capability groups work on files and call the pure engines,
so they start fast and need neither Django nor a database.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Explicit list (no auto-discovery): each module exposes ``register(subparsers)``.
CAPABILITY_CLIS = (
    "kientao.challenges.cli",
    "kientao.conversations.cli",
    "kientao.systemmaps.cli",
    "kientao.indices.cli",
)


def _django_manage(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kientao manage", *argv])
    return 0


def _cmd_manage(args: argparse.Namespace) -> int:
    return _django_manage(args.rest)


def _cmd_serve(args: argparse.Namespace) -> int:
    from kientao.core import runner

    return runner.serve(host=args.host, port=args.port, with_worker=not args.no_worker)


def _cmd_worker(args: argparse.Namespace) -> int:
    return _django_manage(["kientao_worker", *(["--once"] if args.once else [])])


def _cmd_demo(args: argparse.Namespace) -> int:
    return _django_manage(["load_demo"])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kientao",
        description="Kiến Tạo: a platform for public-sector innovation labs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("serve", help="migrate, then serve the web app with a job worker")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-worker", action="store_true", help="do not start a job worker")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("worker", help="run a background-job worker")
    p.add_argument("--once", action="store_true", help="run queued jobs, then exit")
    p.set_defaults(func=_cmd_worker)

    p = sub.add_parser("demo", help="load the demo data (idempotent)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_manage)

    for path in CAPABILITY_CLIS:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            if exc.name != path:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    result = args.func(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
