"""Every fixture trace: parsed as its expectation file says, and its frames mapped to the expected symbols."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.explain.explain_support import (
    accuracy_by_format,
    build_graph,
    check_frames,
    expectation,
    expected_chains,
    fixture_names,
    fixture_text,
    read_workspace_text,
)

from splice.features.explain.frames import FrameMapper
from splice.features.explain.model import ParsedTraces, ParseError, Trace
from splice.features.explain.traces import parse_traces

GRAPH = build_graph()
NAMES = fixture_names()


def test_every_format_has_two_fixtures() -> None:
    formats = [expectation(n).get("format") for n in NAMES]
    for fmt in ("python", "pytest", "node", "go", "rust", "java"):
        assert formats.count(fmt) >= 2, fmt
    assert sum(1 for n in NAMES if expectation(n).get("language") == "typescript") >= 2


def _check_trace(trace: Trace, want: dict[str, Any]) -> None:
    for key in ("exception_type", "message", "test_id", "truncated_frames"):
        if key in want:
            assert getattr(trace, key) == want[key], key
    if "related" in want:
        assert len(trace.related) == want["related"]


@pytest.mark.parametrize("name", NAMES)
def test_fixture(name: str) -> None:
    want = expectation(name)
    parsed = parse_traces(fixture_text(name))
    if "error" in want:
        assert isinstance(parsed, ParseError)
        assert want["error"] in parsed.message.lower()
        return
    assert isinstance(parsed, ParsedTraces), parsed
    primary = parsed.primary
    assert primary.format == want["format"]
    assert primary.language == want["language"]
    assert len(parsed.others) == want.get("others", 0)
    mapper = FrameMapper(GRAPH, read_text=read_workspace_text)
    problems: list[str] = []
    parent: Trace | None = None
    for trace, spec in expected_chains(primary, want):
        _check_trace(trace, spec)
        if parent is not None:
            assert parent.context_kind == spec["kind"]
        problems += check_frames(mapper.map_trace(trace), spec["frames"])
        parent = trace
    for other, frames in zip(parsed.others, want.get("other_frames", []), strict=True):
        problems += check_frames(mapper.map_trace(other), frames)
    assert not problems, "\n".join(problems)


def test_mapping_accuracy_over_fixtures() -> None:
    table = accuracy_by_format()
    assert set(table) == {"python", "pytest", "node", "go", "rust", "java"}
    correct = sum(c for c, _ in table.values())
    total = sum(t for _, t in table.values())
    assert total >= 40
    assert correct == total, table


@pytest.mark.parametrize("name", NAMES)
def test_line_endings_do_not_matter(name: str) -> None:
    text = fixture_text(name)
    results = [parse_traces(t) for t in (text, text.rstrip("\n"), text.replace("\n", "\r\n"))]
    first = results[0]
    for other in results[1:]:
        if isinstance(first, ParseError):
            assert isinstance(other, ParseError)
        else:
            assert isinstance(other, ParsedTraces)
            assert other.primary == first.primary
