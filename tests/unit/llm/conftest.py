"""Fixtures for the gateway tests: the fake OpenAI-compatible server and gateways pointed at it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.fake_llm import FakeLLM

from splice.config import Settings
from splice.llm.gateway import Gateway


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


class SleepLog:
    """Stands in for asyncio.sleep: records the delays the gateway asked for without waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def make_gateway(fake: FakeLLM, workspace: Path, sleeps: SleepLog) -> Callable[..., Gateway]:
    def make(
        env: dict[str, str] | None = None, context_windows: dict[str, int] | None = None, **changes: Any
    ) -> Gateway:
        settings = replace(Settings(model="openai/fake", api_base=fake.url, timeout=5.0), **changes)
        return Gateway(settings, workspace, env=env or {}, sleep=sleeps, context_windows=context_windows)

    return make
