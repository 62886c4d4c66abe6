"""``splice index [PATH]``, ``splice symbols QUERY`` and ``splice refs NAME``: the index from the command line.

``index`` shows a progress bar and a summary table (files, symbols, edges, resolved %, skipped files grouped by
reason, time). ``symbols`` and ``refs`` warm-start from the stored index (indexing first if there is none) and
answer from the in-memory graph. All three print JSON with ``--json``. Lines are printed 1-based.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from splice.cli.common import add_common, settings_from

if TYPE_CHECKING:
    from splice.index.indexer import Indexer, IndexSummary

_EXAMPLES = 3
"""Skipped paths shown per reason without --verbose."""


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("index", help="index a workspace and print a summary")
    p.add_argument("path", nargs="?", type=Path, default=None, help="workspace folder (default: --workspace)")
    p.add_argument("--verbose", action="store_true", help="list every skipped file with its reason")
    add_common(p)
    p.set_defaults(handler=run_index)

    s: argparse.ArgumentParser = sub.add_parser("symbols", help="fuzzy-search the workspace's symbols")
    s.add_argument("query")
    s.add_argument("--limit", type=int, default=50)
    add_common(s)
    s.set_defaults(handler=run_symbols)

    r: argparse.ArgumentParser = sub.add_parser("refs", help="references to the symbols with a name")
    r.add_argument("name")
    add_common(r)
    r.set_defaults(handler=run_refs)


def _open(args: argparse.Namespace) -> tuple[Indexer, list[str]]:
    from splice.index.indexer import Indexer

    if getattr(args, "path", None) is not None:
        args.workspace = args.path
    root = Path(args.workspace).expanduser().resolve()
    if not root.is_dir():
        raise SystemExit(f"splice: {root} is not a folder")
    args.workspace = root
    loaded = settings_from(args)
    logging.basicConfig(stream=sys.stderr, level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    return Indexer(root, loaded.settings), loaded.problems


def run_index(args: argparse.Namespace) -> int:
    indexer, problems = _open(args)
    try:
        summary = indexer.index_all() if args.json else _with_progress(indexer)
    finally:
        indexer.close()
    if args.json:
        print(json.dumps(summary_json(summary, problems), indent=2))
    else:
        _print_summary(summary, problems, verbose=args.verbose)
    return 1 if summary.cancelled else 0


def _with_progress(indexer: Indexer) -> IndexSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[bold]indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", style="dim"),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, path: str) -> None:
            bar.update(task, completed=done, total=total, description=path if done < total else "saving…")

        return indexer.index_all(progress)


def summary_json(summary: IndexSummary, problems: list[str]) -> dict[str, Any]:
    return {
        "files": summary.files,
        "symbols": summary.symbols,
        "edges": summary.edges,
        "resolved": summary.resolved,
        "resolvedPct": round(summary.resolved_pct, 1),
        "reparsed": summary.reparsed,
        "reused": summary.reused,
        "removed": summary.removed,
        "syntaxErrors": summary.syntax_errors,
        "secondsGraph": round(summary.seconds_graph, 3),
        "secondsTotal": round(summary.seconds_total, 3),
        "cancelled": summary.cancelled,
        "store": summary.store,
        "messages": [*problems, *summary.messages],
        "skipped": [{"path": s.path, "reason": s.reason.value, "detail": s.detail} for s in summary.skipped],
    }


def _print_summary(summary: IndexSummary, problems: list[str], *, verbose: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from splice.index.walker import group_skips

    console = Console()
    for message in [*problems, *summary.messages]:
        console.print(f"[yellow]note:[/] {message}")
    table = Table(title="Splice index", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("files", f"{summary.files:,} ({summary.reparsed:,} parsed, {summary.reused:,} unchanged)")
    table.add_row("symbols", f"{summary.symbols:,}")
    table.add_row("edges", f"{summary.edges:,}")
    table.add_row("resolved", f"{summary.resolved:,} ({summary.resolved_pct:.1f}%)")
    if summary.syntax_errors:
        table.add_row("syntax errors", f"{summary.syntax_errors:,} files (indexed through error recovery)")
    if summary.removed:
        table.add_row("removed", f"{summary.removed:,} files no longer present")
    table.add_row("time", f"{summary.seconds_graph:.2f}s graph, {summary.seconds_total:.2f}s with persistence")
    table.add_row("store", summary.store)
    groups = group_skips(summary.skipped)
    table.add_row("skipped", f"{len(summary.skipped):,}" if groups else "0")
    for reason, skips in groups.items():
        shown = skips if verbose else skips[:_EXAMPLES]
        more = "" if len(shown) == len(skips) else f", … (+{len(skips) - len(shown)}; --verbose lists all)"
        paths = ", ".join(s.path + (f" [{s.detail}]" if s.detail and verbose else "") for s in shown)
        table.add_row(f"  {reason.value}", f"{len(skips):,}: {paths}{more}")
    if summary.cancelled:
        table.add_row("[red]cancelled", "the index is partial")
    console.print(table)


def _loaded(args: argparse.Namespace) -> Indexer:
    """The workspace's graph: warm-started from the store (refreshing changed files), or indexed now."""
    indexer, problems = _open(args)
    for problem in problems:
        print(f"note: {problem}", file=sys.stderr)
    summary = indexer.index_all()
    for message in summary.messages:
        print(f"note: {message}", file=sys.stderr)
    return indexer


def run_symbols(args: argparse.Namespace) -> int:
    indexer = _loaded(args)
    try:
        found = indexer.graph.search(args.query, args.limit)
    finally:
        indexer.close()
    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "name": s.name,
            "qualname": s.qualname,
            "kind": s.kind.value,
            "path": s.path,
            "line": s.selection.start.line + 1,
            "signature": s.signature,
        }
        for s in found
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from splice.cli.output import print_table

    if not rows:
        print(f"no symbol matches {args.query!r}")
        return 1
    print_table(
        f"symbols matching {args.query!r}",
        ("location", "kind", "symbol"),
        [(f"{row['path']}:{row['line']}", str(row["kind"]), str(row["qualname"] or row["name"])) for row in rows],
    )
    return 0


def _disk_reader(root: Path) -> Callable[[str], bytes | None]:
    def read(rel: str) -> bytes | None:
        try:
            return (root / rel).read_bytes()
        except OSError:
            return None

    return read


def run_refs(args: argparse.Namespace) -> int:
    from splice.index.occurrences import expand

    indexer = _loaded(args)
    graph = indexer.graph
    try:
        targets = graph.find(args.name)
        rows: list[dict[str, Any]] = []
        for target in targets:
            for edge in expand(graph, graph.incoming(target.id), _disk_reader(indexer.workspace)):
                source = graph.symbol(edge.src)
                rows.append(
                    {
                        "target": target.id,
                        "path": edge.path,
                        "line": edge.span.start.line + 1,
                        "column": edge.span.start.col + 1,
                        "kind": edge.kind.value,
                        "confidence": round(edge.confidence, 2),
                        "from": source.qualname if source is not None and source.qualname else edge.src,
                    }
                )
    finally:
        indexer.close()
    if args.json:
        print(json.dumps({"definitions": [t.id for t in targets], "references": rows}, indent=2))
        return 0
    from splice.cli.output import print_table

    if not targets:
        print(f"no symbol named {args.name!r}")
        return 1
    print_table(
        f"references to {args.name} ({len(targets)} definition{'s' * (len(targets) != 1)})",
        ("location", "kind", "confidence", "from", "definition"),
        [
            (f"{r['path']}:{r['line']}:{r['column']}", r["kind"], f"{r['confidence']:.1f}", r["from"], r["target"])
            for r in rows
        ],
    )
    return 0
