"""``splice doctor``'s MCP check: start ``splice mcp`` the way an agent's client does (a subprocess over stdio),
complete the handshake with the SDK's own client and list the tools."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters


def list_tools(root: Path, timeout: float = 60.0) -> list[str]:
    """The tool names a freshly started ``splice mcp`` for ``root`` offers; raises on any failure."""

    async def probe() -> list[str]:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "splice", "mcp", "--workspace", str(root)],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        with anyio.fail_after(timeout):
            async with Client(params, read_timeout_seconds=timeout) as client:
                return [tool.name for tool in (await client.list_tools()).tools]

    return anyio.run(probe)
