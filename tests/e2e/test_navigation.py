"""The index end to end: initialize, progress, indexing a fixture workspace, the five navigation features and an
incremental edit — once per editor profile (VS Code: UTF-16 positions; Neovim: UTF-8)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import Future
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.e2e.editor_model import path_of
from tests.e2e.lsp_session import open_session, server_config, session

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=server_config(), params=["vscode", "neovim"], scope="module")
async def client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    await open_session(lsp_client, request.param, tmp_path_factory.mktemp(request.param))
    yield
    await lsp_client.shutdown_session()


def uri(root: Path, rel: str) -> str:
    return (root / rel).as_uri()


def position_of(root: Path, rel: str, needle: str, occurrence: int = 0) -> types.Position:
    text = (root / rel).read_text()
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index)
    col = index - (text.rfind("\n", 0, index) + 1)
    return types.Position(line=line, character=col)


async def test_initialize_and_index_progress(client: LanguageClient) -> None:
    lsp, rec, _ = session(client)
    caps = lsp.protocol.server_capabilities if hasattr(lsp.protocol, "server_capabilities") else None
    states = [s["state"] for s in rec.index_status]
    assert states[0] == "indexing" and states[-1] == "ready", states
    assert "files" in rec.index_status[-1]["message"]
    # work-done progress: begin … end, cancellable
    (reports,) = [r for r in lsp.progress_reports.values() if r and r[0].kind == "begin"]
    assert reports[0].kind == "begin" and reports[0].cancellable is True
    assert reports[-1].kind == "end"
    assert caps is None or caps.workspace_symbol_provider


async def test_workspace_and_document_symbols(client: LanguageClient) -> None:
    lsp, _, root = session(client)
    found = await lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="pricewd"))
    names = [s.name for s in found]
    assert "price_with_discount" in names
    hit = next(s for s in found if s.name == "price_with_discount")
    assert isinstance(hit.location, types.Location)
    assert hit.location.uri == uri(root, "inventory/pricing.py")
    assert hit.location.range.start == position_of(root, "inventory/pricing.py", "price_with_discount")

    symbols = await lsp.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(root, "inventory/service.py")))
    )
    by_name = {s.name: s for s in symbols if isinstance(s, types.DocumentSymbol)}
    assert {"OutOfStock", "InventoryService"} <= set(by_name)
    methods = {c.name for c in by_name["InventoryService"].children or []}
    assert {"__init__", "reserve", "quote"} <= methods


async def test_definition_references_and_call_hierarchy(
    client: LanguageClient,
) -> None:
    lsp, _, root = session(client)
    service = uri(root, "inventory/service.py")
    # order_total(...) call inside InventoryService.quote → its definition in pricing.py
    call_pos = position_of(root, "inventory/service.py", "order_total(lines")
    defs = await lsp.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=service), position=call_pos)
    )
    assert isinstance(defs, list) and len(defs) == 1
    assert defs[0].uri == uri(root, "inventory/pricing.py")
    assert defs[0].range.start == position_of(root, "inventory/pricing.py", "order_total")

    # references of price_with_discount: the call in order_total, the re-export and the test
    pricing = uri(root, "inventory/pricing.py")
    decl = position_of(root, "inventory/pricing.py", "price_with_discount")
    refs = await lsp.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=pricing),
            position=decl,
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    ref_files = {r.uri for r in refs}
    assert pricing in ref_files
    assert uri(root, "tests/test_pricing.py") in ref_files

    items = await lsp.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(text_document=types.TextDocumentIdentifier(uri=pricing), position=decl)
    )
    assert items and items[0].name == "price_with_discount"
    incoming = await lsp.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=items[0]))
    assert "order_total" in {c.from_.name for c in incoming}

    quote = position_of(root, "inventory/service.py", "def quote")
    quote = types.Position(line=quote.line, character=quote.character + 4)
    items = await lsp.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(text_document=types.TextDocumentIdentifier(uri=service), position=quote)
    )
    outgoing = await lsp.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=items[0]))
    assert "order_total" in {c.to.name for c in outgoing}


async def test_incremental_edit_updates_the_graph(client: LanguageClient) -> None:
    lsp, _, root = session(client)
    doc = uri(root, "inventory/pricing.py")
    text = (root / "inventory/pricing.py").read_text()
    lsp.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc, language_id="python", version=1, text=text)
        )
    )
    end = types.Position(line=text.count("\n"), character=0)
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=end, end=end),
                    text="\n\ndef shipping_fee(weight_kg: float) -> float:\n    return 4.5\n",
                )
            ],
        )
    )
    for _ in range(100):  # unsaved buffer text is indexed after the debounce
        found = await lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="shipping_fee"))
        if any(s.name == "shipping_fee" for s in found):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the edited buffer's new function never appeared in workspace/symbol")
    assert not (root / "inventory/pricing.py").read_text().count("shipping_fee"), "the server must not write files"


async def test_malformed_params_get_an_error_reply(client: LanguageClient) -> None:
    """pygls drops requests whose params fail to deserialize; Splice must answer them with an error."""
    lsp, _, _ = session(client)
    future: Future[object] = Future()
    lsp.protocol._request_futures["bad-params-1"] = future
    lsp.protocol._send_data(
        {
            "jsonrpc": "2.0",
            "id": "bad-params-1",
            "method": "textDocument/definition",
            "params": {"textDocument": {"uri": 42}, "position": "nowhere"},
        }
    )
    with pytest.raises(JsonRpcException) as err:
        await asyncio.wait_for(asyncio.wrap_future(future), 10)
    assert "textDocument/definition" in str(err.value)
    # and the server is still healthy afterwards
    assert await lsp.workspace_symbol_async(types.WorkspaceSymbolParams(query="Item"))


async def test_show_context(client: LanguageClient) -> None:
    lsp, _, root = session(client)
    quote = position_of(root, "inventory/service.py", "lines = [")
    shown_before = len(lsp.shown_documents)
    result = await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="splice.showContext",
            arguments=[{"uri": uri(root, "inventory/service.py"), "position": quote, "budget": 1500}],
        )
    )
    assert result["error"] is None, result
    assert 0 < result["used"] <= 1500
    symbols = [item["symbol"] for item in result["items"]]
    assert "inventory/pricing.py::order_total" in symbols  # cross-file definition the target calls
    assert all(item["reason"] for item in result["items"])
    (doc,) = lsp.shown_documents[shown_before:]
    assert doc.uri == result["document"] and "order_total" in path_of(doc.uri).read_text()

    # a position far outside the file is a defined result, not an exception
    far = await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="splice.showContext",
            arguments=[{"uri": uri(root, "inventory/service.py"), "position": {"line": 9999, "character": 0}}],
        )
    )
    assert isinstance(far, dict) and "items" in far
