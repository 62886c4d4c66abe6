"""The Splice language server object: pygls server + the open workspace + the executor that keeps long work off
pygls's thread pool (which also reads stdin — a busy pool would stall every request, cancellation included)."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from splice import __version__
from splice.config import LoadedSettings, load_settings
from splice.edits.journal import recover as recover_apply
from splice.features.collector import Collector
from splice.features.generate.sandbox import Sandbox
from splice.features.workspace import SpliceWorkspace
from splice.lsp.convert import Lines
from splice.lsp.protocol import Methods
from splice.lsp.rpc import SpliceProtocol
from splice.lsp.stream import read_frames

log = logging.getLogger(__name__)
T = TypeVar("T")

DEBOUNCE_SECONDS = 0.15
EMBED_DEBOUNCE_SECONDS = 2.0


class SpliceServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("splice", __version__, protocol_cls=SpliceProtocol, max_workers=8)
        self.ws: SpliceWorkspace | None = None
        self._sandbox: Sandbox | None = None
        self.loaded: LoadedSettings | None = None
        self.editor_settings: dict[str, Any] = {}
        self.client_trust: bool | None = None
        """The editor's trust verdict (VS Code Workspace Trust); None: the user's trust list decides."""
        self.index_state = "starting"
        self.index_ready = asyncio.Event()
        # One writer thread: initial indexing and incremental updates are serialised here.
        self.index_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="splice-index")
        # Request-time work that is CPU-bound but short (context assembly, parsing a proposal).
        self.work_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="splice-work")
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._embed_timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.index_cancel = threading.Event()
        self.closing = False
        """``exit`` arrived: the output is closed, nothing may be sent any more."""
        self.collector = Collector()
        self._collecting = False
        if isinstance(self.protocol, SpliceProtocol):
            self.protocol.on_message = self.collector.touch

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """stdio with Splice's reader (``lsp/stream.py``): bounded frames, resynchronisation, its own thread."""
        stop = self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        fd = (stdin or sys.stdin.buffer).fileno()
        protocol = self.protocol
        assert isinstance(protocol, SpliceProtocol)

        async def main() -> None:
            protocol.loop = asyncio.get_running_loop()
            await read_frames(fd, protocol.receive, stop)

        try:
            asyncio.run(main())
        except BrokenPipeError:
            log.error("the connection to the editor is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    # -- workspace ---------------------------------------------------------------------------------------------

    def open_workspace(self, root: Path, editor: dict[str, Any]) -> list[str]:
        self.editor_settings = editor
        self.loaded = load_settings(root, editor=editor, trusted=self.client_trust)
        self.ws = SpliceWorkspace(root, self.loaded.settings)
        recovered = recover_apply(root)  # a `splice edit --apply` killed mid-way: completed or rolled back
        if recovered is not None:
            log.warning("%s", recovered.describe())
        return self.loaded.problems

    def open_workspace_settings(self, editor: dict[str, Any]) -> list[str]:
        """Re-read settings after the editor changed them; the graph and index stay."""
        ws = self.require_ws()
        self.editor_settings = editor
        self.loaded = load_settings(ws.root, editor=editor, trusted=self.client_trust)
        ws.update_settings(self.loaded.settings)
        return self.loaded.problems

    @property
    def trusted(self) -> bool:
        """One rule (``splice.trust``): the editor's verdict when it sent one, else the user's trust list."""
        return self.loaded.trusted if self.loaded is not None else bool(self.client_trust)

    def sandbox(self) -> Sandbox:
        """One sandbox per server: its availability probe runs once."""
        if self._sandbox is None:
            from splice.features.generate.sandbox import Sandbox

            self._sandbox = Sandbox(forbidden_roots=(self.require_ws().root,))
        return self._sandbox

    def require_ws(self) -> SpliceWorkspace:
        if self.ws is None:
            raise RuntimeError("the server has not been initialized with a workspace folder")
        return self.ws

    def rel_for(self, uri: str) -> str | None:
        if self.ws is None:
            return None
        path = to_fs_path(uri)
        return None if path is None else self.ws.relpath(path)

    def uri_for(self, rel: str) -> str:
        uri = from_fs_path(str(self.require_ws().abspath(rel)))
        assert uri is not None
        return str(uri)

    @property
    def encoding(self) -> str:
        caps = self.protocol.server_capabilities
        enc = caps.position_encoding if caps is not None else None
        if enc is None:
            return types.PositionEncodingKind.Utf16.value
        return enc.value if isinstance(enc, types.PositionEncodingKind) else str(enc)

    def text_of(self, rel: str) -> str | None:
        """Current text: the open buffer if any (unsaved text wins), else the file on disk."""
        doc = self.workspace.text_documents.get(self.uri_for(rel))
        if doc is not None:
            return str(doc.source)
        try:
            return self.require_ws().abspath(rel).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None

    def lines_of(self, rel: str) -> Lines:
        return Lines(self.text_of(rel) or "", self.encoding)

    # -- background work ---------------------------------------------------------------------------------------

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run a coroutine in the background, keeping a reference and logging its failure."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("background task failed", exc_info=t.exception())

        task.add_done_callback(done)
        return task

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls shows out-of-band errors in a message — which, for a failed send, fails again and recurses until
        the stack runs out. Once the output is gone (or sending is what failed), the log is the only place."""
        if self.closing or (source is JsonRpcInternalError and isinstance(error, OSError | ValueError)):
            log.error("not reported to the editor (%s): %s", getattr(source, "__name__", source), error)
            return
        super().report_server_error(error, source)

    def settle_memory(self) -> None:
        """The initial index is built: freeze it and run full collections only while the editor is quiet."""
        self.collector.settle()
        if not self._collecting:  # a reindex settles again; one idle loop is enough
            self._collecting = True
            self.spawn(self._collect_when_idle())

    async def _collect_when_idle(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.collector.idle()

    async def in_index_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.index_executor, fn, *args)

    async def in_work_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.work_executor, fn, *args)

    def read_file(self, rel: str) -> bytes | None:
        """Bytes of a workspace file, the open buffer first (for layers that read files)."""
        doc = self.workspace.text_documents.get(self.uri_for(rel))
        if doc is not None:
            return str(doc.source).encode("utf-8", errors="surrogatepass")
        try:
            return self.require_ws().abspath(rel).read_bytes()
        except OSError:
            return None

    def schedule_update(self, rel: str, text: str | None) -> None:
        """Debounced re-index of one file; ``text`` None means read it from disk, a missing file is removed."""
        loop = asyncio.get_running_loop()
        if (handle := self._pending.pop(rel, None)) is not None:
            handle.cancel()

        def fire() -> None:
            self._pending.pop(rel, None)
            self.spawn(self._apply_update(rel, text))

        self._pending[rel] = loop.call_later(DEBOUNCE_SECONDS, fire)

    async def _apply_update(self, rel: str, text: str | None) -> None:
        indexer = self.require_ws().indexer
        if text is not None:
            await self.in_index_thread(indexer.update_text, rel, text.encode("utf-8", errors="surrogatepass"))
        else:
            await self.in_index_thread(indexer.update_from_disk, rel)
        self._refresh_embeddings_later()

    def _refresh_embeddings_later(self) -> None:
        """Vectors for what the edits changed, once typing pauses (each run re-reads the graph)."""
        if self.ws is None or self.ws.embeddings is None:
            return
        if self._embed_timer is not None:
            self._embed_timer.cancel()
        embeddings = self.ws.embeddings
        self._embed_timer = asyncio.get_running_loop().call_later(EMBED_DEBOUNCE_SECONDS, embeddings.start)

    def notify_index_status(self, state: str, done: int = 0, total: int = 0, message: str = "") -> None:
        self.index_state = state
        if self.closing:
            return
        self.protocol.notify(Methods.INDEX_STATUS, {"state": state, "done": done, "total": total, "message": message})
