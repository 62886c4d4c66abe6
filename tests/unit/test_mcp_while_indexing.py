"""A tool called while the index is still being built answers with what is there and says so (in-process, through
the SDK's own client, so no subprocess is needed to hold indexing back)."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import mcp_types as types
from mcp import Client

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
