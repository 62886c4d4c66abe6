"""End-to-end session helpers: a real ``python -m splice serve`` subprocess driven by pytest-lsp with the
capabilities of real editors (VS Code and Neovim), over a copy of the example workspace. One server per module and
profile: each start costs seconds, so tests group their assertions."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"
PROFILES = {"vscode": "visual-studio-code", "neovim": "neovim@0.11"}


class Recorder:
    """What the client saw from the server, beyond what pytest-lsp records itself."""

    def __init__(self) -> None:
        self.index_status: list[dict[str, Any]] = []
        self.ready = asyncio.Event()
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.apply_answer = True
        self.message_requests: list[types.ShowMessageRequestParams] = []
        self.message_answers: list[str | None] = []
        self.proposals_ready: list[dict[str, Any]] = []

    async def wait_ready(self, timeout: float = 120) -> dict[str, Any]:
        await asyncio.wait_for(self.ready.wait(), timeout)
        return self.index_status[-1]


def copy_example(tmp: Path) -> Path:
    root = tmp / "example"
    shutil.copytree(EXAMPLE, root)
    return root


def server_config() -> ClientServerConfig:
    return ClientServerConfig(
        server_command=[sys.executable, "-m", "splice", "serve", "--stdio"],
        server_env={"LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )


async def start(
    lsp_client: LanguageClient, profile: str, root: Path, options: dict[str, Any] | None = None
) -> Recorder:
    rec = Recorder()

    @lsp_client.feature("splice/indexStatus")
    def on_index_status(params: Any) -> None:
        status = params if isinstance(params, dict) else dict(params._asdict())
        rec.index_status.append(status)
        if status.get("state") in ("ready", "error"):
            rec.ready.set()

    @lsp_client.feature("splice/proposalReady")
    def on_proposal_ready(params: Any) -> None:
        rec.proposals_ready.append(params if isinstance(params, dict) else dict(params._asdict()))

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def on_apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        rec.applied_edits.append(params)
        return types.ApplyWorkspaceEditResult(applied=rec.apply_answer)

    @lsp_client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_message_request(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        rec.message_requests.append(params)
        title = rec.message_answers.pop(0) if rec.message_answers else None
        return None if title is None else types.MessageActionItem(title=title)

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        return None

    lsp_client.splice_recorder = rec  # type: ignore[attr-defined]
    lsp_client.splice_root = root  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities(PROFILES[profile]),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=options or {},
        )
    )
    return rec


def session(client: LanguageClient) -> tuple[LanguageClient, Recorder, Path]:
    """The client with what ``start`` attached to it (pytest-lsp fixtures yield the client itself)."""
    return client, client.splice_recorder, client.splice_root  # type: ignore[attr-defined]


async def raw_request(client: LanguageClient, method: str, params: Any) -> Any:
    """Send a request and return the result as plain JSON, bypassing lsprotocol's structuring of the answer.

    lsprotocol structures every ``Command | CodeAction`` with a ``command`` key as a Command, so a CodeAction that
    carries a command (what real editors receive and handle) is mangled on the Python test client's side."""
    msg_id = f"raw-{id(params)}-{method}"
    future = client.protocol.send_request(method, params, msg_id=msg_id)
    client.protocol._result_types.pop(msg_id, None)
    return plain(await asyncio.wait_for(asyncio.wrap_future(future), 30))


def plain(value: Any) -> Any:
    """JSON objects as dicts (pygls's client hands untyped results over as namedtuples)."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


async def open_session(
    lsp_client: LanguageClient, profile: str, tmp: Path, options: dict[str, Any] | None = None
) -> Recorder:
    """Copy the example into ``tmp``, initialize as ``profile`` and wait until the index is ready."""
    lsp_client.profile = profile  # type: ignore[attr-defined]
    rec = await start(lsp_client, profile, copy_example(tmp), options)
    await rec.wait_ready()
    return rec
