"""Workspace trust: whether a workspace's own files may decide where data goes or what runs.

One rule for every front end. A workspace is trusted when the user said so: VS Code's Workspace Trust (the client
sends ``workspaceTrusted``), an entry in the user-level trust list (``$XDG_CONFIG_HOME/splice/trusted-workspaces``,
outside every workspace; ``splice trust PATH`` adds to it), or ``--trust`` on the command line. Untrusted workspaces
still get every other setting; the ones in ``SENSITIVE_KEYS`` are taken only from the user's own layers (environment,
editor user settings, command-line flags).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

SENSITIVE_KEYS = frozenset(
    {
        "model",
        "apiBase",
        "apiKeyEnv",
        "index.uri",
        "cache.redisUrl",
        "verify.command",
        "embeddings.model",
    }
)
"""Settings that decide where code and credentials are sent or what runs; ``models.*`` are sensitive too."""

LIST_NAME = "trusted-workspaces"


def is_sensitive(key: str) -> bool:
    return key in SENSITIVE_KEYS or key.startswith("models.")


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The user's Splice config folder: ``$XDG_CONFIG_HOME/splice`` or ``~/.config/splice``."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".config"
    return root / "splice"


def trust_list_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / LIST_NAME


def _canonical(path: Path) -> Path:
    return Path(os.path.realpath(path.expanduser()))


def trusted_paths(env: Mapping[str, str] | None = None) -> list[Path]:
    """The trust list: one absolute folder per line; ``#`` comments and blank lines ignored."""
    try:
        text = trust_list_path(env).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and Path(line).is_absolute():
            out.append(Path(line))
    return out


def is_trusted(root: Path, env: Mapping[str, str] | None = None) -> bool:
    """True when ``root`` (canonical: symlinks resolved) is a listed folder or inside one."""
    real = _canonical(root)
    return any(real == entry or real.is_relative_to(entry) for entry in trusted_paths(env))


def _write_list(paths: list[Path], env: Mapping[str, str] | None) -> Path:
    target = trust_list_path(env)
    target.parent.mkdir(parents=True, exist_ok=True)
    body = "# Folders whose own Splice settings (model, apiBase, verify.command, ...) are used. `splice trust`.\n"
    body += "".join(f"{p}\n" for p in paths)
    tmp = target.with_name(f".{LIST_NAME}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
    os.replace(tmp, target)
    return target


def trust(root: Path, env: Mapping[str, str] | None = None) -> Path:
    """Add ``root`` (canonical) to the trust list; returns the list's path."""
    real = _canonical(root)
    paths = [p for p in trusted_paths(env) if p != real]
    return _write_list([*paths, real], env)


def untrust(root: Path, env: Mapping[str, str] | None = None) -> bool:
    """Remove ``root`` from the trust list; False when it was not listed (a listed parent still trusts it)."""
    real = _canonical(root)
    paths = trusted_paths(env)
    kept = [p for p in paths if p != real]
    if len(kept) == len(paths):
        return False
    _write_list(kept, env)
    return True
