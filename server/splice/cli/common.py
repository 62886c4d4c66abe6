"""Options every command shares (``--workspace``, ``--model``, ``--api-base``, ``--json``) and settings loading."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from splice.config import LoadedSettings, load_settings


def add_common(parser: argparse.ArgumentParser, *, json_output: bool = True) -> None:
    parser.add_argument(
        "--workspace", type=Path, default=Path.cwd(), help="workspace folder (default: the current directory)"
    )
    parser.add_argument("--model", default=None, help="litellm model string; overrides every other setting")
    parser.add_argument("--api-base", default=None, help="API base URL for the model (e.g. a local server)")
    parser.add_argument(
        "--trust",
        action="store_true",
        help="trust this workspace for this run: its own files may set model, apiBase, verify.command, ... "
        "(`splice trust` remembers it)",
    )
    if json_output:
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def settings_from(args: argparse.Namespace, *, quiet: bool = False) -> LoadedSettings:
    """The settings for this run; what an untrusted workspace's files could not set is said on stderr."""
    loaded = load_settings(
        workspace_of(args),
        cli={"model": getattr(args, "model", None), "apiBase": getattr(args, "api_base", None)},
        trusted=True if getattr(args, "trust", False) else None,
    )
    if not quiet:
        for notice in loaded.notices:
            print(f"splice: {notice}", file=sys.stderr)
    return loaded


def workspace_of(args: argparse.Namespace) -> Path:
    return Path(args.workspace).expanduser().resolve()


def log_to_stderr(level: str) -> None:
    """Logging for the servers (``serve``, ``mcp``): stdout carries their protocol, so logs go to stderr."""
    logging.basicConfig(
        stream=sys.stderr, level=getattr(logging, level), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from splice.redaction import LogFilter

    for handler in logging.getLogger().handlers:  # trace messages and model errors end up in logs: masked
        handler.addFilter(LogFilter())


def leave(code: int) -> NoReturn:
    """Leave a server process without interpreter finalization. Background threads (embeddings, the lazy litellm
    import) are daemons and may be stopped mid-import, holding an import lock; finalizers that import (litellm's
    HTTP handlers do) then wait for it forever and the client sees a server that never exits. Everything that must
    outlive the process is already written: the index is closed, usage and proposals are written as they happen."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(ValueError, OSError):  # pygls closes stdout on exit
            stream.flush()
    os._exit(code)


ASK_EACH = "?"
"""``--allow-protected`` without a file: ask about each protected file on the terminal."""


def add_allow_protected(parser: Any) -> None:
    parser.add_argument(
        "--allow-protected",
        action="append",
        nargs="?",
        const=ASK_EACH,
        default=[],
        metavar="FILE",
        help="confirm the edit to this protected file (repeat per file); without FILE, ask about each one",
    )
