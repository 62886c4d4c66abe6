"""Every fault the gateway must survive, played by the fake server through the real litellm path."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.fake_llm import FakeLLM, Reply

from splice.llm import errors
from splice.llm.gateway import Gateway
from splice.llm.model import Message, Progress, Request

MakeGateway = Callable[..., Gateway]


def ask(text: str = "write hello", feature: str = "generate", **kw: object) -> Request:
    return Request(feature, (Message("system", "You write code."), Message("user", text)), **kw)  # type: ignore[arg-type]


def usage_lines(workspace: Path) -> list[dict[str, object]]:
    path = workspace / ".splice" / "usage.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_plain_completion_records_usage(fake: FakeLLM, make_gateway: MakeGateway, workspace: Path) -> None:
    fake.script(Reply(text="def hello():\n    return 1\n", prompt_tokens=30, completion_tokens=9))
    result = await make_gateway().complete(ask())
    assert result.text == "def hello():\n    return 1\n"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (30, 9)
    assert result.cost == 0.0 and any("cost map" in n for n in result.notes)
    assert not result.cached
    body = fake.chat_requests()[0].body
    assert body["model"] == "fake" and body["messages"][1] == {"role": "user", "content": "write hello"}
    [line] = usage_lines(workspace)
    assert line["outcome"] == "ok" and line["feature"] == "generate" and line["prompt_tokens"] == 30


async def test_streaming_reports_progress(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(text="x = 1\ny = 2\nz = 3\n"))
    seen: list[Progress] = []
    result = await make_gateway().complete(ask(), progress=seen.append)
    assert result.text == "x = 1\ny = 2\nz = 3\n"
    assert fake.chat_requests()[0].body["stream"] is True
    assert len(seen) >= 3
    assert [p.chunks for p in seen] == sorted(p.chunks for p in seen)
    assert seen[-1].text == result.text


async def test_no_model_configured_says_how(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    with pytest.raises(errors.NoModelConfigured) as info:
        await make_gateway(model=None).complete(ask())
    fix = info.value.problem.fix
    assert "SPLICE_MODEL" in fix and "[tool.splice]" in fix and "splice.model" in fix
    assert fake.requests == []


async def test_missing_key_names_the_variable(
    fake: FakeLLM, make_gateway: MakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(errors.MissingApiKey) as info:
        await make_gateway(model="openai/gpt-4o-mini", api_base=None).complete(ask())
    assert "OPENAI_API_KEY" in str(info.value)
    with pytest.raises(errors.MissingApiKey) as info:
        await make_gateway(api_key_env="MY_TEAM_KEY").complete(ask())
    assert "MY_TEAM_KEY" in str(info.value)
    assert fake.requests == []


async def test_api_key_env_value_is_sent(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    await make_gateway(api_key_env="MY_TEAM_KEY", env={"MY_TEAM_KEY": "team-key-123"}).complete(ask())
    assert fake.requests[0].headers["authorization"] == "Bearer team-key-123"


async def test_unknown_model_without_provider(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    with pytest.raises(errors.UnknownModel) as info:
        await make_gateway(model="gpt-nonexistent-xyz").complete(ask())
    assert "openai/" in info.value.problem.fix
    assert fake.requests == []


async def test_model_the_provider_does_not_have_is_not_retried(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(status=404, error="The model `nope` does not exist"))
    with pytest.raises(errors.UnknownModel, match="does not exist"):
        await make_gateway(model="openai/nope").complete(ask())
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(status=401, error="Incorrect API key"), errors.AuthenticationFailed),
        (Reply(status=400, error="messages: bad role"), errors.BadRequest),
        (Reply(fault="garbage"), errors.MalformedResponse),
    ],
)
async def test_non_retryable_errors_are_sent_once(
    fake: FakeLLM, make_gateway: MakeGateway, reply: Reply, error: type[errors.LLMError], workspace: Path
) -> None:
    fake.script(reply, reply, reply)
    with pytest.raises(error):
        await make_gateway().complete(ask())
    assert len(fake.requests) == 1
    assert usage_lines(workspace)[-1]["outcome"] == error.kind


async def test_rate_limit_storm_is_bounded_and_honours_retry_after(
    fake: FakeLLM, make_gateway: MakeGateway, sleeps: object
) -> None:
    fake.script(*[Reply(status=429, headers={"Retry-After": "2"}, error="slow down")] * 10)
    gateway = make_gateway(max_retries=3)
    with pytest.raises(errors.GiveUp) as info:
        await gateway.complete(ask())
    assert len(fake.requests) == 4  # the first try + max_retries
    assert isinstance(info.value.last, errors.RateLimited)
    delays = sleeps.delays  # type: ignore[attr-defined]
    assert len(delays) == 3 and all(d >= 2 for d in delays)


async def test_rate_limit_then_success(fake: FakeLLM, make_gateway: MakeGateway, sleeps: object) -> None:
    fake.script(Reply(status=429, headers={"Retry-After": "1.5"}), Reply(text="fine"))
    result = await make_gateway().complete(ask())
    assert result.text == "fine" and len(fake.requests) == 2
    assert sleeps.delays[0] >= 1.5  # type: ignore[attr-defined]


async def test_retry_after_too_long_gives_up_at_once(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(errors.RateLimited):
        await make_gateway().complete(ask())
    assert len(fake.requests) == 1


async def test_server_errors_are_retried(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(status=500), Reply(status=503), Reply(text="recovered"))
    result = await make_gateway().complete(ask())
    assert result.text == "recovered" and len(fake.requests) == 3


async def test_a_silent_model_is_reported_after_the_first_token_timeout(
    fake: FakeLLM, make_gateway: MakeGateway
) -> None:
    # Issue 15: a model that never answers held the user 4 × 120 s. Silence is reported once, without a retry.
    fake.script(Reply(fault="hang", delay=10), Reply(fault="hang", delay=10))
    with pytest.raises(errors.ModelSilent) as info:
        await make_gateway(first_token_timeout=0.3, max_retries=3).complete(ask())
    assert "splice.firstTokenTimeout" in info.value.problem.fix and "0.3 s" in info.value.problem.message
    assert len(fake.requests) == 1
    for _ in range(100):  # the server notices the abandoned connection
        if fake.disconnects >= 1:
            break
        await asyncio.sleep(0.02)
    assert fake.disconnects >= 1


async def test_the_overall_deadline_bounds_retries(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    await make_gateway(cache_enabled=False).complete(ask("warm up litellm's first-call imports"))
    gateway = make_gateway(timeout=3.0, first_token_timeout=0.6, max_retries=10, cache_enabled=False)
    fake.script(*[Reply(text="abcdefghijkl", chunk_delay=1.0)] * 20)  # every attempt stalls after its first chunk
    started = time.monotonic()
    with pytest.raises((errors.DeadlineExceeded, errors.GiveUp)):  # out of time, or a backoff would pass it
        await gateway.complete(ask())
    assert time.monotonic() - started < 3.0 + 1.0
    assert 2 <= len(fake.requests) <= 6


async def test_truncated_stream_is_an_error_and_not_cached(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(text="def f():\n    return 'a long answer'\n" * 4, fault="truncate"), Reply(text="whole"))
    gateway = make_gateway()
    with pytest.raises(errors.IncompleteAnswer):
        await gateway.complete(ask(), progress=lambda p: None)
    assert len(fake.requests) == 1
    assert (await gateway.complete(ask(), progress=lambda p: None)).text == "whole"


async def test_answer_cut_at_max_tokens_is_refused(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(text="def f(", finish_reason="length"), Reply(text="def f(): pass"))
    gateway = make_gateway()
    with pytest.raises(errors.IncompleteAnswer, match="cut off"):
        await gateway.complete(ask())
    assert (await gateway.complete(ask())).text == "def f(): pass"  # nothing was cached


async def test_provider_context_window_error(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(
        Reply(
            status=400, error="This model's maximum context length is 8192 tokens", error_code="context_length_exceeded"
        )
    )
    with pytest.raises(errors.ContextWindowExceeded) as info:
        await make_gateway().complete(ask())
    assert "context.budget" in info.value.problem.fix
    assert len(fake.requests) == 1


async def test_context_window_checked_before_sending(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    with pytest.raises(errors.ContextWindowExceeded, match="at most 50"):
        await make_gateway(context_windows={"openai/fake": 50}).complete(ask("def f(): pass\n" * 200))
    assert fake.requests == []


async def test_cancellation_reaches_the_server(fake: FakeLLM, make_gateway: MakeGateway, workspace: Path) -> None:
    fake.script(Reply(fault="hang", delay=30))
    task = asyncio.create_task(make_gateway(timeout=60).complete(ask()))
    for _ in range(200):
        if fake.requests:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):
        if fake.disconnects:
            break
        await asyncio.sleep(0.01)
    assert fake.disconnects == 1
    assert not (workspace / ".splice" / "cache").exists() or not list((workspace / ".splice" / "cache").rglob("*"))


async def test_budget_per_request_refuses_before_sending(
    fake: FakeLLM, make_gateway: MakeGateway, workspace: Path
) -> None:
    gateway = make_gateway(model="openai/gpt-4o-mini", budget_per_request=0.0001, max_tokens=4096)
    with pytest.raises(errors.BudgetExceeded, match="perRequest"):
        await gateway.complete(ask())
    assert fake.requests == []
    assert usage_lines(workspace)[-1]["outcome"] == "budget"


async def test_daily_budget_counts_todays_spend(fake: FakeLLM, make_gateway: MakeGateway, workspace: Path) -> None:
    gateway = make_gateway(model="openai/gpt-4o-mini", budget_daily=0.01, max_tokens=100)
    fake.script(Reply(text="ok", prompt_tokens=10_000, completion_tokens=100))
    first = await gateway.complete(ask())
    assert first.cost == pytest.approx(10_000 * 0.15e-6 + 100 * 0.6e-6)
    from splice.llm.usage import UsageRecord, now_iso

    assert gateway.usage is not None
    gateway.usage.append(UsageRecord(now_iso(), "openai/gpt-4o-mini", "generate", 0, 0, 0.0099, 1.0, False, "ok"))
    with pytest.raises(errors.BudgetExceeded, match="daily"):
        await gateway.complete(ask("another question"))
    assert len(fake.requests) == 1


async def test_concurrency_limit_queues_requests(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.responder = lambda path, body: Reply(text="ok", delay=0.05)
    gateway = make_gateway(concurrency=3, cache_enabled=False)
    results = await gateway.batch([ask(f"question {i}") for i in range(12)])
    assert all(not isinstance(r, errors.LLMError) for r in results)
    assert len(fake.requests) == 12
    assert 1 <= fake.max_in_flight <= 3


async def test_batch_keeps_order_and_puts_errors_in_place(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    def answer(path: str, body: dict[str, object]) -> Reply:
        question = body["messages"][-1]["content"]  # type: ignore[index]
        return Reply(status=401) if question == "q2" else Reply(text=f"answer to {question}")

    fake.responder = answer
    done: list[tuple[int, int]] = []
    results = await make_gateway().batch([ask(f"q{i}") for i in range(4)], on_done=lambda d, t: done.append((d, t)))
    assert isinstance(results[2], errors.AuthenticationFailed)
    assert [r.text for r in results if not isinstance(r, errors.LLMError)] == [
        "answer to q0",
        "answer to q1",
        "answer to q3",
    ]
    assert done[-1] == (4, 4)


async def test_stalled_stream_times_out_and_is_retried(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(text="abcdefghijkl", chunk_delay=5), Reply(text="whole answer"))
    seen: list[Progress] = []
    result = await make_gateway(first_token_timeout=0.3).complete(ask(), progress=seen.append)
    assert result.text == "whole answer"
    assert len(fake.requests) == 2
    received = [p for p in seen if not p.waiting]
    assert received[0].text == "abcd"  # the stalled attempt reported progress before it stalled
    assert seen[0].waiting.startswith("waiting for openai/fake") and any("retrying" in p.waiting for p in seen)


async def test_cancel_mid_stream_closes_the_connection(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(text="a long streamed answer " * 10, chunk_delay=0.2))
    seen: list[Progress] = []
    task = asyncio.create_task(make_gateway(timeout=30).complete(ask(), progress=seen.append))
    for _ in range(500):
        if any(not p.waiting for p in seen):  # a chunk arrived (the first reports say what is awaited)
            break
        await asyncio.sleep(0.01)
    assert any(not p.waiting for p in seen), "no chunk arrived"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(300):
        if fake.disconnects:
            break
        await asyncio.sleep(0.01)
    assert fake.disconnects == 1
    assert len(fake.requests) == 1


def test_importing_the_gateway_does_not_import_litellm() -> None:
    import subprocess
    import sys

    code = (
        "import sys, splice.llm.gateway, splice.llm.prompts, splice.features.session; print('litellm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


async def test_per_feature_model_and_request_override(
    fake: FakeLLM, make_gateway: MakeGateway, workspace: Path
) -> None:
    gateway = make_gateway(models={"explain": "openai/explainer"})
    await gateway.complete(ask(feature="explain"))
    await gateway.complete(ask(feature="generate"))
    await gateway.complete(ask("third", feature="generate", model="openai/chosen"))
    assert [r.body["model"] for r in fake.chat_requests()] == ["explainer", "fake", "chosen"]
    assert [line["model"] for line in usage_lines(workspace)] == ["openai/explainer", "openai/fake", "openai/chosen"]


async def test_cancelled_and_progress_text_restored(fake: FakeLLM, make_gateway: MakeGateway, workspace: Path) -> None:
    token = "ghp_" + "R7" * 18
    fake.responder = lambda path, body: Reply(text=body["messages"][-1]["content"])  # echo, streamed
    seen: list[Progress] = []
    await make_gateway().complete(ask(f"KEY = '{token}'"), progress=seen.append)
    assert seen[-1].text == f"KEY = '{token}'"  # progress shows the restored text, not placeholders
    assert token not in fake.all_bodies_text()
    fake.responder = lambda path, body: Reply(fault="hang", delay=30)
    task = asyncio.create_task(make_gateway(timeout=60).complete(ask("slow")))
    for _ in range(300):
        if len(fake.requests) == 2:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert usage_lines(workspace)[-1]["outcome"] == "cancelled"


async def test_settings_change_applies_to_the_next_call(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    from dataclasses import replace

    gateway = make_gateway()
    await gateway.complete(ask())
    await gateway.update_settings(replace(gateway.settings, model="openai/second", concurrency=2))
    await gateway.complete(ask())
    assert [r.body["model"] for r in fake.chat_requests()] == ["fake", "second"]
    await gateway.update_settings(replace(gateway.settings, model="openai/fake", cache_enabled=False))
    assert gateway.cache is None
    await gateway.complete(ask())
    assert len(fake.chat_requests()) == 3  # the first answer is not served: the cache is off


@pytest.mark.parametrize("reply", [Reply(status=500), Reply(status=503), Reply(status=429)])
async def test_storms_without_retry_after_back_off_and_stop(
    fake: FakeLLM, make_gateway: MakeGateway, sleeps: object, reply: Reply
) -> None:
    fake.script(*[reply] * 10)
    with pytest.raises(errors.GiveUp) as info:
        await make_gateway(max_retries=2).complete(ask())
    assert info.value.last.retryable and len(fake.requests) == 3
    delays = sleeps.delays  # type: ignore[attr-defined]
    assert len(delays) == 2 and delays[0] > 0 and delays[1] >= delays[0]  # exponential, jitter included
    assert "after 3 attempts" in str(info.value)


async def test_max_retries_zero_sends_once(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(status=500), Reply(text="never reached"))
    with pytest.raises(errors.ProviderUnavailable):
        await make_gateway(max_retries=0).complete(ask())
    assert len(fake.requests) == 1
