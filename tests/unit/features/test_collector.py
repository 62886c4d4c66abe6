"""The server's garbage-collection policy: frozen graph, full collections only when quiet (or long overdue)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from splice.features import collector as policy
from splice.features.collector import Collector


@pytest.fixture
def col() -> Iterator[Collector]:
    c = Collector(quiet=2.0)
    yield c
    c.restore()


def test_settle_freezes_and_takes_full_collections_over(col: Collector) -> None:
    before = gc.get_threshold()
    kept: list[object] = [[object()] for _ in range(100)]  # tracked containers that survive
    col.settle()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold()[:2] == before[:2]
    assert gc.get_threshold()[2] > 1_000_000  # automatic full collections are out of reach
    col.restore()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_not_settled_means_cpython_decides(col: Collector, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(col, "pending", lambda: 10_000)
    assert not col.idle(now=col.last_activity + 60)


def test_collects_only_when_due_and_quiet(col: Collector, monkeypatch: pytest.MonkeyPatch) -> None:
    col.settle()
    pending = [policy.DUE - 1]
    monkeypatch.setattr(col, "pending", lambda: pending[0])
    col.touch()
    assert not col.idle(now=col.last_activity + 10)  # quiet but nothing due
    pending[0] = policy.DUE
    assert not col.idle(now=col.last_activity + 0.5)  # due but the editor is busy
    assert col.idle(now=col.last_activity + 2.0)
    assert col.collections == 1


def test_busy_but_long_overdue_still_collects(col: Collector, monkeypatch: pytest.MonkeyPatch) -> None:
    col.settle()
    monkeypatch.setattr(col, "pending", lambda: policy.OVERDUE)
    col.touch()
    assert col.idle(now=col.last_activity)


class _Node:
    other: object = None


def test_cycles_that_die_in_the_old_generation_are_freed_when_idle(col: Collector) -> None:
    col.settle()
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    gc.collect(1)  # survives the young collections: now in the old generation, which only full passes scan
    del a, b
    gc.collect(1)
    assert alive() is not None  # garbage, but not collected yet
    col.pending = lambda: policy.DUE  # type: ignore[method-assign]
    assert col.idle(now=col.last_activity + 10)
    assert alive() is None


def test_frozen_cycles_are_freed_by_the_periodic_complete_pass(col: Collector) -> None:
    col.settle()
    col.pending = lambda: policy.DUE  # type: ignore[method-assign]
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    assert col.idle(now=col.last_activity + 10)  # alive now: frozen with the other survivors
    del a, b
    while col.collections < policy.FULL_EVERY - 1:
        assert col.idle(now=col.last_activity + 10)
    assert alive() is not None  # frozen garbage is out of reach…
    assert col.idle(now=col.last_activity + 10)
    assert alive() is None  # …until the complete pass
