"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_llm import FakeLLM


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    """The fake OpenAI-compatible model server on 127.0.0.1, one per test module."""
    with FakeLLM() as server:
        yield server
