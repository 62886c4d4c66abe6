"""Token budgeting: count tokens (injected counter, fast approximation by default) and choose, for each ranked
candidate, whether it appears as a card, as its whole body, or not at all — without ever exceeding the budget.

Policy: first give every candidate worth including its cheapest rendering (a card), best first, skipping what
does not fit; then, with what is left, upgrade the best items to whole bodies. Tight budgets therefore hold many
definitions' signatures; roomy budgets add the code of the most relevant ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TokenCounter = Callable[[str], int]


def approx_tokens(text: str) -> int:
    """≈ chars/4 (the usual rule for code with BPE tokenizers), never 0 for non-empty text."""
    return math.ceil(len(text) / 4) if text else 0


@dataclass(frozen=True, slots=True)
class Rendering:
    kind: str
    """``card``, ``body``, ``call-site`` …"""
    text: str
    tokens: int


@dataclass(frozen=True, slots=True)
class Choice:
    """One candidate offered to the budgeter, with its renderings cheapest first."""

    key: str
    score: float
    renderings: tuple[Rendering, ...]
    forced: bool = False
    """Pinned items and the target are placed before any ranked candidate."""
    overhead: int = 0
    """Tokens the prompt spends around the item whatever its rendering (its header line, the code fence): counted
    with every rendering, so the budget covers what is sent, not only the code."""

    group: str = ""
    """The prompt's shared section the item goes in (its file); ``group_overhead`` is charged once per group, with
    the first item chosen from it."""
    group_overhead: int = 0

    def cost(self, rendering: Rendering, opened: set[str] | frozenset[str] = frozenset()) -> int:
        shared = 0 if not self.group or self.group in opened else self.group_overhead
        return rendering.tokens + self.overhead + shared


def counted(count: TokenCounter, kind: str, text: str) -> Rendering:
    return Rendering(kind, text, max(0, int(count(text))))


def fit(choices: Sequence[Choice], budget: int) -> dict[str, Rendering]:
    """Pick a rendering per candidate so that the sum of tokens is ≤ budget; returns key → chosen rendering.

    ``choices`` must be in rank order. Forced choices take their richest rendering that fits, in order; then
    ranked ones their cheapest; then upgrades to richer renderings in rank order while room remains.
    """
    left = max(0, budget)
    chosen: dict[str, Rendering] = {}
    opened: set[str] = set()
    for c in choices:
        if not c.forced:
            continue
        for r in sorted(c.renderings, key=lambda r: -r.tokens):
            if c.cost(r, opened) <= left:
                chosen[c.key] = r
                left -= c.cost(r, opened)
                opened.add(c.group)
                break
    for c in choices:
        if c.forced or c.key in chosen or not c.renderings:
            continue
        cheapest = min(c.renderings, key=lambda r: r.tokens)
        if c.cost(cheapest, opened) <= left:
            chosen[c.key] = cheapest
            left -= c.cost(cheapest, opened)
            opened.add(c.group)
    for c in choices:
        current = chosen.get(c.key)
        if current is None or c.forced:
            continue
        for r in sorted(c.renderings, key=lambda r: -r.tokens):
            extra = r.tokens - current.tokens
            if extra > 0 and extra <= left:
                chosen[c.key] = r
                left -= extra
                break
    return chosen
