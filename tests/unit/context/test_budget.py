"""Budgeting: cards first, bodies with what is left, forced items before ranked ones, never over the budget."""

from __future__ import annotations

import random

from splice.context.budget import Choice, Rendering, approx_tokens, fit


def choice(key: str, score: float, card: int, body: int | None = None, forced: bool = False) -> Choice:
    renderings = [Rendering("card", "c" * card, card)]
    if body is not None:
        renderings.append(Rendering("body", "b" * body, body))
    return Choice(key, score, tuple(renderings), forced)


def test_approx_tokens() -> None:
    assert approx_tokens("") == 0
    assert approx_tokens("a") == 1
    assert approx_tokens("abcd" * 10) == 10


def test_cards_for_many_before_bodies_for_few() -> None:
    choices = [choice("a", 3, 10, 60), choice("b", 2, 10, 60), choice("c", 1, 10, 60)]
    chosen = fit(choices, 40)
    assert {k: r.kind for k, r in chosen.items()} == {"a": "card", "b": "card", "c": "card"}
    chosen = fit(choices, 90)
    assert chosen["a"].kind == "body" and chosen["b"].kind == "card" and chosen["c"].kind == "card"


def test_items_that_do_not_fit_are_skipped_not_truncated() -> None:
    chosen = fit([choice("big", 3, 50), choice("small", 1, 5)], 20)
    assert list(chosen) == ["small"]
    assert chosen["small"].tokens == 5


def test_forced_items_take_their_richest_rendering_first() -> None:
    chosen = fit([choice("rank", 9, 10), choice("target", 0, 10, 30, forced=True)], 45)
    assert chosen["target"].kind == "body"
    assert chosen["rank"].kind == "card"
    chosen = fit([choice("rank", 9, 10), choice("target", 0, 10, 30, forced=True)], 25)
    assert chosen["target"].kind == "card"


def test_zero_and_negative_budgets() -> None:
    assert fit([choice("a", 1, 1)], 0) == {}
    assert fit([choice("a", 1, 1)], -10) == {}


def test_never_over_budget_on_random_inputs() -> None:
    rng = random.Random(7)
    for _ in range(300):
        choices = [
            choice(
                str(i), rng.random(), rng.randint(0, 80), rng.choice([None, rng.randint(0, 400)]), rng.random() < 0.1
            )
            for i in range(rng.randint(0, 30))
        ]
        budget = rng.randint(0, 1500)
        chosen = fit(choices, budget)
        assert sum(r.tokens for r in chosen.values()) <= budget
