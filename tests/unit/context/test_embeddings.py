"""Embeddings: the offline default loads from the wheel, vectors follow the graph and the model id, and the engine
uses them for natural-language targets."""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from tests.unit.context.support import index

from splice.config import Settings
from splice.context.engine import ContextEngine
from splice.context.model import ContextRequest, TextTarget
from splice.index.embeddings import WORDLLAMA_ID, Embedder, EmbeddingIndex, embedder_for, wordllama_embedder
from splice.index.graph import Graph


def bag_of_words(texts: list[str]) -> Sequence[Sequence[float]]:
    """A deterministic toy model: one dimension per keyword."""
    keys = ["header", "parse", "timeout", "handle", "log", "app", "helper", "request"]
    return [[float(t.lower().count(k)) + 0.01 for k in keys] for t in texts]


class FakeStore:
    def __init__(self, model: str | None = None, rows: list[tuple[str, list[float]]] | None = None) -> None:
        self.model = model
        self.rows = dict(rows or [])
        self.writes = 0

    def vector_model(self) -> str | None:
        return self.model

    def set_vectors(self, model_id: str, rows: list[tuple[str, list[float]]]) -> None:
        if model_id != self.model:
            self.rows.clear()
            self.model = model_id
        self.rows.update(rows)
        self.writes += 1

    def load_vectors(self, model_id: str) -> list[tuple[str, list[float]]]:
        return list(self.rows.items()) if model_id == self.model else []


def test_choosing_the_embedder() -> None:
    assert embedder_for(Settings(embeddings_model="none")) is None
    default = embedder_for(Settings())
    assert default is not None and default.model_id == WORDLLAMA_ID
    assert embedder_for(Settings(embeddings_model="openai/text-embedding-3-small")) is None
    remote = embedder_for(Settings(embeddings_model="openai/text-embedding-3-small"), remote=bag_of_words)
    assert remote is not None and remote.model_id == "litellm/openai/text-embedding-3-small"


def test_wordllama_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("wordllama tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    vectors = wordllama_embedder().embed(["parse an http header", "split a header line into name and value"])
    assert len(vectors) == 2 and len(vectors[0]) == 256
    assert any(abs(x) > 0 for x in vectors[0])


def test_refresh_embeds_changes_only_and_search_finds(workspace: Path, graph: Graph) -> None:
    calls: list[int] = []

    def counting(texts: list[str]) -> Sequence[Sequence[float]]:
        calls.append(len(texts))
        return bag_of_words(texts)

    store = FakeStore()
    vectors = EmbeddingIndex(graph, Embedder("toy", counting), store)
    first = vectors.refresh()
    assert first == len([s for s in graph.symbols.values() if s.qualname]) and store.model == "toy"
    assert vectors.refresh() == 0
    hits = vectors.search("parse the header", 3)
    assert hits[0][0] == "pkg/util.py::parse_header"

    (workspace / "pkg/util.py").write_text('def parse_header(line):\n    """Now about timeouts."""\n', encoding="utf-8")
    index(workspace, graph)
    assert vectors.refresh() == 1
    assert "pkg/util.py::DEFAULT_TIMEOUT" not in dict(vectors.search("timeout", 50))


def test_stored_vectors_are_reused_only_for_the_same_model(graph: Graph) -> None:
    warm = FakeStore("toy", [("pkg/util.py::parse_header", [1.0] * 8)])
    vectors = EmbeddingIndex(graph, Embedder("toy", bag_of_words), warm)
    assert vectors.refresh() == len([s for s in graph.symbols.values() if s.qualname]) - 1
    other = FakeStore("old-model", [("pkg/util.py::parse_header", [1.0] * 3)])
    vectors = EmbeddingIndex(graph, Embedder("toy", bag_of_words), other)
    vectors.refresh()
    assert other.model == "toy" and len(other.rows[("pkg/util.py::parse_header")]) == 8


def test_a_failing_model_is_reported_not_raised(graph: Graph) -> None:
    def broken(texts: list[str]) -> Sequence[Sequence[float]]:
        raise ConnectionError("no route to the embedding server")

    vectors = EmbeddingIndex(graph, Embedder("remote", broken))
    vectors.start().join(10)
    assert vectors.error is not None and "no route" in vectors.error
    assert vectors.search("anything", 5) == []


def test_engine_uses_vectors_for_text_targets(workspace: Path, graph: Graph) -> None:
    vectors = EmbeddingIndex(graph, Embedder("toy", bag_of_words))
    vectors.refresh()
    engine = ContextEngine(graph, workspace, vectors=vectors.search)
    result = engine.assemble(ContextRequest(TextTarget("where is the header parsed?"), budget=300))
    assert result.items and result.items[0].symbol == "pkg/util.py::parse_header"


def test_refresh_requests_while_one_runs_are_coalesced_and_none_is_lost(workspace: Path, graph: Graph) -> None:
    gate, inside = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow(texts: list[str]) -> Sequence[Sequence[float]]:
        calls.append(len(texts))
        inside.set()
        gate.wait(10)
        return bag_of_words(texts)

    vectors = EmbeddingIndex(graph, Embedder("toy", slow))
    first = vectors.start()
    assert inside.wait(10)  # the first run is embedding the graph as it was
    (workspace / "pkg/extra.py").write_text('def brand_new_helper():\n    """Count the widgets."""\n', encoding="utf-8")
    index(workspace, graph)
    for _ in range(5):
        assert vectors.start() is first  # no second thread while the first runs
    gate.set()
    first.join(10)
    assert not first.is_alive()
    assert len(calls) == 2  # the first run, then exactly one more for the five requests
    assert "pkg/extra.py::brand_new_helper" in dict(vectors.search("count widgets", 100))  # has a vector now
    searched = len(calls)  # (the query itself is embedded too)
    assert vectors.start() is not first  # idle again: a new request starts a new run
    vectors.wait(10)
    assert len(calls) == searched  # …which found nothing new to embed
