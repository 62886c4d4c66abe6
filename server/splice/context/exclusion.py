"""What must never reach a prompt: excluded paths and lines that look like secrets.

Paths: the workspace's ignore rules (the index walker's predicate when one is supplied), ``splice.exclude`` patterns,
per-request exclusions and files that hold secrets by nature (``.env``, private keys). Lines: assignments of keys,
tokens and passwords, well-known token formats, high-entropy string literals assigned to a name, and private-key
blocks — each such line is masked, never passed through. The LLM layer adds full redaction on top; this module
makes sure context assembly itself cannot leak.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

import pathspec

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

_SECRET_NAME = (
    r"[A-Za-z0-9_.\-]*(?:api[_\-]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|private[_\-]?key|"
    r"access[_\-]?key|auth[_\-]?key|client[_\-]?secret|credential)s?[A-Za-z0-9_\-]*"
)
# NAME = "value" / NAME: "value" / "name": "value" with a non-trivial literal value.
_ASSIGNED_SECRET = re.compile(
    rf"""(?ix)(?P<lhs>["']?{_SECRET_NAME}["']?\s*(?::\s*[A-Za-z_\[\]. |]+)?\s*(?:=|:|=>|:=)\s*)
        (?P<q>["'`])(?P<value>[^"'`\s]{{4,}})(?P=q)"""
)
# NAME=value in env/shell style (upper-case name, unquoted literal value; not code such as ``x = f(y)``).
_ENV_SECRET = re.compile(
    r"^(?P<lhs>\s*(?:export\s+)?[A-Z0-9_]*(?:API_?KEY|SECRET|TOKEN|PASSW(?:OR)?D|PWD|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)"
    r"[A-Z0-9_]*\s*=\s*)(?P<value>[^\s\"'`()\[\]{}.,]{4,})\s*$"
)
_TOKEN_FORMATS = re.compile(
    r"""(?x)
    AKIA[0-9A-Z]{16}                              # AWS access key id
  | ASIA[0-9A-Z]{16}
  | gh[pousr]_[A-Za-z0-9]{30,}                    # GitHub tokens
  | github_pat_[A-Za-z0-9_]{30,}
  | xox[abposr]-[A-Za-z0-9-]{10,}                 # Slack
  | sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}          # OpenAI / Anthropic style
  | AIza[0-9A-Za-z_\-]{35}                        # Google API key
  | eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}   # JWT
  | -----BEGIN[A-Z ]*PRIVATE\ KEY-----
  | (?:postgres|mysql|mongodb(?:\+srv)?|redis|amqp)://[^\s:/@]+:[^\s@/]{3,}@   # credentials in a URL
    """
)
_ASSIGNED_LITERAL = re.compile(
    r"""(?x)[A-Za-z_][\w.]*\s*(?::[^=]*)?=\s*(?P<q>["'])(?P<value>[A-Za-z0-9+/=_\-]{24,})(?P=q)"""
)
# One pass over the whole text: every secret pattern above needs one of these, so most texts skip the per-line work.
_MAYBE_SECRET = re.compile(
    r"(?i:(?:key|secret|token|passw|pwd|credential)[\w\-]*[\"']?\s*(?::|=))"
    r"|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|sk-|AIza|eyJ|BEGIN|://[^\s/@:]+:[^\s@/]+@"
    r"""|=\s*["'][A-Za-z0-9+/=_\-]{24,}"""
)
_BEGIN_KEY = re.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY-----")
_END_KEY = re.compile(r"-----END[A-Z ]*PRIVATE KEY-----")
# Values that are obviously not secrets even though the name says so (placeholders, env look-ups).
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|<[^>]*>|\$\{?[A-Z_]+\}?|none|null|true|false|changeme|example|dummy|test|"
    r"your[_\-]?\w*|placeholder|redacted|token|password|secret)$"
)


def shannon_entropy(text: str) -> float:
    """Bits per character; random base64 is ~6, English words ~3–4."""
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def line_has_secret(line: str) -> bool:
    """True when a line looks like it carries a credential."""
    if _TOKEN_FORMATS.search(line):
        return True
    for pattern in (_ASSIGNED_SECRET, _ENV_SECRET):
        m = pattern.search(line)
        if m and not _PLACEHOLDER.match(m.group("value")):
            return True
    m = _ASSIGNED_LITERAL.search(line)
    return bool(m and _looks_random(m.group("value")))


def _looks_random(value: str) -> bool:
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return has_digit and has_alpha and shannon_entropy(value) >= 4.0


def mask_secrets(text: str) -> tuple[str, int]:
    """Replace secret-bearing lines (and whole private-key blocks) by a marker; returns (text, lines masked)."""
    hits = [m.start() for m in _MAYBE_SECRET.finditer(text)]
    if not hits:
        return text, 0
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    suspicious = {bisect.bisect_right(starts, pos) - 1 for pos in hits}
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
        if in_key:
            masked += 1
            if _END_KEY.search(body):
                in_key = False
            continue
        if _BEGIN_KEY.search(body):
            masked += 1
            in_key = not _END_KEY.search(body)
            out.append(f"{indent}{MASK}{newline}")
        elif line_has_secret(body):
            masked += 1
            out.append(f"{indent}{MASK}{newline}")
        else:
            out.append(line)
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
