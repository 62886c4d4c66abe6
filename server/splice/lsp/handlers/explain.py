"""Explain error: code actions on any diagnostic (offered instantly, no model) and ``splice.explainError`` for a
diagnostic or a stack trace (selection, clipboard or file), which runs the model with cancellable progress, shows
the explanation document and sends the fix through the review flow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from splice.features.explain.model import ParseError
from splice.features.explain.service import ExplainError, Prepared
from splice.llm.errors import LLMError
from splice.llm.model import Progress
from splice.lsp import review
from splice.lsp.handlers.usage import notify_usage
from splice.lsp.progress import WorkProgress
from splice.lsp.protocol import Commands
from splice.lsp.server import SpliceServer

FIXABLE = {types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning, None}


def diagnostic_actions(uri: str, diagnostics: Sequence[types.Diagnostic]) -> list[types.CodeAction]:
    """Two cheap actions per diagnostic; the model runs only when one is executed."""
    actions: list[types.CodeAction] = []
    for diag in diagnostics:
        arg = {"uri": uri, "diagnostic": _diag_json(diag)}
        short = diag.message.splitlines()[0][:60] if diag.message else "this problem"
        actions.append(
            types.CodeAction(
                title=f"Splice: Explain “{short}”",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                command=types.Command(title="Splice: Explain", command=Commands.EXPLAIN_ERROR, arguments=[arg]),
            )
        )
        if diag.severity in FIXABLE:
            actions.append(
                types.CodeAction(
                    title=f"Splice: Fix “{short}”",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    command=types.Command(
                        title="Splice: Fix", command=Commands.EXPLAIN_ERROR, arguments=[{**arg, "fix": True}]
                    ),
                )
            )
    return actions


def _diag_json(diag: types.Diagnostic) -> dict[str, Any]:
    related = [
        f"{r.location.uri}:{r.location.range.start.line + 1}: {r.message}" for r in diag.related_information or ()
    ]
    return {
        "range": {
            "start": {"line": diag.range.start.line, "character": diag.range.start.character},
            "end": {"line": diag.range.end.line, "character": diag.range.end.character},
        },
        "message": diag.message,
        "source": diag.source,
        "code": str(diag.code) if diag.code is not None else None,
        "related": related,
    }


def _prepare(ls: SpliceServer, service: ExplainError, arg: dict[str, Any]) -> Prepared | ParseError | str:
    text = arg.get("text")
    if isinstance(text, str):
        return service.prepare_trace(text)
    uri, diag = arg.get("uri"), arg.get("diagnostic")
    if not isinstance(uri, str) or not isinstance(diag, dict):
        return "splice.explainError needs {text} (a stack trace) or {uri, diagnostic}"
    rel = ls.rel_for(uri)
    if rel is None:
        return f"{uri} is outside the workspace"
    lines = ls.lines_of(rel)
    rng = diag.get("range") or {}
    start = rng.get("start") or {}
    end = rng.get("end") or start
    # an out-of-range diagnostic range is clamped to the document, never an error
    s = lines.from_client(types.Position(line=int(start.get("line", 0)), character=int(start.get("character", 0))))
    e = lines.from_client(types.Position(line=int(end.get("line", 0)), character=int(end.get("character", 0))))
    doc = ls.workspace.text_documents.get(uri)
    return service.prepare_diagnostic(
        rel,
        s.line,
        s.col,
        e.line,
        str(diag.get("message") or ""),
        source=diag.get("source"),
        code=diag.get("code"),
        buffer_text=str(doc.source) if doc is not None else None,
        related=tuple(str(r) for r in diag.get("related") or ()),
    )


def register(server: SpliceServer) -> None:
    @server.command(Commands.EXPLAIN_ERROR)
    async def explain_error(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args and isinstance(args[0], dict) else {}
        ws = ls.require_ws()
        service = ExplainError(ws, ws.gateway(), read_file=ls.read_file)
        prepared = await ls.in_work_thread(_prepare, ls, service, arg)
        if isinstance(prepared, str | ParseError):
            message = prepared if isinstance(prepared, str) else prepared.message
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=f"Splice: {message}")
            )
            return {"error": message}
        fix = bool(arg.get("fix"))
        try:
            async with WorkProgress(ls, "Splice: explaining the error") as progress:
                progress.report(f"{len(prepared.items)} context items; asking the model")

                def on_progress(p: Progress) -> None:
                    progress.report(p.describe())

                explanation = await service.run(prepared, fix=fix, reader=review.reader_for(ls), progress=on_progress)
        except LLMError as exc:
            notify_usage(ls)
            message = f"{exc.problem.message} — {exc.problem.fix}" if exc.problem.fix else exc.problem.message
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"Splice: {message}"))
            return {"error": message}
        notify_usage(ls)
        out: dict[str, Any] = {
            "document": explanation.document.as_uri(),
            "signature": prepared.signature,
            "cost": explanation.cost,
            "cached": explanation.cached,
            "fixNote": explanation.fix_note,
        }
        window = ls.client_capabilities.window
        if window is not None and window.show_document and window.show_document.support:
            await ls.window_show_document_async(
                types.ShowDocumentParams(uri=explanation.document.as_uri(), take_focus=True)
            )
        if explanation.proposal is not None:
            out["proposal"] = (await review.present(ls, explanation.proposal)).to_json()
        elif fix and explanation.fix_note:
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Info, message=f"Splice: {explanation.fix_note}")
            )
        return out
