"""Where an edit may write: canonical paths confined to the workspace folders.

Checks run in the order that closed real escapes in other assistants (research/reliability_security.md §2.2):
reject NUL/control characters, non-file URIs, ``~``, percent-encoding, backslashes and ``..`` in model-written paths;
resolve to an absolute path; ``realpath`` it (symlinks in any component resolved); compare containment with
``commonpath`` on real paths — never a string prefix, so ``/ws-evil`` is not inside ``/ws`` — folding case where
the file system is case-insensitive. Both the written path and its resolved target must be inside.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from splice.edits.errors import EditRefused

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True, slots=True)
class Root:
    path: Path
    """The folder's real path."""
    case_insensitive: bool


@dataclass(frozen=True, slots=True)
class Workspace:
    roots: tuple[Root, ...]

    @classmethod
    def of(cls, *folders: Path | str) -> Workspace:
        roots = []
        for folder in folders:
            real = Path(os.path.realpath(Path(folder).expanduser()))
            if not real.is_dir():
                raise EditRefused(f"workspace folder {folder} is not a directory")
            roots.append(Root(real, is_case_insensitive(real)))
        if not roots:
            raise EditRefused("no workspace folder")
        return cls(tuple(roots))


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination inside a workspace folder."""

    root: Path
    rel: str
    """POSIX path of the real file relative to ``root``: the name proposals, diffs and protection rules use."""
    written_rel: str
    """The path as written (before symlinks were resolved), relative to ``root``."""

    @property
    def abs(self) -> Path:
        return self.root / self.rel


def is_case_insensitive(folder: Path) -> bool:
    """Probe, without writing, whether ``folder``'s file system folds case: look up a case-swapped name."""
    candidates = [folder] if folder.name.swapcase() != folder.name else []
    try:
        with os.scandir(folder) as entries:
            candidates += [
                Path(e.path) for e, _ in zip(entries, range(50), strict=False) if e.name.swapcase() != e.name
            ]
    except OSError:
        pass
    for path in candidates[:3]:
        other = path.with_name(path.name.swapcase())
        try:
            return os.path.samefile(path, other)
        except OSError:
            return False
    return False


def resolve(workspace: Workspace, raw: str, *, from_model: bool = True) -> Target:
    """Check ``raw`` and return where it really points, or EditRefused. ``from_model`` applies the stricter rules
    for paths a model wrote (relative only, no ``..``, no ``~``); paths a user typed may be absolute."""
    path = _syntax(raw, from_model)
    if path.is_absolute():
        lexical = Path(os.path.normpath(path))
        for root in workspace.roots:
            if _inside(lexical, root):
                return _confine(root, lexical, raw)
        raise EditRefused(f"refused path {raw!r}: it is outside the workspace folders")
    # Relative paths go to the folder that already has the file; new files to the first folder.
    existing = [root for root in workspace.roots if os.path.lexists(root.path / path)]
    root = existing[0] if existing else workspace.roots[0]
    return _confine(root, root.path / path, raw)


def _syntax(raw: str, from_model: bool) -> Path:
    if not raw or not raw.strip():
        raise EditRefused("refused an empty path")
    if _CONTROL.search(raw):
        raise EditRefused(f"refused path {raw!r}: it contains NUL or control characters")
    text = raw if from_model else raw.strip()
    if text.lower().startswith("file:"):
        uri = urlparse(text)
        if uri.netloc not in ("", "localhost"):
            raise EditRefused(f"refused path {raw!r}: file URIs with a host are not local files")
        text = unquote(uri.path)
        if _CONTROL.search(text):
            raise EditRefused(f"refused path {raw!r}: it contains NUL or control characters")
        return Path(text)
    if _SCHEME.match(text):
        raise EditRefused(f"refused path {raw!r}: only workspace files can be edited")
    if from_model:
        if text.startswith("~"):
            raise EditRefused(f"refused path {raw!r}: home-relative paths ('~') are outside the workspace")
        if _PERCENT.search(text):
            raise EditRefused(f"refused path {raw!r}: percent-encoded paths are not accepted")
        if "\\" in text:
            raise EditRefused(f"refused path {raw!r}: use '/' separators, relative to the workspace")
        if text.startswith("/"):
            raise EditRefused(f"refused path {raw!r}: absolute paths are not accepted; use a workspace-relative path")
        parts = PurePosixPath(text).parts
        if any(p == ".." for p in parts):
            raise EditRefused(f"refused path {raw!r}: '..' may not appear in a path")
        if any(p != "." and (p.endswith((".", " ")) or ":" in p) for p in parts):
            raise EditRefused(f"refused path {raw!r}: a path component ends in '.'/space or contains ':'")
        return Path(text)
    return Path(text).expanduser()


def _inside(path: Path, root: Root) -> bool:
    a, b = str(root.path), str(path)
    if root.case_insensitive:
        a, b = a.casefold(), b.casefold()
    try:
        return os.path.commonpath([a, b]) == a
    except ValueError:
        return False


def _confine(root: Root, joined: Path, raw: str) -> Target:
    lexical = Path(os.path.normpath(joined))
    real = Path(os.path.realpath(joined))
    if not _inside(lexical, root) or not _inside(real, root):
        raise EditRefused(f"refused path {raw!r}: it resolves outside the workspace ({real})")
    if real == root.path:
        raise EditRefused(f"refused path {raw!r}: it names the workspace folder itself, not a file")
    rel = os.path.relpath(real, root.path) if not root.case_insensitive else real_rel(root, real)
    return Target(root.path, PurePosixPath(Path(rel)).as_posix(), Path(os.path.relpath(lexical, root.path)).as_posix())


def real_rel(root: Root, real: Path) -> str:
    # On a case-folding file system realpath may keep the spelling the model used; compare folded, cut by length.
    return str(real)[len(str(root.path)) + 1 :]
