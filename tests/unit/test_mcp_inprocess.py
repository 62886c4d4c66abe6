"""The MCP server in-process through the SDK's own client (no subprocess, so each case is cheap and deterministic):
a call while the index is still being built, the headless-apply opt-in, and approval over the handshake-era
protocol today's clients speak."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import mcp_types as types
from mcp import Client
from tests.e2e.mcp_driver import ANSWER

from splice.config import load_settings
from splice.mcp.server import build
from splice.mcp.session import SpliceSession

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"


def test_a_call_during_indexing_says_the_results_are_partial(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root)
    session = SpliceSession(root, load_settings(root))  # never started: the index is still "being built"

    async def call() -> str:
        async with Client(build(session)) as client:
            result = await client.call_tool("search_symbols", {"query": "price"})
            assert not result.is_error
            return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))

    text = anyio.run(call)
    assert text.startswith("note: the index is still being built")
    assert "no symbols match" in text  # nothing indexed yet, and it says so instead of failing


def _call(session: SpliceSession, tool: str, arguments: dict[str, object]) -> tuple[str, bool]:
    async def go() -> tuple[str, bool]:
        async with Client(build(session)) as client:
            result = await client.call_tool(tool, arguments)
            return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent)), bool(result.is_error)

    return anyio.run(go)


def test_headless_apply_is_an_explicit_opt_in(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root)
    pricing = root / "inventory" / "pricing.py"
    before = pricing.read_text()
    # without the opt-in, a client that cannot ask its user gets a refusal and nothing is written
    asking = SpliceSession(root, load_settings(root))
    text, error = _call(asking, "propose_edit", {"answer": ANSWER})
    pid = text.split("proposal ", 1)[1].split(":", 1)[0]
    text, error = _call(asking, "apply_proposal", {"proposal_id": pid})
    assert error and "cannot ask its user" in text and pricing.read_text() == before
    # with --allow-headless-apply the same call writes
    headless = SpliceSession(root, load_settings(root), headless_apply=True)
    text, error = _call(headless, "apply_proposal", {"proposal_id": pid})
    assert not error and "applied proposal" in text
    assert "TIER_DISCOUNTS.get(tier, 0.0)" in pricing.read_text()


def test_approval_over_the_handshake_protocol_clients_use_today(tmp_path: Path) -> None:
    """Claude Code, VS Code and Cursor speak the initialize-handshake protocol, where elicitation is a request from
    the server in the middle of the call (not the newer input-required round trip)."""
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root)
    pricing = root / "inventory" / "pricing.py"
    session = SpliceSession(root, load_settings(root))
    asked: list[str] = []

    async def approve(context: object, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params.message)
        return types.ElicitResult(action="accept", content={"apply": True})

    async def go() -> str:
        async with Client(build(session), mode="legacy", elicitation_callback=approve) as client:
            assert client.protocol_version < "2026"
            proposed = await client.call_tool("propose_edit", {"answer": ANSWER})
            text = "\n".join(c.text for c in proposed.content if isinstance(c, types.TextContent))
            pid = text.split("proposal ", 1)[1].split(":", 1)[0]
            applied = await client.call_tool("apply_proposal", {"proposal_id": pid})
            return "\n".join(c.text for c in applied.content if isinstance(c, types.TextContent))

    assert "applied proposal" in anyio.run(go)
    assert "TIER_DISCOUNTS.get(tier, 0.0)" in asked[0] and "TIER_DISCOUNTS.get(tier, 0.0)" in pricing.read_text()
