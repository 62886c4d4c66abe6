"""The real language server (``python -m splice serve``) started with a chosen user environment, as an editor would
start it, driven through pytest-lsp's client with the VS Code or Neovim capability profile."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import make_test_lsp_client
from tests.e2e.lsp_session import start

ANSWER = "### What happened\nThe tier `platinum` is not in `TIER_DISCOUNTS`.\n"


def real_traceback(root: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "inventory.app", "platinum"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "KeyError" in done.stderr
    return done.stderr


async def explain_in_server(root: Path, options: dict[str, Any], env: dict[str, str], trace: str = "") -> list[str]:
    """Open ``root``, explain a real traceback of it (or ``trace``), and return every message the server showed."""
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "splice", "serve", env=env)
    profile = "neovim" if "workspaceTrusted" not in options else "vscode"
    try:
        rec = await start(client, profile, root, options)
        await rec.wait_ready()
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="splice.explainError", arguments=[{"text": trace or real_traceback(root)}]
            )
        )
        assert isinstance(result, dict), result
        await asyncio.sleep(0.1)
        return [m.message for m in client.messages] + [str(result)]
    finally:
        await client.shutdown_session()
