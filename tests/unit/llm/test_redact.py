"""Redaction: recall on a generated secret corpus, false positives on real code, placeholders, canaries."""

from __future__ import annotations

import random
import string
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.fake_llm import FakeLLM, Reply

from splice.llm.gateway import Gateway
from splice.llm.model import Message, Request
from splice.redaction import Redactor, dotenv_secrets, env_secrets, find_secrets

CORPORA = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpora"
ALNUM = string.ascii_letters + string.digits


def rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64(rng: random.Random, n: int) -> str:
    return rand(rng, n, ALNUM + "+/")


def private_key(rng: random.Random, label: str) -> str:
    body = "\n".join(b64(rng, 64) for _ in range(6))
    return f"-----BEGIN {label}PRIVATE KEY-----\n{body}\n-----END {label}PRIVATE KEY-----"


def jwt(rng: random.Random) -> str:
    return (
        "eyJ" + rand(rng, 30, ALNUM + "_-") + ".eyJ" + rand(rng, 60, ALNUM + "_-") + "." + rand(rng, 43, ALNUM + "_-")
    )


# Each generator returns (secret, a line or block of text carrying it).
Gen = Callable[[random.Random], tuple[str, str]]
GENERATORS: list[Gen] = [
    lambda r: (s := "AKIA" + rand(r, 16, string.ascii_uppercase + string.digits), f'AWS_ACCESS_KEY_ID = "{s}"'),
    lambda r: (s := b64(r, 40), f"aws_secret_access_key = {s}"),
    lambda r: (s := "AIza" + rand(r, 35, ALNUM + "_-"), f"const mapsKey = '{s}';"),
    lambda r: (s := b64(r, 86) + "==", f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={s};"),
    lambda r: (s := rand(r, 3) + "8Q~" + rand(r, 34, ALNUM + "_~.-"), f"client_credential: {s}"),
    lambda r: (s := "ghp_" + rand(r, 36), f"git clone https://x:{s}@github.com/acme/app.git"),
    lambda r: (s := "github_pat_" + rand(r, 22) + "_" + rand(r, 59), f'headers = {{"Authorization": "token {s}"}}'),
    lambda r: (s := "glpat-" + rand(r, 20, ALNUM + "_-"), f"export CI_TOKEN_VALUE={s}"),
    lambda r: (s := f"xoxb-{rand(r, 12, string.digits)}-{rand(r, 13, string.digits)}-{rand(r, 24)}", f"slack({s!r})"),
    lambda r: (s := "sk-proj-" + rand(r, 48, ALNUM + "_-"), f"client = OpenAI(api_key='{s}')"),
    lambda r: (s := "sk-ant-api03-" + rand(r, 93, ALNUM + "_-"), f'anthropic_key: "{s}"'),
    lambda r: (s := "sk_live_" + rand(r, 24), f"stripe.api_key = '{s}'"),
    lambda r: (s := private_key(r, r.choice(["RSA ", "EC ", "OPENSSH ", ""])), f'KEY = """\n{s}\n"""'),
    lambda r: (s := jwt(r), f"fetch(url, {{ headers: {{ Authorization: `Bearer {s}` }} }})"),
    lambda r: (s := rand(r, 14), f"DATABASE_URL=postgres://admin:{s}@db.internal:5432/app"),
    lambda r: (s := rand(r, 10) + "!#" + rand(r, 4), f'    password = "{s}"'),
    lambda r: (s := rand(r, 24), f'  "api_key": "{s}",'),
    lambda r: (s := rand(r, 18), f"DB_PASSWORD: '{s}'"),
    lambda r: (s := rand(r, 32, "0123456789abcdef"), f'    self.signing_secret = "{s}"'),
    lambda r: (s := b64(r, 40), f'WEBHOOK_SIGNATURE = "{s}"'),
    lambda r: (s := rand(r, 64, "0123456789abcdef"), f'seed: "{s}"'),
    lambda r: (s := rand(r, 20), f"SECRET_TOKEN={s}"),
]


def corpus(n_per_kind: int = 10) -> list[tuple[str, str]]:
    rng = random.Random(20261123)
    return [gen(rng) for gen in GENERATORS for _ in range(n_per_kind)]


def test_recall_on_synthetic_secret_corpus() -> None:
    items = corpus()
    assert len(items) >= 200
    missed = [(secret, text) for secret, text in items if secret in Redactor().redact(text)]
    recall = 1 - len(missed) / len(items)
    print(f"\nredaction recall: {recall:.1%} on {len(items)} secrets; missed: {missed[:3]}")
    assert recall >= 0.95, missed[:5]


@pytest.mark.parametrize("name", ["flask", "requests"])
def test_false_positive_rate_on_ordinary_code(name: str, tmp_path: Path) -> None:
    archive = CORPORA / f"{name}.tar.gz"
    if not archive.exists():
        pytest.skip(f"corpus {archive} not found; false-positive measurement skipped")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="data")
    files = lines = 0
    hits: list[str] = []
    for path in tmp_path.rglob("*"):
        if not path.is_file() or path.suffix not in {".py", ".md", ".rst", ".toml", ".cfg", ".txt", ".yml", ".yaml"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        files += 1
        lines += text.count("\n") + 1
        for f in find_secrets(text):
            line = text[: f.start].count("\n") + 1
            hits.append(f"{path.relative_to(tmp_path)}:{line} {f.kind} {text[f.start : f.end][:40]!r}")
    rate = len(hits) / lines
    print(f"\n{name}: {len(hits)} redactions in {lines} lines of {files} files ({rate:.4%} of lines)")
    for hit in hits:
        print("  ", hit)
    assert files > 20
    assert rate <= 0.001


def test_same_secret_same_placeholder_and_restore() -> None:
    token = "ghp_" + "Zz9" * 12
    redactor = Redactor()
    first = redactor.redact(f"a = '{token}'\nb = '{token}'")
    assert token not in first
    assert first.count("SPLICE_SECRET_1_GITHUB_TOKEN") == 2
    second = redactor.redact(f"c = '{token}'")  # the same session keeps the name
    assert "SPLICE_SECRET_1_GITHUB_TOKEN" in second
    answer = "def client():\n    return Github('SPLICE_SECRET_1_GITHUB_TOKEN')\n"
    assert redactor.restore(answer) == f"def client():\n    return Github('{token}')\n"
    assert redactor.count == 1


@pytest.mark.parametrize(
    "text",
    [
        'password := "s3cr3tPass9"',  # Go
        "'password' => 's3cr3tPass9',",  # PHP
        '  "api_key": "s3cr3tPass9",',  # JSON
        "DB_PASSWORD: 's3cr3tPass9'",  # YAML
        "export AUTH_TOKEN=s3cr3tPass9",  # shell / .env
        "const client = new Client({ token: `s3cr3tPass9` });",  # JS template literal
    ],
)
def test_assignment_forms_across_languages(text: str) -> None:
    redacted = Redactor().redact(text)
    assert "s3cr3tPass9" not in redacted and "SPLICE_SECRET_1_ASSIGNED_SECRET" in redacted


def test_distinct_secrets_get_distinct_placeholders() -> None:
    text = 'password = "hunter2hunter2"\ntoken = "ghp_' + "a" * 36 + '"'
    redacted = Redactor().redact(text)
    assert "SPLICE_SECRET_1_" in redacted and "SPLICE_SECRET_2_" in redacted


@pytest.mark.parametrize(
    "text",
    [
        'password = request.form["password"]',
        'token = os.environ["GITHUB_TOKEN"]',
        'api_key = "${API_KEY}"',
        'secret_key = "<your secret key here>"',
        "def check_password(password: str) -> bool:",
        'msg = "Invalid password, try again"',
        'content_type = "application/x-www-form-urlencoded"',
        'name = "werkzeug.datastructures.FileStorage"',
    ],
)
def test_ordinary_code_is_left_alone(text: str) -> None:
    assert Redactor().redact(text) == text


def test_env_and_dotenv_values(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DEBUG=true\nPORT=8000\nSTRIPE_KEY=plain-but-secret-1\n# comment\nAPI_KEY=test\nDB_PASSWORD=password\n"
    )
    (tmp_path / ".env.local").write_text("export SESSION_SALT='q8Jv2LmX0pRt5sWz'\n")
    values = dotenv_secrets(tmp_path)
    assert values == {"plain-but-secret-1", "q8Jv2LmX0pRt5sWz"}
    env = {"MY_SERVICE_TOKEN": "tok-123456789", "HOME": "/root", "PATH": "/usr/bin", "AUTH_MODE": "on"}
    env |= {"SSH_AUTH_SOCK": "/tmp/ssh-abc/agent.1", "KEYBOARD": "us", "FEATURE_TOKEN_ENABLED": "true"}
    assert env_secrets(env) == {"tok-123456789"}
    # Plain words from a .env never become literals: "test" must not vanish from every prompt.
    redactor = Redactor({"test", "password", "tok-123456789"})
    assert (
        redactor.redact("def test_login(): assert tok-123456789")
        == "def test_login(): assert SPLICE_SECRET_1_KNOWN_VALUE"
    )


async def test_canaries_never_reach_the_provider(
    fake: FakeLLM, make_gateway: Callable[..., Gateway], workspace: Path
) -> None:
    env_canary = "canary-env-7f3a9c2e41d84b6f"
    dotenv_canary = "canary-dotenv-0b5e8d1c9a7f4e23"
    source_canary = "AKIA" + "CANARYQ7Z2X9W4V1"
    (workspace / ".env").write_text(f"INTERNAL_API_TOKEN={dotenv_canary}\n")
    source = f'import boto3\n\nAWS_KEY = "{source_canary}"\nURL = "https://svc/?t={dotenv_canary}"\n'
    prompt = f"{source}\n# the deploy script prints: key={env_canary}\nFix the bug in this code."
    fake.responder = lambda path, body: Reply(text="```python\n" + body["messages"][-1]["content"] + "\n```")
    gateway = make_gateway(env={"DEPLOY_SECRET": env_canary})
    request = Request("fix", (Message("system", "system"), Message("user", prompt)))
    result = await gateway.complete(request)
    await gateway.keep(result)
    await gateway.complete(request, progress=lambda p: None)  # the progress path too (a cache hit here)
    await gateway.complete(Request("fix", (Message("user", prompt + " again"),)), progress=lambda p: None)
    sent = fake.all_bodies_text()
    assert len(fake.chat_requests()) == 2
    for canary in (env_canary, dotenv_canary, source_canary):
        assert canary not in sent
        assert canary in result.text  # restored in the answer that becomes an edit
    assert result.redacted == 3
