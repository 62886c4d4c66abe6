"""Helpers for the hostile-repository suite: run the real ``splice`` CLI as a user would, with a clean user
environment (its own HOME and XDG config, so the user's trust list is empty), and fingerprint folders whose bytes
must never change."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path


def user_env(home: Path, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPLICE_", "OPENAI_", "GITHUB_", "XDG_"))}
    return {
        **clean,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        **extra,
    }


def splice(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "splice", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=cwd,
        input=stdin,
    )


def digest(root: Path) -> str:
    """Names, link targets and bytes of everything under ``root`` (links not followed)."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_symlink():
            h.update(os.readlink(p).encode())
        elif p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def tree_bytes(root: Path) -> bytes:
    """Every byte stored under ``root`` (to search for canaries in the index, caches and logs)."""
    return b"\n".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink())
