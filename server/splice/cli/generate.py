"""``splice generate FILE:LINE[:COL]``: generate code at a place — the stub, ``splice:`` comment or missing symbol
there (or, with ``--instruction``, whatever the instruction asks) — print the diff, and write it only with
``--apply``. ``--verify`` runs ``verify.command`` in the sandbox first (feeding failures back), ``--tests`` asks for
tests of the function there, ``--all`` generates every stub in FILE. Exit codes: 0 diff shown/applied, 1 model
error, 2 nothing to generate / refused.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path
from typing import Any

from splice.cli.common import add_allow_protected, add_common, settings_from, workspace_of
from splice.cli.progress import ModelWait


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "generate",
        help="generate code at FILE:LINE (stub, splice: comment, missing symbol or an instruction)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(p, json_output=False)
    p.add_argument("place", metavar="FILE:LINE[:COL]", help="1-based line (and column)")
    p.add_argument("--instruction", help="what to write (otherwise: what is offered at that place)")
    p.add_argument("--tests", action="store_true", help="generate tests for the function at that place")
    p.add_argument("--all", action="store_true", help="generate every stub in FILE")
    p.add_argument("--verify", action="store_true", help="run verify.command in the sandbox first")
    p.add_argument("--apply", action="store_true", help="write the result (approves the diff printed)")
    add_allow_protected(p)
    p.set_defaults(handler=run)


def _place(raw: str) -> tuple[str, int, int]:
    """(path, 1-based line, 1-based column or 0 when no column was given)."""
    parts = raw.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], int(parts[1]), int(parts[2])
    path, _, line = raw.rpartition(":")
    if not path or not line.isdigit():
        raise ValueError(f"expected FILE:LINE[:COL], got {raw!r}")
    return path, int(line), 0


def run(args: argparse.Namespace) -> int:
    from splice.cli.approve import apply_from_cli
    from splice.cli.edit import print_rationale
    from splice.edits.errors import EditRefused
    from splice.edits.validate import printable
    from splice.features.generate.offers import OfferKind
    from splice.features.generate.service import Generate, Task
    from splice.features.workspace import SpliceWorkspace
    from splice.index.model import Point
    from splice.llm.errors import LLMError

    err = sys.stderr
    try:
        raw_path, line, col = _place(args.place)
    except ValueError as exc:
        print(f"splice generate: {exc}", file=err)
        return 2
    loaded = settings_from(args)
    ws = SpliceWorkspace(workspace_of(args), loaded.settings)
    rel = ws.relpath(Path(raw_path).resolve() if Path(raw_path).is_absolute() else Path.cwd() / raw_path)
    if rel is None or not ws.abspath(rel).is_file():
        print(f"splice generate: {raw_path} is not a file in {ws.root}", file=err)
        return 2
    ws.indexer.index_all()
    gen = Generate(ws)
    # FILE:LINE:COL counts characters from 1; the index counts UTF-8 bytes from 0
    text_line = ws.abspath(rel).read_text(encoding="utf-8", errors="replace").splitlines() or [""]
    row = min(max(line - 1, 0), len(text_line) - 1)
    at = Point(row, len(text_line[row][: max(col - 1, 0)].encode("utf-8")))
    try:
        tasks: list[Task]
        offers = gen.offers(rel, at)
        if not col and not any((o.kind is OfferKind.TESTS) == args.tests for o in offers):
            # No column: a missing symbol anywhere on the line counts (`report.py:19` on `render_table(...)`).
            at, offers = _offers_on_line(gen, rel, row, text_line[row], args.tests, at, offers)
        if args.all:
            stubs = [o for o in _all_stub_offers(gen, rel)]
            tasks = [gen.task(o) for o in stubs]
        elif args.instruction and not offers:
            tasks = [gen.free_task(rel, at, at, args.instruction)]
        else:
            wanted = [o for o in offers if (o.kind is OfferKind.TESTS) == args.tests]
            if not wanted:
                print(
                    f"splice generate: nothing to generate at {rel}:{line} (no stub, splice: comment or missing "
                    "symbol there); pass --instruction to say what to write",
                    file=err,
                )
                return 2
            tasks = [gen.task(wanted[0], args.instruction)]
        with ModelWait(loaded.settings.model or "the model") as wait:
            results = asyncio.run(_run_all(gen, tasks, args.verify, loaded.trusted, wait))
    except EditRefused as exc:
        print(f"splice generate: {printable(str(exc))}", file=err)
        return 2
    except LLMError as exc:
        print(f"splice generate: {exc.problem.message}\n  fix: {exc.problem.fix}", file=err)
        return 1
    finally:
        ws.indexer.close()
    code = 0
    for result in results:
        if result.proposal is None:
            print(f"splice generate: {printable(result.note)}", file=err)
            code = 2
            continue
        if result.proposal.rationale:
            print_rationale(result.proposal.rationale, err)
        sys.stdout.write(result.proposal.diff())
        for check in result.proposal.verification.checks:
            print(check, file=err)
        for note in result.proposal.notes:
            print(f"note: {printable(note)}", file=err)
        if args.apply:
            code = max(
                code,
                apply_from_cli(result.proposal, ws.root, args.allow_protected, lambda m: print(m, file=err)),
            )
    return code


def _offers_on_line(
    gen: Any, rel: str, row: int, text: str, tests: bool, at: Any, offers: list[Any]
) -> tuple[Any, list[Any]]:
    """The first identifier on the line where something is offered (the offers at ``at`` otherwise)."""
    from splice.features.generate.offers import OfferKind
    from splice.index.model import Point

    for match in re.finditer(r"[^\W\d]\w*", text):
        here = Point(row, len(text[: match.start()].encode("utf-8")))
        found = gen.offers(rel, here)
        if any((o.kind is OfferKind.TESTS) == tests for o in found):
            return here, found
    return at, offers


def _all_stub_offers(gen: Any, rel: str) -> list[Any]:
    return list(gen.stub_offers(rel))


async def _run_all(gen: Any, tasks: list[Any], verify: bool, trusted: bool, wait: ModelWait) -> list[Any]:
    # verify runs only in a workspace the user trusts (`--trust` or `splice trust`): the command comes from settings
    runs = (gen.run(t, verify=verify, trusted=trusted, progress=wait.feed()) for t in tasks)
    return list(await asyncio.gather(*runs))
