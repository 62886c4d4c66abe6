"""The ``splice`` command line: one module per command group, each exposing ``register(subparsers)``.

Command modules import heavy libraries (lancedb, litellm) only inside their handlers so ``splice --help`` and small
commands stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from splice import __version__, isolate_sys_path

# Order is the order shown in --help.
COMMAND_MODULES = (
    "splice.cli.serve",
    "splice.cli.index",
    "splice.cli.context",
    "splice.cli.explain",
    "splice.cli.generate",
    "splice.cli.migrate",
    "splice.cli.edit",
    "splice.cli.llm",
    "splice.cli.mcp",
    "splice.cli.doctor",
    "splice.cli.trust",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="splice",
        description="Splice: an LLM coding assistant that lives in the language server.",
    )
    parser.add_argument("--version", action="version", version=f"splice {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the ``splice`` command itself: a ``.`` in PYTHONPATH must not let the workspace shadow us
        isolate_sys_path()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # inside the guard: `splice … | head` may have closed the pipe already
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped early (`| head`): what it wanted was printed; exit like a process ended by SIGPIPE.
        from splice.cli.output import guard_pipe

        guard_pipe()
        return 141
    return code


if __name__ == "__main__":
    sys.exit(main())
