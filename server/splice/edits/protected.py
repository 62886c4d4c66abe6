"""Protected paths: files that configure tools which run code (editor tasks, CI, test hooks, package scripts,
build scripts, JS tool configs, agent settings). An edit to one is never blocked silently and never applied without
its own confirmation, one file at a time. The list is data: ``protected.toml`` beside this module.

Matching is case-insensitive everywhere (CVE-2025-59944 bypassed a case-sensitive check on a case-folding file
system) and covers creation, modification, deletion and renames in or out.
"""

from __future__ import annotations

import fnmatch
import functools
import tomllib
from pathlib import Path, PurePosixPath

LIST = Path(__file__).with_name("protected.toml")
Rules = tuple[tuple[str, str], ...]


@functools.cache
def _rules() -> tuple[Rules, Rules, Rules]:
    data = tomllib.loads(LIST.read_text(encoding="utf-8"))

    def section(name: str) -> Rules:
        # (pattern to match, casefolded; the reason shown, with the pattern as written)
        return tuple((str(k).casefold(), f"{k} — {v}") for k, v in data.get(name, {}).items())

    return section("directories"), section("paths"), section("names")


def protection_reason(rel: str) -> str | None:
    """Why the workspace-relative POSIX path ``rel`` is protected, or None."""
    directories, paths, names = _rules()
    lowered = rel.casefold().strip("/")
    for prefix, reason in directories:
        if (lowered + "/").startswith(prefix) or f"/{prefix}" in f"/{lowered}/":
            return reason
    parts = PurePosixPath(lowered).parts
    for pattern, reason in paths:
        depth = pattern.count("/") + 1
        if len(parts) >= depth and fnmatch.fnmatchcase("/".join(parts[-depth:]), pattern):
            return reason
    name = parts[-1] if parts else ""
    for pattern, reason in names:
        if fnmatch.fnmatchcase(name, pattern):
            return reason
    return None
