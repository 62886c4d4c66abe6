"""Failing models through the CLI, as a user meets them (issue 15: a dead model held the user 494 s; connection
refused read "(500)"; empty, null, non-JSON and wrong-format answers were cached and replayed; an empty answer was
a successful explanation; a 5 MB answer became a proposal). Default timeouts throughout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_explain_cli import splice, workspace
from tests.e2e.test_explain import ANSWER
from tests.fake_llm import FakeLLM, Reply


def _explain(root: Path, trace: Path, url: str, *extra: str) -> tuple[int, str, float]:
    env = {"SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": url}
    started = time.monotonic()
    done = splice(["explain", "--workspace", str(root), "--traceback", str(trace), *extra], env)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def _documents(root: Path) -> list[Path]:
    return list((root / ".splice" / "explanations").glob("*.md"))


def test_a_dead_model_is_reported_within_15_seconds(tmp_path: Path) -> None:
    root, trace = workspace(tmp_path)
    with FakeLLM() as llm:
        llm.script(Reply(fault="hang"))
        told = report_time(root, trace, llm.url, "sent nothing")
        waited = told - llm.chat_requests()[0].at  # from the request to the message on the terminal
    assert waited <= 15, f"the user learnt that the model is down {waited:.1f} s after asking it"
    assert not _documents(root)


def report_time(root: Path, trace: Path, url: str, text: str) -> float:
    """When ``text`` appeared on the command's output (wall clock); fails if it never does."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPLICE_", "OPENAI_"))}
    env = {**clean, "SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": url}
    cmd = [sys.executable, "-m", "splice", "explain", "--workspace", str(root), "--traceback", str(trace)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert proc.stdout is not None
    seen, lines = None, []
    for line in proc.stdout:
        lines.append(line)
        if seen is None and text in line:
            seen = time.time()
    assert proc.wait(timeout=300) != 0
    assert seen is not None, "".join(lines)[-3000:]
    return seen


def test_connection_refused_is_reported_as_such(tmp_path: Path) -> None:
    root, trace = workspace(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rc, out, _ = _explain(root, trace, f"http://127.0.0.1:{port}/v1")
    assert rc != 0 and "connection refused" in out and "(500)" not in out


def test_an_answer_that_explains_nothing_is_an_error_and_never_cached(tmp_path: Path) -> None:
    bad = Reply(text="ok")
    root, trace = workspace(tmp_path)
    with FakeLLM() as llm:
        llm.script(bad, Reply(text=ANSWER))
        rc, out, _ = _explain(root, trace, llm.url)
        assert rc != 0, out
        assert not _documents(root), "an unusable answer was written as an explanation"
        rc, out, _ = _explain(root, trace, llm.url)  # the model recovered: asked again, not replayed
        assert rc == 0, out
        assert len(llm.chat_requests()) == 2
    assert "What happened" in out


def test_an_answer_whose_fix_was_refused_is_not_replayed(tmp_path: Path) -> None:
    root, trace = workspace(tmp_path)
    no_fix = "### What happened\nIt failed.\n### Why\nUnknown.\n### Fix\nCheck the input.\n"
    with FakeLLM() as llm:
        llm.script(Reply(text=no_fix), Reply(text=ANSWER))
        _explain(root, trace, llm.url, "--fix")
        rc, out, _ = _explain(root, trace, llm.url, "--fix")
        assert len(llm.chat_requests()) == 2 and rc == 0
    assert "TIER_DISCOUNTS.get(tier, 0.0)" in out


def test_a_runaway_answer_is_refused_before_parsing(tmp_path: Path) -> None:
    root, trace = workspace(tmp_path)
    with FakeLLM() as llm:
        llm.script(Reply(text=ANSWER, fault="huge"))
        rc, out, _ = _explain(root, trace, llm.url, "--fix")
    assert rc != 0 and "far more than the request allows" in out
    assert not _documents(root)


@pytest.mark.parametrize(
    "bad",
    [
        Reply(text=""),
        Reply(fault="null"),
        Reply(fault="garbage"),
        Reply(fault="cut", text=ANSWER),
        Reply(fault="no_finish", text=ANSWER),
    ],
    ids=["empty", "null", "not-json", "cut-stream", "no-finish-reason"],
)
async def test_bad_answers_never_reach_the_cache(tmp_path: Path, bad: Reply) -> None:
    """The same rule one layer down, in-process (each CLI run above costs seconds)."""
    from splice.config import Settings
    from splice.llm import errors
    from splice.llm.gateway import Gateway
    from splice.llm.model import Message, Request

    with FakeLLM() as llm:
        llm.script(bad, Reply(text=ANSWER))
        gateway = Gateway(Settings(model="openai/fake", api_base=llm.url), tmp_path)
        ask = Request("explain", (Message("user", "why?"),))
        with pytest.raises(errors.LLMError):
            await gateway.complete(ask)
        answer = await gateway.complete(ask)
        assert answer.text == ANSWER and not answer.cached and len(llm.chat_requests()) == 2
    assert not list((tmp_path / ".splice" / "cache").rglob("*.json"))
