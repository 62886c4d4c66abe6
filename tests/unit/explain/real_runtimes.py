"""Traces produced by really running the fixture workspace, not written by hand: a held-out check of parsing and
mapping against the runtimes' own output.

Each scenario runs a command in a temporary copy of the workspace (so every path is foreign to the index) and lists
the workspace frames it should map to, innermost first, for the primary trace and its cause chain.
``python -m tests.unit.explain.real_runtimes`` runs every scenario whose tool is installed (Python, pytest, Node,
javac/java, rustc) and prints accuracy per runtime; the unit test runs the quick Python and Node ones.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.unit.explain.explain_support import WORKSPACE, build_graph, read_workspace_text

from splice.features.explain.frames import FrameMapper, FrameStatus
from splice.features.explain.model import ParsedTraces
from splice.features.explain.traces import parse_traces

Expected = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    tool: str
    """Executable that must be on PATH (``python`` means the running interpreter)."""
    commands: tuple[tuple[str, ...], ...]
    """Run in order; the last one's output is the trace."""
    exception_type: str
    chain: tuple[Expected, ...]
    """Expected (path, qualname) of the workspace frames of the primary trace, then of each cause."""
    env: tuple[tuple[str, str], ...] = ()


PY = sys.executable
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "python: during handling",
        "python",
        ((PY, "app.py", "missing.cfg", "apple"),),
        "ValueError",
        (
            (
                ("src/shop/config.py", "parse_config"),
                ("src/shop/config.py", "load"),
                ("app.py", "main"),
                ("app.py", ""),
            ),
            (("src/shop/config.py", "load"),),
        ),
        (("PYTHONPATH", "src"),),
    ),
    Scenario(
        "python: raise from",
        "python",
        ((PY, "-c", "from shop.prices import PriceBook; PriceBook({}).lookup('kiwi')"),),
        "LookupError",
        ((("src/shop/prices.py", "PriceBook.lookup"),), (("src/shop/prices.py", "PriceBook.lookup"),)),
        (("PYTHONPATH", "src"),),
    ),
    Scenario(
        "node: thrown from a helper",
        "node",
        (("node", "-e", "require('./web/server.js').handler({query: {qty: 'x'}, user: {name: 'n'}}, {})"),),
        "RangeError",
        ((("web/server.js", "parseQuantity"), ("web/server.js", "handler")),),
    ),
    Scenario(
        "node: property of undefined",
        "node",
        (("node", "-e", "const {Cart} = require('./web/cart.js'); const c = new Cart('a'); c.add('x', 1); c.total()"),),
        "TypeError",
        ((("web/cart.js", "Cart.total"),),),
    ),
    Scenario(
        "node: constructor",
        "node",
        (("node", "-e", "const {handler} = require('./web/server.js'); handler({user: {}, query: {}}, {})"),),
        "TypeError",
        ((("web/cart.js", "Cart.constructor"), ("web/server.js", "handler")),),
    ),
    Scenario(
        "pytest: long",
        "python",
        ((PY, "-m", "pytest", "-p", "no:cacheprovider", "-o", "python_files=check_*.py", "qa/check_cart.py"),),
        "ValueError",
        (
            (
                ("src/shop/config.py", "parse_config"),
                ("src/shop/config.py", "load"),
                ("qa/check_cart.py", "test_load_missing"),
            ),
            (("src/shop/config.py", "load"),),
        ),
        (("PYTHONPATH", "src"), ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")),
    ),
    Scenario(
        "pytest: short",
        "python",
        ((PY, "-m", "pytest", "-p", "no:cacheprovider", "-o", "python_files=check_*.py", "--tb=short", "qa"),),
        "ValueError",
        (
            (
                ("src/shop/config.py", "parse_config"),
                ("src/shop/config.py", "load"),
                ("qa/check_cart.py", "test_load_missing"),
            ),
            (("src/shop/config.py", "load"),),
        ),
        (("PYTHONPATH", "src"), ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")),
    ),
    Scenario(
        "java: constructor NPE",
        "javac",
        (
            (
                "javac",
                "-d",
                "out",
                *(f"java/src/main/java/com/acme/shop/{n}.java" for n in ("Cart", "Checkout", "Main")),
            ),
            ("java", "-cp", "out", "com.acme.shop.Main"),
        ),
        "java.lang.NullPointerException",
        (
            (
                ("java/src/main/java/com/acme/shop/Cart.java", "Cart.Cart"),
                ("java/src/main/java/com/acme/shop/Main.java", "Main.main"),
            ),
        ),
    ),
    Scenario(
        "rust: unwrap with backtrace",
        "rustc",
        (("rustc", "-g", "-o", "shop-bin", "rust/src/main.rs"), ("./shop-bin",)),
        "panic",
        ((("rust/src/store.rs", "parse_cents"), ("rust/src/main.rs", "main")),),
        (("RUST_BACKTRACE", "1"),),
    ),
)


@contextmanager
def workspace_copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="splice-traces-") as tmp:
        target = Path(tmp) / "shop"
        shutil.copytree(WORKSPACE, target)
        yield target


def available(scenario: Scenario) -> bool:
    return scenario.tool == "python" or shutil.which(scenario.tool) is not None


def run(scenario: Scenario, cwd: Path) -> str:
    env = {**os.environ, **dict(scenario.env)}
    out = ""
    for command in scenario.commands:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
        out = done.stdout + done.stderr
    return out


def score(scenario: Scenario, output: str, mapper: FrameMapper) -> tuple[int, int, list[str]]:
    """(correct workspace frames, expected workspace frames, problems) for one scenario's output."""
    parsed = parse_traces(output)
    expected_total = sum(len(e) for e in scenario.chain)
    if not isinstance(parsed, ParsedTraces):
        return 0, expected_total, [f"{scenario.name}: {parsed.message}"]
    problems: list[str] = []
    if parsed.primary.exception_type != scenario.exception_type:
        problems.append(f"{scenario.name}: type {parsed.primary.exception_type!r}")
    correct = 0
    for trace, expected in zip(parsed.primary.chain(), scenario.chain, strict=False):
        got = [
            (m.path or "", m.symbol.qualname if m.symbol else "?")
            for m in mapper.map_trace(trace)
            if m.status is FrameStatus.WORKSPACE
        ]
        correct += sum(1 for k, want in enumerate(expected) if k < len(got) and got[k] == want)
        if got != list(expected):
            problems.append(f"{scenario.name}: got {got}, expected {list(expected)}")
    return correct, expected_total, problems


def main() -> int:
    mapper = FrameMapper(build_graph(), read_text=read_workspace_text)
    totals: dict[str, tuple[int, int]] = {}
    with workspace_copy() as cwd:
        for scenario in SCENARIOS:
            if not available(scenario):
                print(f"skipped (no {scenario.tool}): {scenario.name}")
                continue
            correct, total, problems = score(scenario, run(scenario, cwd), mapper)
            for problem in problems:
                print("  " + problem)
            runtime = scenario.name.split(":")[0]
            old = totals.get(runtime, (0, 0))
            totals[runtime] = (old[0] + correct, old[1] + total)
    for runtime, (c, t) in totals.items():
        print(f"{runtime:8} {c:3}/{t:<3} {c / t:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
