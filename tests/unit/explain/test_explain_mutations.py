"""Mangled fixtures (lines dropped, cut short, duplicated, shuffled, spliced with noise) never crash a parser.

``parse_traces`` would turn a crash into a ParseError, so this calls ``find_traces`` directly: any exception here
is a parser bug. The seed is fixed so a failure reproduces.
"""

from __future__ import annotations

import random

import pytest
from tests.unit.explain.explain_support import FIXTURES, build_graph, read_workspace_text

from splice.features.explain.frames import FrameMapper
from splice.features.explain.traces import find_traces

TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))}
NOISE = ["", "    at", "Caused by:", '  File "', "goroutine 1 [running]:", "stack backtrace:", "E   ", ">", "}"]
MAPPER = FrameMapper(build_graph(), read_text=read_workspace_text)


def mutate(lines: list[str], rng: random.Random) -> list[str]:
    out = list(lines)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        k = rng.randrange(len(out) + 1)
        if op == 0 and out:
            del out[min(k, len(out) - 1)]
        elif op == 1:
            out = out[:k]
        elif op == 2 and out:
            out.insert(k, out[min(k, len(out) - 1)])
        elif op == 3:
            out.insert(k, rng.choice(NOISE))
        elif op == 4 and out:
            j = min(k, len(out) - 1)
            out[j] = out[j][: rng.randrange(len(out[j]) + 1)]
        else:
            rng.shuffle(out)
    return out


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_mutated_fixture_never_crashes(name: str) -> None:
    rng = random.Random(name)
    lines = TEXTS[name].splitlines()
    for _ in range(40):
        text = "\n".join(mutate(lines, rng))
        for trace in find_traces(text):
            for node in trace.chain():
                mapped = MAPPER.map_trace(node)
                assert len(mapped) == len(node.frames)
                assert all(
                    m.path is None or m.path in MAPPER.graph.files or m.status.value == "excluded" for m in mapped
                )
