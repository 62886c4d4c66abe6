"""Drives `splice mcp` over stdio with the official SDK's own client, from synchronous tests: the client lives on
an event loop in a background thread (one server per test module), each call waits for its answer."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import mcp_types as types
from mcp import Client, StdioServerParameters

T = TypeVar("T")
SPLICE = [sys.executable, "-m", "splice"]


ANSWER = """inventory/pricing.py
```python
<<<<<<< SEARCH
    discount = TIER_DISCOUNTS[tier]
=======
    discount = TIER_DISCOUNTS.get(tier, 0.0)
>>>>>>> REPLACE
```
"""
"""An edit of the example workspace as models write it: the unknown tier falls back to no discount."""


def proposal_id(text: str) -> str:
    """The id in a `propose_edit` result ("proposal 1a2b…: title")."""
    found = re.search(r"^proposal ([0-9a-zA-Z]+):", text, re.M)
    assert found, text
    return found.group(1)


class McpDriver:
    def __init__(self, workspace: Path, *extra: str) -> None:
        self.workspace = workspace
        self.extra = extra
        self.approval: dict[str, Any] | None = None
        """What the simulated user answers to an elicitation: the form content, or None to decline."""
        self.asked: list[str] = []
        """The messages the server asked the user, in order."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stop: asyncio.Event | None = None
        self._client: Client | None = None

    def __enter__(self) -> McpDriver:
        self._thread.start()
        ready: Future[None] = Future()
        self._done = asyncio.run_coroutine_threadsafe(self._run(ready), self._loop)
        ready.result(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._done.result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _elicit(self, context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.asked.append(params.message)
        if self.approval is None:
            return types.ElicitResult(action="decline")
        return types.ElicitResult(action="accept", content=self.approval)

    async def _run(self, ready: Future[None]) -> None:
        env = {**os.environ, "SPLICE_EMBEDDINGS_MODEL": "none", "PYTHONPATH": os.pathsep.join(sys.path)}
        params = StdioServerParameters(
            command=SPLICE[0], args=[*SPLICE[1:], "mcp", "--workspace", str(self.workspace), *self.extra], env=env
        )
        self._stop = asyncio.Event()
        try:
            async with Client(params, elicitation_callback=self._elicit, read_timeout_seconds=60) as client:
                self._client = client
                ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def client(self) -> Client:
        assert self._client is not None
        return self._client

    def call(self, tool: str, **arguments: Any) -> tuple[str, bool]:
        """(text, is_error) of one tool call."""
        result = self.run(self.client.call_tool(tool, arguments))
        text = "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))
        return text, bool(result.is_error)

    def ok(self, tool: str, **arguments: Any) -> str:
        text, error = self.call(tool, **arguments)
        assert not error, text
        return text

    def error(self, tool: str, **arguments: Any) -> str:
        text, error = self.call(tool, **arguments)
        assert error, text
        return text
