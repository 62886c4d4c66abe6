"""The litellm adapter's helpers, the retry policy, and the fake server as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.fake_llm import FakeLLM, Reply

from splice.llm import client, errors
from splice.llm.gateway import Gateway
from splice.llm.model import Message, Request
from splice.llm.retry import RetryPolicy, parse_retry_after

FAKE = Path(__file__).resolve().parents[2] / "fake_llm.py"


def test_retry_after_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("Mon, 23 Nov 2026 01:00:10 GMT", now=lambda: 1795395600.0) == pytest.approx(10.0)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_retry_policy_only_retries_retryable_and_stops() -> None:
    policy = RetryPolicy(max_retries=2, base=1.0)
    assert policy.delay(1, errors.AuthenticationFailed("no", "")) is None
    assert policy.delay(1, errors.BadRequest("no", "")) is None
    assert policy.delay(1, errors.ProviderUnavailable("500", ""), rand=lambda: 1.0) == 1.0
    assert policy.delay(2, errors.RequestTimedOut("slow", ""), rand=lambda: 1.0) == 2.0
    assert policy.delay(3, errors.RateLimited("429", "")) is None  # past max_retries
    assert policy.delay(1, errors.RateLimited("429", "", retry_after=7.0), rand=lambda: 0.0) == 7.0
    assert policy.delay(1, errors.RateLimited("429", "", retry_after=600.0)) is None  # longer than max_wait


def test_token_counter_counts_and_falls_back() -> None:
    count = client.token_counter("openai/gpt-4o-mini")
    assert count("def add(a, b):\n    return a + b\n") > 5
    assert count("") == 0
    assert client.token_counter(None)("abcd" * 10) == 10  # no model: ~4 characters per token


def test_model_facts_from_the_local_cost_map() -> None:
    assert client.context_window("openai/gpt-4o-mini") == 128000
    assert client.context_window("openai/some-local-model") is None
    prices = client.prices("openai/gpt-4o-mini")
    assert prices is not None and prices[0] > 0
    assert client.prices("openai/some-local-model") is None


async def test_embeddings_through_litellm(fake: FakeLLM, make_gateway: Callable[..., Gateway]) -> None:
    gateway = make_gateway(embeddings_model="openai/fake-embed")
    vectors = await gateway.embed(["def f(): pass", 'TOKEN = "ghp_' + "k" * 36 + '"'])
    assert len(vectors) == 2 and len(vectors[0]) == 8 and vectors[0] != vectors[1]
    sent = fake.requests[0].body
    assert sent["model"] == "fake-embed" and "ghp_" + "k" * 36 not in json.dumps(sent)
    with pytest.raises(errors.UnknownModel, match="wordllama"):
        await make_gateway().embed(["x"])  # the default embeddings model is local, not litellm's


def test_fake_server_as_a_subprocess(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps([{"text": "scripted answer"}, {"status": 500}]))
    record = tmp_path / "requests.jsonl"
    proc = subprocess.Popen(
        [sys.executable, str(FAKE), "--port", "0", "--script", str(script), "--record", str(record)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        body = json.dumps({"model": "fake", "messages": [{"role": "user", "content": "hi"}]}).encode()
        req = urllib.request.Request(f"{url}/chat/completions", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert json.load(resp)["choices"][0]["message"]["content"] == "scripted answer"
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(req, timeout=5)
        assert info.value.code == 500
        lines = record.read_text().splitlines()
        assert len(lines) == 2 and json.loads(lines[0])["body"]["messages"][0]["content"] == "hi"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_fake_server_rejects_a_bad_script(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(json.dumps([{"txt": "typo"}]))
    result = subprocess.run(
        [sys.executable, str(FAKE), "--script", str(script)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0 and "unknown reply fields" in result.stderr


def test_first_call_imports_litellm_off_the_event_loop() -> None:
    """litellm takes seconds to import: the first call must load it on a worker thread, not on the event loop
    (which serves every LSP request). An import hook records which thread imports it."""
    code = """
import asyncio, sys, threading
from tests.fake_llm import FakeLLM
from splice.config import Settings
from splice.llm.gateway import Gateway
from splice.llm.model import Message, Request

seen = []
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "litellm":
            seen.append(threading.current_thread() is threading.main_thread())
        return None
sys.meta_path.insert(0, Spy())

async def main():
    with FakeLLM() as fake:
        gateway = Gateway(Settings(model="openai/fake", api_base=fake.url), None, env={})
        result = await gateway.complete(Request("generate", (Message("user", "hi"),)))
        print(result.text, seen)

asyncio.run(main())
"""
    root = FAKE.parents[1]  # the repository: `tests.fake_llm` imports from there
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok [False]"


def test_direct_tokenizer_agrees_with_litellm() -> None:
    import litellm

    count = client.token_counter("openai/gpt-4o-mini")
    for text in ("def add(a, b):\n    return a + b\n", "<|endoftext|> is text here", "naïve — 文字", ""):
        assert count(text) == litellm.token_counter(model="openai/gpt-4o-mini", text=text)


async def test_fake_hang_with_delay_answers_if_the_client_waits(
    fake: FakeLLM, make_gateway: Callable[..., Gateway]
) -> None:
    fake.script(Reply(text="slow but fine", fault="hang", delay=0.2))
    assert (
        await make_gateway(timeout=10).complete(Request("generate", (Message("user", "x"),)))
    ).text == "slow but fine"
    assert fake.disconnects == 0
