"""initialize / initialized / configuration / shutdown, and the initial indexing run with work-done progress."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from splice.lsp.handlers import agent_proposals
from splice.lsp.server import SpliceServer

log = logging.getLogger(__name__)


def _root_of(params: types.InitializeParams) -> Path | None:
    uri = None
    if params.workspace_folders:
        uri = params.workspace_folders[0].uri
    elif params.root_uri:
        uri = params.root_uri
    elif params.root_path:
        return Path(params.root_path)
    path = to_fs_path(uri) if uri else None
    return Path(path) if path else None


def _editor_settings(options: Any) -> tuple[dict[str, Any], bool | None]:
    """initializationOptions: the ``splice`` settings object plus ``workspaceTrusted`` (VS Code's Workspace Trust;
    any client may send it from the user's own configuration). Absent: None — the user's trust list decides."""
    if not isinstance(options, dict):
        return {}, None
    opts = dict(options)
    trusted = opts.pop("workspaceTrusted", None)
    inner = opts.get("splice")
    settings = inner if isinstance(inner, dict) else opts
    return settings, trusted if isinstance(trusted, bool) else None


def register(server: SpliceServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: SpliceServer, params: types.InitializeParams) -> None:
        root = _root_of(params)
        settings, ls.client_trust = _editor_settings(params.initialization_options)
        if root is None:
            log.warning("no workspace folder: Splice features need a folder")
            return
        for problem in ls.open_workspace(root, settings):
            log.warning("settings: %s", problem)
        for notice in ls.loaded.notices if ls.loaded is not None else []:
            log.warning("trust: %s", notice)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: SpliceServer, params: types.InitializedParams) -> None:
        if ls.loaded is not None:
            for problem in ls.loaded.problems:
                ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=problem))
            for notice in ls.loaded.notices:
                ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=notice))
        if ls.ws is None:
            ls.notify_index_status("error", message="No workspace folder open")
            return
        watchers = ls.spawn(_register_watchers(ls))
        # Editors answer at once; one that does not must not hold indexing up for more than a moment (the request
        # itself times out in SpliceProtocol and is logged).
        await asyncio.wait({watchers}, timeout=2.0)
        ls.spawn(run_index(ls))
        ls.spawn(agent_proposals.watch(ls))  # proposals from `splice mcp` come to this editor's review
        if ls.ws.settings.model:  # load litellm (~4 s) in the background, before the first request needs it
            ls.spawn(ls.ws.gateway().warm_up())

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: SpliceServer, params: types.DidChangeConfigurationParams) -> None:
        if ls.ws is None or not params.settings:
            # Neovim sends an empty settings object right after initialize: it means "nothing new", not "reset".
            return
        settings, trusted = _editor_settings(params.settings)
        if trusted is not None:  # a configuration change without the flag keeps the trust decided before
            ls.client_trust = trusted
        before = ls.ws.settings
        notices_before = list(ls.loaded.notices) if ls.loaded is not None else []
        for problem in ls.open_workspace_settings(settings):
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=problem))
        for notice in ls.loaded.notices if ls.loaded is not None else []:
            if notice not in notices_before:
                ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=notice))
        after = ls.ws.settings
        if (before.exclude, before.max_file_size, before.index_uri) != (
            after.exclude,
            after.max_file_size,
            after.index_uri,
        ):
            ls.spawn(run_index(ls))

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: SpliceServer, params: None) -> None:
        ls.index_cancel.set()
        if ls.ws is not None:  # flush pending index writes and release the writer lock
            await ls.in_index_thread(ls.ws.close)
        ls.index_executor.shutdown(wait=False, cancel_futures=True)

    @server.feature(types.EXIT)
    def exit_(ls: SpliceServer, params: None) -> None:
        # pygls closes the output right after this: nothing may be sent from now on (background work still
        # reporting progress would otherwise fail, and pygls reports a failed send by sending again, endlessly).
        ls.closing = True
        ls.index_cancel.set()


async def _register_watchers(ls: SpliceServer) -> None:
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[types.FileSystemWatcher(glob_pattern="**/*")])
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=str(uuid.uuid4()),
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=options,
                    )
                ]
            )
        )
    except Exception:  # a client that refuses still gets didSave/didOpen updates
        log.info("client did not accept file watchers; relying on document events", exc_info=True)


def _supports_progress(ls: SpliceServer) -> bool:
    window = ls.client_capabilities.window
    return bool(window and window.work_done_progress)


async def run_index(ls: SpliceServer) -> None:
    """Index the whole workspace off the request thread pool, reporting cancellable work-done progress."""
    ws = ls.require_ws()
    ls.index_cancel.set()  # stop a previous run, if any
    cancel = threading.Event()
    ls.index_cancel = cancel
    ls.index_ready.clear()
    loop = asyncio.get_running_loop()
    token = str(uuid.uuid4())
    progress = _supports_progress(ls)
    if progress:
        try:
            await ls.work_done_progress.create_async(token)
        except Exception:
            progress = False
    if progress:
        ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title="Splice: indexing", cancellable=True, percentage=0)
        )
        future = ls.work_done_progress.tokens.get(token)
        if future is not None:
            future.add_done_callback(lambda f: cancel.set() if f.cancelled() else None)
    ls.notify_index_status("indexing")
    last = 0.0

    def report(done: int, total: int, path: str) -> None:
        pct = int(done * 100 / total) if total else 0
        if progress:
            ls.work_done_progress.report(
                token, types.WorkDoneProgressReport(message=f"{done}/{total} {path}", percentage=pct)
            )
        ls.notify_index_status("indexing", done, total, path)

    def on_progress(done: int, total: int, path: str) -> None:  # called on the index thread
        nonlocal last
        now = time.monotonic()
        if now - last >= 0.1 or done == total:
            last = now
            loop.call_soon_threadsafe(report, done, total, path)

    try:
        summary = await ls.in_index_thread(ws.indexer.index_all, on_progress, cancel)
    except Exception as exc:
        log.exception("indexing failed")
        if progress:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=f"failed: {exc}"))
        ls.notify_index_status("error", message=f"Indexing failed: {exc}")
        return
    message = summary.describe()
    if cancel.is_set():
        message = f"cancelled — the index is partial; run “Splice: Reindex”. {message}"
    if progress:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
    ls.notify_index_status("ready", summary.files, summary.files, message)
    ls.index_ready.set()
    ws.start_embeddings()
    try:
        # The first context request would otherwise build the context engine's caches (zod: ~0.3 s).
        await ls.in_work_thread(lambda: ws.context_engine(read_file=ls.read_file).warm())
    except Exception:
        log.exception("warming the context engine failed")
    ls.settle_memory()
