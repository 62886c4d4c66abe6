"""Traces printed by real Python, pytest and Node runs (not hand-written) parse and map as expected."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.explain.explain_support import build_graph, read_workspace_text
from tests.unit.explain.real_runtimes import SCENARIOS, Scenario, run, score, workspace_copy

from splice.features.explain.frames import FrameMapper

QUICK = [s for s in SCENARIOS if s.name.startswith(("python:", "node:", "pytest: short"))]
MAPPER = FrameMapper(build_graph(), read_text=read_workspace_text)


@pytest.fixture(scope="module")
def copy() -> Iterator[Path]:
    with workspace_copy() as cwd:
        yield cwd


@pytest.mark.parametrize("scenario", QUICK, ids=[s.name for s in QUICK])
def test_real_runtime_trace(scenario: Scenario, copy: Path) -> None:
    if scenario.tool != "python" and shutil.which(scenario.tool) is None:
        pytest.skip(f"{scenario.tool} is not installed")
    output = run(scenario, copy)
    correct, total, problems = score(scenario, output, MAPPER)
    assert not problems, "\n".join(problems) + "\n" + output
    assert correct == total > 0
