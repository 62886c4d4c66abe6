"""What must never reach a prompt: excluded paths and lines that look like secrets.

Paths: the workspace's ignore rules (the index walker's predicate when one is supplied), ``splice.exclude`` patterns,
per-request exclusions and files that hold secrets by nature (``.env``, private keys). Lines: assignments of keys,
tokens and passwords, well-known token formats, high-entropy string literals assigned to a name, and private-key
blocks — each such line is masked, never passed through. The LLM layer adds full redaction on top; this module
makes sure context assembly itself cannot leak.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

import pathspec

from splice import redaction

SECRET_FILE_PATTERNS = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    "credentials.json",
    "secrets.*",
)

MASK = "«redacted: possible secret»"

_BEGIN_KEY = re.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY-----")
_END_KEY = re.compile(r"-----END[A-Z ]*PRIVATE KEY-----")


def shannon_entropy(text: str) -> float:
    """Bits per character; random base64 is ~6, English words ~3–4."""
    return redaction.entropy(text)


def line_has_secret(line: str) -> bool:
    """True when a line carries a credential — by the same detector the model gateway redacts with."""
    return redaction.has_secret(line)


def mask_secrets(text: str) -> tuple[str, int]:
    """Replace secret-bearing lines (and whole private-key blocks) by a marker; returns (text, lines masked).

    The spans come from ``splice.redaction`` (the gateway's detector), so a preview never shows what the gateway
    would have hidden; the whole line goes, so nothing around a secret (a URL's user, a key's name) leaks either."""
    findings = redaction.find_secrets(text)
    if not findings:
        return text, 0
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    suspicious: set[int] = set()
    for f in findings:
        first = bisect.bisect_right(starts, f.start) - 1
        last = bisect.bisect_right(starts, max(f.start, f.end - 1)) - 1
        suspicious.update(range(first, last + 1))
    out: list[str] = []
    masked = 0
    in_key = False
    for index, line in enumerate(lines):
        if not in_key and index not in suspicious:
            out.append(line)
            continue
        newline = line[len(line.rstrip("\r\n")) :]
        body = line[: len(line) - len(newline)]
        indent = body[: len(body) - len(body.lstrip())]
        masked += 1
        if in_key:
            in_key = not _END_KEY.search(body)
            continue
        if _BEGIN_KEY.search(body):
            in_key = not _END_KEY.search(body)
        out.append(f"{indent}{MASK}{newline}")
    return "".join(out), masked


class PathFilter:
    """Decides whether a workspace-relative path may contribute context."""

    def __init__(
        self,
        patterns: Iterable[str] = (),
        is_ignored: Callable[[str], bool] | None = None,
    ) -> None:
        self._spec = pathspec.GitIgnoreSpec.from_lines([*SECRET_FILE_PATTERNS, *patterns])
        self._is_ignored = is_ignored
        self._cache: dict[str, bool] = {}
        """Decisions per path; ignore files rarely change while a server runs (a new engine re-reads them)."""

    def excluded(self, path: str) -> bool:
        cached = self._cache.get(path)
        if cached is None:
            cached = self._cache[path] = self._decide(path)
        return cached

    def _decide(self, path: str) -> bool:
        if self._spec.match_file(path):
            return True
        if self._is_ignored is not None:
            try:
                return bool(self._is_ignored(path))
            except (OSError, ValueError):
                # A broken ignore predicate must fail closed: leave the file out.
                return True
        return False

    def with_request(self, excludes: Iterable[str]) -> PathFilter:
        """This filter plus a request's path patterns (symbol ids are handled by the engine)."""
        extra = [e for e in excludes if "::" not in e]
        if not extra:
            return self
        merged = PathFilter(extra, self.excluded)
        return merged


def path_matches(path: str, pattern: str) -> bool:
    """A pin/exclude entry given as a path or directory matches ``path``."""
    pattern = pattern.rstrip("/")
    return path == pattern or PurePosixPath(path).is_relative_to(pattern)
