"""Canaries of every kind planted in a repository's code and in a real traceback: none may be sent to the model,
stored under ``.splice`` (index, caches, explanations, proposals, usage) or printed by a preview. The outcome of each
canary (sent / stored / shown) is printed as a table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.fake_llm import FakeLLM, Reply
from tests.hostile.support import splice, tree_bytes, user_env

EC_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5ZlUWYqrDGfwmoAoGCCqGSM49\n"
    "AwEHoUQDQgAEKjQ3CANARYEC0c7wE6ZqK1F6nS0mNXyYd3j6nIuGyBhrPjR2xdGz\n"
    "-----END EC PRIVATE KEY-----"
)
# name -> (the canary, how the code writes it)
IN_CODE = {
    "aws key id": ("AKIAQ7Z2X9W4V1CANARY", 'AWS_ACCESS_KEY_ID = "{}"'),
    "aws secret": ("wJalrXUtnFEMI7K7MDENGbPxRfiCYCANARY12345", 'AWS_SECRET_ACCESS_KEY = "{}"'),
    "github token": ("ghp_C4n4ryT0k3nZz9Zz9Zz9Zz9Zz9Zz9Zz9Zz9", 'GITHUB_TOKEN = "{}"'),
    "ec private key": ("MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5ZlUWYqrDGfwmoAoGCCqGSM49", 'EC_KEY = """{}"""'),
    "password": ("Pw-C4nary-77x", 'ADMIN_PASSWORD = "{}"'),
    "postgresql password": ("S3cretPgC4nary", 'DB_URL = "postgresql://app:{}@db.internal:5432/app"'),
    "password in URL query": ("Qx7vC4naryLm29", 'LOGIN_URL = "https://db.acme.io/login?user=admin&password={}"'),
    "dict value under key": ("8f3kd92jfk30C4NARY", 'SERVICE = {{"name": "billing", "key": "{}"}}'),
    "Authorization Bearer in code": ("tk9Fh2LxQ0C4naryVmW3sY", 'HEADERS = {{"Authorization": "Bearer {}"}}'),
    "passphrase with spaces": ("violet canary 42 tundra", 'GPG_PASSPHRASE = "{}"'),
    "slack token": ("xoxb-1234567890-C4nary0987654-AbCdEfGhIjKlMnOpQrStUvWx", 'SLACK = "{}"'),
    "stripe key": ("sk_live_C4nary51H7x9Zq2LmNoPqRsT", 'STRIPE = "{}"'),
    "openai key": ("sk-proj-C4naryAbCdEfGhIjKlMnOpQrStUvWxYz0123456789", 'OPENAI = "{}"'),
}
IN_TRACE = {
    "env-var value in a trace": ("pt_4e8a1c9bC4NARY6053", "PAYMENTS_TOKEN"),
    "api_key= in a trace": ("Zx81kd92jfC4NARYsd7f", "PAY_KEY"),
    "Authorization Bearer in a trace": ("9sd8f7s9C4NARYd98f7sd", "PAY_BEARER"),
}

CLIENT = '''"""Talks to the payments service."""

import os

from app import settings


def charge(amount: int) -> int:
    """Charge ``amount`` with the service credentials."""
    headers = dict(settings.HEADERS)
LOCALS
    headers["x-creds"] = str(len(locals()))
    if amount > settings.LIMIT:
        env = {"PAYMENTS_TOKEN": os.environ["PAYMENTS_TOKEN"]}
        raise RuntimeError(
            f"upstream refused api_key={os.environ['PAY_KEY']} "
            f"Authorization: Bearer {os.environ['PAY_BEARER']} env={env} headers={len(headers)}"
        )
    return amount
'''


def workspace(tmp: Path) -> Path:
    root = tmp / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    lines = ['"""Service settings."""', "", "LIMIT = 100"]
    for canary, template in IN_CODE.values():
        value = EC_KEY if canary.startswith("MHcC") else canary
        lines.append(template.format(value))
    (root / "app" / "settings.py").write_text("\n".join(lines) + "\n")
    # the same canaries as locals of the failing function: its code always reaches the prompt whole
    local_lines = ["    " + template.format(c).replace('"""', '"') for c, template in IN_CODE.values()]
    (root / "app" / "client.py").write_text(CLIENT.replace("LOCALS", "\n".join(local_lines)))
    return root


def real_trace(root: Path) -> str:
    env = {"PATH": "/usr/bin:/bin", **{var: c for c, var in IN_TRACE.values()}}
    done = subprocess.run(
        [sys.executable, "-c", "from app.client import charge; charge(1000)"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "RuntimeError: upstream refused" in done.stderr
    return done.stderr


def test_no_canary_is_sent_stored_or_shown(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "trace.txt").write_text(real_trace(root))
    canaries = {name: c for name, (c, _) in IN_CODE.items()} | {name: c for name, (c, _) in IN_TRACE.items()}
    with FakeLLM() as llm:
        llm.responder = lambda path, body: Reply(text="### What happened\nThe amount is over the limit.\n")
        env = user_env(tmp_path / "home", SPLICE_MODEL="openai/fake-model", SPLICE_API_BASE=llm.url)
        outs = [
            splice(["context", "app/client.py:15", "--explain", "--budget", "4000"], env, root),
            splice(["explain", "--traceback", "trace.txt", "--fix"], env, root),
        ]
        sent = llm.all_bodies_text() + "\n".join(m["content"] for r in llm.chat_requests() for m in r.body["messages"])
    shown = "\n".join(o.stdout + o.stderr for o in outs)
    stored = tree_bytes(root / ".splice")
    # the positive controls: the canary-bearing code and the trace did reach the prompt and the previews
    target = sent[sent.rindex("def charge(") :]
    assert "upstream refused" in sent and target.count("«redacted") >= len(IN_CODE), target
    assert "def charge(" in shown and shown.count("«redacted") >= len(IN_CODE), shown
    # explain --fix exits 2 when the answer holds no fix (this one explains only)
    assert len(llm.chat_requests()) == 1 and [o.returncode for o in outs] in ([0, 0], [0, 2]), shown
    rows = []
    for name, canary in canaries.items():
        probe = canary.splitlines()[0] if "\n" in canary else canary
        outcome = (probe in sent, probe.encode() in stored, probe in shown)
        rows.append((name, *outcome))
    print("\ncanary                          sent  stored  shown")
    for name, s, st, sh in rows:
        print(f"{name:30}  {s!s:5} {st!s:6}  {sh!s:5}")
    leaked = [r for r in rows if any(r[1:])]
    assert leaked == [], leaked
