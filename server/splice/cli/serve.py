"""``splice serve``: run the language server on stdio (editors may append ``--stdio``) or TCP."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from splice.cli.common import leave, log_to_stderr


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("serve", help="run the language server (stdio by default)")
    p.add_argument("--stdio", action="store_true", help="use stdio (the default; accepted for editors)")
    p.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2087)
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    log_to_stderr(args.log_level)  # editors show stderr in their output panel
    if args.log_level != "DEBUG":  # pygls logs every message at INFO
        logging.getLogger("pygls").setLevel(logging.WARNING)
    from splice.lsp.app import create_server

    server = create_server()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    # The LSP exit code: 0 when `shutdown` came before `exit`, 1 otherwise (also when the editor just went away).
    # pygls computes it, then swallows its own SystemExit; its protocol keeps the flag.
    code = 0 if getattr(server.protocol, "_shutdown", False) else 1
    leave(code)
