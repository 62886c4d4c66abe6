"""``textDocument/codeAction``: every Splice action is offered from cheap, local facts (no model call); the work
happens when the user picks one (its command runs with progress and cancellation)."""

from __future__ import annotations

from lsprotocol import types

from splice.lsp.handlers.explain import diagnostic_actions
from splice.lsp.handlers.generate import generate_actions
from splice.lsp.handlers.migrate import migrate_actions
from splice.lsp.server import SpliceServer


def register(server: SpliceServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.Refactor,
                types.CodeActionKind.RefactorRewrite,
                types.CodeActionKind.Source,
            ]
        ),
    )
    def code_actions(ls: SpliceServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        if ls.ws is None or ls.rel_for(params.text_document.uri) is None:
            return []
        uri = params.text_document.uri
        diagnostics = params.context.diagnostics
        return (
            generate_actions(ls, uri, params.range)
            + migrate_actions(ls, uri, params.range, diagnostics)
            + diagnostic_actions(uri, [d for d in diagnostics if d.source != "splice-migrate"])
        )
