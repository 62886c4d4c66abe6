"""Fixtures for the context tests: the sample workspace of ``support.py`` on disk, indexed, and engines over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.unit.context.support import FILES, index, write

from splice.context.engine import ContextEngine
from splice.index.graph import Graph


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write(tmp_path, FILES)
    return tmp_path


@pytest.fixture
def graph(workspace: Path) -> Graph:
    return index(workspace)


@pytest.fixture
def make_engine(workspace: Path, graph: Graph) -> Callable[..., ContextEngine]:
    def make(**kwargs: object) -> ContextEngine:
        return ContextEngine(graph, workspace, **kwargs)  # type: ignore[arg-type]

    return make
