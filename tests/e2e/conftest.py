"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from tests.e2e.lsp_session import open_session, server_config
from tests.fake_llm import FakeLLM


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    """The fake OpenAI-compatible model server on 127.0.0.1, one per test module."""
    with FakeLLM() as server:
        yield server


@pytest_lsp.fixture(config=server_config(), params=["vscode", "neovim"], scope="module")
async def client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, llm: FakeLLM
) -> AsyncIterator[None]:
    """A server per editor profile with the fake model configured (modules without model calls define their own)."""
    await open_session(
        lsp_client,
        request.param,
        tmp_path_factory.mktemp(request.param),
        {"model": "openai/fake-model", "apiBase": llm.url},
    )
    yield
    await lsp_client.shutdown_session()
