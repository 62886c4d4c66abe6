"""Module outlines: when the visible file picks several names from a module (its exceptions, its helpers), the
rest of that module is shown one line per definition, so new code finds what no remaining import names."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.context.support import index, line_of, write

from splice.context.engine import OUTLINE_SHARE, ContextEngine
from splice.context.model import ContextItem, ContextRequest, ContextResult, PositionTarget

ERRORS_PY = '''"""Every error the client raises."""


class ClientError(Exception):
    """Base class."""


class ConnectError(ClientError):
    """The connection failed."""


class ProxyFailed(ConnectError):
    """The proxy refused the connection."""


class TlsFailed(ConnectError):
    """The TLS handshake failed."""


class BadUrl(ClientError, ValueError):
    """The URL cannot be parsed."""


SERVICE_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
_registry: dict[str, type] = {}


def _register(cls: type) -> type:
    return cls
'''

HELPERS_PY = """def quote(text: str) -> str:
    return text


def unquote(text: str) -> str:
    return text
"""

ADAPTER_PY = '''from pkg.errors import BadUrl, ClientError
from pkg.helpers import quote


class Adapter:
    def check(self, url):
        if not url:
            raise BadUrl(url)
        return quote(url)

    def send(self, request):
        """Send the request through the connection pool."""
        ...

    def close(self):
        raise ClientError("closed")
'''

SEND = line_of(ADAPTER_PY, '"""Send the request')


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/errors.py": ERRORS_PY,
            "pkg/helpers.py": HELPERS_PY,
            "pkg/adapter.py": ADAPTER_PY,
        },
    )
    return tmp_path


def ask(workspace: Path, budget: int = 2000, **kwargs: object) -> ContextResult:
    engine = ContextEngine(index(workspace), workspace)
    return engine.assemble(ContextRequest(PositionTarget("pkg/adapter.py", SEND, 8), budget=budget, **kwargs))  # type: ignore[arg-type]


def outline_of(result: ContextResult, path: str) -> ContextItem | None:
    return next((i for i in result.items if i.kind == "outline" and i.path == path), None)


def test_a_module_the_file_picks_names_from_is_outlined_without_what_it_imports(workspace: Path) -> None:
    result = ask(workspace)
    outline = outline_of(result, "pkg/errors.py")
    assert outline is not None
    lines = outline.text.splitlines()
    assert lines[0] == "# pkg/errors.py: also defines"
    assert "class TlsFailed(ConnectError)" in lines  # the lowest-ranked class: no item of its own
    # The imported classes get their own items; the outline is about the rest.
    assert not any(line.startswith(("class BadUrl", "class ClientError")) for line in lines)
    assert outline.reason == "more of pkg/errors.py, which the file imports 2 names from"
    assert outline.symbol is None
    # Private helpers may be imported (``_basic_auth_str``); private constants and type variables are not API.
    assert "def _register(cls: type) -> type" in lines
    assert not any(line.startswith("_registry") for line in lines)
    assert outline.range.start.line <= line_of(ERRORS_PY, "class TlsFailed") <= outline.range.end.line


def test_each_definition_is_shown_once_as_an_item_or_an_outline_line(workspace: Path) -> None:
    # (the budget counts each item's heading too: 300 tokens used to hold the outline, now 600 does)
    for budget in (600, 2000, 4000):
        result = ask(workspace, budget=budget)
        outline = outline_of(result, "pkg/errors.py")
        assert outline is not None
        shown = {i.symbol for i in result.items if i.kind != "outline"}
        for name in ("ConnectError", "ProxyFailed", "TlsFailed"):
            in_outline = any(line.startswith(f"class {name}(") for line in outline.text.splitlines())
            assert not (in_outline and f"pkg/errors.py::{name}" in shown), (budget, name)
        assert "pkg/errors.py::BadUrl" in shown and "BadUrl" not in outline.text


def test_a_module_the_file_takes_one_name_from_is_not_outlined(workspace: Path) -> None:
    assert outline_of(ask(workspace), "pkg/helpers.py") is None


def test_an_outline_keeps_to_its_share_of_the_budget(workspace: Path) -> None:
    for budget in (60, 150, 400, 2000):
        result = ask(workspace, budget=budget)
        assert result.used <= budget
        outline = outline_of(result, "pkg/errors.py")
        assert outline is None or outline.tokens <= budget * OUTLINE_SHARE


def test_excluded_definitions_and_paths_stay_out_of_outlines(workspace: Path) -> None:
    result = ask(workspace, excludes=("pkg/errors.py::ProxyFailed",))
    outline = outline_of(result, "pkg/errors.py")
    assert outline is not None and "ProxyFailed" not in outline.text
    assert outline_of(ask(workspace, excludes=("pkg/errors.py",)), "pkg/errors.py") is None


def test_secrets_in_an_outline_are_masked(workspace: Path) -> None:
    outline = outline_of(ask(workspace, budget=8000), "pkg/errors.py")
    # masked at the source (the index holds the constant's header with the value masked), the name still listed
    assert outline is not None and 'SERVICE_TOKEN = "«redacted»"' in outline.text
    assert "ghp_" not in outline.text


def test_typescript_outlines_list_what_the_module_exports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/errors.ts": (
                "export class HttpError extends Error {}\n"
                "export class TimeoutError extends HttpError {}\n"
                "export class AbortError extends HttpError {}\n"
                "class InternalOnly {}\n"
                "export function isHttpError(e: unknown): e is HttpError {\n  return e instanceof HttpError;\n}\n"
            ),
            "src/client.ts": (
                'import { HttpError, TimeoutError } from "./errors";\n\n'
                "export function fetchIt(url: string): void {\n"
                "  if (!url) throw new HttpError();\n  throw new TimeoutError();\n}\n\n"
                "export function retry(url: string): void {\n}\n"
            ),
        },
    )
    engine = ContextEngine(index(tmp_path), tmp_path)
    result = engine.assemble(ContextRequest(PositionTarget("src/client.ts", 7, 2), budget=2000))
    outline = outline_of(result, "src/errors.ts")
    assert outline is not None
    assert outline.text.splitlines()[0] == "// src/errors.ts: also defines"
    assert "export class AbortError extends HttpError" in outline.text
    assert "export function isHttpError(e: unknown): e is HttpError" in outline.text
    assert "InternalOnly" not in outline.text


def test_a_huge_module_costs_a_bounded_number_of_token_counts(tmp_path: Path) -> None:
    many = "".join(f"def helper_{i}(value: int, other: str = 'x') -> int:\n    return value\n\n\n" for i in range(3000))
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/big.py": many,
            "pkg/user.py": "from pkg.big import helper_1, helper_2\n\n\ndef work():\n    ...\n",
        },
    )
    counted: list[str] = []

    def count(text: str) -> int:  # 10 per text: 35 lines leave 5 tokens of the 400, too few for a line, not for 4
        counted.append(text)
        return 10

    engine = ContextEngine(index(tmp_path), tmp_path, count_tokens=count)
    result = engine.assemble(ContextRequest(PositionTarget("pkg/user.py", 4, 4), budget=4000))
    outline = outline_of(result, "pkg/big.py")
    assert outline is not None and outline.tokens <= 4000 * OUTLINE_SHARE
    # Outline lines are counted one by one (cards end with ":"); the module has 3,000 definitions.
    outline_lines = [t for t in counted if t.startswith("def helper_") and not t.endswith(":")]
    assert 0 < len(outline_lines) <= 300


def test_an_outline_that_does_not_fit_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the budget runs out before the outline's turn, the definitions it would list keep their own items."""
    helpers = "".join(
        f'def step_{i}(request, timeout: float = 1.0) -> dict[str, str]:\n    """Run step {i} of the send."""\n'
        f"    return {{}}\n\n\n"
        for i in range(8)
    )
    calls = "".join(f"        step_{i}(request)\n" for i in range(8))
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/errors.py": ERRORS_PY,
            "pkg/steps.py": helpers,
            "pkg/adapter.py": (
                "from pkg.errors import BadUrl, ClientError\n"
                f"from pkg.steps import {', '.join(f'step_{i}' for i in range(8))}\n\n\n"
                "class Adapter:\n    def check(self, url):\n        raise BadUrl(url)\n\n"
                f"    def send(self, request):\n{calls}\n"
                "    def close(self):\n        raise ClientError('closed')\n"
            ),
        },
    )
    engine = ContextEngine(index(tmp_path), tmp_path)
    send = 10

    def shown(budget: int) -> list[tuple[str, str | None, str]]:
        request = ContextRequest(PositionTarget("pkg/adapter.py", send, 8), budget=budget)
        return [(i.kind, i.symbol, i.text) for i in engine.assemble(request).items]

    budgets = range(100, 700, 5)
    with_outlines = {b: shown(b) for b in budgets}
    monkeypatch.setattr("splice.context.engine.OUTLINE_MODULES", 0)
    left_out = [b for b in budgets if not any(kind == "outline" for kind, _, _ in with_outlines[b])]
    assert left_out and len(left_out) < len(budgets)
    for budget in left_out:
        assert with_outlines[budget] == shown(budget), budget
