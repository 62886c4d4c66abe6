"""Shared helpers for the explain tests: the fixture workspace as a Graph (built with the real extractor),
fixture traces and their expectations, and the frame-mapping accuracy table (``python -m`` this module).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from splice.features.explain.frames import FrameMapper, FrameStatus, MappedFrame
from splice.features.explain.model import ParsedTraces, Trace
from splice.features.explain.traces import parse_traces
from splice.index.extract import extract, supported
from splice.index.graph import Graph
from splice.index.languages import language_for_path
from splice.index.model import FileRecord

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "traces"
WORKSPACE = FIXTURES / "workspace"


def build_graph(root: Path = WORKSPACE) -> Graph:
    graph = Graph()
    for file in sorted(root.rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(root).as_posix()
        lang = language_for_path(rel)
        if lang is None or not supported(lang):
            continue
        data = file.read_bytes()
        ex = extract(rel, lang, data)
        record = FileRecord(rel, lang, hashlib.sha256(data).hexdigest(), len(data), 0.0, 0.0)
        graph.put_file(record, ex)
    return graph


def read_workspace_text(rel: str) -> str | None:
    path = WORKSPACE / rel
    return path.read_text(encoding="utf-8") if path.is_file() else None


def fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def expectation(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expect.json").read_text(encoding="utf-8"))
    return data


def fixture_names() -> list[str]:
    return sorted(p.name.removesuffix(".expect.json") for p in FIXTURES.glob("*.expect.json"))


def check_frames(mapped: Sequence[MappedFrame], expected: list[dict[str, Any]]) -> list[str]:
    """Differences between mapped frames and their expectation (empty when all match)."""
    problems: list[str] = []
    if len(mapped) != len(expected):
        problems.append(f"{len(mapped)} frames, expected {len(expected)}")
    for k, (got, want) in enumerate(zip(mapped, expected, strict=False)):
        problems.extend(f"frame {k}: {p}" for p in _frame_problems(got, want))
    return problems


def _frame_problems(got: MappedFrame, want: dict[str, Any]) -> list[str]:
    if want.get("library"):
        return [] if got.status is FrameStatus.LIBRARY else [f"expected library, got {got.status} ({got.reason})"]
    if want.get("unmapped"):
        return [] if got.status is FrameStatus.UNMAPPED else [f"expected unmapped, got {got.status} {got.path}"]
    problems = []
    qualname = got.symbol.qualname if got.symbol is not None else None
    if (got.path, qualname) != (want["path"], want["symbol"]):
        problems.append(f"mapped to {got.path}::{qualname}, expected {want['path']}::{want['symbol']} ({got.reason})")
    if "line" in want and (got.line is None or got.line + 1 != want["line"]):
        problems.append(f"line {None if got.line is None else got.line + 1}, expected {want['line']}")
    if "col" in want and (got.col is None or got.col + 1 != want["col"]):
        problems.append(f"col {None if got.col is None else got.col + 1}, expected {want['col']}")
    return problems


def workspace_frame_score(mapped: Sequence[MappedFrame], expected: list[dict[str, Any]]) -> tuple[int, int]:
    """(correctly mapped workspace frames, expected workspace frames): path and enclosing symbol both right."""
    total = correct = 0
    for k, want in enumerate(expected):
        if want.get("library") or want.get("unmapped"):
            continue
        total += 1
        got = mapped[k] if k < len(mapped) else None
        if (
            got is not None
            and got.symbol is not None
            and (got.path, got.symbol.qualname)
            == (
                want["path"],
                want["symbol"],
            )
        ):
            correct += 1
    return correct, total


def expected_chains(trace: Trace, want: dict[str, Any]) -> Iterator[tuple[Trace, dict[str, Any]]]:
    """Pairs (trace, expectation) along the cause chain, as far as the expectation goes."""
    node: Trace | None = trace
    spec: dict[str, Any] | None = want
    while node is not None and spec is not None:
        yield node, spec
        node, spec = node.cause, spec.get("cause")


def accuracy_by_format() -> dict[str, tuple[int, int]]:
    """Frame-mapping accuracy over every fixture with an expectation, grouped by trace format."""
    graph = build_graph()
    mapper = FrameMapper(graph, read_text=read_workspace_text)
    scores: dict[str, tuple[int, int]] = {}
    for name in fixture_names():
        want = expectation(name)
        if "error" in want:
            continue
        parsed = parse_traces(fixture_text(name))
        assert isinstance(parsed, ParsedTraces), name
        pairs = list(expected_chains(parsed.primary, want))
        for other, frames in zip(parsed.others, want.get("other_frames", []), strict=False):
            pairs.append((other, {"frames": frames}))
        for trace, spec in pairs:
            c, t = workspace_frame_score(mapper.map_trace(trace), spec["frames"])
            old = scores.get(want["format"], (0, 0))
            scores[want["format"]] = (old[0] + c, old[1] + t)
    return scores


if __name__ == "__main__":
    table = accuracy_by_format()
    all_c = sum(c for c, _ in table.values())
    all_t = sum(t for _, t in table.values())
    for fmt, (c, t) in sorted(table.items()):
        print(f"{fmt:8} {c:3}/{t:<3} {c / t:.0%}")
    print(f"{'all':8} {all_c:3}/{all_t:<3} {all_c / all_t:.0%}")
