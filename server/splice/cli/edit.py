"""``splice edit``: a raw model answer → the unified diff it would apply, or the reason it is refused.

Writes nothing unless ``--apply`` is given (the explicit approval of the diff just printed). The same rules as in
the editor apply: protected paths need ``--allow-protected``, invisible characters ``--allow-invisible``, a result
that does not parse ``--allow-parse-errors``. An applied proposal is recorded under ``.splice/proposals/``;
``--undo [ID]`` shows (and with ``--apply`` applies) its inverse, reviewed like any other edit.
Exit codes: 0 diff shown / applied, 2 refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from splice.cli.common import add_allow_protected, add_common, workspace_of

if TYPE_CHECKING:
    from splice.edits.paths import Workspace
    from splice.edits.proposal import Proposal

REFUSED = 2
LATEST = "latest"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "edit",
        help="turn a model answer into a diff (and apply it with --apply)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--answer", help="file holding the model's raw answer ('-' for stdin)")
    source.add_argument(
        "--undo", nargs="?", const=LATEST, metavar="ID", help="the inverse of an applied proposal (default: latest)"
    )
    parser.add_argument("--target", help="file the answer's path-less code applies to")
    parser.add_argument("--symbol", help="qualified name (Class.method) that the answer's code replaces")
    parser.add_argument(
        "--block", type=int, metavar="N", help="apply only the answer's block N (when it offers several)"
    )
    parser.add_argument("--apply", action="store_true", help="write the changes (approves the diff shown)")
    add_allow_protected(parser)
    parser.add_argument("--allow-invisible", action="store_true", help="confirm new invisible/bidi characters")
    parser.add_argument("--allow-parse-errors", action="store_true", help="apply even if the result does not parse")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from splice.edits.errors import EditRefused
    from splice.edits.paths import Workspace

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        workspace = Workspace.of(workspace_of(args))
        _settle_interrupted_apply(workspace, err)
        proposal = _undo_proposal(workspace, args.undo) if args.undo else _answer_proposal(workspace, args)
    except (OSError, UnicodeDecodeError) as exc:
        return _refuse(f"cannot read the answer: {exc}", args, out, err)
    except EditRefused as exc:
        return _refuse(str(exc), args, out, err)
    return _review(proposal, workspace, args, out, err)


def _settle_interrupted_apply(workspace: Workspace, err: TextIO) -> None:
    """An ``--apply`` killed mid-way is completed or rolled back first (so ``--undo`` sees what really happened)."""
    from splice.edits.journal import recover

    recovered = recover(workspace.roots[0].path)
    if recovered is not None:
        print(f"note: {recovered.describe()}", file=err)


def _answer_proposal(workspace: Workspace, args: argparse.Namespace) -> Proposal:
    from splice.edits.propose import propose

    answer = sys.stdin.read() if args.answer == "-" else Path(args.answer).read_text(encoding="utf-8")
    return propose(answer, workspace, target=args.target, symbol=args.symbol, block=args.block)


def _undo_proposal(workspace: Workspace, proposal_id: str) -> Proposal:
    from splice.edits.errors import EditRefused
    from splice.edits.store import ProposalStore
    from splice.edits.undo import inverse

    store = ProposalStore.for_workspace(workspace.roots[0].path)
    applied = store.latest_undoable() if proposal_id == LATEST else store.require(proposal_id)
    if applied is None:
        raise EditRefused("nothing to undo: no applied proposal in .splice/proposals that is not undone already")
    return inverse(applied)


def _review(proposal: Proposal, workspace: Workspace, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from splice.cli.approve import apply_approved
    from splice.edits.errors import EditRefused
    from splice.edits.validate import printable

    digest = proposal.digest()
    if proposal.rationale and not args.json:
        print_rationale(proposal.rationale, err)
    if args.json:
        _print_json(proposal, digest, out)
    else:
        out.write(proposal.diff())
    for note in proposal.notes:
        print(f"note: {printable(note)}", file=err)
    for flag in proposal.flags:
        print(f"{'warning' if flag.needs_confirmation else 'note'}: {printable(flag.message)}", file=err)
    if not proposal.verification.parses and not args.allow_parse_errors:
        return _refuse(
            "the edited code does not parse (new syntax errors); not applied. Re-run with --allow-parse-errors "
            "to apply anyway",
            args,
            out,
            err,
            quiet=True,
        )
    if not args.apply:
        return 0
    try:
        applied = apply_approved(
            proposal,
            workspace,
            digest=digest,
            allow_protected=args.allow_protected,
            allow_invisible=args.allow_invisible,
        )
    except EditRefused as exc:
        return _refuse(str(exc), args, out, err, quiet=True)
    print(f"applied proposal {proposal.id}: {applied.files} file(s) changed", file=err)
    if applied.warning:
        print(f"warning: {applied.warning}", file=err)
    return 0


def _refuse(reason: str, args: argparse.Namespace, out: TextIO, err: TextIO, *, quiet: bool = False) -> int:
    from splice.edits.validate import printable

    if args.json and not quiet:
        out.write(json.dumps({"refused": reason}) + "\n")
    print(f"splice edit: refused: {printable(reason)}", file=err)
    return REFUSED


def print_rationale(rationale: str, err: TextIO) -> None:
    """The model's own words around its code, before the diff (control characters shown escaped)."""
    from splice.edits.validate import printable

    print("why (the model's words):", file=err)
    for line in printable(rationale).splitlines():
        print(f"  {line}", file=err)


def _print_json(proposal: Proposal, digest: str, out: TextIO) -> None:
    from splice.edits.store import to_json

    data = json.loads(to_json(proposal))
    data["digest"] = digest
    data["diff"] = proposal.diff()
    out.write(json.dumps(data, indent=1) + "\n")


def run(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``splice edit`` in-process (the benchmark and tests use this, the same path as the command)."""
    parser = argparse.ArgumentParser(prog="splice")
    register(parser.add_subparsers())
    args = parser.parse_args(["edit", *argv])
    return handle(args, out, err)
