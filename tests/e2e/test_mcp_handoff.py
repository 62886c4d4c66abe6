"""An agent's proposal made through `splice mcp` reaches the review of the Splice language server running for the
same workspace (Neovim profile: Apply / Show diff / Discard), and is written only when the user applies it there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from tests.e2e.editor_model import apply_to_disk
from tests.e2e.lsp_session import open_session, server_config, session
from tests.e2e.mcp_driver import ANSWER, McpDriver, proposal_id

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=server_config(), scope="module")
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    await open_session(lsp_client, "neovim", tmp_path_factory.mktemp("handoff"))
    yield
    await lsp_client.shutdown_session()


async def test_an_agent_proposal_is_reviewed_in_the_editor(client: LanguageClient) -> None:
    _lsp, rec, root = session(client)
    pricing = root / "inventory" / "pricing.py"
    before = pricing.read_text()
    rec.message_answers[:] = ["Apply"]
    with McpDriver(root) as mcp:
        text = mcp.ok("propose_edit", answer=ANSWER)
        assert "review in the user's editor" in text
        pid = proposal_id(text)
        assert pricing.read_text() == before
        for _ in range(100):  # the editor polls its inbox about once a second
            if rec.applied_edits:
                break
            await asyncio.sleep(0.1)
        assert rec.applied_edits, "the editor never reviewed the agent's proposal"
        assert "pricing.py" in rec.message_requests[0].message  # the user was asked, with the change named
        apply_to_disk(rec.applied_edits[-1].edit)
        assert "TIER_DISCOUNTS.get(tier, 0.0)" in pricing.read_text()
        for _ in range(50):
            status = mcp.ok("proposal_status", proposal_id=pid)
            if "applied" in status:
                break
            await asyncio.sleep(0.1)
        assert f"proposal {pid}: applied" in status
