"""The store as the indexer sees it: opened in the background on first use, written in batches, and never a
reason for indexing to fail — an unavailable store becomes a message and the graph keeps working."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from splice.config import Settings
from splice.index.graph import Graph
from splice.index.resolve import Resolver
from splice.index.store import FileWrite, Store, StoredFile, StoreError, default_uri

log = logging.getLogger("splice.index")

BATCH = 150
"""Files per store commit."""
_STORE_OPEN_TIMEOUT = 120.0


class LazyStore:
    """The store, opened in the background on first use; failures become a message, never an exception."""

    def __init__(self, workspace: Path, settings: Settings) -> None:
        self.workspace = workspace
        self.settings = settings
        self.messages: list[str] = []
        self._thread: threading.Thread | None = None
        self._store: Store | None = None
        self._error: str | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None and self._store is None and self._error is None:
                self._thread = threading.Thread(target=self._open, name="splice-store-open", daemon=True)
                self._thread.start()

    def _open(self) -> None:
        try:
            store = Store(self.workspace, self.settings)
        except Exception as exc:  # a LanceDB failure must not take indexing down: the graph works without it
            self._error = str(exc) if isinstance(exc, StoreError | OSError) else f"{type(exc).__name__}: {exc}"
            self.messages.append(f"index not persisted: {self._error}")
            log.warning("index not persisted: %s", self._error, exc_info=not isinstance(exc, StoreError))
            return
        self.messages.extend(store.messages)
        self._store = store

    def peek(self) -> Store | None:
        """The store if it is open already; never waits (request handlers should use this)."""
        return self._store

    def get(self) -> Store | None:
        """The store, opening it if needed and waiting for that (seconds: lancedb's import); None if it failed."""
        self.start()
        thread = self._thread
        if thread is not None:
            thread.join(_STORE_OPEN_TIMEOUT)
            if thread.is_alive() and self._store is None:  # a remote URI that hangs must not hang indexing
                message = f"index store still opening after {_STORE_OPEN_TIMEOUT:.0f}s; continuing without it"
                if message not in self.messages:
                    self.messages.append(message)
                    log.warning(message)
        return self._store

    def exists(self) -> bool:
        uri = default_uri(self.workspace, self.settings)
        return "://" in uri or (Path(uri) / "files.lance").exists()

    def load(self) -> dict[str, StoredFile]:
        store = self.get()
        return store.load_files() if store is not None else {}

    def save(
        self, graph: Graph, resolver: Resolver, unsaved: Iterable[str], deleted: Iterable[str], *, bulk: bool
    ) -> bool:
        """Write pending files in batches, in the order given, then drop ``deleted``; False when the write failed
        (the caller keeps them pending). A kill between two commits must leave rows the next run repairs: callers
        put files whose own text changed after the files re-resolved because of them (see ``Indexer._flush_store``)."""
        store = self.get()
        if store is None or store.read_only:
            return True  # nowhere to write; the reason is in ``messages``
        try:
            batch: list[FileWrite] = []
            for path in unsaved:
                with graph.lock:
                    record = graph.files.get(path)
                    fx = graph.extracts.get(path)
                    if record is None or fx is None:
                        continue
                    batch.append(FileWrite(record, fx, graph.edges_in_file(path), resolver.deps_of(path)))
                if len(batch) >= BATCH:
                    store.write(batch)
                    batch = []
            store.write(batch)
            # Deleted files go last: while their rows exist, the next run sees them vanish and re-resolves every
            # file. Deleted first, a kill before the rewrites left files with edges into them that no run repaired.
            store.delete(deleted)
            if bulk:
                store.optimize()
        except Exception as exc:
            log.warning("writing the index failed: %s", exc, exc_info=not isinstance(exc, StoreError))
            self.messages.append(f"writing the index failed: {exc}")
            return False
        return True

    def describe(self) -> str:
        if self._error:
            return f"not persisted ({self._error})"
        if self._store is None:
            return "not opened"
        return f"{self._store.uri}{' (read-only)' if self._store.read_only else ''}"

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
