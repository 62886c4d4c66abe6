"""Migrate in any LSP editor: ``splice.migrate`` (assess + plan), ``splice.migrateContinue`` (the next step(s)
through the usual review), ``splice.migrateAbort``; every remaining site published as a diagnostic (source
``splice-migrate``) with a "Migrate this site" quick fix; ``splice/migrationStatus`` after every change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from splice.edits.errors import EditRefused
from splice.features.migrate import status
from splice.features.migrate.model import Migration, Scope, Site, Step
from splice.features.migrate.service import Migrator
from splice.features.migrate.store import MigrationError
from splice.index.model import Point
from splice.llm.errors import LLMError
from splice.lsp import review
from splice.lsp.handlers.usage import notify_usage
from splice.lsp.progress import WorkProgress
from splice.lsp.protocol import Commands, Methods
from splice.lsp.server import SpliceServer

SOURCE = "splice-migrate"
_published: dict[str, set[str]] = {}
"""Migration id → the uris that carry its diagnostics (so a file whose last site went gets an empty list)."""


def migrator(ls: SpliceServer) -> Migrator:
    return Migrator(ls.require_ws(), read_file=ls.read_file, reader=review.reader_for(ls), trusted=ls.trusted)


def _diagnostic(ls: SpliceServer, m: Migration, site: Site) -> types.Diagnostic:
    lines = ls.lines_of(site.path)
    how = f"rule {site.rule} rewrites it" if site.fixable else "a model step migrates it"
    if site.rule and not site.fixable:
        how = f"found by rule {site.rule}; a model step migrates it"
    return types.Diagnostic(
        range=types.Range(
            start=lines.to_client(Point(site.line, site.col)), end=lines.to_client(Point(site.end_line, site.end_col))
        ),
        message=f"{m.target}: {site.kind} of {site.name} ({how})",
        severity=types.DiagnosticSeverity.Hint if site.fixable else types.DiagnosticSeverity.Information,
        source=SOURCE,
        code=site.rule or "residue",
        data={"migration": m.id, "path": site.path},
    )


def publish(ls: SpliceServer, m: Migration, sites: list[Site]) -> None:
    """One diagnostic per remaining site; files without sites left get an empty list (the count goes down)."""
    by_uri: dict[str, list[types.Diagnostic]] = {}
    if m.state == "active":
        for site in sites:
            by_uri.setdefault(ls.uri_for(site.path), []).append(_diagnostic(ls, m, site))
    for uri in _published.get(m.id, set()) - set(by_uri):
        by_uri[uri] = []
    for uri, diagnostics in by_uri.items():
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))
    _published[m.id] = {u for u, d in by_uri.items() if d}


def notify(ls: SpliceServer, m: Migration, sites_left: int) -> dict[str, Any]:
    st = status(m)
    payload = {
        "id": m.id,
        "target": m.target,
        "state": m.state,
        "done": st.done,
        "total": st.total,
        "sitesLeft": sites_left,
        "sitesTotal": m.sites_total,
        "current": st.current,
        "dollars": round(st.dollars, 6),
        "plan": str(ls.require_ws().root / ".splice" / "migrations" / m.id / "plan.md"),
        "steps": [_step_json(s) for s in m.steps],
    }
    ls.protocol.notify(Methods.MIGRATION_STATUS, payload)
    return payload


def _step_json(s: Step) -> dict[str, Any]:
    return {
        "id": s.id,
        "kind": s.kind,
        "title": s.title,
        "status": s.status,
        "attempts": s.attempts,
        "proposal": s.proposal,
        "dollars": round(s.dollars, 6),
        "reason": s.reason,
    }


def _refresh(ls: SpliceServer, mig: Migrator, m: Migration) -> dict[str, Any]:
    sites = mig.sites(m)
    publish(ls, m, sites)
    return notify(ls, m, len(sites))


def migrate_actions(
    ls: SpliceServer, uri: str, rng: types.Range, diagnostics: Sequence[types.Diagnostic]
) -> list[types.CodeAction]:
    """ "Migrate selection to…" on a selection, "Migrate this site" on a site's diagnostic (no model call here)."""
    actions = []
    for d in diagnostics:
        data = d.data if isinstance(d.data, dict) else {}
        if d.source == SOURCE and isinstance(data.get("migration"), str):
            arg = {"id": data["migration"], "path": data.get("path")}
            actions.append(
                types.CodeAction(
                    title="Splice: Migrate this site",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[d],
                    command=types.Command(
                        title="Migrate this site", command=Commands.MIGRATE_CONTINUE, arguments=[arg]
                    ),
                )
            )
    if rng.start != rng.end:
        arg = {"uri": uri, "range": {"start": _pos(rng.start), "end": _pos(rng.end)}}
        actions.append(
            types.CodeAction(
                title="Splice: Migrate selection to…",
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(title="Migrate selection to…", command=Commands.MIGRATE, arguments=[arg]),
            )
        )
    return actions


def _pos(p: types.Position) -> dict[str, int]:
    return {"line": p.line, "character": p.character}


def _scope(ls: SpliceServer, arg: dict[str, Any]) -> Scope:
    uri = arg.get("uri")
    if not isinstance(uri, str):
        scope = arg.get("scope")
        return Scope(scope if isinstance(scope, str) else "")
    rel = ls.rel_for(uri)
    if rel is None:
        raise MigrationError(f"{uri} is not in the workspace")
    rng = arg.get("range")
    if not isinstance(rng, dict):
        return Scope(rel)
    start = int(rng.get("start", {}).get("line", 0))
    end = rng.get("end", {})
    last = int(end.get("line", start))
    if int(end.get("character", 1)) == 0 and last > start:
        last -= 1  # a selection ending at the start of a line does not take that line
    return Scope(rel, start, last)


def _tell(ls: SpliceServer, message: str, warn: bool = False) -> None:
    kind = types.MessageType.Warning if warn else types.MessageType.Info
    ls.window_show_message(types.ShowMessageParams(type=kind, message=f"Splice: {message}"))


def _pick(m: Migration, path: str | None) -> Step | None:
    """The step to run: the next one, or (for "Migrate this site") the first open step on that file."""
    if path is None:
        return m.next_step()
    for kind in ("rule", "model"):
        for s in m.steps:
            if s.kind == kind and path in s.paths and s.status in ("pending", "proposed", "applying"):
                return s
    return None


def register(server: SpliceServer) -> None:
    @server.command(Commands.MIGRATE)
    async def migrate(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args and isinstance(args[0], dict) else {}
        target = arg.get("target")
        if not isinstance(target, str) or not target.strip():
            _tell(ls, "say what to migrate to (the target), e.g. 'requests to httpx'", warn=True)
            return {"error": "no target"}
        mig = migrator(ls)
        rules = [str(r) for r in arg.get("rules") or [] if isinstance(r, str)]
        old = tuple(str(o) for o in arg.get("old") or [] if isinstance(o, str))
        try:
            scope = _scope(ls, arg)
            planned = await ls.in_work_thread(lambda: mig.plan(target, scope, mig.resolve_packs(rules), old))
        except MigrationError as exc:
            _tell(ls, str(exc), warn=True)
            return {"error": str(exc)}
        m, found, est = planned.migration, planned.assessment, planned.estimate
        state = _refresh(ls, mig, m)
        dollars = f"${est.dollars:.4f}" if est.priced else "cost not estimated"
        _tell(
            ls,
            f"migration {m.id}: {len(found.sites)} site(s) in {len(found.files())} file(s), "
            f"{len(found.sites) - len(found.residue())} covered by rules, {len(found.residue())} for the model "
            f"(~{est.prompt_tokens} tokens, {dollars}; {est.budget}); {len(m.steps)} steps. "
            "Run Splice: Continue Migration.",
        )
        return {**state, "byRule": found.by_rule(), "residue": len(found.residue()), "budget": est.budget}

    @server.command(Commands.MIGRATE_CONTINUE)
    async def migrate_continue(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args and isinstance(args[0], dict) else {}
        mig = migrator(ls)
        limit = max(1, int(arg.get("steps") or 1))
        path = arg.get("path") if isinstance(arg.get("path"), str) else None
        outcomes: list[dict[str, Any]] = []
        try:
            m, _ = await ls.in_work_thread(mig.open, arg.get("id") if isinstance(arg.get("id"), str) else None)
            for _ in range(limit):
                step = _pick(m, path)
                if step is None:
                    break
                outcome = await _one_step(ls, mig, m, step)
                outcomes.append(outcome)
                m, _ = await ls.in_work_thread(mig.open, m.id)
                if not outcome.get("done"):
                    break
        except MigrationError as exc:
            _tell(ls, str(exc), warn=True)
            return {"error": str(exc)}
        state = await ls.in_work_thread(_refresh, ls, mig, m)
        if not outcomes:
            _tell(ls, f"migration {m.id}: {'finished' if m.state != 'active' else 'no step can run now'}")
        return {**state, "outcomes": outcomes}

    @server.command(Commands.MIGRATE_ABORT)
    async def migrate_abort(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args and isinstance(args[0], dict) else {}
        mig = migrator(ls)
        try:
            m, _ = await ls.in_work_thread(mig.open, arg.get("id") if isinstance(arg.get("id"), str) else None)
            proposal = mig.abort_proposal(m)
        except MigrationError as exc:
            _tell(ls, str(exc), warn=True)
            return {"error": str(exc)}
        if proposal is not None:
            outcome = await review.present(ls, proposal)
            if not outcome.applied:
                _tell(ls, f"migration {m.id} not aborted: {outcome.message}", warn=True)
                return {**notify(ls, m, len(mig.sites(m))), "outcome": outcome.to_json()}
        m = mig.aborted(m)
        publish(ls, m, [])
        _tell(ls, f"migration {m.id} aborted" + ("; its changes were undone" if proposal else ""))
        return notify(ls, m, 0)


async def _one_step(ls: SpliceServer, mig: Migrator, m: Migration, step: Step) -> dict[str, Any]:
    """Propose ``step``, take it through the review, and on apply run the completion check."""
    try:
        async with WorkProgress(ls, f"Splice: migrate {step.id} — {step.title[:60]}") as progress:
            prepared = await mig.prepare(m, step, progress=lambda p: progress.report(f"{p.tokens} tokens"))
    except LLMError as exc:  # prepare turns model errors into a paused step; this is the progress' own failure
        return {"step": step.id, "done": False, "message": exc.problem.message}
    notify_usage(ls)
    if prepared.proposal is None:
        if prepared.step.status == "done":
            return {"step": step.id, "done": True, "message": prepared.note}
        _tell(ls, f"{step.id} not proposed: {prepared.note}", warn=True)
        return {"step": step.id, "done": False, "message": prepared.note}
    proposal = prepared.proposal
    if prepared.test_changes:
        answer = await review.ask(
            ls,
            types.MessageType.Warning,
            f"Splice: this migration step weakens tests ({'; '.join(prepared.test_changes)}). Review it anyway?",
            ["Review it", "Leave it pending"],
        )
        if answer != "Review it":
            return {"step": step.id, "done": False, "message": "left pending: it weakens tests"}
    m = await ls.in_work_thread(mig.mark_applying, prepared.migration, prepared.step)
    step = m.step(step.id) or step
    try:
        outcome = await review.present(ls, proposal)
    except EditRefused as exc:
        outcome = review.Outcome(proposal.id, False, "pending", str(exc))
    if outcome.applied:
        applied = review.store_of(ls).get(proposal.id)
        texts = {f.new_path or f.path: f.after for f in (applied.applied if applied else ())}
        m, step = await ls.in_index_thread(mig.complete, m, step, texts)
        message = f"{step.id} done" if step.status == "done" else f"{step.id} {step.status}: {step.reason}"
        return {"step": step.id, "done": step.status == "done", "proposal": proposal.id, "message": message}
    if outcome.status == "rejected":
        await ls.in_work_thread(mig.reject, m, step, "discarded in review")
    else:  # waiting for the inline review, or no decision: the step stays proposed until it is applied
        await ls.in_work_thread(mig.save_step, m, step.with_state(status="proposed"))
    return {"step": step.id, "done": False, "proposal": proposal.id, "message": outcome.message}
