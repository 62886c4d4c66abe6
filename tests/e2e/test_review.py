"""The three review paths end to end, each with the test playing the user: the LSP-native Refactor Preview (VS Code
profile, change annotations), the Apply / Show diff / Discard fallback (Neovim profile), and the custom
``splice/proposal`` + ``splice.applyProposal`` inline review; plus protected paths, stale documents and undo."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.editor_model import annotated_edits, apply_to_disk, path_of
from tests.e2e.lsp_session import open_session, server_config, session

pytestmark = pytest.mark.asyncio(loop_scope="module")

PRICING_FIX = """The tier may be unknown; fall back to no discount.

inventory/pricing.py
```python
<<<<<<< SEARCH
    discount = TIER_DISCOUNTS[tier]
=======
    discount = TIER_DISCOUNTS.get(tier, 0.0)
>>>>>>> REPLACE
```
"""

TWO_HUNKS = """inventory/pricing.py
```python
<<<<<<< SEARCH
    discount = TIER_DISCOUNTS[tier]
=======
    discount = TIER_DISCOUNTS.get(tier, 0.0)
>>>>>>> REPLACE
```

inventory/pricing.py
```python
<<<<<<< SEARCH
    return round(sum(price_with_discount(item, tier) * qty for item, qty in lines), 2)
=======
    total = sum(price_with_discount(item, tier) * qty for item, qty in lines)
    return round(total, 2)
>>>>>>> REPLACE
```
"""

HIDDEN_SETTINGS = (
    PRICING_FIX
    + """
.vscode/settings.json
```json
<<<<<<< SEARCH
=======
{"python.terminal.activateEnvironment": false, "task.allowAutomaticTasks": "on"}
>>>>>>> REPLACE
```
"""
)


async def execute(lsp: LanguageClient, command: str, arg: dict[str, Any]) -> dict[str, Any]:
    result = await lsp.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=[arg]))
    assert isinstance(result, dict), result
    return result


@pytest_lsp.fixture(config=server_config(), params=["vscode", "neovim"], scope="module")
async def client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    await open_session(lsp_client, request.param, tmp_path_factory.mktemp(request.param))
    yield
    await lsp_client.shutdown_session()


def reset(root: Path, rel: str = "inventory/pricing.py") -> str:
    from tests.e2e.lsp_session import EXAMPLE

    text = (EXAMPLE / rel).read_text()
    (root / rel).write_text(text)
    return text


async def test_review_path_matches_the_client(client: LanguageClient) -> None:
    lsp, rec, root = session(client)
    reset(root)
    rec.applied_edits.clear()
    rec.message_requests.clear()
    rec.message_answers[:] = ["Show diff", "Apply"]
    shown_before = len(lsp.shown_documents)
    out = await execute(lsp, "splice.proposeEdit", {"answer": PRICING_FIX})
    assert out["applied"] is True, out
    (params,) = rec.applied_edits
    edit = params.edit
    if lsp.profile == "vscode":  # type: ignore[attr-defined]
        # LSP-native: every edit annotated, the annotation needs confirmation, no message request
        assert rec.message_requests == []
        annotations = edit.change_annotations or {}
        assert annotations and all(a.needs_confirmation for a in annotations.values())
        assert annotated_edits(edit) and all(e.annotation_id in annotations for e in annotated_edits(edit))
    else:
        # Neovim 0.11: no change-annotation support → Apply / Show diff / Discard, then a plain edit
        assert len(rec.message_requests) == 2 and "pricing.py" in rec.message_requests[0].message
        assert [a.title for a in rec.message_requests[0].actions or []] == ["Apply", "Show diff", "Discard"]
        (diff_doc,) = lsp.shown_documents[shown_before:]
        assert diff_doc.uri.endswith(f"{out['id']}.diff")
        assert "+    discount = TIER_DISCOUNTS.get(tier, 0.0)" in path_of(diff_doc.uri).read_text()
        assert edit.change_annotations is None and edit.document_changes is None and edit.changes
    apply_to_disk(edit)
    text = (root / "inventory/pricing.py").read_text()
    assert "TIER_DISCOUNTS.get(tier, 0.0)" in text and "TIER_DISCOUNTS[tier]" not in text


async def test_discard_writes_nothing(client: LanguageClient) -> None:
    lsp, rec, root = session(client)
    before = reset(root)
    rec.applied_edits.clear()
    rec.apply_answer = False  # the user presses Discard in the Refactor Preview
    rec.message_answers[:] = ["Discard"]
    try:
        out = await execute(lsp, "splice.proposeEdit", {"answer": PRICING_FIX})
    finally:
        rec.apply_answer = True
    assert out["applied"] is False and out["status"] == "rejected"
    assert (root / "inventory/pricing.py").read_text() == before
    if lsp.profile == "neovim":  # type: ignore[attr-defined]
        assert rec.applied_edits == []  # discarded before any edit was sent


async def test_protected_path_hidden_among_harmless_edits(client: LanguageClient) -> None:
    lsp, rec, root = session(client)
    reset(root)
    rec.applied_edits.clear()
    rec.message_requests.clear()
    # Neovim reviews the whole proposal first (Apply), then every client confirms protected paths separately
    neovim = lsp.profile == "neovim"  # type: ignore[attr-defined]
    rec.message_answers[:] = ["Apply", "Leave it out"] if neovim else ["Leave it out"]
    out = await execute(lsp, "splice.proposeEdit", {"answer": HIDDEN_SETTINGS})
    assert out["applied"] is True, out
    (warning,) = [m for m in rec.message_requests if m.type == types.MessageType.Warning]
    assert warning.type == types.MessageType.Warning and ".vscode/settings.json" in warning.message
    (params,) = rec.applied_edits
    sent = {str(path_of(u)) for u in (params.edit.changes or {})} | {
        str(path_of(c.text_document.uri)) for c in params.edit.document_changes or [] if hasattr(c, "text_document")
    }
    assert all(".vscode" not in p for p in sent), sent
    assert not (root / ".vscode").exists()


async def test_inline_review_applies_only_accepted_hunks(client: LanguageClient) -> None:
    lsp, rec, root = session(client)
    reset(root)
    rec.applied_edits.clear()
    lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"splice": {"review": {"mode": "inline"}}})
    )
    try:
        out = await execute(lsp, "splice.proposeEdit", {"answer": TWO_HUNKS})
    finally:
        lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"splice": {}}))
    pid = out["id"]
    assert out["status"] == "pending" and rec.applied_edits == []
    assert rec.proposals_ready[-1]["id"] == pid
    proposal = await lsp.protocol.send_request_async("splice/proposal", {"id": pid})
    proposal = proposal if isinstance(proposal, dict) else proposal._asdict()
    files = proposal["files"]
    (f,) = files
    f = f if isinstance(f, dict) else f._asdict()
    hunks = [h if isinstance(h, dict) else h._asdict() for h in f["hunks"]]
    assert len(hunks) == 2 and f["path"] == "inventory/pricing.py"
    assert "TIER_DISCOUNTS.get" in f["proposedText"] and "TIER_DISCOUNTS[tier]" in f["originalText"]
    # the proposed text as a virtual document, with the query as VS Code may encode it
    for uri in (f"splice-proposal:/inventory/pricing.py?id={pid}", f"splice-proposal:/inventory/pricing.py?id%3D{pid}"):
        doc = await lsp.workspace_text_document_content_async(types.TextDocumentContentParams(uri=uri))
        assert doc.text == f["proposedText"]
    rec.applied_edits.clear()
    result = await execute(lsp, "splice.applyProposal", {"id": pid, "hunks": [hunks[1]["id"]]})
    assert result["applied"] is True, result
    apply_to_disk(rec.applied_edits[-1].edit)
    text = (root / "inventory/pricing.py").read_text()
    assert "TIER_DISCOUNTS[tier]" in text  # hunk 1 rejected
    assert "return round(total, 2)" in text  # hunk 2 accepted
    again = await execute(lsp, "splice.applyProposal", {"id": pid})
    assert again["applied"] is False and "applied" in again["message"]


async def test_stale_document_is_rebased_and_undo_reverts(client: LanguageClient) -> None:
    lsp, rec, root = session(client)
    original = reset(root)
    uri = (root / "inventory/pricing.py").as_uri()
    lsp.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=original)
        )
    )
    rec.applied_edits.clear()
    rec.apply_answer = False
    rec.message_answers[:] = [None]
    try:
        out = await execute(lsp, "splice.proposeEdit", {"answer": PRICING_FIX})
    finally:
        rec.apply_answer = True
    pid = out["id"]
    # the user types a comment at the top of the file while the proposal waits (non-overlapping)
    top = types.Position(line=0, character=0)
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(start=top, end=top), text="# edited\n")
            ],
        )
    )
    if out["status"] == "rejected":  # refactor preview discarded it: make a fresh one against the edited buffer
        rec.apply_answer = True
        rec.applied_edits.clear()
        out = await execute(lsp, "splice.proposeEdit", {"answer": PRICING_FIX})
        edit = rec.applied_edits[-1].edit
        (doc_edit,) = [c for c in edit.document_changes or [] if isinstance(c, types.TextDocumentEdit)]
        assert doc_edit.text_document.version == 2  # stamped with the buffer version it was computed on
    else:
        rec.applied_edits.clear()
        result = await execute(lsp, "splice.applyProposal", {"id": pid})
        assert result["applied"] is True and "kept your edits" in result["message"], result
    (root / "inventory/pricing.py").write_text("# edited\n" + original)
    apply_to_disk(rec.applied_edits[-1].edit)
    after = (root / "inventory/pricing.py").read_text()
    assert after.startswith("# edited\n") and "TIER_DISCOUNTS.get(tier, 0.0)" in after
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=after)],
        )
    )
    # undo proposes the inverse through the same review
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Apply"]
    undone = await execute(lsp, "splice.undo", {})
    assert undone["applied"] is True, undone
    apply_to_disk(rec.applied_edits[-1].edit)
    assert (root / "inventory/pricing.py").read_text() == "# edited\n" + original
    lsp.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
