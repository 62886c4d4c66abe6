"""Secret-looking lines are masked and excluded paths are refused, before anything is counted or sent."""

from __future__ import annotations

import pytest

from splice.context.exclusion import MASK, PathFilter, line_has_secret, mask_secrets, shannon_entropy

SECRET_LINES = [
    'API_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"',
    'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"',
    '    password = "hunter2hunter2"',
    'config = {"client_secret": "0f9a8b7c6d5e4f3a2b1c"}',
    "GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
    'db_url = "postgres://admin:s3cr3tpass@db.internal:5432/app"',
    'signing = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdo"',
    "const token: string = 'xoxb-1234567890-abcdefghij';",
    'export SECRET_KEY="django-insecure-9f8e7d6c5b4a"',
]

SAFE_LINES = [
    "def parse_header(line: str) -> tuple[str, str]:",
    'password = os.environ["DB_PASSWORD"]',
    'token = request.headers.get("Authorization")',
    'API_KEY = ""',
    'password = "<your password here>"',
    'TOKEN_HEADER = "token"',
    "key = keys[0]",
    'url = "https://example.org/docs/index.html"',
    'greeting = "hello world, how are you today"',
]


@pytest.mark.parametrize("line", SECRET_LINES)
def test_secret_lines_are_detected(line: str) -> None:
    assert line_has_secret(line)
    masked, count = mask_secrets(f"x = 1\n{line}\ny = 2\n")
    assert count == 1
    assert line.strip() not in masked
    assert MASK in masked
    assert masked.startswith("x = 1\n") and masked.endswith("y = 2\n")


@pytest.mark.parametrize("line", SAFE_LINES)
def test_ordinary_code_is_untouched(line: str) -> None:
    assert not line_has_secret(line)
    assert mask_secrets(line + "\n") == (line + "\n", 0)


def test_private_key_blocks_are_dropped_whole() -> None:
    text = (
        'KEY = """\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabcdef\n'
        '-----END RSA PRIVATE KEY-----\n"""\nafter = 1\n'
    )
    masked, count = mask_secrets(text)
    assert "MIIEpAIBAAKCAQEA7" not in masked and "abcdef" not in masked
    assert count == 4
    assert masked.count(MASK) == 1
    assert masked.endswith('"""\nafter = 1\n')


def test_indentation_is_kept() -> None:
    masked, _ = mask_secrets('class C:\n    api_key = "abcd1234efgh5678"\n')
    assert masked == f"class C:\n    {MASK}\n"


def test_entropy_separates_random_from_words() -> None:
    assert shannon_entropy("aaaaaaaa") == 0.0
    assert shannon_entropy("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5") > 4.0
    assert shannon_entropy("hellohellohello") < 3.0


def test_path_filter_patterns_and_secret_files() -> None:
    paths = PathFilter(["build/", "*.min.js"])
    assert paths.excluded("build/out.py")
    assert paths.excluded("web/app.min.js")
    assert paths.excluded(".env") and paths.excluded("config/.env.production")
    assert paths.excluded("deploy/id_rsa") and paths.excluded("certs/server.pem")
    assert not paths.excluded("pkg/app.py")


def test_path_filter_uses_the_ignore_predicate_and_fails_closed() -> None:
    def broken(path: str) -> bool:
        raise OSError("unreadable .gitignore")

    assert PathFilter((), lambda p: p.startswith("vendor/")).excluded("vendor/lib.py")
    assert PathFilter((), broken).excluded("pkg/app.py")


def test_request_excludes_extend_the_filter() -> None:
    base = PathFilter(["build/"])
    merged = base.with_request(["pkg/private/", "pkg/app.py::App"])
    assert merged.excluded("pkg/private/x.py") and merged.excluded("build/y.py")
    assert not merged.excluded("pkg/app.py")
    assert base.with_request(["pkg/app.py::App"]) is base
