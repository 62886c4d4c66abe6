"""``splice mcp``: serve the workspace to agents over the Model Context Protocol — stdio by default (what Claude
Code, VS Code and Cursor start), or streamable HTTP on 127.0.0.1 with ``--http PORT``.

Proposals are never written without the user: they go to the editor's review when a Splice language server runs
for the workspace, or are applied after the user approves the diff the MCP client shows them.
``--allow-headless-apply`` (off by default, and deliberately not a workspace setting a repository could turn on)
lets ``apply_proposal`` write without asking.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from splice.cli.common import add_common, leave, log_to_stderr, settings_from, workspace_of


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "mcp",
        help="serve the workspace to agents over MCP (stdio)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(p, json_output=False)
    p.add_argument("--http", type=int, default=None, metavar="PORT", help="streamable HTTP on 127.0.0.1:PORT")
    p.add_argument("--allow-headless-apply", action="store_true", help="apply_proposal writes without asking the user")
    p.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    log_to_stderr(args.log_level)  # stdout carries the protocol on stdio
    root = workspace_of(args)
    if not root.is_dir():
        print(f"splice mcp: {root} is not a folder", file=sys.stderr)
        return 2
    from splice.mcp.main import serve

    code = serve(root, settings_from(args), http_port=args.http, headless_apply=args.allow_headless_apply)
    leave(code)
