"""Migrate in the editor, per capability profile (VS Code: Refactor Preview; Neovim: Apply / Show diff / Discard):
a project migration with rule and model steps run to the end through review while the migrate diagnostics count
down, the quick fix on a site, a selection migration, abort, and a resume after the server was killed mid-step."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.cli.test_migrate_cli import FIXTURE, REDIRECT_ANSWER, TIMEOUT_ANSWER
from tests.e2e.editor_model import apply_to_disk
from tests.e2e.lsp_session import raw_request, server_config, session, start
from tests.fake_llm import FakeLLM, Reply

pytestmark = pytest.mark.asyncio(loop_scope="module")
FILES = ("shop/transport.py", "shop/catalog.py")


@pytest.fixture(scope="module")
def llm() -> Any:
    with FakeLLM() as server:
        yield server


async def begin(lsp: LanguageClient, profile: str, root: Path, llm: FakeLLM) -> None:
    statuses: list[dict[str, Any]] = []

    @lsp.feature("splice/migrationStatus")
    def on_status(params: Any) -> None:
        statuses.append(params if isinstance(params, dict) else dict(params._asdict()))

    lsp.migration_statuses = statuses  # type: ignore[attr-defined]
    lsp.profile = profile  # type: ignore[attr-defined]
    options = {"model": "openai/fake-model", "apiBase": llm.url, "embeddings": {"model": "none"}}
    rec = await start(lsp, profile, root, options)
    await rec.wait_ready()


@pytest_lsp.fixture(config=server_config(), params=["vscode", "neovim"], scope="module")
async def client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, llm: FakeLLM
) -> AsyncIterator[None]:
    root = tmp_path_factory.mktemp(request.param) / "shop"
    shutil.copytree(FIXTURE, root)
    await begin(lsp_client, request.param, root, llm)
    yield
    await lsp_client.shutdown_session()


def reset(root: Path) -> None:
    for rel in FILES:
        (root / rel).write_text((FIXTURE / rel).read_text())


def site_count(lsp: LanguageClient) -> int:
    return sum(1 for ds in lsp.diagnostics.values() for d in ds if d.source == "splice-migrate")


async def command(lsp: LanguageClient, name: str, arg: dict[str, Any]) -> dict[str, Any]:
    result = await lsp.workspace_execute_command_async(types.ExecuteCommandParams(command=name, arguments=[arg]))
    assert isinstance(result, dict), result
    return result


async def step(lsp: LanguageClient, arg: dict[str, Any]) -> dict[str, Any]:
    """One reviewed step: the user approves, the editor writes the edit."""
    _, rec, _ = session(lsp)
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Apply"]
    out = await command(lsp, "splice.migrateContinue", arg)
    for applied in rec.applied_edits:
        apply_to_disk(applied.edit)
    return out


async def settle(lsp: LanguageClient) -> None:
    await asyncio.sleep(0.3)  # diagnostics are notifications: let the last ones arrive


async def test_project_migration_runs_to_the_end_while_the_problems_count_goes_down(
    client: LanguageClient, llm: FakeLLM
) -> None:
    lsp, rec, root = session(client)
    reset(root)
    planned = await command(lsp, "splice.migrate", {"target": "requests to httpx", "rules": ["requests-to-httpx"]})
    mid = planned["id"]
    await settle(lsp)
    counts = [site_count(lsp)]
    assert counts[0] == planned["sitesLeft"] == 7 and planned["residue"] == 2
    diag = next(d for ds in lsp.diagnostics.values() for d in ds if d.source == "splice-migrate")
    assert diag.severity in (types.DiagnosticSeverity.Hint, types.DiagnosticSeverity.Information)

    for _ in range(3):  # the rule steps
        out = await step(lsp, {"id": mid})
        assert out["outcomes"][0]["done"] is True, out
        await settle(lsp)
        counts.append(site_count(lsp))
    assert all(a > b for a, b in itertools.pairwise(counts)), counts  # every rule step lowers the count

    # the quick fix on a remaining site runs that file's model step
    uri = (root / "shop/transport.py").as_uri()
    remaining = [d for d in lsp.diagnostics.get(uri, []) if d.source == "splice-migrate"]
    assert remaining, lsp.diagnostics
    actions = await raw_request(
        lsp,
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=remaining[0].range,
            context=types.CodeActionContext(diagnostics=remaining[:1]),
        ),
    )
    fix = next(a for a in actions if a["title"] == "Splice: Migrate this site")
    assert fix["kind"] == "quickfix"
    llm.script(Reply(text=TIMEOUT_ANSWER))
    out = await step(lsp, fix["command"]["arguments"][0])
    assert out["outcomes"][0]["done"] is True, out
    llm.script(Reply(text=REDIRECT_ANSWER))
    out = await step(lsp, {"id": mid})
    assert out["outcomes"][0]["done"] is True and out["state"] == "finished", out
    await settle(lsp)
    assert site_count(lsp) == 0
    assert "except httpx.TimeoutException" in (root / "shop/transport.py").read_text()
    assert "follow_redirects=True" in (root / "shop/catalog.py").read_text()
    last = lsp.migration_statuses[-1]  # type: ignore[attr-defined]
    assert last["id"] == mid and last["done"] == last["total"] == 5 and last["sitesLeft"] == 0
    if lsp.profile == "neovim":  # type: ignore[attr-defined]
        assert rec.message_requests and "Migrate (" in rec.message_requests[-1].message

    # abort: the inverse of every applied step, as one reviewed change
    out = await step(lsp, {"id": mid})  # nothing left to run
    assert out["outcomes"] == []
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Apply"]
    aborted = await command(lsp, "splice.migrateAbort", {"id": mid})
    assert aborted["state"] == "aborted" and len(rec.applied_edits) == 1
    apply_to_disk(rec.applied_edits[0].edit)
    assert all((root / p).read_text() == (FIXTURE / p).read_text() for p in FILES)


async def test_a_selection_migration_changes_only_the_selection(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    reset(root)
    text = (root / "shop/transport.py").read_text()
    first = text[: text.index("def post_json")].count("\n")
    uri = (root / "shop/transport.py").as_uri()
    selection = types.Range(
        start=types.Position(line=first - 5, character=0), end=types.Position(line=first, character=0)
    )
    actions = await raw_request(
        lsp,
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=selection,
            context=types.CodeActionContext(diagnostics=[]),
        ),
    )
    action = next(a for a in actions if a["title"] == "Splice: Migrate selection to…")
    arg = {**action["command"]["arguments"][0], "target": "requests to httpx", "rules": ["requests-to-httpx"]}
    planned = await command(lsp, "splice.migrate", arg)
    assert planned["sitesLeft"] == 1, planned  # only requests.get inside fetch_json
    out = await step(lsp, {"id": planned["id"], "steps": 5})
    assert out["state"] == "finished", out
    after = (root / "shop/transport.py").read_text()
    assert "httpx.get(url" in after and "requests.post(url" in after and "import requests" in after


async def test_resume_after_the_server_was_killed_mid_step(
    client: LanguageClient, llm: FakeLLM, tmp_path: Path
) -> None:
    lsp, _, _ = session(client)
    if lsp.profile != "vscode":  # type: ignore[attr-defined]
        pytest.skip("the ledger and resume do not depend on the editor's review UI; one profile is enough")
    root = tmp_path / "shop"
    shutil.copytree(FIXTURE, root)
    first = await server_config().start()
    await begin(first, lsp.profile, root, llm)  # type: ignore[attr-defined]
    planned = await command(first, "splice.migrate", {"target": "requests to httpx", "rules": ["requests-to-httpx"]})
    for _ in range(3):
        await step(first, {"id": planned["id"]})
    llm.script(Reply(text=TIMEOUT_ANSWER, delay=10))  # the model is slow: kill the server while it waits
    asked = len(llm.chat_requests())
    pending = asyncio.ensure_future(command(first, "splice.migrateContinue", {"id": planned["id"]}))
    for _ in range(300):
        await asyncio.sleep(0.1)
        if len(llm.chat_requests()) > asked:
            break
    assert first._server is not None
    first._server.kill()
    await first._server.wait()
    pending.cancel()
    second = await server_config().start()
    try:
        await begin(second, lsp.profile, root, llm)  # type: ignore[attr-defined]
        llm.script(Reply(text=TIMEOUT_ANSWER), Reply(text=REDIRECT_ANSWER))
        for _ in range(2):
            out = await step(second, {"id": planned["id"]})
            assert out["outcomes"][0]["done"] is True, out["outcomes"]
        assert out["state"] == "finished"
    finally:
        await second.shutdown_session()
    assert "except httpx.TimeoutException" in (root / "shop/transport.py").read_text()
    assert "follow_redirects=True" in (root / "shop/catalog.py").read_text()
