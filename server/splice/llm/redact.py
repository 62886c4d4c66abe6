"""Secret redaction: secrets become stable placeholders before a request leaves, and come back in the answer.

Detectors, in order of confidence: private key blocks, provider token formats (AWS, GCP, Azure, GitHub, GitLab,
Slack, OpenAI, Anthropic, Stripe), JWTs, credentials in URLs (``user:pass@``), literal values known to be secret
(values from the workspace's ``.env*`` files and from secret-looking environment variables), passwords/tokens in
assignments, and high-entropy string literals in assignments. The same secret always gets the same placeholder
within one ``Redactor`` (a request, or a whole session), so the model can refer to it and ``restore`` can put it
back before the answer becomes an edit.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDER = "SPLICE_SECRET_{n}_{kind}"

_SECRET_NAME = (
    r"(?:passw(?:or)?d|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|credentials?|"
    r"private[_-]?key|client[_-]?secret|signing[_-]?key|encryption[_-]?key|session[_-]?key|bearer|dsn)"
)
_SECRET_ENV_NAME = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|AUTH|PRIVATE|DSN)")

# (kind, pattern, group holding the secret, markers): a pattern runs only when one of its markers occurs in the
# text (case-insensitively for markers written in lower case) — a substring test is far cheaper than a regex scan,
# and most code contains none of them.
_PATTERNS: tuple[tuple[str, re.Pattern[str], int, tuple[str, ...]], ...] = (
    (
        "PRIVATE_KEY",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", re.S
        ),
        0,
        ("PRIVATE KEY",),
    ),
    (
        "AWS_KEY_ID",
        re.compile(r"\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[0-9A-Z]{16})\b"),
        1,
        ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "ABIA", "ACCA"),
    ),
    (
        "AWS_SECRET",
        re.compile(
            r"(?i)aws_?secret_?(?:access_?)?key\w*['\"]?\s*[:=]+\s*['\"]?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        1,
        ("aws",),
    ),
    ("GCP_API_KEY", re.compile(r"\b(AIza[0-9A-Za-z_\-]{35})(?![0-9A-Za-z_\-])"), 1, ("AIza",)),
    (
        "AZURE_KEY",
        re.compile(r"(?i)(?:AccountKey|SharedAccessKey|SharedAccessSignature)=([A-Za-z0-9+/%=]{20,})"),
        1,
        ("accountkey", "sharedaccess"),
    ),
    (
        "AZURE_CLIENT_SECRET",
        re.compile(r"(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])"),
        1,
        ("Q~",),
    ),
    (
        "GITHUB_TOKEN",
        re.compile(r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b"),
        1,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    (
        "GITLAB_TOKEN",
        re.compile(r"\b(gl(?:pat|dt|rt|ptt|cbt|soat|ft)-[A-Za-z0-9_\-]{20,})(?![A-Za-z0-9_\-])"),
        1,
        ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-", "glft-"),
    ),
    ("SLACK_TOKEN", re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]{10,})(?![A-Za-z0-9-])"), 1, ("xox",)),
    (
        "SLACK_WEBHOOK",
        re.compile(r"(https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,})"),
        1,
        ("hooks.slack.com",),
    ),
    (
        "ANTHROPIC_KEY",
        re.compile(r"\b(sk-ant-[A-Za-z0-9]{2,10}-[A-Za-z0-9_\-]{40,})(?![A-Za-z0-9_\-])"),
        1,
        ("sk-ant-",),
    ),
    (
        "OPENAI_KEY",
        re.compile(r"\b(sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,})(?![A-Za-z0-9_\-])"),
        1,
        ("sk-",),
    ),
    ("STRIPE_KEY", re.compile(r"\b((?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,})\b"), 1, ("_live_", "_test_")),
    ("JWT", re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"), 1, ("eyJ",)),
    (
        "URL_PASSWORD",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*+://[^\s:/@'\"]++:([^\s@/'\"]{3,})@"),
        1,
        ("://",),
    ),
)
_SECRET_NAME_RE = re.compile(_SECRET_NAME, re.I)
# Anchored on the assignment operator (rarer than identifier starts, so the scan is cheap); the name before it is
# read backwards by ``_name_before``.
_ASSIGNED_QUOTED = re.compile(r"[:=>][ \t]*+(?P<q>['\"`])(?P<v>[^'\"`\n]{4,200})(?P=q)")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_ENV_LINE = re.compile(
    r"(?m)^[ \t]*+(?:export[ \t]++)?(?P<name>[\w.-]++)[ \t]*+[:=][ \t]*+(?P<v>[^\s'\"#(),\[\]{};]{4,}+)[ \t]*+$"
)
_QUOTED_TOKEN = re.compile(r"(?P<q>['\"`])(?P<v>[A-Za-z0-9+/=_\-.~]{20,})(?P=q)")
_NOT_SECRET = re.compile(
    r"(?i)^(?:none|null|nil|true|false|undefined|changeme|pass|pwd|user|password|secret|token|string|example|"
    r"test|dummy|"
    r"placeholder|redacted|\*+|x+|\.+)$|\$\{|\{\{|%\(|%s|\{\}|<[^>]*>|^\$\w|your[_-]|example|xxxx|\.\.\.|"
    r"os\.environ|getenv|process\.env"
)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def _looks_random(value: str) -> bool:
    if re.fullmatch(r"[0-9a-fA-F]{32,}", value):
        return entropy(value) >= 3.0
    if len(value) < 20 or not re.search(r"\d", value) or not re.search(r"[A-Za-z]", value):
        return False
    # Dotted names, paths and kebab-case identifiers are words, not keys.
    if re.fullmatch(r"[A-Za-z]+(?:[._/\-][A-Za-z0-9]+)+", value) and not re.search(r"[A-Z].*\d|\d.*[A-Z]", value):
        return False
    return entropy(value) >= 4.2


def _plausible(value: str) -> bool:
    # A lone lowercase word or identifier ("config", "secret_key") names a value; it is not a credential.
    if re.fullmatch(r"[a-z_]+|[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+", value):
        return False
    return len(value) >= 4 and " " not in value.strip() and not value.startswith("{") and not _NOT_SECRET.search(value)


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str


def find_secrets(text: str, literals: Iterable[str] = ()) -> list[Finding]:
    """Non-overlapping secret spans in ``text``, in order; of overlapping spans the earlier wins (the longer when
    both start at the same place)."""
    return list(_find_secrets(text, tuple(literals)))


@functools.lru_cache(maxsize=256)
def _find_secrets(text: str, literals: tuple[str, ...]) -> tuple[Finding, ...]:
    # Memoised: the same prompt text is redacted again on every cache hit and every retry.
    found: list[Finding] = []
    lowered = text.lower()
    for kind, pattern, group, markers in _PATTERNS:
        if not any((m in lowered) if m.islower() else (m in text) for m in markers):
            continue
        for m in pattern.finditer(text):
            if kind == "URL_PASSWORD" and not _plausible(m.group(group)):
                continue
            found.append(Finding(m.start(group), m.end(group), kind))
    for secret in literals:
        start = text.find(secret)
        while start != -1:
            found.append(Finding(start, start + len(secret), "KNOWN_VALUE"))
            start = text.find(secret, start + len(secret))
    for m in _ASSIGNED_QUOTED.finditer(text):
        if _SECRET_NAME_RE.search(_name_before(text, m.start())) and _plausible(m.group("v")):
            found.append(Finding(m.start("v"), m.end("v"), "ASSIGNED_SECRET"))
    for m in _ENV_LINE.finditer(text):
        if _SECRET_NAME_RE.search(m.group("name")) and _plausible(m.group("v")):
            found.append(Finding(m.start("v"), m.end("v"), "ASSIGNED_SECRET"))
    for m in _QUOTED_TOKEN.finditer(text):
        value = m.group("v")
        if _after_assignment(text, m.start()) and _looks_random(value) and not _NOT_SECRET.search(value):
            found.append(Finding(m.start("v"), m.end("v"), "HIGH_ENTROPY"))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            if finding.end > kept[-1].end and finding.start == kept[-1].start:
                kept[-1] = finding
            continue
        kept.append(finding)
    return tuple(kept)


def _name_before(text: str, op: int) -> str:
    """The identifier (or quoted key) written just before the assignment operator at ``op`` (``=``, ``:``,
    ``:=``, ``=>``); empty for comparisons (``==``, ``!=``, ``<=``, ``>=``) and anything else."""
    i = op - 1
    if text[op] == ">":
        if i < 0 or text[i] != "=":
            return ""
        i -= 1
    elif text[op] == "=" and i >= 0 and text[i] in "=!<>":
        return ""
    elif text[op] == "=" and i >= 0 and text[i] == ":":
        i -= 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i >= 0 and text[i] in "'\"":
        i -= 1
    end = i + 1
    while i >= 0 and text[i] in _NAME_CHARS and end - i <= 100:
        i -= 1
    return text[i + 1 : end]


def _after_assignment(text: str, quote: int) -> bool:
    """Whether the string literal opening at ``quote`` is assigned or passed (``=``, ``:``, ``=>``, ``(``, ``,``)."""
    i = quote - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i >= 0 and text[i] in "=:(,>"


class Redactor:
    """Replaces secrets with placeholders and restores them; one instance per request or per session."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        # Longest first so a secret that contains another is replaced whole.
        self.literals = tuple(sorted({s for s in literals if _literal_is_safe(s)}, key=len, reverse=True))
        self._by_secret: dict[str, str] = {}
        self._by_placeholder: dict[str, str] = {}

    @property
    def count(self) -> int:
        return len(self._by_secret)

    def redact(self, text: str) -> str:
        findings = find_secrets(text, self.literals)
        if not findings:
            return text
        out: list[str] = []
        pos = 0
        for f in findings:
            out.append(text[pos : f.start])
            out.append(self._placeholder(text[f.start : f.end], f.kind))
            pos = f.end
        out.append(text[pos:])
        return "".join(out)

    def restore(self, text: str) -> str:
        for placeholder in sorted(self._by_placeholder, key=len, reverse=True):
            if placeholder in text:
                text = text.replace(placeholder, self._by_placeholder[placeholder])
        return text

    def _placeholder(self, secret: str, kind: str) -> str:
        existing = self._by_secret.get(secret)
        if existing:
            return existing
        placeholder = PLACEHOLDER.format(n=len(self._by_secret) + 1, kind=kind)
        self._by_secret[secret] = placeholder
        self._by_placeholder[placeholder] = secret
        return placeholder


def env_secrets(env: Mapping[str, str] | None = None) -> set[str]:
    """Values of environment variables whose names look secret (``*_KEY``, ``*TOKEN*``, ``*PASSWORD*`` …)."""
    env = os.environ if env is None else env
    return {v for k, v in env.items() if _SECRET_ENV_NAME.search(k) and _literal_is_safe(v)}


def _literal_is_safe(value: str) -> bool:
    """Whether replacing every occurrence of ``value`` in a prompt is safe: a short or plain-word value ("test",
    "password", "on") or a file path would also replace ordinary words and paths all over the code."""
    return (
        len(value) >= 8
        and " " not in value
        and not value.startswith(("/", "~", "./"))
        and not re.fullmatch(r"[a-z]+|\d+|true|false", value, re.I)
    )


def dotenv_secrets(workspace: Path) -> set[str]:
    """Values from ``.env*`` files at the workspace root and one level below (where projects keep them)."""
    values: set[str] = set()
    candidates = [*workspace.glob(".env*"), *workspace.glob("*/.env*")]
    for path in candidates:
        try:
            if not path.is_file() or path.stat().st_size > 1_000_000:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.removeprefix("export ").partition("=")
            value = value.strip().strip("'\"")
            if _dotenv_value_is_secret(key.strip(), value):
                values.add(value)
    return values


def _dotenv_value_is_secret(key: str, value: str) -> bool:
    if not _literal_is_safe(value) or value.lower() in ("localhost",):
        return False
    if _SECRET_ENV_NAME.search(key):
        return True
    # Other values (ports, hosts, flags) are configuration, not secrets — unless they look random.
    return len(value) >= 12 and not re.fullmatch(r"\d+|[a-z]+|[\w.-]+\.[a-z]{2,}|/[\w./-]*", value)
