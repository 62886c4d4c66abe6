"""Turning a path printed in a trace into a workspace file: exact, under the workspace root, or by path suffix.

A trace from CI or a colleague's machine names files that do not exist here (``/home/ci/build/proj/src/pkg/m.py``);
the file meant is the workspace file sharing the longest trailing run of path components (``src/pkg/m.py``).
Only files the index knows can be returned, so a hostile path (``../../etc/passwd``) can never leave the workspace.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

_SCHEME = re.compile(r"^[A-Za-z][\w+.-]*://")
_DRIVE = re.compile(r"^/?[A-Za-z]:/")


@dataclass(frozen=True, slots=True)
class PathMatch:
    path: str
    """Workspace-relative POSIX path."""
    confidence: float
    reason: str


def normalise(raw: str) -> str:
    """POSIX text without scheme, drive letter or ``./``: ``file:///C:/a%20b/x.py`` → ``/a b/x.py``."""
    text = raw.strip()
    if _SCHEME.match(text):
        text = unquote(_SCHEME.sub("", text, count=1))
        if text.startswith(("/./", "/../")):
            text = text[1:]  # ``webpack:///./src/x.js``: a relative path behind the scheme
        if not text.startswith("/") and not _DRIVE.match(text):
            # ``file://host/share/x`` leaves ``host/share/x``: still an absolute location
            text = text if text.startswith(".") else "/" + text
    text = text.replace("\\", "/")
    if _DRIVE.match(text):
        text = "/" + text[text.index(":") + 2 :]
    absolute = text.startswith("/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    return ("/" if absolute else "") + "/".join(parts)


class PathIndex:
    """The workspace's files, indexed by basename for suffix matching."""

    def __init__(self, files: Iterable[str], root: str | None = None) -> None:
        self.files = set(files)
        self.root = normalise(root).rstrip("/") if root else None
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for path in sorted(self.files):
            self._by_name[posixpath.basename(path)].append(path)

    def relative(self, raw: str) -> str | None:
        """The workspace-relative form of a path that lies inside the workspace (whether indexed or not)."""
        path = normalise(raw)
        if self.root and path.startswith(self.root + "/"):
            path = path[len(self.root) + 1 :]
        elif path.startswith("/"):
            return None
        rel = posixpath.normpath(path) if path else ""
        if not rel or rel == "." or rel.startswith("../") or rel == "..":
            return None
        return rel

    def resolve(self, raw: str) -> list[PathMatch]:
        """Best matching workspace files, best first; several only when the suffix match ties."""
        path = normalise(raw)
        if not path or path.startswith("<"):
            return []
        rel = self.relative(raw)
        if rel is not None and rel in self.files:
            how = "absolute path inside the workspace" if path.startswith("/") else "workspace-relative path"
            return [PathMatch(rel, 1.0, how)]
        parts = [p for p in path.split("/") if p and p != ".."]
        if not parts:
            return []
        scored: list[tuple[int, str]] = []
        for candidate in self._by_name.get(parts[-1], ()):
            scored.append((_common_suffix(parts, candidate.split("/")), candidate))
        if not scored:
            return []
        best = max(k for k, _ in scored)
        tied = sorted(c for k, c in scored if k == best)
        return [_suffix_match(c, best, len(tied)) for c in tied]


def _common_suffix(a: list[str], b: list[str]) -> int:
    k = 0
    while k < len(a) and k < len(b) and a[-1 - k] == b[-1 - k]:
        k += 1
    return k


def _suffix_match(candidate: str, k: int, ties: int) -> PathMatch:
    whole = k == candidate.count("/") + 1
    if ties > 1:
        return PathMatch(candidate, 0.4, f"{ties} workspace files share the last {k} path components")
    if whole and k > 1:
        return PathMatch(candidate, 0.9, f"the trace's path ends with {candidate}")
    if k > 1:
        return PathMatch(candidate, 0.8, f"matched by the last {k} path components")
    if whole:
        return PathMatch(candidate, 0.75, "the only workspace file with this name (top level)")
    return PathMatch(candidate, 0.6, "matched by file name only")
