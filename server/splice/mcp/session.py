"""The state behind one ``splice mcp`` process: the workspace (the same ``SpliceWorkspace`` the language server and
the CLI use), its indexing run in the background, and the one redactor every tool result passes through."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from splice.config import LoadedSettings
from splice.features.navigate import Navigator
from splice.features.workspace import SpliceWorkspace
from splice.index.walker import walk

log = logging.getLogger(__name__)

REFRESH_SECONDS = 1.0
WALK_SECONDS = 10.0
"""New files: the workspace is walked again (in the background) at most this often, when tools are being called."""


@dataclass(frozen=True)
class IndexState:
    state: str
    """``indexing``, ``ready`` or ``error``."""
    done: int = 0
    total: int = 0
    message: str = ""

    def note(self) -> str | None:
        """What a tool result must say when the index is not complete."""
        if self.state == "ready":
            return None
        if self.state == "indexing":
            where = f" ({self.done}/{self.total} files)" if self.total else ""
            return (
                f"note: the index is still being built{where}; results cover the files indexed so far and "
                "cross-file links appear once it is done"
            )
        return f"note: indexing failed ({self.message}); results may be incomplete"


class SpliceSession:
    def __init__(self, root: Path, loaded: LoadedSettings, *, headless_apply: bool = False) -> None:
        self.ws = SpliceWorkspace(root, loaded.settings)
        self.problems = tuple(loaded.problems)
        self.headless_apply = headless_apply
        """``--allow-headless-apply``: the user's own opt-in on the command line (never a workspace setting)."""
        # The gateway's redaction engine, one redactor for the whole session: the same secret always gets the same
        # placeholder, and a placeholder an agent copies into an edit is restored before the edit is validated.
        self.redactor = self.ws.gateway().redactor()
        self._state = IndexState("indexing")
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._refreshing = threading.Lock()
        self._refreshed = 0.0
        self._walked = 0.0
        self._walking = threading.Lock()
        self._seen: dict[str, tuple[float, int]] = {}
        """(mtime, size) of files re-read since the initial index (whose records hold the walk's values)."""

    @property
    def root(self) -> Path:
        return self.ws.root

    @property
    def index(self) -> IndexState:
        return self._state

    def start(self) -> None:
        """Index in the background; tools answer from the graph as it fills."""
        self._thread = threading.Thread(target=self._index, name="splice-mcp-index", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self._state.state == "ready"

    def _index(self) -> None:
        def progress(done: int, total: int, path: str) -> None:
            self._state = IndexState("indexing", done, total)

        try:
            summary = self.ws.indexer.index_all(progress, self._cancel)
        except Exception as exc:
            log.exception("indexing failed")
            self._state = IndexState("error", message=str(exc))
            return
        if self._cancel.is_set():
            return
        self._state = IndexState("ready", summary.files, summary.files, summary.describe())
        try:
            self.ws.start_embeddings()
            self.ws.context_engine().warm()
        except Exception:
            log.exception("warming the context engine failed")

    def refresh(self) -> None:
        """Re-index files changed or deleted on disk since they were read: agents edit files directly and this
        server has no watcher. At most once a second, and never two at once; a stat per indexed file. New files
        are found by a walk in the background (``WALK_SECONDS``): a call right after creating one may miss it."""
        if self._state.state != "ready" or time.monotonic() - self._refreshed < REFRESH_SECONDS:
            return
        if not self._refreshing.acquire(blocking=False):
            return
        try:
            with self.ws.graph.lock:
                records = [(r.path, r.mtime, r.size) for r in self.ws.graph.files.values()]
            for path, mtime, size in records:
                try:
                    st = os.stat(self.ws.root / path)
                    now: tuple[float, int] | None = (st.st_mtime, st.st_size)
                except OSError:
                    now = None
                if now != self._seen.get(path, (mtime, size)):
                    self.ws.indexer.update_from_disk(path)
                    if now is not None:
                        self._seen[path] = now
            self._refreshed = time.monotonic()
        finally:
            self._refreshing.release()
        if time.monotonic() - self._walked >= WALK_SECONDS and self._walking.acquire(blocking=False):
            self._walked = time.monotonic()
            threading.Thread(target=self._index_new_files, name="splice-mcp-walk", daemon=True).start()

    def _index_new_files(self) -> None:
        try:
            indexer = self.ws.indexer
            found = walk(self.ws.root, self.ws.settings, indexer.rules)
            with self.ws.graph.lock:
                new = [f.path for f in found.files if f.path not in self.ws.graph.files]
            for path in new:
                indexer.update_from_disk(path)
        except Exception:
            log.exception("looking for new files failed")
        finally:
            self._walking.release()

    def navigator(self) -> Navigator:
        return Navigator(self.ws)

    def redact(self, text: str) -> str:
        with self._lock:  # tools run on worker threads; the redactor's tables are plain dicts
            return self.redactor.redact(text)

    def restore(self, text: str) -> str:
        with self._lock:
            return self.redactor.restore(text)

    def close(self) -> None:
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(10)
        self.ws.close()
