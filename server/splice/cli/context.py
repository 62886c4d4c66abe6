"""``splice context FILE:LINE[:COL] --budget N [--explain]`` and ``splice context --batch requests.jsonl``.

The first prints the context Splice would send for a position (a table of items with their reasons; ``--explain``
adds each item's text, the notes and the timings; ``--json`` prints the result). The second indexes the workspace
once and answers one JSON request per input line with one JSON result per output line, in order:

    {"file": "pkg/mod.py", "line": 12, "col": 5, "budget": 2000, "text": "...optional unsaved buffer...",
     "pins": ["pkg/util.py::helper"], "excludes": ["pkg/secret/"], "id": "anything echoed back"}

Lines and columns are 1-based, as editors and compilers print them (``col`` counts UTF-8 bytes; default 1). A bad
line gets ``{"error": ...}`` and the batch goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from splice.cli.common import add_common, settings_from

if TYPE_CHECKING:
    from splice.context.engine import ContextEngine
    from splice.context.model import ContextRequest, ContextResult


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "context", help="show the cross-file context Splice would send for a position"
    )
    p.add_argument("position", nargs="?", help="FILE:LINE[:COL] (1-based)")
    p.add_argument("--budget", type=int, default=None, help="token budget (default: splice.context.budget)")
    p.add_argument("--explain", action="store_true", help="also print each item's text, notes and timings")
    p.add_argument("--batch", type=Path, default=None, help="JSON-lines file of requests ('-' for stdin)")
    p.add_argument("--output", type=Path, default=None, help="write batch results here instead of stdout")
    p.add_argument("--pin", action="append", default=[], help="symbol id or path to include first (repeatable)")
    p.add_argument("--exclude", action="append", default=[], help="symbol id, path or pattern to leave out")
    add_common(p)
    p.set_defaults(handler=run_context)


def parse_position(spec: str) -> tuple[str, int, int]:
    """``path:line[:col]`` (1-based) → (path, 0-based line, 0-based col); ValueError with a message if malformed."""
    parts = spec.rsplit(":", 2)
    numbers: list[int] = []
    while len(parts) > 1 and parts[-1].isdigit() and len(numbers) < 2:
        numbers.insert(0, int(parts.pop()))
    path = ":".join(parts)
    if not path or not numbers:
        raise ValueError(f"expected FILE:LINE[:COL], got {spec!r}")
    line = numbers[0]
    col = numbers[1] if len(numbers) > 1 else 1
    if line < 1 or col < 1:
        raise ValueError(f"lines and columns are 1-based, got {spec!r}")
    return path, line - 1, col - 1


def run_context(args: argparse.Namespace) -> int:
    if args.batch is None and not args.position:
        print("splice context: give FILE:LINE[:COL] or --batch FILE", file=sys.stderr)
        return 2
    if args.budget is not None and args.budget < 0:
        print("splice context: --budget must be ≥ 0", file=sys.stderr)
        return 2
    position: tuple[str, int, int] | None = None
    if args.batch is None:
        try:
            position = parse_position(args.position)
        except ValueError as exc:
            print(f"splice context: {exc}", file=sys.stderr)
            return 2
    root = Path(args.workspace).expanduser().resolve()
    if not root.is_dir():
        print(f"splice context: {root} is not a folder", file=sys.stderr)
        return 2
    args.workspace = root
    loaded = settings_from(args)
    budget = args.budget if args.budget is not None else loaded.settings.context_budget
    logging.basicConfig(stream=sys.stderr, level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")

    from splice.context.engine import ContextEngine
    from splice.index.indexer import Indexer

    indexer = Indexer(root, loaded.settings)
    try:
        indexer.index_all()
        engine = ContextEngine.for_indexer(indexer)
        if args.batch is not None:
            return _run_batch(engine, args.batch, args.output, budget)
        assert position is not None
        request = _request(position, budget, None, tuple(args.pin), tuple(args.exclude))
        result = engine.assemble(request)
        rules = _rules_note(root, position[0], indexer.rules.is_excluded)
    finally:
        indexer.close()
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        _print(result, position, explain=args.explain)
        if rules:
            print(f"note: {rules}")
    return 1 if result.error else 0


def _rules_note(root: Path, raw: str, is_excluded: Callable[[str], bool]) -> str | None:
    """Which rules files (AGENTS.md, …) the prompts for this file carry besides the context."""
    from splice.context.target import TargetError, relative_path
    from splice.features.rules_files import project_rules

    try:
        rel = relative_path(root, raw)
    except TargetError:
        return None
    return project_rules(root, rel, is_excluded=is_excluded).note()


def _request(
    position: tuple[str, int, int], budget: int, text: str | None, pins: tuple[str, ...], excludes: tuple[str, ...]
) -> ContextRequest:
    from splice.context.model import ContextRequest, PositionTarget

    path, line, col = position
    return ContextRequest(PositionTarget(path, line, col, text), budget=budget, pins=pins, excludes=excludes)


# -- batch -----------------------------------------------------------------------------------------------------


def _run_batch(engine: ContextEngine, source: Path, output: Path | None, default_budget: int) -> int:
    with contextlib.ExitStack() as stack:
        try:
            infile: IO[str] = sys.stdin if str(source) == "-" else stack.enter_context(source.open(encoding="utf-8"))
        except OSError as exc:
            print(f"splice context: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        try:
            out: IO[str] = sys.stdout if output is None else stack.enter_context(output.open("w", encoding="utf-8"))
        except OSError as exc:
            print(f"splice context: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        for record in answer_batch(engine, infile, default_budget):
            out.write(json.dumps(record) + "\n")
            out.flush()
    return 0


def answer_batch(engine: ContextEngine, lines: Iterable[str], default_budget: int) -> Iterator[dict[str, Any]]:
    """One result object per non-blank input line, in order; malformed lines answer with an error."""
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            request, ident = _batch_request(raw, default_budget)
        except ValueError as exc:
            yield {"line": number, "error": str(exc), "items": []}
            continue
        result = engine.assemble(request).to_json()
        if ident is not None:
            result["id"] = ident
        result["line"] = number
        yield result


def _batch_request(raw: str, default_budget: int) -> tuple[ContextRequest, Any]:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    path = obj.get("file")
    if not isinstance(path, str) or not path:
        raise ValueError("'file' must be a non-empty string")
    line, col, budget = obj.get("line"), obj.get("col", 1), obj.get("budget", default_budget)
    for name, value in (("line", line), ("col", col), ("budget", budget)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"'{name}' must be an integer")
    assert isinstance(line, int) and isinstance(col, int) and isinstance(budget, int)
    if line < 1 or col < 1:
        raise ValueError("'line' and 'col' are 1-based")
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        raise ValueError("'text' must be a string")
    pins = _strings(obj.get("pins", []), "pins")
    excludes = _strings(obj.get("excludes", []), "excludes")
    return _request((path, line - 1, col - 1), budget, text, pins, excludes), obj.get("id")


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{name}' must be a list of strings")
    return tuple(value)


# -- printing --------------------------------------------------------------------------------------------------


def _print(result: ContextResult, position: tuple[str, int, int] | None, *, explain: bool) -> None:
    from rich.console import Console
    from rich.syntax import Syntax
    from rich.table import Table
    from rich.text import Text

    from splice.cli.output import is_terminal, plain_rows

    console = Console()
    if result.error:
        console.print(f"[red]error:[/] {result.error}")
        return
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
    title = f"context for {position[0]}:{position[1] + 1}" if position else "context"
    title = f"{title} — {result.used}/{result.budget} tokens, {len(result.items)} items"
    rows = [
        (
            str(i),
            f"{item.path}:{item.range.start.line + 1}-{item.range.end.line + 1}",
            item.kind,
            str(item.tokens),
            "" if item.kind == "target" else f"{item.score:.2f}",
            item.reason,
        )
        for i, item in enumerate(result.items, 1)
    ]
    if not is_terminal():
        print(title)
        for line in plain_rows(rows):
            print(line)
    else:
        table = Table(title=title)
        for column in ("#", "where", "kind", "tokens", "score", "why"):
            right = column in ("#", "tokens", "score")
            table.add_column(column, justify="right" if right else "left", overflow="fold")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
    if not explain:
        return
    console.print(
        f"{result.candidates} candidates scored; timings (ms): "
        + ", ".join(f"{k.removesuffix('_ms')} {v:.1f}" for k, v in result.timings.items())
    )
    for i, item in enumerate(result.items, 1):
        console.rule(f"{i}. {item.path}:{item.range.start.line + 1} — {item.reason}")
        lexer = Syntax.guess_lexer(item.path, item.text)
        console.print(Syntax(item.text, lexer, line_numbers=False, word_wrap=True))
