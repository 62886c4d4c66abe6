"""``splice trust [PATH]`` / ``splice untrust [PATH]`` / ``splice trust --list``: the user-level trust list.

A trusted workspace's own files (``.splice/config.toml``, ``[tool.splice]``) may set the settings that decide where
code and keys go or what runs (``splice.trust.SENSITIVE_KEYS``). The list lives in the user's config folder, outside
every workspace, so a repository cannot trust itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from splice import trust


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "trust", help="trust a workspace: its own files may set model, apiBase, verify.command, ..."
    )
    p.add_argument("path", nargs="?", type=Path, default=None, help="workspace folder (default: the current one)")
    p.add_argument("--list", action="store_true", help="print the trusted folders")
    p.set_defaults(handler=run_trust)
    u: argparse.ArgumentParser = sub.add_parser("untrust", help="remove a workspace from the trust list")
    u.add_argument("path", nargs="?", type=Path, default=None, help="workspace folder (default: the current one)")
    u.set_defaults(handler=run_untrust)


def _target(path: Path | None) -> Path:
    return (path or Path.cwd()).expanduser().resolve()


def run_trust(args: argparse.Namespace) -> int:
    if args.list:
        for entry in trust.trusted_paths():
            print(entry)
        return 0
    target = _target(args.path)
    if not target.is_dir():
        print(f"splice trust: {target} is not a folder")
        return 2
    where = trust.trust(target)
    print(f"trusted {target} (recorded in {where}); its .splice/config.toml and [tool.splice] settings now apply")
    return 0


def run_untrust(args: argparse.Namespace) -> int:
    target = _target(args.path)
    if trust.untrust(target):
        print(f"no longer trusted: {target}")
        return 0
    still = trust.is_trusted(target)
    print(f"{target} was not in the trust list" + (" (a trusted parent folder still covers it)" if still else ""))
    return 1 if still else 0
