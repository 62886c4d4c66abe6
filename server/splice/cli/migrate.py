"""``splice migrate``: plan, run, check, resume and abort a migration from the command line.

  splice migrate plan --to TEXT [--scope PATH] [--rules FILE|PACK …] [--old NAME …] [--json]
  splice migrate run [ID] [--steps N] [--apply]       (prints each step's diff; writes only with --apply)
  splice migrate status [ID] [--json]
  splice migrate resume ID [--steps N] [--apply]
  splice migrate abort ID [--apply]                   (the inverse of every applied step, as one diff)

The plan lives in ``.splice/migrations/<id>/plan.md`` (edit it: reorder, skip, add steps) beside its ledger. A
step that weakens tests (deletes test files, adds skip markers, lowers the number of tests) needs
``--allow-test-changes``; protected paths need ``--allow-protected``. Exit codes: 0 ok, 1 model error or paused,
2 nothing to migrate / refused / a step left pending.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from splice.cli.common import add_allow_protected, add_common, settings_from, workspace_of

if TYPE_CHECKING:
    from splice.features.migrate.model import Migration, Step
    from splice.features.migrate.service import Migrator

REFUSED = 2


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "migrate",
        help="plan and run a migration: rule steps first, the model for the rest, every step reviewed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    plan = actions.add_parser("plan", help="assess the sites and write the plan (nothing is sent to a model)")
    add_common(plan)
    plan.add_argument("--to", required=True, dest="target", help="the target in words, e.g. 'requests to httpx'")
    plan.add_argument("--scope", default="", help="a file or folder (default: the workspace)")
    plan.add_argument("--lines", help="a selection inside --scope FILE: FIRST-LAST (1-based)")
    plan.add_argument("--rules", nargs="*", default=[], help="rule pack files (ast-grep YAML) or shipped pack names")
    plan.add_argument("--old", nargs="*", default=[], help="old API names (modules or module.name) to find sites of")
    plan.set_defaults(handler=_plan)
    for name, text in (("run", "propose (and with --apply write) the next steps"), ("resume", "continue a run")):
        run = actions.add_parser(name, help=text)
        add_common(run, json_output=False)
        run.add_argument("id", nargs="?" if name == "run" else None, help="migration id (default: the active one)")
        run.add_argument("--steps", type=int, default=None, help="at most N steps (default: until done or stopped)")
        run.add_argument("--apply", action="store_true", help="write each step after printing its diff")
        add_allow_protected(run)
        run.add_argument("--allow-test-changes", action="store_true", help="confirm steps that weaken tests")
        run.add_argument("--answer", help="the answer to the current `ask` step")
        run.set_defaults(handler=_run)
    status = actions.add_parser("status", help="steps, sites left and cost")
    add_common(status)
    status.add_argument("id", nargs="?", help="migration id (default: all)")
    status.set_defaults(handler=_status)
    abort = actions.add_parser("abort", help="undo every applied step (one reviewed diff)")
    add_common(abort, json_output=False)
    abort.add_argument("id", help="migration id")
    abort.add_argument("--apply", action="store_true", help="write the inverse after printing it")
    add_allow_protected(abort)
    abort.set_defaults(handler=_abort)


def _migrator(args: argparse.Namespace, *, index: bool = True) -> Migrator:
    from splice.features.migrate.service import Migrator
    from splice.features.workspace import SpliceWorkspace

    loaded = settings_from(args)
    ws = SpliceWorkspace(workspace_of(args), loaded.settings)
    if index:
        ws.indexer.index_all()
    return Migrator(ws, trusted=loaded.trusted)


def _say(*parts: object, err: TextIO | None = None) -> None:
    print(*parts, file=err or sys.stderr)


def _scope(args: argparse.Namespace, root: Path) -> Any:
    from splice.features.migrate.model import Scope

    scope = str(args.scope or "").strip()
    if scope:
        path = Path(scope)
        path = path if path.is_absolute() else (Path.cwd() / path if (Path.cwd() / path).exists() else root / path)
        try:
            scope = path.resolve().relative_to(root).as_posix()
        except ValueError:
            raise SystemExit(f"splice migrate: the scope {args.scope} is outside the workspace {root}") from None
        scope = "" if scope == "." else scope
    if args.lines:
        first, _, last = args.lines.partition("-")
        if not first.isdigit() or not (last or first).isdigit():
            raise SystemExit("splice migrate: --lines takes FIRST-LAST, e.g. 10-24")
        return Scope(scope, int(first) - 1, int(last or first) - 1)
    return Scope(scope)


def _plan(args: argparse.Namespace) -> int:
    from splice.features.migrate.store import MigrationError

    migrator = _migrator(args)
    try:
        planned = migrator.plan(
            args.target, _scope(args, migrator.ws.root), migrator.resolve_packs(args.rules), tuple(args.old)
        )
    except MigrationError as exc:
        _say(f"splice migrate: {exc}")
        return REFUSED
    finally:
        migrator.ws.close()
    m, found, est = planned.migration, planned.assessment, planned.estimate
    folder = migrator.store.path(m.id)
    if args.json:
        data = {
            "id": m.id,
            "target": m.target,
            "plan": str(folder / "plan.md"),
            "sites": [asdict(s) for s in found.sites],
            "byRule": found.by_rule(),
            "residue": len(found.residue()),
            "steps": [{"id": s.id, "kind": s.kind, "title": s.title, "depends": list(s.depends)} for s in m.steps],
            "estimate": asdict(est),
        }
        sys.stdout.write(json.dumps(data, indent=1) + "\n")
        return 0
    out = sys.stdout
    out.write(f"Migration {m.id}: {m.target}\n")
    out.write(f"Searched {found.searched}: {len(found.sites)} site(s) in {len(found.files())} file(s)\n")
    for rule, n in sorted(found.by_rule().items()):
        out.write(f"  rule {rule}: {n}\n")
    out.write(f"  residue (no rewriting rule; model steps): {len(found.residue())}\n")
    dollars = f"${est.dollars:.4f}" if est.priced else "dollars not estimated"
    out.write(
        f"Estimate for the residue: {est.model_steps} model step(s), ~{est.prompt_tokens} prompt tokens, {dollars}\n"
    )
    out.write(f"Budget: {est.budget}\n")
    out.write(f"Plan ({len(m.steps)} steps): {folder / 'plan.md'}\n")
    for s in m.steps:
        out.write(f"  {s.id} {s.title}\n")
    out.write(f"Next: splice migrate run {m.id}  (add --apply to write)\n")
    return 0


def _status(args: argparse.Namespace) -> int:
    from splice.features.migrate import list_migrations, status
    from splice.features.migrate.store import MigrationError

    if args.id is None:
        listed = list_migrations(workspace_of(args))
        if args.json:
            sys.stdout.write(json.dumps([asdict(s) for s in listed], indent=1) + "\n")
        for s in [] if args.json else listed:
            line = f"{s.id}  {s.state}  {s.done}/{s.total} steps  ${s.dollars:.4f}  {s.target}"
            print(line if s.problem is None else f"{s.id}  unreadable: {s.problem}")
        if not listed and not args.json:
            print("no migrations")
        return 0
    migrator = _migrator(args)
    try:
        m, warnings = migrator.open(args.id)
        left = migrator.sites(m)
    except MigrationError as exc:
        _say(f"splice migrate: {exc}")
        return REFUSED
    finally:
        migrator.ws.close()
    for w in warnings:
        _say(f"warning: {w}")
    st = status(m)
    if args.json:
        data = {**asdict(st), "steps": [asdict(s) for s in m.steps], "sites": [asdict(s) for s in left]}
        sys.stdout.write(json.dumps(data, indent=1) + "\n")
        return 0
    head = f"Migration {m.id}: {m.target} — {m.state}, {st.done}/{st.total} steps, {len(left)} site(s) left"
    print(f"{head}, ${st.dollars:.4f}")
    for step in m.steps:
        why = f" — {step.reason}" if step.reason and step.status != "done" else ""
        print(f"  {step.id} [{step.status}] {step.title} (attempts {step.attempts}){why}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from splice.features.migrate.store import MigrationError

    migrator = _migrator(args)
    try:
        return asyncio.run(_run_steps(migrator, args))
    except MigrationError as exc:
        _say(f"splice migrate: {exc}")
        return REFUSED
    finally:
        migrator.ws.close()


async def _run_steps(migrator: Migrator, args: argparse.Namespace) -> int:
    limit = args.steps if args.steps is not None else 10_000
    ran = 0
    failed = False
    while ran < limit:
        m, warnings = migrator.open(args.id)
        args.id = m.id
        for w in warnings:
            _say(f"warning: {w}")
        step = m.next_step()
        if step is None:
            return _finished(migrator, m) or (REFUSED if failed else 0)
        ran += 1
        if step.kind == "ask" and step.answer is None and args.answer is not None:
            step = step.with_state(answer=args.answer)
            m = migrator.save_step(m, step)
            args.answer = None
        if step.kind == "command":
            code = _command_step(migrator, m, step)
            if code:
                return code
            continue
        prepared = await migrator.prepare(m, step)
        if prepared.proposal is None:
            if prepared.step.status == "done":
                _say(f"{step.id}: {prepared.note}")
                continue
            _say(f"{step.id} {step.title}: not proposed — {prepared.note}")
            if prepared.note.startswith("paused") or step.kind == "ask":
                return 1 if prepared.note.startswith("paused") else REFUSED
            failed = True  # retried (the reason goes back to the model) until it fails; then the run goes on
            continue
        proposal = prepared.proposal
        _say(f"== {step.id} {step.kind}: {step.title} (proposal {proposal.id})")
        sys.stdout.write(proposal.diff())
        sys.stdout.flush()
        for note in proposal.notes:
            _say(f"note: {note}")
        for flag in proposal.flags:
            _say(f"{'warning' if flag.needs_confirmation else 'note'}: {flag.message}")
        if prepared.test_changes:
            _say("warning: this step weakens tests: " + "; ".join(prepared.test_changes))
        if not args.apply:
            _say(f"not applied; re-run with --apply to write it (splice migrate run {m.id} --apply)")
            return 0
        if prepared.test_changes and not args.allow_test_changes:
            _say("refused: the step weakens tests; re-run with --allow-test-changes to approve it")
            return REFUSED
        if not proposal.verification.parses:
            migrator.reject(prepared.migration, prepared.step, "the proposal does not parse")
            _say("refused: the proposal does not parse; the step stays pending")
            return REFUSED
        verdict = _verify(migrator, proposal)
        if verdict is not None:
            m = migrator.reject(prepared.migration, prepared.step.with_state(attempts=step.attempts + 1), verdict)
            _say(f"{step.id}: the verify command failed; the step stays pending — {verdict}")
            if step.attempts + 1 >= max(1, migrator.ws.settings.verify_max_rounds):
                return REFUSED
            continue
        code = _apply(migrator, prepared.migration, prepared.step, proposal, args.allow_protected)
        if code:
            return code
    return REFUSED if failed else 0


def _verify(migrator: Migrator, proposal: Any) -> str | None:
    """The sandboxed check on the proposal's texts (only when configured); None when it passed or did not run."""
    from splice.features.generate.verify import VerifyStatus, verify_with_settings

    settings = migrator.ws.settings
    if not settings.verify_command:
        return None
    changes = {c.new_path or c.path: c.new_text for c in proposal.changes}
    result = verify_with_settings(migrator.ws.root, changes, settings, trusted=migrator.trusted)
    if result.status is VerifyStatus.PASSED or not result.ran:
        if not result.ran:
            _say(f"note: verify did not run: {result.reason}")
        return None
    return f"`{result.command}` {result.status.value} ({result.reason}); its output ends:\n{result.output[-1200:]}"


def _apply(migrator: Migrator, m: Migration, step: Step, proposal: Any, allow_protected: list[str]) -> int:
    from splice.cli.approve import apply_approved
    from splice.edits.errors import EditRefused
    from splice.edits.paths import Workspace

    m = migrator.mark_applying(m, step)
    step = m.step(step.id) or step
    try:
        apply_approved(
            proposal, Workspace.of(migrator.ws.root), digest=proposal.digest(), allow_protected=allow_protected
        )
    except EditRefused as exc:
        migrator.reject(m, step, f"not applied: {exc}")
        _say(f"refused: {exc}")
        return REFUSED
    m, step = migrator.complete(m, step)
    if step.status == "done":
        _say(f"{step.id} done: {step.verdict}")
    else:
        _say(f"{step.id} {step.status}: {step.reason}")
    return 0


def _command_step(migrator: Migrator, m: Migration, step: Step) -> int:
    from splice.features.generate.verify import VerifyStatus, verify

    settings = migrator.ws.settings
    from splice.features.generate.sandbox import Limits

    result = verify(
        migrator.ws.root,
        {},
        step.command or "",
        trusted=migrator.trusted,
        limits=Limits(timeout=settings.verify_timeout),
    )
    if result.status is VerifyStatus.PASSED:
        migrator.save_step(
            m, step.with_state(status="done", verdict=f"passed: {result.command}", attempts=step.attempts + 1)
        )
        _say(f"{step.id} done: {result.command} passed")
        return 0
    status = "failed" if result.ran else "pending"
    migrator.save_step(
        m, step.with_state(status=status, attempts=step.attempts + 1, reason=f"{result.status.value}: {result.reason}")
    )
    _say(f"{step.id} {status}: {result.command or step.command} {result.status.value} — {result.reason}")
    return REFUSED


def _finished(migrator: Migrator, m: Migration) -> int:
    pending = [s for s in m.steps if s.status not in ("done", "skipped")]
    if not pending:
        if m.state != "finished":
            migrator.store.finish(m, "finished")
        _say(f"migration {m.id} finished: {len(migrator.sites(m))} site(s) left")
        return 0
    _say(f"migration {m.id}: no step can run; " + "; ".join(f"{s.id} {s.status}: {s.reason}" for s in pending[:3]))
    return REFUSED


def _abort(args: argparse.Namespace) -> int:
    from splice.cli.approve import apply_approved
    from splice.edits.errors import EditRefused
    from splice.edits.paths import Workspace
    from splice.features.migrate.store import MigrationError

    migrator = _migrator(args, index=False)
    try:
        m, _ = migrator.open(args.id)
        proposal = migrator.abort_proposal(m)
    except MigrationError as exc:
        _say(f"splice migrate: {exc}")
        return REFUSED
    if proposal is None:
        migrator.aborted(m)
        _say(f"migration {m.id} aborted (no step had been applied; no file changes)")
        return 0
    sys.stdout.write(proposal.diff())
    if not args.apply:
        _say(f"not applied; re-run with --apply to undo migration {m.id}")
        return 0
    try:
        apply_approved(
            proposal, Workspace.of(migrator.ws.root), digest=proposal.digest(), allow_protected=args.allow_protected
        )
    except EditRefused as exc:
        _say(f"refused: {exc}")
        return REFUSED
    migrator.aborted(m)
    _say(f"migration {m.id} aborted: {len(proposal.changes)} file(s) restored")
    return 0
