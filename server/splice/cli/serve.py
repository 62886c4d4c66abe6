"""``splice serve``: run the language server on stdio (editors may append ``--stdio``) or TCP."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("serve", help="run the language server (stdio by default)")
    p.add_argument("--stdio", action="store_true", help="use stdio (the default; accepted for editors)")
    p.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2087)
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # stdout carries the protocol: logs go to stderr, which editors show in their output panel.
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, args.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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
    # Leave without interpreter finalization. Background threads (embeddings, the lazy litellm import) are daemons
    # and may be stopped mid-import, holding an import lock; finalizers that import (litellm's HTTP handlers do)
    # then wait for it forever and the editor sees a server that never exits. Everything that must outlive the
    # process is already written: shutdown closed the index, usage and proposals are written as they happen.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(ValueError, OSError):  # pygls closes stdout on exit
            stream.flush()
    os._exit(code)
