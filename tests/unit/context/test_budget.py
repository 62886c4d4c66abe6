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


def test_a_files_shared_heading_is_charged_once_with_its_first_item() -> None:
    def carded(key: str, score: float, group: str) -> Choice:
        return Choice(key, score, (Rendering("card", "c", 10),), overhead=2, group=group, group_overhead=8)

    # a: 10 + 2 + 8; b (same file): 10 + 2; c (another file): 20 — only two of the three fit in 40
    chosen = fit([carded("a", 3, "x.py"), carded("b", 2, "x.py"), carded("c", 1, "y.py")], 40)
    assert list(chosen) == ["a", "b"]
    assert list(fit([carded("a", 3, "x.py"), carded("c", 2, "y.py"), carded("b", 1, "x.py")], 40)) == ["a", "c"]


def test_never_over_budget_with_shared_headings_on_random_inputs() -> None:
    rng = random.Random(11)
    for _ in range(300):
        shared = {g: rng.randint(0, 20) for g in "abc"}  # one heading per file, whichever item pays it
        choices = [
            Choice(
                str(i),
                rng.random(),
                tuple(Rendering(k, k, rng.randint(0, 200)) for k in ("card", "body")[: rng.randint(1, 2)]),
                rng.random() < 0.1,
                overhead=rng.randint(0, 10),
                group=(group := rng.choice("abc")),
                group_overhead=shared[group],
            )
            for i in range(rng.randint(0, 30))
        ]
        budget = rng.randint(0, 1500)
        chosen = fit(choices, budget)
        by_key = {c.key: c for c in choices}
        groups = {by_key[k].group for k in chosen}
        total = sum(r.tokens + by_key[k].overhead for k, r in chosen.items())
        total += sum(shared[g] for g in groups)
        assert total <= budget
