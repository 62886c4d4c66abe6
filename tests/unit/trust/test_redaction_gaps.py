"""The one secret detector: the nine canaries that used to reach the model, and documentation examples that are
not secrets (they must reach the model unchanged)."""

from __future__ import annotations

import pytest

from splice import redaction
from splice.context.exclusion import MASK, mask_secrets
from splice.redaction import Redactor, find_secrets

# (case, text as the world writes it, the secret in it)
GAPS = [
    ("password in a URL query", 'LOGIN = "https://db.acme.io/login?user=admin&password=Qx7vLm29Wz"', "Qx7vLm29Wz"),
    ("dict value under 'key'", 'settings = {"name": "billing", "key": "8f3kd92jfk30sk2kd0"}', "8f3kd92jfk30sk2kd0"),
    (
        "Authorization: Bearer in code",
        'headers = {"Authorization": "Bearer tk9Fh2LxQ0pZr7VmW3sY"}',
        "tk9Fh2LxQ0pZr7VmW3sY",
    ),
    ("passphrase with spaces", 'GPG_PASSPHRASE = "violet anchor 42 tundra"', "violet anchor 42 tundra"),
    (
        "env-var value in a trace",
        "KeyError: 'X'\n  env: environ({'HOME': '/root', 'PAYMENTS_TOKEN': 'pt_4e8a1c9b7d2f6053'})",
        "pt_4e8a1c9b7d2f6053",
    ),
    (
        "api_key= in a trace message",
        "RuntimeError: upstream refused the request api_key=Zx81kd92jf0a8sd7f (quota exceeded)",
        "Zx81kd92jf0a8sd7f",
    ),
    (
        "Authorization: Bearer in a trace message",
        "httpx.HTTPStatusError: 401 Unauthorized; sent Authorization: Bearer 9sd8f7s9d8f7sd98f7sd",
        "9sd8f7s9d8f7sd98f7sd",
    ),
    ("postgresql:// password", 'DATABASE_URL = "postgresql://app:S3cretPw0rd@db.internal:5432/app"', "S3cretPw0rd"),
]

DOC_EXAMPLES = [
    '    >>> url = httpx.URL("https://user:a%20secret@example.com/")',
    'DEFAULT_DSN = "postgresql://user:password@localhost/db"',
    'EXAMPLE = "https://user:pass@host/path"',
    'password = "changeme"',
    'token = "xxx"',
    "    For example ``api_key=xxxxxxxx`` or ``password=changeme``.",
    'headers["Authorization"] = f"Bearer {token}"',
    'raise ValueError("token based auth needs a Bearer token")',
    'password_help = "Enter your password here"',
    "token: Optional[str] = None",
]


@pytest.mark.parametrize(("case", "text", "secret"), GAPS, ids=[g[0] for g in GAPS])
def test_each_gap_is_closed_in_the_gateway_and_in_previews(case: str, text: str, secret: str) -> None:
    assert secret not in Redactor().redact(text), case
    assert secret not in mask_secrets(text)[0] and MASK in mask_secrets(text)[0]
    assert secret not in redaction.masked(text)


def test_a_redacted_value_is_not_resent_in_a_reason_line() -> None:
    """The ninth gap: the context item's reason quoted the trace word bare, with nothing marking it secret."""
    trace = "RuntimeError: refused api_key=Zx81kd92jf0a8sd7f"
    item = "### billing.py:12 — why: full-text match for 'Zx81kd92jf0a8sd7f refused'"
    user = f"{item}\n\n{trace}"  # the item comes first in the prompt
    redactor = Redactor()
    _system, sent = redactor.redact_all(["You fix code.", user])
    assert "Zx81kd92jf0a8sd7f" not in sent and sent.count("SPLICE_SECRET_1_") == 2
    assert redactor.restore(sent) == user


@pytest.mark.parametrize("text", DOC_EXAMPLES)
def test_documentation_examples_are_not_secrets(text: str) -> None:
    assert find_secrets(text) == [], text
    assert Redactor().redact(text) == text
    assert mask_secrets(text) == (text, 0)


def test_stored_index_signature_is_masked() -> None:
    from splice.index.extract_text import signature

    source = b'AWS_KEY = "AKIAQ7Z2X9W4V1CANARY"\n'
    sig = signature(source, 0, len(source))
    assert "AKIAQ7Z2X9W4V1CANARY" not in sig and sig.startswith("AWS_KEY = ")
    plain = b"def f(x: int = 1) -> str:\n"
    assert signature(plain, 0, len(plain) - 1) == "def f(x: int = 1) -> str:"


def test_log_records_are_masked() -> None:
    import logging

    record = logging.LogRecord("x", logging.WARNING, "f", 1, "model said %s", ("api_key=Zx81kd92jf0a8sd7f",), None)
    redaction.LogFilter().filter(record)
    assert "Zx81kd92jf0a8sd7f" not in record.getMessage()
