"""Prompt snapshots: each template rendered with fixed context items, pinned in snapshots/ (UPDATE_GOLDEN=1)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from splice.llm import prompts

SNAPSHOTS = Path(__file__).parent / "snapshots"


@dataclass(frozen=True)
class Point:
    line: int
    col: int = 0


@dataclass(frozen=True)
class Span:
    start: Point
    end: Point


@dataclass(frozen=True)
class Item:
    path: str
    range: Span
    symbol: str | None
    kind: str
    text: str
    reason: str


ITEMS = (
    Item(
        "src/shop/cart.py",
        Span(Point(9), Point(15)),
        "shop.cart.Cart.total",
        "body",
        '    def total(self) -> Decimal:\n        """Sum of line prices."""\n\n\n'
        "        return sum(l.price * l.qty for l in self.lines)\n",
        "called by the target",
    ),
    Item(
        "src/shop/money.py",
        Span(Point(0), Point(0)),
        "shop.money.CENT",
        "card",
        'CENT = Decimal("0.01")',
        "module constant used by the target",
    ),
    Item(
        "docs/usage.md",
        Span(Point(3), Point(6)),
        None,
        "scope",
        "Example:\n```python\ncart.total()\n```",
        "mentions the target",
    ),
)

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "generate_symbol": (
        "generate",
        {
            "edit_format": "symbol",
            "instruction": "Implement apply_discount: subtract the percentage, round to cents.",
            "path": "src/shop/cart.py",
            "symbol": "shop.cart.Cart.apply_discount",
            "current": "    def apply_discount(self, percent: int) -> Decimal:\n        raise NotImplementedError",
            "callers": ["src/shop/checkout.py:42  price = cart.apply_discount(10)"],
        },
    ),
    "generate_search_replace": (
        "generate",
        {"edit_format": "search_replace", "instruction": "Add a __len__ to Cart.", "path": "src/shop/cart.py"},
    ),
    "generate_new_file": (
        "generate",
        {"edit_format": "new_file", "instruction": "Write tests for Cart.total.", "path": "tests/test_cart.py"},
    ),
    "fix_diff": (
        "fix",
        {
            "edit_format": "diff",
            "problem": 'mypy: Incompatible return value type (got "float", expected "Decimal")',
            "location": "src/shop/cart.py:14",
            "path": "src/shop/cart.py",
            "current": "    return sum(l.price * l.qty for l in self.lines) * 1.0",
        },
    ),
    "explain_with_fix": (
        "explain",
        {
            "edit_format": "search_replace",
            "error": "TypeError: unsupported operand type(s) for *: 'decimal.Decimal' and 'float'",
            "frames": ["src/shop/checkout.py:42 in pay", "src/shop/cart.py:14 in total"],
            "path": "src/shop/cart.py",
        },
    ),
    "explain_only": (
        "explain",
        {"error": "ImportError: cannot import name 'CENT' from 'shop.money'", "frames": [], "path": ""},
    ),
    "migrate_step": (
        "migrate",
        {
            "edit_format": "search_replace",
            "target": "Decimal arithmetic only (no floats)",
            "plan": ["s1 [done] money.py: add CENT", "s2 [active] cart.py: total()", "s3 [pending] checkout.py"],
            "step": "s2: make Cart.total return Decimal rounded to CENT",
            "path": "src/shop/cart.py",
            "current": "    return sum(l.price * l.qty for l in self.lines) * 1.0",
        },
    ),
    "review": (
        "review",
        {
            "intent": "Round totals to cents",
            "diff": "--- a/src/shop/cart.py\n+++ b/src/shop/cart.py\n@@ -14 +14 @@\n"
            "-    return total\n+    return total.quantize(CENT)",
        },
    ),
}


def rendered(name: str) -> str:
    feature, values = CASES[name]
    values = dict(values)
    edit_format = values.pop("edit_format", None)
    messages = prompts.render(feature, ITEMS, edit_format=edit_format, **values)
    return "".join(f"===== {m.role} =====\n{m.content}" for m in messages)


@pytest.mark.parametrize("name", sorted(CASES))
def test_prompt_snapshot(name: str) -> None:
    text = rendered(name)
    golden = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1" or not golden.exists():
        if not os.environ.get("UPDATE_GOLDEN") and not golden.exists():
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text)
            pytest.fail(f"{golden.name} did not exist; written now — review it and re-run")
        golden.write_text(text)
    assert text == golden.read_text(), f"{name} changed; review and re-run with UPDATE_GOLDEN=1 if intended"


def test_code_inside_items_is_kept_byte_for_byte() -> None:
    text = rendered("generate_symbol")
    assert ITEMS[0].text.rstrip("\n") in text  # the two blank lines inside the body survive tidying
    # a longer fence around fences; the item's line is inside it
    assert (
        "````markdown\n# 4-7 (scope) — why: mentions the target\nExample:\n```python\ncart.total()\n```\n````" in text
    )


def test_every_item_says_why_and_cache_hashes_follow_content() -> None:
    text = rendered("fix_diff")
    for item in ITEMS:
        assert f"— why: {item.reason}\n" in text
    changed = Item(ITEMS[1].path, ITEMS[1].range, ITEMS[1].symbol, "card", 'CENT = Decimal("0.001")', "x")
    assert prompts.context_hashes(ITEMS)[1] != prompts.context_hashes([changed])[0]
    values = {k: v for k, v in CASES["fix_diff"][1].items() if k != "edit_format"}
    request = prompts.request("fix", ITEMS, edit_format="diff", **values)
    assert request.context_hashes == prompts.context_hashes(ITEMS) and request.feature == "fix"


def test_items_of_one_file_share_a_heading_and_name_the_symbol_without_repeating_the_path() -> None:
    items = [
        Item(
            "pkg/mod.py", ITEMS[0].range, "pkg/mod.py::Cls.meth", "card", "def meth(self): ...", "called by the target"
        ),
        Item("pkg/other.ts", ITEMS[0].range, "pkg/other.ts::", "card", "X = 1", "imported; near what this code uses"),
        Item("pkg/mod.py", ITEMS[1].range, "pkg/mod.py::helper", "body", "def helper():\n    return 1", "named"),
    ]
    text = prompts.request("fix", items, **CASES["fix_diff"][1]).messages
    body = "\n".join(m.content for m in text)
    assert body.count("### pkg/mod.py\n") == 1 and body.count("### pkg/other.ts\n") == 1
    # one fence per file, the file's items in their order, each after its own comment line
    assert (
        "### pkg/mod.py\n```python\n# 10-16 Cls.meth (card) — why: called by the target\ndef meth(self): ...\n"
        "# 1 helper (body) — why: named\ndef helper():\n    return 1\n```\n"
    ) in body
    assert "// 10-16 (card) — why: imported\nX = 1\n```" in body  # the strongest reason only, in the file's syntax
    assert body.index("### pkg/mod.py") < body.index("### pkg/other.ts")  # files in the order of their first item
    assert "pkg/mod.py::" not in body and "near what this code uses" not in body


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="unknown prompt 'migrate-all'"):
        prompts.render("migrate-all")
    with pytest.raises(ValueError, match="unknown edit format 'xml'"):
        prompts.render("generate", edit_format="xml", instruction="x", path="a.py")
    with pytest.raises(ValueError, match="needs a value the caller did not give"):
        prompts.render("generate", edit_format="symbol", path="a.py")  # no instruction


ANSWERS = {
    "symbol": "```python\ndef apply_discount(self, percent: int) -> Decimal:\n    return self.total()\n```\n",
    "search_replace": (
        "src/shop/cart.py\n```python\n<<<<<<< SEARCH\n    x = 1\n=======\n    x = 2\n>>>>>>> REPLACE\n```\n"
    ),
    "diff": "```diff\n--- a/src/shop/cart.py\n+++ b/src/shop/cart.py\n@@ -1,1 +1,1 @@\n-x = 1\n+x = 2\n```\n",
    "new_file": "tests/test_cart.py\n```python\ndef test_total():\n    assert True\n```\n",
}


@pytest.mark.parametrize(
    ("edit_format", "kind"),
    [
        ("symbol", "symbol code"),
        ("search_replace", "SEARCH/REPLACE"),
        ("diff", "unified diff"),
        ("new_file", "whole file"),
    ],
)
def test_answers_in_each_format_parse_in_the_edits_layer(edit_format: str, kind: str) -> None:
    """The contract between these templates and splice.edits.answer: an answer shaped as asked parses as meant."""
    answer = pytest.importorskip("splice.edits.answer")
    parsed = answer.parse_answer(
        ANSWERS[edit_format], target="src/shop/cart.py", symbol="shop.cart.Cart.apply_discount"
    )
    [block] = parsed.blocks
    assert block.kind.value == kind
    assert block.path == ("tests/test_cart.py" if edit_format == "new_file" else "src/shop/cart.py")
    assert edit_format in prompts.EDIT_FORMATS


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_answer_format_section(name: str) -> None:
    text = rendered(name)
    assert text.count("## Answer format") == 1, name


def test_the_context_engine_counts_the_heading_each_item_gets() -> None:
    """``context.model.file_header`` (once per file) and ``item_line`` (per item) are what the budget charges
    besides the items' text; they must not be smaller than what ``_context.j2`` writes (the two layers do not import
    each other)."""
    from splice.context.model import file_header, item_line

    items = [*ITEMS, Item("src/shop/cart.py", Span(Point(30), Point(41)), "shop.cart.Cart.add", "card", "x", "named")]
    shown = [prompts._item(i) for i in items]
    context = (
        prompts._environment()
        .get_template("_context.j2")
        .render(items=shown, files=prompts._files(shown), project_rules="")
    )
    section = context[context.index("\n###") :]
    assert section.count("### src/shop/cart.py") == 1
    charged = sum(len(file_header(path)) for path in {i.path for i in items})
    for item in items:
        line = item_line(item.range.start.line, item.range.end.line, f"x.py::{item.symbol}", "excerpt", item.reason)
        charged += len(line) + len(item.text)
    assert charged >= len(section.strip()) + 1
