"""The one secret detector: what the gateway redacts is what every preview, the index and every stored file mask.

Two uses: ``Redactor`` turns secrets into stable placeholders before a request leaves and restores them in the
answer (the same secret always gets the same placeholder within one ``Redactor``); ``mask`` replaces them for good
in what Splice stores or prints (index rows, explanations, proposal titles, ``splice context``).

Detectors: the provider-format plugins of detect-secrets 1.5.0 (AWS key ids, Azure storage, Cloudant, Discord,
GitHub, GitLab, IBM, JWT, Mailchimp, npm, OpenAI, PyPI, SendGrid, Slack, SoftLayer, Square, Stripe, Telegram,
Twilio — their regexes run over the whole text), plus Splice's own rules for what those plugins miss or flag wrongly:
private key blocks, newer provider formats (OpenAI project keys, Anthropic, GCP, Azure client secrets, fine-grained
GitHub tokens), credentials in URLs (``scheme://user:pass@``, any scheme, ``postgresql://`` included) and in URL
queries (``?password=``, ``&api_key=``), ``Bearer``/``Basic`` authorization values, literal values known to be
secret (the workspace's ``.env*`` files, secret-looking environment variables), quoted and unquoted assignments to
secret-looking names (passphrases with spaces too), random-looking values under a ``"key"`` and high-entropy string
literals in assignments. detect-secrets' keyword, basic-auth and entropy plugins are not used: they miss the forms
above and mask documentation examples (``user:password@``, ``a%20secret``, ``changeme``), which are not secrets.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDER = "SPLICE_SECRET_{n}_{kind}"

_SECRET_NAME = (
    r"(?:passw(?:or)?d|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|credentials?|"
    r"private[_-]?key|client[_-]?secret|signing[_-]?key|encryption[_-]?key|session[_-]?key|bearer|dsn|passphrase)"
)
_SECRET_ENV_NAME = re.compile(r"(?i)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|AUTH|PRIVATE|DSN)")

# (kind, pattern, group holding the secret, markers): a pattern runs only when one of its markers occurs in the
# text (case-insensitively for markers written in lower case) — a substring test is far cheaper than a regex scan,
# and most code contains none of them.
_PATTERNS: tuple[tuple[str, re.Pattern[str], int, tuple[str, ...]], ...] = (
    (
        "PRIVATE_KEY",
        re.compile(
            # a whole block, or (cut off: a one-line signature, a truncated log line) the key text that follows
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[\sA-Za-z0-9+/=]*)",
            re.S,
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
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*+://[^\s:/@'\"]++:([^\s@/'\"]{3,})@([^\s/'\"?#]*)"),
        1,
        ("://",),
    ),
    (
        "URL_QUERY_SECRET",
        re.compile(
            r"(?i)[?&;](?:[\w.-]*?(?:passw(?:or)?d|pwd|pass|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|"
            r"auth|signature|sig|key|credentials?))=([^&\s#'\"<>]{8,})"
        ),
        1,
        ("=",),
    ),
    (
        "AUTHORIZATION",
        re.compile(r"(?i)\b(?:bearer|basic|token)[ \t]+([A-Za-z0-9\-._~+/]{12,}=*)(?![\w\-.~+/])"),
        1,
        ("bearer", "basic", "token"),
    ),
)
# Unquoted ``NAME=value`` / ``NAME: value`` inside prose (log lines, exception messages, query strings in text):
# the value must hold a digit and a letter, so type annotations (``token: Optional``) and words stay.
_UNQUOTED_ASSIGNED = re.compile(r"[=:][ \t]*+(?P<v>[^\s'\"`,;&(){}\[\]<>=:][^\s'\"`,;&(){}\[\]<>]{5,199})")
_KEY_VALUE = re.compile(
    r"(?i)(?P<q>['\"])(?:key|secret[_-]?key|private)(?P=q)[ \t]*[:=]>?[ \t]*(['\"])(?P<v>[^'\"\s]{12,200})\2"
)
_DOC_HOSTS = re.compile(
    r"(?i)^(?:[\w-]+\.)*(?:example\.(?:com|org|net)|example|invalid|host|hostname|domain\.tld)(?::\d+)?$"
)

# detect-secrets 1.5.0 plugins whose regexes are provider formats (not keyword, basic-auth or entropy guesses).
# Each with the substrings one of which a match needs (lower case: compared case-insensitively; () = always run).
_DETECT_SECRETS_PLUGINS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aws.AWSKeyDetector", ("AKIA", "ASIA", "ABIA", "ACCA", "A3T", "aws")),
    ("azure_storage_key.AzureStorageKeyDetector", ("AccountKey",)),
    ("cloudant.CloudantDetector", ("cloudant", "clou", "cl_", "cl-")),
    ("discord.DiscordBotTokenDetector", ()),
    ("github_token.GitHubTokenDetector", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    ("gitlab_token.GitLabTokenDetector", ("gl", "GR1348941")),
    ("ibm_cloud_iam.IbmCloudIamDetector", ("iam",)),
    ("ibm_cos_hmac.IbmCosHmacDetector", ("cos", "hmac")),
    ("jwt.JwtTokenDetector", ("eyJ",)),
    ("mailchimp.MailchimpDetector", ("-us",)),
    ("npm.NpmDetector", ("_authToken",)),
    ("openai.OpenAIDetector", ("T3BlbkFJ",)),
    ("pypi_token.PypiTokenDetector", ("pypi-",)),
    ("sendgrid.SendGridDetector", ("SG.",)),
    ("slack.SlackDetector", ("xox", "hooks.slack")),
    ("softlayer.SoftlayerDetector", ("softlayer", "sl_", "sl-", "slapi", "slkey")),
    ("square_oauth.SquareOAuthDetector", ("sq0csp-",)),
    ("stripe.StripeDetector", ("_live_",)),
    ("telegram_token.TelegramBotTokenDetector", ()),
    ("twilio.TwilioKeyDetector", ("AC", "SK")),
)


@functools.lru_cache(maxsize=1)
def _library_patterns() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]:
    """(kind, regex, markers) from detect-secrets' plugins, compiled once (the import costs ~0.1 s)."""
    import importlib

    out: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = []
    for spec, markers in _DETECT_SECRETS_PLUGINS:
        module, _, name = spec.partition(".")
        cls = getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), name)
        kind = re.sub(r"\W+", "_", cls.secret_type).upper().strip("_")
        out.extend((kind, pattern, markers) for pattern in cls().denylist)
    return tuple(out)


def _has_marker(text: str, lowered: str, markers: tuple[str, ...]) -> bool:
    return not markers or any((m in lowered) if m.islower() else (m in text) for m in markers)


def _library_findings(text: str, lowered: str) -> Iterable[Finding]:
    for kind, pattern, markers in _library_patterns():
        if not _has_marker(text, lowered, markers):
            continue
        for m in pattern.finditer(text):
            group = m.lastindex or 0
            if group and (m.group(group) is None or len(m.group(group)) < 8):
                group = 0  # a prefix group (``ghp``), not the secret itself
            yield Finding(m.start(group), m.end(group), kind)


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
    r"os\.environ|getenv|process\.env|«redacted|SPLICE_SECRET_\d+_"
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


def _documentation_url(value: str, host: str) -> bool:
    """``https://user:a%20secret@example.com``, ``postgresql://user:password@localhost``: an example, not a secret."""
    return bool(_DOC_HOSTS.match(host)) or "%20" in value or ("+" in value and value.replace("+", "").isalpha())


def _plausible(value: str) -> bool:
    # A lone lowercase word or identifier ("config", "secret_key") names a value; it is not a credential. A long run
    # of letters with no underscore ("abcdefghijklmnopqrstu") is not a word, though.
    if re.fullmatch(r"[a-z_]+", value) and ("_" in value or len(value) < 16):
        return False
    if re.fullmatch(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+", value):
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
        if not _has_marker(text, lowered, markers):
            continue
        for m in pattern.finditer(text):
            if kind in ("URL_PASSWORD", "URL_QUERY_SECRET", "AUTHORIZATION") and not _plausible(m.group(group)):
                continue
            if kind == "URL_PASSWORD" and _documentation_url(m.group(1), m.group(2)):
                continue
            if kind == "AUTHORIZATION" and not _credential_value(m.group(0), m.group(group)):
                continue
            found.append(Finding(m.start(group), m.end(group), kind))
    found.extend(_library_findings(text, lowered))
    for secret in literals:
        start = text.find(secret)
        while start != -1:
            found.append(Finding(start, start + len(secret), "KNOWN_VALUE"))
            start = text.find(secret, start + len(secret))
    for m in _ASSIGNED_QUOTED.finditer(text):
        name = _name_before(text, m.start())
        if not _SECRET_NAME_RE.search(name):
            continue
        value = m.group("v")
        if "://" in value:
            continue  # a URL's credentials are URL_PASSWORD's to judge (documentation examples are not secrets)
        if _plausible(value):
            found.append(Finding(m.start("v"), m.end("v"), "ASSIGNED_SECRET"))
        elif " " in value.strip() and _PASSWORD_NAME.search(name) and _passphrase(value):
            found.append(Finding(m.start("v"), m.end("v"), "PASSPHRASE"))
    for m in _ENV_LINE.finditer(text):
        if _SECRET_NAME_RE.search(m.group("name")) and _plausible(m.group("v")):
            found.append(Finding(m.start("v"), m.end("v"), "ASSIGNED_SECRET"))
    for m in _UNQUOTED_ASSIGNED.finditer(text):
        if not _SECRET_NAME_RE.search(_name_before(text, m.start())):
            continue
        value = m.group("v")
        if re.fullmatch(r"[A-Z_][A-Z0-9_]*|\$?\w+\(\)?", value) or "://" in value:
            continue  # a constant's name or a call, not a value
        if re.search(r"\d", value) and re.search(r"[A-Za-z]", value) and _plausible(value):
            found.append(Finding(m.start("v"), m.end("v"), "ASSIGNED_SECRET"))
    for m in _KEY_VALUE.finditer(text):
        value = m.group("v")
        if re.search(r"\d", value) and re.search(r"[A-Za-z]", value) and _plausible(value) and entropy(value) >= 3.0:
            found.append(Finding(m.start("v"), m.end("v"), "KEY_VALUE"))
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


_PASSWORD_NAME = re.compile(r"(?i)(?:passw(?:or)?d|passphrase|pass_phrase|secret)$")


def _credential_value(whole: str, value: str) -> bool:
    """``Bearer <token>`` with a digit in it; ``Basic <base64>`` whose decoded password is not a word (test:test)."""
    if not re.search(r"\d", value):
        return False  # "Bearer authentication", "token based": words, not credentials
    if whole[:5].lower() != "basic":
        return True
    import base64
    import binascii

    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    _, sep, password = decoded.partition(":")
    return bool(sep) and bool(re.search(r"\d", password)) and _plausible(password)


def _passphrase(value: str) -> bool:
    """Words that are a credential (``correct horse battery staple``), not a message about one."""
    words = value.split()
    return (
        2 <= len(words) <= 8
        and not value.rstrip().endswith((":", "?", ".", "!"))
        and not _NOT_SECRET.search(value)
        and not re.search(r"(?i)\b(?:enter|your|the|please|invalid|wrong|must|should|is|are|not|for|of|to)\b", value)
        and "{" not in value
        and "%" not in value
    )


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
        """Secrets found in ``text`` — and every other occurrence of a secret this redactor has seen before, even
        where nothing marks it as one (a trace word quoted in a context item's reason) — become placeholders."""
        seen = tuple(s for s in self._by_secret if _literal_is_safe(s) or len(s) >= 6)
        findings = find_secrets(text, (*self.literals, *seen))
        if not findings:
            return text
        out: list[str] = []
        pos = 0
        for f in findings:
            out.append(text[pos : f.start])
            secret = text[f.start : f.end]
            out.append(self._by_secret.get(secret) or self._placeholder(secret, f.kind))
            pos = f.end
        out.append(text[pos:])
        return "".join(out)

    def redact_all(self, texts: Sequence[str]) -> list[str]:
        """Redact several texts (one request's messages) so a secret found in any of them is masked in all."""
        for text in texts:
            self.redact(text)
        return [self.redact(text) for text in texts]

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


MASK = "«redacted»"


def mask(text: str, literals: Iterable[str] = ()) -> tuple[str, int]:
    """``text`` with every secret replaced for good by ``MASK`` (for what Splice stores or prints); (text, count)."""
    findings = find_secrets(text, tuple(literals))
    if not findings:
        return text, 0
    out: list[str] = []
    pos = 0
    for f in findings:
        out += [text[pos : f.start], MASK]
        pos = f.end
    out.append(text[pos:])
    return "".join(out), len(findings)


def masked(text: str) -> str:
    return mask(text)[0]


_MAYBE_VALUE = re.compile(r"['\"`]|://|BEGIN|AKIA|ASIA|gh[pousr]_|xox|sk[-_]|eyJ|[=:]\s*\w*\d")


def masked_header(line: str) -> str:
    """``masked`` for a definition's one-line header, skipping the detector when the line holds no value at all."""
    return masked(line) if _MAYBE_VALUE.search(line) else line


def has_secret(text: str) -> bool:
    return bool(find_secrets(text))


class LogFilter(logging.Filter):
    """Masks secrets in every log record (trace messages and model errors end up in logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem to report, not ours
            return True
        clean = masked(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


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
