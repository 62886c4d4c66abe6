"""workspace/executeCommand handlers for commands that need no model: reindex."""

from __future__ import annotations

from typing import Any

from splice.lsp.handlers.lifecycle import run_index
from splice.lsp.protocol import Commands
from splice.lsp.server import SpliceServer


def register(server: SpliceServer) -> None:
    @server.command(Commands.REINDEX)
    async def reindex(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        ls.require_ws()
        await run_index(ls)
        return {"state": ls.index_state}
