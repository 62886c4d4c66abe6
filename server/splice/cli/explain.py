"""``splice explain --traceback FILE|-``: explain a stack trace with the workspace's own code as context.

With ``--fix`` the proposed diff is printed too, and written only with ``--apply`` (the explicit approval). With no
model configured it prints what it would send — the context items with their reasons, the token count and a cost
estimate — and how to configure a model. Exit codes: 0 explained (or previewed), 1 model error, 2 refused/bad input
or, with --fix/--apply, no usable fix in the answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from splice.cli.common import add_allow_protected, add_common, settings_from, workspace_of
from splice.cli.progress import ModelWait


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "explain",
        help="explain a stack trace with the workspace's code (and propose a fix)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(p)
    p.add_argument("--traceback", required=True, metavar="FILE", help="file holding the trace ('-' for stdin)")
    p.add_argument("--fix", action="store_true", help="also propose a fix and print its diff")
    p.add_argument("--apply", action="store_true", help="write the fix (approves the diff printed)")
    add_allow_protected(p)
    p.add_argument("--budget", type=int, default=None, help="context token budget (default: context.budget)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from splice.features.explain.model import ParseError
    from splice.features.explain.service import ExplainError
    from splice.features.workspace import SpliceWorkspace
    from splice.llm.errors import LLMError, NoModelConfigured

    console = Console(stderr=True)
    try:
        text = sys.stdin.read() if args.traceback == "-" else Path(args.traceback).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        console.print(f"splice explain: cannot read the trace: {exc}")
        return 2
    loaded = settings_from(args)
    for problem in loaded.problems:
        console.print(f"[yellow]settings:[/] {problem}")
    ws = SpliceWorkspace(workspace_of(args), loaded.settings)
    with console.status("indexing the workspace…"):
        ws.indexer.index_all()
    service = ExplainError(ws, ws.gateway())
    prepared = service.prepare_trace(text, args.budget)
    if isinstance(prepared, ParseError):
        console.print(f"splice explain: {prepared.message}")
        return 2
    try:
        with ModelWait(loaded.settings.model or "the model") as wait:
            explanation = asyncio.run(service.run(prepared, fix=args.fix or args.apply, progress=wait.update))
    except NoModelConfigured:
        return _preview(service, prepared, args)
    except LLMError as exc:
        console.print(f"[red]splice explain:[/] {exc.problem.message}\n  fix: {exc.problem.fix}")
        return 1
    finally:
        ws.indexer.close()
    if args.json:
        out: dict[str, Any] = {"document": str(explanation.document), "markdown": explanation.markdown}
        out |= {"cost": explanation.cost, "cached": explanation.cached, "fixNote": explanation.fix_note}
        if explanation.proposal is not None:
            out["diff"] = explanation.proposal.diff()
        print(json.dumps(out, indent=1))
    else:
        from rich.markdown import Markdown

        from splice.edits.validate import printable

        Console().print(Markdown(printable(explanation.markdown)))
        console.print(f"written to {explanation.document}", markup=False)
        if explanation.fix_note:
            console.print(printable(explanation.fix_note), markup=False)
        if explanation.proposal is not None:
            sys.stdout.write(explanation.proposal.diff())
    if (args.fix or args.apply) and explanation.proposal is None:
        return 2  # a fix was asked for and none is usable: say so in the exit code too
    if args.apply and explanation.proposal is not None:
        from splice.cli.approve import apply_from_cli

        return apply_from_cli(explanation.proposal, ws.root, args.allow_protected, lambda m: console.print(m))
    return 0


def _preview(service: Any, prepared: Any, args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    preview = service.preview(prepared, fix=args.fix or args.apply)
    if args.json:
        items = [i.to_json() for i in prepared.items]
        print(json.dumps({"model": None, "items": items, "tokens": preview.tokens, "howTo": preview.how_to_configure}))
        return 0
    console = Console(width=max(Console().width, 120))
    console.print(f"{prepared.title}  ({prepared.location or 'no workspace frame'})", markup=False, style="bold")
    for frame in prepared.frames:
        console.print(f"  {frame}", markup=False)
    table = Table(title="No model is configured — this is what Splice would send")
    table.add_column("#", justify="right")
    table.add_column("where", no_wrap=True)
    table.add_column("symbol")
    table.add_column("tokens", justify="right")
    table.add_column("why")
    for n, item in enumerate(prepared.items, 1):
        where = f"{item.path}:{item.range.start.line + 1}"
        symbol = (item.symbol or "").split("::", 1)[-1]
        table.add_row(str(n), where, symbol, str(item.tokens), item.reason)
    console.print(table)
    cost = f"${preview.example_dollars:.4f}" if preview.example_dollars is not None else "unknown"
    console.print(
        f"prompt ≈ {preview.tokens} tokens; with {preview.example_model} the request would cost at most {cost} "
        "(a full-length answer included).",
        markup=False,
    )
    if prepared.excluded:
        console.print(f"not sent (excluded): {', '.join(prepared.excluded)}", markup=False)
    console.print(preview.how_to_configure, markup=False)
    return 0
