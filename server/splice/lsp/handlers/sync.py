"""Document and file events → debounced incremental re-indexing (unsaved buffer text wins over disk)."""

from __future__ import annotations

from lsprotocol import types

from splice.lsp.handlers.lifecycle import run_index
from splice.lsp.server import SpliceServer

IGNORE_FILES = {".gitignore", ".spliceignore"}


def register(server: SpliceServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SpliceServer, params: types.DidOpenTextDocumentParams) -> None:
        rel = ls.rel_for(params.text_document.uri)
        if rel is not None:
            ls.schedule_update(rel, params.text_document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SpliceServer, params: types.DidChangeTextDocumentParams) -> None:
        rel = ls.rel_for(params.text_document.uri)
        if rel is None:
            return
        doc = ls.workspace.text_documents.get(params.text_document.uri)
        if doc is not None:
            ls.schedule_update(rel, doc.source)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SpliceServer, params: types.DidSaveTextDocumentParams) -> None:
        rel = ls.rel_for(params.text_document.uri)
        if rel is not None:
            doc = ls.workspace.text_documents.get(params.text_document.uri)
            ls.schedule_update(rel, doc.source if doc is not None else None)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SpliceServer, params: types.DidCloseTextDocumentParams) -> None:
        # Unsaved changes were discarded with the buffer: the file on disk is the truth again.
        rel = ls.rel_for(params.text_document.uri)
        if rel is not None:
            ls.schedule_update(rel, None)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: SpliceServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            rel = ls.rel_for(change.uri)
            if rel is None or rel.startswith(".splice/") or rel.startswith(".git/"):
                continue
            if rel.rsplit("/", 1)[-1] in IGNORE_FILES and ls.ws is not None:
                # what is excluded changed: rebuild the rules, then re-walk (unchanged files are reused)
                ls.ws.update_settings(ls.ws.settings)
                ls.spawn(run_index(ls))
                return
            if change.uri in ls.workspace.text_documents and change.type != types.FileChangeType.Deleted:
                continue  # the open buffer is what we index
            ls.schedule_update(rel, None)
