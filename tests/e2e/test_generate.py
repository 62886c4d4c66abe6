"""Generate end to end through litellm and the fake model server, per code action kind: a stub body, a
``splice:`` instruction, a missing symbol (a new module), tests for a function, a palette instruction; the verify
loop (first answer fails the tests in the sandbox, the second passes) with an escape attempt contained; a
cancelled generation applies nothing."""

from __future__ import annotations

import asyncio
import json
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from tests.e2e.editor_model import apply_to_disk
from tests.e2e.lsp_session import EXAMPLE, raw_request, session
from tests.fake_llm import FakeLLM, Reply

pytestmark = pytest.mark.asyncio(loop_scope="module")

GOOD_BODY = '''```python
def low_stock(repo: Repository, threshold: int) -> list[str]:
    """SKUs whose available quantity is below ``threshold``, sorted."""
    return sorted(level.item.sku for level in repo.all() if level.available() < threshold)
```
'''

ESCAPING_BODY = '''```python
def low_stock(repo: Repository, threshold: int) -> list[str]:
    """SKUs whose available quantity is below ``threshold``, sorted."""
    import socket
    from pathlib import Path

    for target in (Path(__file__).resolve().parents[2] / "ESCAPED", Path("/tmp/splice-escape-marker")):
        try:
            target.write_text("out")
        except OSError:
            pass
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=1).sendall(b"leak")
    except OSError:
        pass
    return [level.item.sku for level in repo.all()]
```
'''

INSTRUCTION = """inventory/reports.py
```python
<<<<<<< SEARCH
# splice: add restock_plan(repo, target) returning {sku: units to order} so every item reaches `target` available
=======
def restock_plan(repo: Repository, target: int) -> dict[str, int]:
    \"\"\"Units to order per SKU so every item reaches ``target`` available.\"\"\"
    return {s.item.sku: target - s.available() for s in repo.all() if s.available() < target}
>>>>>>> REPLACE
```
"""

MISSING = '''```python
def render_table(rows: list[str], title: str) -> str:
    """``title`` over one row per line."""
    return "\\n".join([title, *rows])
```
'''

TESTS = """```python
def test_unknown_tier_raises() -> None:
    import pytest

    with pytest.raises(KeyError):
        price_with_discount(Item("X", "x", 10.0), "platinum")
```
"""


def reset(root: Path, *rels: str) -> None:
    for rel in rels:
        (root / rel).write_text((EXAMPLE / rel).read_text())


def reset_fresh(root: Path, tag: str) -> None:
    """The example's reports.py with its stubs' docstrings tagged, so no earlier answer is served from cache."""
    text = (EXAMPLE / "inventory/reports.py").read_text()
    text = text.replace('sorted."""', f'sorted ({tag})."""').replace('every item."""', f'every item ({tag})."""')
    (root / "inventory/reports.py").write_text(text)


def position(root: Path, rel: str, needle: str) -> types.Position:
    text = (root / rel).read_text()
    i = text.index(needle)
    return types.Position(line=text.count("\n", 0, i), character=i - (text.rfind("\n", 0, i) + 1))


async def actions_at(lsp: LanguageClient, root: Path, rel: str, needle: str) -> list[dict[str, Any]]:
    pos = position(root, rel, needle)
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=(root / rel).as_uri()),
        range=types.Range(start=pos, end=pos),
        context=types.CodeActionContext(diagnostics=[]),
    )
    return list(await raw_request(lsp, types.TEXT_DOCUMENT_CODE_ACTION, params))


async def run_action(lsp: LanguageClient, action: dict[str, Any]) -> dict[str, Any]:
    command = action["command"]
    result = await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command["command"], arguments=command["arguments"])
    )
    assert isinstance(result, dict), result
    return result


def pick(actions: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    titles = [a["title"] for a in actions]
    matching = [a for a in actions if a["title"].startswith(prefix)]
    assert matching, f"no action starting with {prefix!r} in {titles}"
    return matching[0]


async def approve(lsp: LanguageClient, llm: FakeLLM, answer: str, action: dict[str, Any]) -> dict[str, Any]:
    _, rec, _ = session(lsp)
    llm.script(Reply(text=answer))
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Apply"]
    out = await run_action(lsp, action)
    assert out.get("applied") is True, out
    apply_to_disk(rec.applied_edits[-1].edit)
    return out


async def test_stub_body(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    reset(root, "inventory/reports.py")
    before = len(llm.requests)
    actions = await actions_at(lsp, root, "inventory/reports.py", "raise NotImplementedError")
    assert len(llm.requests) == before  # offering never calls the model
    await approve(lsp, llm, GOOD_BODY, pick(actions, "Splice: Generate the body of `low_stock`"))
    text = (root / "inventory/reports.py").read_text()
    assert "return sorted(level.item.sku" in text and "raise NotImplementedError" not in text
    prompt = "\n".join(m["content"] for m in llm.chat_requests()[-1].body["messages"])
    assert "def available" in prompt or "class StockLevel" in prompt or "def all" in prompt  # graph context


async def test_instruction_comment(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    reset(root, "inventory/reports.py")
    actions = await actions_at(lsp, root, "inventory/reports.py", "# splice: add restock_plan")
    await approve(lsp, llm, INSTRUCTION, pick(actions, "Splice: Generate: add restock_plan"))
    text = (root / "inventory/reports.py").read_text()
    assert "def restock_plan(repo: Repository, target: int)" in text and "# splice:" not in text


async def test_missing_symbol_creates_the_module(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    reset(root, "inventory/reports.py")
    actions = await actions_at(lsp, root, "inventory/reports.py", "render_table(low_stock")
    action = pick(actions, "Splice: Generate missing `render_table`")
    assert "inventory/formatting.py" in action["title"]
    await approve(lsp, llm, MISSING, action)
    assert "def render_table(rows: list[str], title: str) -> str:" in (root / "inventory/formatting.py").read_text()
    prompt = "\n".join(m["content"] for m in llm.chat_requests()[-1].body["messages"])
    assert 'render_table(low_stock(repo, 3), title="Low stock")' in prompt  # the call site drives the signature
    (root / "inventory/formatting.py").unlink()


async def test_tests_for_a_function(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    reset(root, "tests/test_pricing.py")
    actions = await actions_at(lsp, root, "inventory/pricing.py", "discount = TIER")
    await approve(lsp, llm, TESTS, pick(actions, "Splice: Generate tests for `price_with_discount`"))
    text = (root / "tests/test_pricing.py").read_text()
    assert "def test_gold_discount" in text and "def test_unknown_tier_raises" in text


async def test_palette_instruction_and_nothing_outside_a_function(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, rec, root = session(client)
    reset(root, "inventory/pricing.py")
    # a cursor on an import line: no stub, no tests offer
    actions = await actions_at(lsp, root, "inventory/pricing.py", "from inventory.models")
    assert not [a for a in actions if "Generate the body" in a["title"] or "Generate tests" in a["title"]]
    answer = """inventory/pricing.py
```python
<<<<<<< SEARCH
    return round(item.unit_price * (1 - discount), 2)
=======
    price = item.unit_price * (1 - discount)
    return round(price, 2)
>>>>>>> REPLACE
```
"""
    llm.script(Reply(text=answer))
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Apply"]
    pos = position(root, "inventory/pricing.py", "return round(item")
    out = await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="splice.generate",
            arguments=[
                {
                    "uri": (root / "inventory/pricing.py").as_uri(),
                    "range": {"start": {"line": pos.line, "character": 0}, "end": {"line": pos.line, "character": 0}},
                    "instruction": "name the discounted price before rounding",
                }
            ],
        )
    )
    assert out["applied"] is True, out
    apply_to_disk(rec.applied_edits[-1].edit)
    assert "price = item.unit_price * (1 - discount)" in (root / "inventory/pricing.py").read_text()


async def test_verify_loop_feeds_back_the_failure_and_contains_escapes(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, rec, root = session(client)
    reset(root, "inventory/reports.py")
    listener = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    host_marker = Path("/tmp/splice-escape-marker")
    host_marker.unlink(missing_ok=True)
    command = f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {sys.executable} -m pytest -x -q -p no:cacheprovider {{tests}}"
    model = {"model": "openai/fake-model", "apiBase": llm.url}  # the editor sends its whole `splice` section
    # Verify runs only in a trusted workspace: VS Code sends its Workspace Trust, other editors may send the flag
    # from the user's own configuration (or the user lists the folder with `splice trust`).
    settings = {"splice": {**model, "verify": {"command": command}}, "workspaceTrusted": True}
    lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    try:
        actions = await actions_at(lsp, root, "inventory/reports.py", "raise NotImplementedError")
        llm.script(Reply(text=ESCAPING_BODY.replace("PORT", str(port))), Reply(text=GOOD_BODY))
        before = len(llm.chat_requests())
        rec.applied_edits.clear()
        rec.message_answers[:] = ["Apply"]
        out = await run_action(lsp, pick(actions, "Splice: Generate the body of `low_stock`"))
    finally:
        lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"splice": model}))
        listener.close()
    assert out["rounds"] == 2 and out["verify"].startswith("passed in round 2"), out
    second = llm.chat_requests()[before + 1]
    feedback = second.body["messages"][-1]["content"]
    assert "test_low_stock_lists_skus_below_the_threshold" in feedback or "assert" in feedback
    assert out["applied"] is True
    apply_to_disk(rec.applied_edits[-1].edit)
    assert "return sorted(level.item.sku" in (root / "inventory/reports.py").read_text()
    assert not (root / "ESCAPED").exists() and not (root.parent / "ESCAPED").exists()
    assert not host_marker.exists()


async def test_cancelled_generation_applies_nothing(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, rec, root = session(client)
    reset_fresh(root, "cancel")
    actions = await actions_at(lsp, root, "inventory/reports.py", "raise NotImplementedError")
    action = pick(actions, "Splice: Generate the body of `low_stock`")
    llm.script(Reply(text=GOOD_BODY, delay=30))
    rec.applied_edits.clear()
    future: Future[Any] = lsp.protocol.send_request(
        types.WORKSPACE_EXECUTE_COMMAND,
        types.ExecuteCommandParams(command=action["command"]["command"], arguments=action["command"]["arguments"]),
        msg_id="cancel-me",
    )
    await asyncio.sleep(1.5)
    lsp.cancel_request(types.CancelParams(id="cancel-me"))
    with pytest.raises(JsonRpcRequestCancelled):  # -32800
        await asyncio.wait_for(asyncio.wrap_future(future), 20)
    await asyncio.sleep(0.5)
    assert rec.applied_edits == []
    assert "raise NotImplementedError" in (root / "inventory/reports.py").read_text()


TOTAL_UNITS = '''```python
def total_units(repo: Repository) -> int:
    """Units on hand across every item."""
    return sum(level.on_hand for level in repo.all())
```
'''


async def test_all_stubs_in_a_file_one_proposal_each(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, rec, root = session(client)
    reset_fresh(root, "batch")
    actions = await actions_at(lsp, root, "inventory/reports.py", "raise NotImplementedError")
    batch = pick(actions, "Splice: Generate all stubs in this file")

    def answer(path: str, body: Any) -> Reply:  # each request gets the body for the stub it names
        prompt = json.dumps(body)
        return Reply(text=TOTAL_UNITS if "Symbol: total_units" in prompt else GOOD_BODY)

    llm.responder, default = answer, llm.responder
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Apply", "Apply"]
    try:
        out = await run_action(lsp, batch)
    finally:
        llm.responder = default
    proposals = out["proposals"]
    assert len(proposals) == 2 and all(p["applied"] for p in proposals), out
    for params in rec.applied_edits:
        apply_to_disk(params.edit)
        text = (root / "inventory/reports.py").read_text()
    assert "return sorted(level.item.sku" in text and "return sum(level.on_hand" in text


async def test_review_agent_verdict_is_attached(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    reset_fresh(root, "review")
    model = {"model": "openai/fake-model", "apiBase": llm.url}
    lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"splice": {**model, "review": {"agent": True, "mode": "inline"}}})
    )
    verdict = "- [bug] inventory/reports.py:11 — threshold is exclusive"

    def answer(path: str, body: Any) -> Reply:
        return Reply(text=verdict if "review this change" in json.dumps(body) else GOOD_BODY)

    llm.responder, default = answer, llm.responder
    try:
        actions = await actions_at(lsp, root, "inventory/reports.py", "raise NotImplementedError")
        out = await run_action(lsp, pick(actions, "Splice: Generate the body of `low_stock`"))
    finally:
        llm.responder = default
        lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"splice": model}))
    proposal = await raw_request(lsp, "splice/proposal", {"id": out["id"]})
    assert "review agent: - [bug] inventory/reports.py:11" in proposal["verification"]["summary"]
    review_prompt = "\n".join(m["content"] for m in llm.chat_requests()[-1].body["messages"])
    assert "review this change" in review_prompt and "+    return sorted(level.item.sku" in review_prompt


async def test_answer_in_the_wrong_language_is_flagged_not_applied(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, rec, root = session(client)
    reset_fresh(root, "wrong-language")
    actions = await actions_at(lsp, root, "inventory/reports.py", "raise NotImplementedError")
    js = (
        "```javascript\nfunction lowStock(repo, threshold) {\n"
        "  return repo.all().filter((l) => l.available() < threshold);\n}\n```\n"
    )
    llm.script(Reply(text=js))
    before = len(llm.chat_requests())
    rec.applied_edits.clear()
    rec.message_answers[:] = ["Discard"]
    rec.apply_answer = False
    try:
        out = await run_action(lsp, pick(actions, "Splice: Generate the body of `low_stock`"))
    finally:
        rec.apply_answer = True
    assert len(llm.chat_requests()) == before + 1  # the JavaScript answer really was the one received
    assert out.get("applied") is not True and rec.applied_edits == []
    assert "raise NotImplementedError" in (root / "inventory/reports.py").read_text()


async def test_no_offer_for_a_stub_in_an_ignored_file(client: LanguageClient, llm: FakeLLM) -> None:
    lsp, _, root = session(client)
    (root / "secret_stubs.py").write_text("def hidden() -> int:\n    raise NotImplementedError\n")
    actions = await actions_at(lsp, root, "secret_stubs.py", "raise NotImplementedError")
    assert [a for a in actions if "Generate the body of `hidden`" in a["title"]]  # offered while not ignored
    (root / ".spliceignore").write_text("secret_stubs.py\n")
    lsp.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(root / ".spliceignore").as_uri(), type=types.FileChangeType.Created)]
        )
    )
    actions = await actions_at(lsp, root, "secret_stubs.py", "raise NotImplementedError")
    assert not [a for a in actions if "Generate" in a["title"]]
    (root / ".spliceignore").unlink()
