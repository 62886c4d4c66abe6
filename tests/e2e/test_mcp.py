"""`splice mcp` end to end: the SDK's own client over stdio calls every tool on the example workspace; the approval
path (nothing written until the user approves the diff shown); exclusions and redaction in results; bad input."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp import Client

from splice.features import handoff
from tests.e2e.mcp_driver import ANSWER, McpDriver, proposal_id

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"
TOKEN = "ghp_" + "Zx81QmT4vLw9Rr2Ka7Pd3Hs6Nb0Yc5Ue1Jf8"
TOOLS = {
    "context",
    "search_symbols",
    "definition",
    "references",
    "callers",
    "callees",
    "outline",
    "explain_trace",
    "propose_edit",
    "apply_proposal",
    "proposal_status",
    "migration_status",
}


def _workspace(root: Path) -> Path:
    ws = root / "ws"
    shutil.copytree(EXAMPLE, ws)
    (ws / ".splice").mkdir()
    (ws / ".splice" / "config.toml").write_text('[embeddings]\nmodel = "none"\n')
    (ws / ".spliceignore").write_text("vendor_secrets/\n")
    (ws / "vendor_secrets").mkdir()
    (ws / "vendor_secrets" / "keys.py").write_text('def hidden_helper() -> str:\n    return "internal"\n')
    (ws / "inventory" / "settings.py").write_text(
        '"""Service settings."""\n\nGITHUB_TOKEN = "' + TOKEN + '"\nRETRIES = 3\n\n\n'
        'def auth_header() -> str:\n    return f"token {GITHUB_TOKEN}"\n'
    )
    (ws / "inventory" / "feed.py").write_text(
        '"""Price feed."""\n\nimport requests\n\n\ndef fetch_prices(url: str) -> dict:\n'
        "    return requests.get(url, timeout=5).json()\n"
    )
    return ws


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workspace(tmp_path_factory.mktemp("mcp"))


@pytest.fixture(scope="module")
def mcp(ws: Path) -> Iterator[McpDriver]:
    with McpDriver(ws) as driver:
        deadline = time.monotonic() + 60
        while (
            json.loads(driver.run(driver.client.read_resource("splice://index/status")).contents[0].text)["state"]
            != "ready"
        ):
            assert time.monotonic() < deadline, "the index never became ready"
            time.sleep(0.2)
        yield driver


def test_lists_every_tool_with_a_description_and_schema(mcp: McpDriver) -> None:
    tools = mcp.run(mcp.client.list_tools()).tools
    assert {t.name for t in tools} == TOOLS
    for tool in tools:
        assert tool.description and len(tool.description) > 40, tool.name
        assert tool.input_schema["type"] == "object"
    schema = next(t for t in tools if t.name == "context").input_schema
    assert schema["properties"]["budget"]["default"] == 2000
    assert "approval" not in next(t for t in tools if t.name == "apply_proposal").input_schema["properties"]


def test_context_for_a_place_lists_items_with_reasons_within_the_budget(mcp: McpDriver) -> None:
    text = mcp.ok("context", file="inventory/pricing.py", line=10, budget=600)
    header = text.splitlines()[0]
    assert "TIER_DISCOUNTS[tier]" not in text  # the place itself is not repeated
    used, budget = header.split(" — ")[1].split(" tokens")[0].split("/")
    assert int(used) <= int(budget) == 600
    assert "TIER_DISCOUNTS" in text  # the constant the line reads, defined in models.py
    assert "— why: " in text


def test_context_for_a_symbol_and_for_a_task(mcp: McpDriver) -> None:
    text = mcp.ok("context", symbol="InventoryService.quote", budget=800)
    assert "order_total" in text
    task = mcp.ok("context", task="apply the customer tier discount to a price", budget=800)
    assert "\n### inventory/" in task and "— why: " in task  # items as the prompts carry them: a heading per file
    # an unsaved buffer: the agent's own edit, not yet on disk
    unsaved = (EXAMPLE / "inventory" / "app.py").read_text().replace("service.reserve(", "service.restock(")
    assert "InventoryService" in mcp.ok("context", file="inventory/app.py", line=15, text=unsaved, budget=800)


def test_navigation_tools(mcp: McpDriver) -> None:
    found = mcp.ok("search_symbols", query="price_with")
    assert "inventory/pricing.py::price_with_discount" in found
    definition = mcp.ok("definition", symbol="price_with_discount")
    assert "inventory/pricing.py:8-11" in definition and "TIER_DISCOUNTS[tier]" in definition
    # the name under a cursor resolves to its definition in another file
    assert "inventory/pricing.py:14" in mcp.ok("definition", file="inventory/service.py", line=26, column=16)
    refs = mcp.ok("references", symbol="inventory/pricing.py::order_total")
    assert "inventory/service.py:26" in refs
    callers = mcp.ok("callers", symbol="price_with_discount")
    assert "inventory/pricing.py::order_total" in callers
    callees = mcp.ok("callees", symbol="InventoryService.quote")
    assert "inventory/pricing.py::order_total" in callees
    outline = mcp.ok("outline", file="inventory/models.py")
    assert "class Item" in outline and "TIER_DISCOUNTS" in outline


def test_files_an_agent_changed_on_disk_are_read_again(mcp: McpDriver, ws: Path) -> None:
    reports = ws / "inventory" / "reports.py"
    before = reports.read_text()
    reports.write_text(before + "\n\ndef weekly_digest(days: int) -> str:\n    return f'{days} days'\n")
    try:
        time.sleep(1.1)  # the server looks at most once a second
        assert "inventory/reports.py::weekly_digest" in mcp.ok("search_symbols", query="weekly_digest")
    finally:
        reports.write_text(before)
    time.sleep(1.1)
    assert mcp.ok("search_symbols", query="weekly_digest").startswith("no symbols match")
    # a new file is found by the background walk (at most every 10 s, started by a call)
    (ws / "inventory" / "exports.py").write_text("def export_csv(rows: list[str]) -> str:\n    return ''\n")
    try:
        deadline = time.monotonic() + 30
        while "inventory/exports.py::export_csv" not in mcp.ok("search_symbols", query="export_csv"):
            assert time.monotonic() < deadline, "the new file was never indexed"
            time.sleep(0.5)
    finally:
        (ws / "inventory" / "exports.py").unlink()


def test_an_ambiguous_or_unknown_name_says_what_to_do(mcp: McpDriver) -> None:
    assert "try the search tool" in mcp.error("definition", symbol="no_such_thing_anywhere")
    assert "give `symbol`, or `file` and `line`" in mcp.error("callers")


def test_explain_trace_maps_frames_to_symbols_with_their_code(mcp: McpDriver, ws: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "inventory.app", "platinum"], cwd=ws, capture_output=True, text=True, timeout=30
    )
    assert "KeyError" in run.stderr
    text = mcp.ok("explain_trace", trace=run.stderr)
    assert text.startswith("KeyError: 'platinum'")
    assert "inventory/pricing.py::price_with_discount" in text
    assert ">10     discount = TIER_DISCOUNTS[tier]" in text  # the failing line, marked, in its function
    assert "error:" not in mcp.error("explain_trace", trace="nothing that looks like a trace")[:6]


def test_excluded_files_never_appear(mcp: McpDriver) -> None:
    assert mcp.ok("search_symbols", query="hidden_helper").startswith("no symbols match")
    assert "excluded" in mcp.error("outline", file="vendor_secrets/keys.py")
    assert "no symbol" in mcp.error("definition", symbol="hidden_helper")
    text = mcp.ok("context", task="hidden_helper internal", budget=2000)
    assert "vendor_secrets" not in text


def test_secrets_are_masked_in_every_result(mcp: McpDriver) -> None:
    for text in (
        mcp.ok("outline", file="inventory/settings.py"),
        mcp.ok("definition", symbol="auth_header", max_lines=5),
        mcp.ok("context", file="inventory/settings.py", line=8, budget=800),
    ):
        assert TOKEN not in text
    assert "SPLICE_SECRET_" in mcp.ok("outline", file="inventory/settings.py") or "redacted" in mcp.ok(
        "outline", file="inventory/settings.py"
    )


def test_paths_outside_the_workspace_are_refused(mcp: McpDriver, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("def f():\n    return 1\n")
    assert "outside the workspace" in mcp.error("outline", file=str(outside))
    assert "outside the workspace" in mcp.error("outline", file="../../etc/passwd")
    assert "outside the workspace" in mcp.error("context", file=str(outside), line=1)
    refused = mcp.error("propose_edit", answer=f"{outside}\n```python\ndef f():\n    return 2\n```\n")
    assert "refused:" in refused
    assert outside.read_text() == "def f():\n    return 1\n"


def test_bad_arguments_get_clear_errors(mcp: McpDriver) -> None:
    text, error = mcp.call("no_such_tool")
    assert error and "Unknown tool" in text
    assert "budget" in mcp.error("context", file="inventory/app.py", line=1, budget="lots")
    assert "line" in mcp.error("context", file="inventory/app.py", line=0)
    assert "query" in mcp.error("search_symbols", query="x" * 5000)
    assert "trace" in mcp.error("explain_trace", trace="x" * 300_000)
    # the server is still there after all of that
    assert "price_with_discount" in mcp.ok("search_symbols", query="price_with_discount")


def test_a_proposal_is_written_only_after_the_user_approves_it(mcp: McpDriver, ws: Path) -> None:
    pricing = ws / "inventory" / "pricing.py"
    before = pricing.read_text()
    text = mcp.ok("propose_edit", answer=ANSWER)
    pid = proposal_id(text)
    assert "+    discount = TIER_DISCOUNTS.get(tier, 0.0)" in text and "apply_proposal" in text
    assert pricing.read_text() == before  # proposing writes nothing

    mcp.approval = None  # the user declines
    assert "not applied" in mcp.ok("apply_proposal", proposal_id=pid)
    assert pricing.read_text() == before
    assert "TIER_DISCOUNTS.get(tier, 0.0)" in mcp.asked[-1]  # the user was shown the diff
    assert "pending" in mcp.ok("proposal_status", proposal_id=pid)

    mcp.approval = {"apply": False}
    assert "did not approve" in mcp.ok("apply_proposal", proposal_id=pid)
    assert pricing.read_text() == before

    mcp.approval = {"apply": True}
    assert "applied proposal" in mcp.ok("apply_proposal", proposal_id=pid)
    assert "TIER_DISCOUNTS.get(tier, 0.0)" in pricing.read_text()
    assert "applied" in mcp.ok("proposal_status", proposal_id=pid)
    assert "only pending" in mcp.error("apply_proposal", proposal_id=pid)
    pricing.write_text(before)


def test_a_protected_file_needs_its_own_confirmation(mcp: McpDriver, ws: Path) -> None:
    answer = "tests/conftest.py\n```python\nimport os\n\nos.environ['CI'] = '1'\n```\n"
    pid = proposal_id(mcp.ok("propose_edit", answer=answer))
    mcp.approval = {"apply": True}  # approves the diff but not the warning shown with it
    assert "did not confirm" in mcp.error("apply_proposal", proposal_id=pid)
    assert "WARNING" in mcp.asked[-1] and not (ws / "tests" / "conftest.py").exists()
    mcp.approval = {"apply": True, "confirm_warnings": True}
    assert "applied proposal" in mcp.ok("apply_proposal", proposal_id=pid)
    assert (ws / "tests" / "conftest.py").read_text().startswith("import os")
    (ws / "tests" / "conftest.py").unlink()


def test_a_refused_edit_says_why_and_changes_nothing(mcp: McpDriver, ws: Path) -> None:
    text = mcp.error("propose_edit", answer=ANSWER.replace("TIER_DISCOUNTS[tier]", "NOT_IN_THE_FILE[tier]"))
    assert "refused:" in text and "NOT_IN_THE_FILE" in text
    assert "refused:" in mcp.error(
        "propose_edit", answer="vendor_secrets/keys.py\n```python\ndef hidden_helper() -> str:\n    return 'x'\n```\n"
    )


def test_a_placeholder_copied_from_a_result_becomes_the_secret_again(mcp: McpDriver, ws: Path) -> None:
    settings = ws / "inventory" / "settings.py"
    shown = mcp.ok("definition", symbol="GITHUB_TOKEN")
    placeholder = next(w.strip('"') for w in shown.split() if w.strip('"').startswith("SPLICE_SECRET_"))
    answer = (
        "inventory/settings.py\n```python\n<<<<<<< SEARCH\nRETRIES = 3\n=======\nRETRIES = 5\n>>>>>>> REPLACE\n```\n"
    )
    text = mcp.ok("propose_edit", answer=answer)
    assert TOKEN not in text
    answer = (
        "inventory/settings.py\n```python\n<<<<<<< SEARCH\n"
        f'GITHUB_TOKEN = "{placeholder}"\n=======\nGITHUB_TOKEN = "{placeholder}"  # rotated yearly\n'
        ">>>>>>> REPLACE\n```\n"
    )
    text = mcp.ok("propose_edit", answer=answer)
    assert TOKEN not in text and "rotated yearly" in text
    mcp.approval = {"apply": True}
    mcp.ok("apply_proposal", proposal_id=proposal_id(text))
    assert f'GITHUB_TOKEN = "{TOKEN}"  # rotated yearly' in settings.read_text()


def test_with_an_editor_running_the_proposal_goes_to_its_review(mcp: McpDriver, ws: Path) -> None:
    editor = handoff.EditorPresence(ws)
    assert editor.hold()
    try:
        text = mcp.ok("propose_edit", answer=ANSWER)
    finally:
        editor.release()
    assert "review in the user's editor" in text
    assert handoff.take(ws) == [proposal_id(text)]


def test_migration_status_lists_steps_and_the_sites_left(mcp: McpDriver, ws: Path) -> None:
    assert "no active migration" in mcp.error("migration_status")
    plan = subprocess.run(
        [sys.executable, "-m", "splice", "migrate", "plan", "--to", "requests to httpx", "--workspace", str(ws)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plan.returncode == 0, plan.stderr
    text = mcp.ok("migration_status")
    assert "requests to httpx — active" in text and "[pending]" in text
    assert "inventory/feed.py:7" in text and "sites still use the old API" in text


def test_resources(mcp: McpDriver) -> None:
    status = json.loads(mcp.run(mcp.client.read_resource("splice://index/status")).contents[0].text)
    assert status["state"] == "ready" and status["files"] >= 8
    report = json.loads(mcp.run(mcp.client.read_resource("splice://usage")).contents[0].text)
    assert report["total_requests"] == 0


def test_streamable_http_on_localhost(ws: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "splice", "mcp", "--workspace", str(ws), "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    async def tools() -> set[str]:
        for _ in range(150):  # the server needs a few seconds to import and bind
            try:
                async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                    return {t.name for t in (await client.list_tools()).tools}
            except Exception:
                await anyio.sleep(0.2)
        raise AssertionError("the HTTP server never answered")

    try:
        assert anyio.run(tools) == TOOLS
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_client_that_disconnects_mid_call_leaves_no_server_behind(ws: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "splice", "mcp", "--workspace", str(ws)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "context", "arguments": {"task": "order totals and discounts", "budget": 8000}},
        },
    ]
    proc.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
