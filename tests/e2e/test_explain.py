"""Explain error end to end, through the real litellm path to the fake model server: code actions are offered
without a model call; a real traceback from the example workspace is explained with its own code as context; the
explanation document is shown; the fix goes through the review; a second identical request is served from the
explanation cache; bad input gets defined answers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.editor_model import apply_to_disk, path_of
from tests.e2e.lsp_session import raw_request, session
from tests.fake_llm import FakeLLM, Reply

pytestmark = pytest.mark.asyncio(loop_scope="module")

ANSWER = """### What happened
`price_with_discount` looked up the tier `platinum` in `TIER_DISCOUNTS`, which has no such key.

### Why
`inventory/pricing.py` indexes the dict directly, so an unknown tier raises `KeyError`.

### Fix
Fall back to no discount for unknown tiers.

inventory/pricing.py
```python
<<<<<<< SEARCH
    discount = TIER_DISCOUNTS[tier]
=======
    discount = TIER_DISCOUNTS.get(tier, 0.0)
>>>>>>> REPLACE
```
"""


def real_traceback(root: Any) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "inventory.app", "platinum"], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "KeyError" in done.stderr
    return done.stderr


async def execute(lsp: LanguageClient, arg: dict[str, Any]) -> dict[str, Any]:
    result = await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command="splice.explainError", arguments=[arg])
    )
    assert isinstance(result, dict), result
    return result


async def test_code_actions_are_offered_without_a_model_call(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    before = len(llm.requests)
    uri = (root / "inventory/pricing.py").as_uri()
    diag = types.Diagnostic(
        range=types.Range(start=types.Position(line=9, character=4), end=types.Position(line=9, character=35)),
        message='Key "platinum" may be missing from TIER_DISCOUNTS',
        source="pyright",
        severity=types.DiagnosticSeverity.Error,
    )
    actions = await raw_request(
        lsp,
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        ),
    )
    titles = [a["title"] for a in actions]
    assert any(t.startswith("Splice: Explain") for t in titles) and any(t.startswith("Splice: Fix") for t in titles)
    fix = next(a for a in actions if a["title"].startswith("Splice: Fix"))
    assert fix["kind"] == "quickfix" and fix["command"]["command"] == "splice.explainError"
    assert fix["command"]["arguments"][0]["fix"] is True
    assert len(llm.requests) == before  # offering never calls the model


async def test_explain_a_real_traceback_and_apply_the_fix(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, rec, root = session(client)
    trace = real_traceback(root)
    llm.script(Reply(text=ANSWER))
    before = len(llm.chat_requests())
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Apply"]
    shown = len(lsp.shown_documents)
    out = await execute(lsp, {"text": trace, "fix": True})
    assert "error" not in out, out
    (request,) = llm.chat_requests()[before:]
    prompt = "\n".join(m["content"] for m in request.body["messages"])
    assert "KeyError" in prompt and "platinum" in prompt
    assert "def price_with_discount" in prompt  # the failing frame's own code is the context
    assert "TIER_DISCOUNTS" in prompt
    doc = path_of(out["document"])
    assert doc.parent == root / ".splice" / "explanations"
    text = doc.read_text()
    assert "What happened" in text and "inventory/pricing.py" in text and "file://" in text
    assert lsp.shown_documents[shown].uri == out["document"]
    assert out["proposal"]["applied"] is True, out
    apply_to_disk(rec.applied_edits[-1].edit)
    assert "TIER_DISCOUNTS.get(tier, 0.0)" in (root / "inventory/pricing.py").read_text()
    reports = [
        r for r in lsp.progress_reports.values() if r and getattr(r[0], "title", "") == "Splice: explaining the error"
    ]
    assert reports and reports[-1][-1].kind == "end"


async def test_same_error_is_served_from_the_explanation_cache(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    uri = (root / "inventory/service.py").as_uri()
    arg = {
        "uri": uri,
        "diagnostic": {
            "range": {"start": {"line": 18, "character": 8}, "end": {"line": 18, "character": 30}},
            "message": 'Cannot access attribute "available" for class "StockLevel | None"',
            "source": "pyright",
        },
    }
    llm.script(Reply(text="### What happened\nA.\n### Why\nB.\n### Fix\nNothing to change.\n"))
    before = len(llm.chat_requests())
    first = await execute(lsp, arg)
    assert first["cached"] is False and len(llm.chat_requests()) == before + 1
    second = await execute(lsp, arg)  # same error, same code: no second model call
    assert second["cached"] is True and len(llm.chat_requests()) == before + 1
    assert second["document"] == first["document"]
    # the code the explanation depends on changes → the cache no longer applies
    service = root / "inventory/service.py"
    service.write_text(service.read_text().replace("requested, {", "requested; {"))
    llm.script(Reply(text="### What happened\nC.\n### Why\nD.\n### Fix\nNothing to change.\n"))  # the fresh call
    lsp.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri, type=types.FileChangeType.Changed)])
    )
    for _ in range(50):
        await asyncio.sleep(0.1)
        third = await execute(lsp, arg)
        if third["cached"] is False:
            break
    else:
        pytest.fail("a change to the code in the context did not invalidate the cached explanation")


async def test_answer_without_a_usable_fix(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, rec, root = session(client)
    llm.script(Reply(text="### What happened\nIt failed.\n### Why\nUnknown.\n### Fix\nCheck the input.\n"))
    rec.applied_edits.clear()
    uri = (root / "inventory/service.py").as_uri()
    out = await execute(
        lsp,
        {
            "uri": uri,
            "fix": True,
            "diagnostic": {
                "range": {"start": {"line": 9999, "character": 0}, "end": {"line": 10000, "character": 3}},
                "message": "something odd",
                "source": "mypy",
            },
        },
    )
    assert "error" not in out, out
    assert out["fixNote"].startswith("No usable fix")
    assert rec.applied_edits == []


async def test_unparseable_trace_is_a_clear_message(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, _ = session(client)
    before = len(llm.requests)
    out = await execute(lsp, {"text": "hello, this is not a stack trace"})
    assert out["error"] and len(llm.requests) == before


async def test_usage_is_recorded_and_reported(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, _ = session(client)
    report = await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command="splice.usage", arguments=[{}])
    )
    assert report["today"]["requests"] >= 1
    rows = report["rows"]
    assert any(r["feature"] == "explain" and r["model"] == "openai/fake-model" for r in rows), rows
