"""Model-answer shapes through the language server, in the VS Code and Neovim profiles: one function under a file
path edits that function (never the whole file), elision phrasings keep the rest, an answer that leaves code out
without saying so is refused, the model's words reach the review, and alternative blocks come back as choices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.editor_model import apply_to_disk
from tests.e2e.lsp_session import EXAMPLE, open_session, server_config, session

pytestmark = pytest.mark.asyncio(loop_scope="module")

REL = "inventory/pricing.py"
ORIGINAL = (EXAMPLE / REL).read_text()
FIXED = ORIGINAL.replace("TIER_DISCOUNTS[tier]", "TIER_DISCOUNTS.get(tier, 0.0)")

ONE_FUNCTION = f"""Unknown tiers should get no discount instead of a KeyError.

{REL}
```python
def price_with_discount(item: Item, tier: str) -> float:
    \"\"\"Unit price of ``item`` for a customer of ``tier``, rounded to cents.\"\"\"
    discount = TIER_DISCOUNTS.get(tier, 0.0)
    return round(item.unit_price * (1 - discount), 2)
```
"""

ELIDED = f"""{REL}
```python
\"\"\"Prices: discounts per customer tier and order totals.\"\"\"

# (unchanged)

def price_with_discount(item: Item, tier: str) -> float:
    \"\"\"Unit price of ``item`` for a customer of ``tier``, rounded to cents.\"\"\"
    discount = TIER_DISCOUNTS.get(tier, 0.0)
    return round(item.unit_price * (1 - discount), 2)

# keep the remaining code as-is
```
"""

UNSHOWN = f"""{REL}
```python
\"\"\"Prices: discounts per customer tier and order totals.\"\"\"

from __future__ import annotations

from inventory.models import TIER_DISCOUNTS, Item

# (snip)

def price_for(item: Item) -> float:
    return item.unit_price
```
"""

ALTERNATIVES = """Either keep the lookup strict:

```python
def price_with_discount(item: Item, tier: str) -> float:
    discount = TIER_DISCOUNTS[tier.lower()]
    return round(item.unit_price * (1 - discount), 2)
```

or fall back to no discount:

```python
def price_with_discount(item: Item, tier: str) -> float:
    discount = TIER_DISCOUNTS.get(tier, 0.0)
    return round(item.unit_price * (1 - discount), 2)
```
"""


@pytest_lsp.fixture(config=server_config(), params=["vscode", "neovim"], scope="module")
async def client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    await open_session(lsp_client, request.param, tmp_path_factory.mktemp(request.param))
    yield
    await lsp_client.shutdown_session()


async def propose(lsp: LanguageClient, arg: dict[str, Any]) -> dict[str, Any]:
    result = await lsp.workspace_execute_command_async(
        types.ExecuteCommandParams(command="splice.proposeEdit", arguments=[arg])
    )
    assert isinstance(result, dict), result
    return result


def _reset(root: Path) -> None:
    (root / REL).write_text(ORIGINAL)


async def _applied(lsp: LanguageClient, answer: str, arg: dict[str, Any] | None = None) -> str:
    _, rec, root = session(lsp)
    _reset(root)
    rec.applied_edits.clear()
    rec.message_requests.clear()
    rec.message_answers[:] = ["Apply"]
    out = await propose(lsp, {"answer": answer, **(arg or {})})
    assert out["applied"] is True, out
    apply_to_disk(rec.applied_edits[-1].edit)
    return (root / REL).read_text()


async def test_one_function_under_a_path_edits_that_function(client: LanguageClient) -> None:
    assert await _applied(client, ONE_FUNCTION) == FIXED


async def test_elision_phrasings_keep_the_rest(client: LanguageClient) -> None:
    assert await _applied(client, ELIDED) == FIXED


async def test_code_left_out_without_a_word_is_refused(client: LanguageClient) -> None:
    lsp, rec, root = session(client)
    _reset(root)
    rec.applied_edits.clear()
    out = await propose(lsp, {"answer": UNSHOWN})
    assert out["applied"] is False and out["status"] == "refused"
    assert "neither shows nor marks as left out" in out["message"]
    assert rec.applied_edits == [] and (root / REL).read_text() == ORIGINAL


async def test_the_models_words_reach_the_review(client: LanguageClient) -> None:
    lsp, rec, root = session(client)
    assert await _applied(lsp, ONE_FUNCTION) == FIXED
    if lsp.profile == "neovim":  # type: ignore[attr-defined]
        # the Apply / Show diff / Discard prompt carries the rationale
        assert "Why (the model's words): Unknown tiers should get no discount" in rec.message_requests[0].message
    else:
        # VS Code's Refactor Preview shows the change annotation's description
        annotation = (rec.applied_edits[-1].edit.change_annotations or {})["splice"]
        assert annotation.description == "Why: Unknown tiers should get no discount instead of a KeyError."
    _reset(root)
    lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"splice": {"review": {"mode": "inline"}}})
    )
    try:
        out = await propose(lsp, {"answer": ONE_FUNCTION})
    finally:
        lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"splice": {}}))
    proposal = await lsp.protocol.send_request_async("splice/proposal", {"id": out["id"]})
    proposal = proposal if isinstance(proposal, dict) else proposal._asdict()
    assert proposal["rationale"] == "Unknown tiers should get no discount instead of a KeyError."


async def test_alternative_blocks_come_back_as_choices_and_one_can_be_picked(client: LanguageClient) -> None:
    lsp, _, root = session(client)
    _reset(root)
    uri = (root / REL).as_uri()
    out = await propose(lsp, {"answer": ALTERNATIVES, "uri": uri})
    assert out["status"] == "refused"
    assert [c.split(":")[0] for c in out["choices"]] == ["block 1", "block 2"]
    # block 2 restates the function without its docstring: the docstring stays
    assert await _applied(lsp, ALTERNATIVES, {"uri": uri, "block": 2}) == FIXED
