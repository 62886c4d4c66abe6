"""The incremental indexer: walk → read → extract → graph → resolve, then persist to the store in the background.

One Indexer per workspace. ``index_all`` builds (cold) or refreshes (warm: unchanged hashes reuse stored rows) the
graph; ``update_text``/``update_from_disk``/``remove``/``rename`` keep it live. The changed file is re-parsed and
re-resolved at once; files whose edges went through it (its dependants) are re-resolved lazily, by the background
worker or by ``settle()``. Persistence never blocks the graph: a writer thread batches store writes. If the store
cannot be opened (read-only folder, another writer, broken URI) the graph still works and the summary says why.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from splice.config import Settings
from splice.index import codec, extract_incr
from splice.index.extract import extract, supported
from splice.index.extract_incr import BufferState
from splice.index.graph import Graph
from splice.index.languages import language_for_path
from splice.index.model import EdgeKind, FileExtract, FileRecord
from splice.index.persist import LazyStore
from splice.index.resolve import Resolver, respan
from splice.index.walker import FAILURES, IgnoreRules, Skip, SkipReason, SourceFile, content_skip, file_entry, walk

log = logging.getLogger("splice.index")

Progress = Callable[[int, int, str], None]
_FLUSH_INTERVAL = 2.0
"""Seconds between background store commits while editing."""
_RESOLVE_CHUNK = 8
"""Files resolved per graph-lock acquisition, so requests interleave with a long resolution."""


@dataclass(frozen=True, slots=True)
class IndexSummary:
    files: int
    symbols: int
    edges: int
    resolved: int
    skipped: tuple[Skip, ...]
    seconds_graph: float
    """Until the graph was usable (parse + resolve)."""
    seconds_total: float
    """Including persistence."""
    reparsed: int = 0
    reused: int = 0
    """Files whose stored rows were reused because their hash was unchanged (warm start)."""
    removed: int = 0
    syntax_errors: int = 0
    """Files indexed through tree-sitter's error recovery."""
    cancelled: bool = False
    store: str = ""
    """Where the index is persisted, or why it is not."""
    messages: tuple[str, ...] = ()

    @property
    def resolved_pct(self) -> float:
        return 100.0 * self.resolved / self.edges if self.edges else 0.0

    @property
    def failed(self) -> tuple[Skip, ...]:
        """Files Splice could not extract or resolve (its failures, not the workspace's exclusions)."""
        return tuple(s for s in self.skipped if s.reason in FAILURES)

    def describe(self) -> str:
        text = (
            f"{self.files} files, {self.symbols} symbols, {self.edges} edges ({self.resolved_pct:.0f}% resolved), "
            f"{len(self.skipped)} skipped, {self.seconds_total:.1f}s"
        )
        failed = self.failed
        if failed:
            shown = ", ".join(f"{s.path} ({s.reason.value}: {s.detail})" for s in failed[:3])
            more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
            text += f"; {len(failed)} file(s) left out by an error: {shown}{more}"
        return text


@dataclass(slots=True)
class _Loaded:
    record: FileRecord
    extract: FileExtract


def interface(fx: FileExtract) -> tuple[object, ...]:
    """What other files' resolution can see of a file: its definitions, imports, typed attributes and bases."""
    modscope = fx.symbols[0].id if fx.symbols else ""
    return (
        sorted((s.id, s.kind) for s in fx.symbols),
        [(i.module, i.names, i.alias, i.level, i.scope) for i in fx.imports],
        [a for a in fx.assignments if a.scope == modscope or a.target[:1] in (("self",), ("this",), ("cls",))],
        [(r.name, r.receiver, r.scope) for r in fx.references if r.kind is EdgeKind.INHERITS],
    )


POOL_MIN_FILES = 200
"""New files from which a run extracts in worker processes (below it, starting them costs more than it saves)."""


def _workers() -> int:
    """Cores this process may use (the affinity mask where the platform has one), at most 4."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return min(cores, 4)


def _extract_encoded(job: tuple[str, str, bytes]) -> tuple[str, bytes, str]:
    """In a worker: the file's extract, encoded compactly (``codec``) — cheaper to ship back than a pickle."""
    path, lang, data = job
    try:
        return path, codec.encode(extract(path, lang, data), []), ""
    except Exception as exc:  # reported per file by the parent
        return path, b"", f"{type(exc).__name__}: {exc}"


def _extract_failed(path: str, exc: Exception) -> Skip:
    log.warning("extracting %s failed; it is left out of the index", path, exc_info=exc)
    return Skip(path, SkipReason.EXTRACT_FAILED, f"{type(exc).__name__}: {exc}"[:300])


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Indexer:
    """Keeps one workspace's graph current and persisted; every public method is safe to call from any thread."""

    def __init__(
        self,
        workspace: Path,
        settings: Settings,
        graph: Graph | None = None,
        *,
        persist: bool = True,
        background: bool = True,
    ) -> None:
        """``persist=False`` keeps the index in memory only; ``background=False`` leaves dependants and store
        writes to explicit ``settle()`` calls (tests, benchmarks)."""
        self.workspace = workspace.resolve()
        self._settings = settings
        self.graph = graph if graph is not None else Graph()
        self.rules = IgnoreRules(self.workspace, settings)
        self.resolver = Resolver(self.graph, self.workspace)
        self.persist = persist
        self.store = None if not persist else LazyStore(self.workspace, settings)
        self._lock = threading.RLock()
        self._overlays: dict[str, bytes] = {}
        self._buffers: dict[str, BufferState] = {}
        """Tree, text and extract of each open buffer: its next didChange re-parses and re-extracts only the
        statements the edit touched (``extract_incr``)."""
        self._dirty: set[str] = set()
        """Dependants whose edges may be stale (re-resolved lazily)."""
        self._unsaved: set[str] = set()
        """Paths whose graph state is newer than the store."""
        self._deleted: set[str] = set()
        self._changed: set[str] = set()
        """Unsaved files whose own text changed: written after their dependants (a kill in between re-runs them)."""
        self._unresolved: set[str] = set()
        """Files put into the graph by a run that was cancelled before resolving them."""
        self._wake = threading.Condition()
        self._worker: threading.Thread | None = None
        self._timers: dict[str, threading.Timer] = {}
        self._closed = False
        self._store_loaded = False
        self._background_enabled = background
        self._last_flush = 0.0

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """New settings (didChangeConfiguration): exclusions and size limits apply from the next update on."""
        self._settings = settings
        self.rules = IgnoreRules(self.workspace, settings)

    # -- whole workspace ---------------------------------------------------------------------------------------

    def index_all(self, progress: Progress | None = None, cancel: threading.Event | None = None) -> IndexSummary:
        """Index (or refresh) every file; returns once the graph is complete and persisted."""
        start = time.perf_counter()
        cancel = cancel or threading.Event()
        self.rules = IgnoreRules(self.workspace, self.settings)
        if self.store is not None:
            self.store.start()  # lancedb imports/opens in the background while we walk and parse
        found = walk(self.workspace, self.settings, self.rules)
        skipped = list(found.skipped)
        known = self._known_files()
        current: set[str] = set()
        changed: list[str] = []
        reused = syntax_errors = 0
        total = len(found.files)
        outcomes = (
            self._load_parallel(found.files, progress, cancel)
            if _workers() > 1 and total - len(known) >= POOL_MIN_FILES
            else self._load_each(found.files, progress, cancel)
        )
        for src, outcome in outcomes:
            if isinstance(outcome, Skip):
                skipped.append(outcome)
                continue
            current.add(src.path)
            if outcome is None:  # unchanged: already in the graph with its edges
                reused += 1
                continue
            syntax_errors += outcome.extract.error_count > 0
            self.graph.put_file(outcome.record, outcome.extract)
            changed.append(src.path)
        self._unresolved.update(changed)  # a cancelled run leaves them for the next one
        if cancel.is_set():
            return self._summary(start, None, skipped, reparsed=len(changed), reused=reused)
        # Open buffers of files not on disk (yet) stay: unsaved text wins.
        removed = [p for p in list(self.graph.files) if p not in current and p not in self._overlays]
        for path in removed:
            self.graph.remove_file(path)
            self.resolver.forget(path)
        with self._lock:
            self._deleted.update(removed)
        to_resolve = set(changed)
        if removed or len(changed) > reused or any(p not in known for p in changed):
            self.resolver.files_changed()
            to_resolve = set(current)  # the module set changed: every import may resolve differently
        else:
            for path in changed:
                to_resolve |= self.resolver.dependants(path) & current
        to_resolve |= self._unresolved & current
        if not self._resolve(sorted(to_resolve), cancel):
            return self._summary(start, None, skipped, reparsed=len(changed), reused=reused)
        failures = self.resolver.failures
        skipped += [Skip(p, SkipReason.RESOLVE_FAILED, failures[p]) for p in sorted(to_resolve) if p in failures]
        graph_seconds = time.perf_counter() - start
        if progress is not None:
            progress(total, total, "")
        with self._lock:
            self._unsaved.update(to_resolve)
            self._changed.update(changed)
        messages = self._flush_store(final=True)
        return self._summary(
            start,
            start + graph_seconds,
            skipped,
            reparsed=len(changed),
            reused=reused,
            removed=len(removed),
            syntax_errors=syntax_errors,
            messages=messages,
        )

    def _known_files(self) -> set[str]:
        """What is already indexed. The first run loads the store's committed rows (a warm start); files already
        in the graph (open buffers indexed before this run) keep their newer state."""
        if not self._store_loaded and self.store is not None and self.store.exists():
            self._store_loaded = True
            stored = self.store.load()
            with self.graph.lock:
                for path, row in stored.items():
                    if path in self.graph.files:
                        continue
                    self.graph.put_file(row.record, row.extract)
                    self.graph.set_edges(path, row.edges)
                    self.resolver.restore_deps(path, row.deps)
        return set(self.graph.files)

    def _load_each(
        self, files: list[SourceFile], progress: Progress | None, cancel: threading.Event
    ) -> Iterator[tuple[SourceFile, _Loaded | Skip | None]]:
        total = len(files)
        for i, src in enumerate(files):
            if cancel.is_set():
                return
            if progress is not None:
                progress(i, total, src.path)
            yield src, self._load(src)

    def _load_parallel(
        self, files: list[SourceFile], progress: Progress | None, cancel: threading.Event
    ) -> Iterator[tuple[SourceFile, _Loaded | Skip | None]]:
        """A cold start: read every file here, extract in worker processes (every core), decode here in order.

        Workers are started fresh (``forkserver``: never a fork of this threaded process) and end with the run.
        A pool that cannot start or breaks falls back to extracting here; a file whose extraction raised is
        skipped with its reason, as in ``_load``.
        """
        pending: list[tuple[SourceFile, FileRecord, bytes]] = []
        for src in files:
            if cancel.is_set():
                return
            read = self._read(src)
            if isinstance(read, tuple):
                pending.append((src, *read))
            else:
                yield src, read
        total = len(files)
        done = total - len(pending)
        try:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pool = ProcessPoolExecutor(_workers(), mp_context=multiprocessing.get_context("forkserver"))
        except Exception:  # no process support here (a sandbox): extract in this process
            log.warning("extraction workers unavailable; extracting in this process", exc_info=True)
            pool = None
        taken = 0
        try:
            if pool is not None:
                jobs = [(src.path, src.lang, data) for src, _, data in pending]
                for (src, record, _), (_, blob, error) in zip(
                    pending, pool.map(_extract_encoded, jobs, chunksize=8), strict=True
                ):
                    if cancel.is_set():
                        return
                    if progress is not None:
                        progress(done + taken, total, src.path)
                    taken += 1
                    yield src, self._decoded(src, record, blob, error)
        except (BrokenProcessPool, OSError):
            log.warning("an extraction worker failed; extracting the rest in this process", exc_info=True)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        for src, record, data in pending[taken:]:
            if cancel.is_set():
                return
            if progress is not None:
                progress(done + taken, total, src.path)
            taken += 1
            yield src, self._extract_loaded(src, record, data)

    @staticmethod
    def _decoded(src: SourceFile, record: FileRecord, blob: bytes, error: str) -> _Loaded | Skip:
        if error:
            log.warning("extracting %s failed in a worker (%s); it is left out of the index", src.path, error)
            return Skip(src.path, SkipReason.EXTRACT_FAILED, error[:300])
        try:
            return _Loaded(record, codec.decode(src.path, blob)[0])
        except ValueError as exc:
            return _extract_failed(src.path, exc)

    def _read(self, src: SourceFile) -> tuple[FileRecord, bytes] | Skip | None:
        """Read and check one file: its record and bytes, a skip, or None when the graph holds this very hash."""
        data = self._overlays.get(src.path)
        if data is None:
            try:
                data = src.abs_path.read_bytes()
            except FileNotFoundError:
                return Skip(src.path, SkipReason.VANISHED)
            except OSError as exc:
                return Skip(src.path, SkipReason.UNREADABLE, exc.strerror or str(exc))
        digest = _hash(data)
        current = self.graph.files.get(src.path)
        if current is not None and current.hash == digest:
            return None
        if len(data) > self.settings.max_file_size:
            return Skip(src.path, SkipReason.TOO_LARGE, f"{len(data):,} bytes > {self.settings.max_file_size:,}")
        skip = content_skip(src.path, data)
        if skip is not None:
            return skip
        if not supported(src.lang):
            return Skip(src.path, SkipReason.NO_GRAMMAR, f"no extraction for {src.lang}")
        return FileRecord(src.path, src.lang, digest, len(data), src.mtime, time.time()), data

    def _load(self, src: SourceFile) -> _Loaded | Skip | None:
        """Read and extract one file; None when its hash matches what the graph already holds."""
        read = self._read(src)
        return self._extract_loaded(src, *read) if isinstance(read, tuple) else read

    def _extract_loaded(self, src: SourceFile, record: FileRecord, data: bytes) -> _Loaded | Skip:
        try:
            fx = extract(src.path, src.lang, data)
        except Exception as exc:  # one file never fails the whole index: it is left out, with the reason
            return _extract_failed(src.path, exc)
        return _Loaded(record, fx)

    def _resolve(self, paths: list[str], cancel: threading.Event | None = None) -> bool:
        """Resolve ``paths`` a few at a time (requests interleave); False when cancelled before the end."""
        for i in range(0, len(paths), _RESOLVE_CHUNK):
            if cancel is not None and cancel.is_set():
                return False
            chunk = paths[i : i + _RESOLVE_CHUNK]
            with self.graph.lock:
                for path, edges in self.resolver.resolve(chunk).items():
                    self.graph.set_edges(path, edges)
            self._unresolved.difference_update(chunk)
        return True

    def _summary(
        self,
        start: float,
        graph_done: float | None,
        skipped: list[Skip],
        *,
        reparsed: int,
        reused: int,
        removed: int = 0,
        syntax_errors: int = 0,
        messages: tuple[str, ...] = (),
    ) -> IndexSummary:
        """The run's figures; ``graph_done`` None means the run was cancelled."""
        now = time.perf_counter()
        stats = self.graph.stats()
        return IndexSummary(
            files=stats["files"],
            symbols=stats["symbols"],
            edges=stats["edges"],
            resolved=stats["resolved"],
            skipped=tuple(skipped),
            seconds_graph=(graph_done if graph_done is not None else now) - start,
            seconds_total=now - start,
            reparsed=reparsed,
            reused=reused,
            removed=removed,
            syntax_errors=syntax_errors,
            cancelled=graph_done is None,
            store=self.store.describe() if self.store is not None else "not persisted",
            messages=messages,
        )

    # -- single files ------------------------------------------------------------------------------------------

    def update_text(self, path: str | Path, text: bytes) -> Skip | None:
        """Index unsaved buffer text (didOpen/didChange); it wins over the disk until ``update_from_disk``."""
        rel = self.rules.relative(path)
        if rel is None:
            return Skip(str(path), SkipReason.IGNORED, "outside the workspace")
        with self._lock:
            self._overlays[rel] = text
            return self._apply(rel, text, keep_tree=True)

    def update_from_disk(self, path: str | Path) -> Skip | None:
        """Re-read a file (didSave, didClose, watched create/change); a missing or now-excluded file is removed."""
        rel = self.rules.relative(path)
        if rel is None:
            return Skip(str(path), SkipReason.IGNORED, "outside the workspace")
        with self._lock:
            self._overlays.pop(rel, None)
            self._buffers.pop(rel, None)
            if rel.rsplit("/", 1)[-1] in (".gitignore", ".spliceignore"):
                self.rules.forget()
            entry = file_entry(self.workspace, rel, self.settings, self.rules)
            if isinstance(entry, Skip):
                self.remove(rel)
                return entry
            try:
                data = entry.abs_path.read_bytes()
            except FileNotFoundError:
                self.remove(rel)
                return Skip(rel, SkipReason.VANISHED)
            except OSError as exc:
                return Skip(rel, SkipReason.UNREADABLE, exc.strerror or str(exc))
            return self._apply(rel, data)

    def remove(self, path: str | Path) -> None:
        """Forget a deleted file; its dependants are re-resolved lazily."""
        rel = self.rules.relative(path)
        if rel is None:
            return
        with self._lock:
            self._overlays.pop(rel, None)
            self._buffers.pop(rel, None)
            if rel not in self.graph.files:
                return
            dependants = self.resolver.dependants(rel)
            self.graph.remove_file(rel)
            self.resolver.forget(rel)
            self.resolver.files_changed()
            self._dirty |= dependants
            self._unsaved.discard(rel)
            self._deleted.add(rel)
        self._kick()

    def rename(self, old: str | Path, new: str | Path) -> Skip | None:
        with self._lock:
            old_rel = self.rules.relative(old)
            overlay = self._overlays.get(old_rel) if old_rel else None
            self.remove(old)
            if overlay is not None:
                return self.update_text(new, overlay)
            return self.update_from_disk(new)

    def _apply(self, rel: str, data: bytes, *, keep_tree: bool = False) -> Skip | None:
        lang = language_for_path(rel)
        skip: Skip | None = None
        if self.rules.is_excluded(rel):
            skip = Skip(rel, SkipReason.IGNORED)
        elif lang is None or not supported(lang):
            skip = Skip(rel, SkipReason.NO_GRAMMAR)
        elif len(data) > self.settings.max_file_size:
            skip = Skip(rel, SkipReason.TOO_LARGE, f"{len(data):,} bytes > {self.settings.max_file_size:,}")
        else:
            skip = content_skip(rel, data)
        if skip is not None or lang is None:
            self.remove(rel)
            return skip
        digest = _hash(data)
        existing = self.graph.files.get(rel)
        if existing is not None and existing.hash == digest:
            if keep_tree and rel not in self._buffers:
                # didOpen of an indexed file: parse it now, so its first didChange is already incremental.
                self._buffers[rel] = extract_incr.start(rel, lang, data)[1]
            return None
        try:
            fx = self._extract_buffer(rel, lang, data) if keep_tree else extract(rel, lang, data)
        except Exception as exc:  # the graph keeps the file's last good state
            return _extract_failed(rel, exc)
        record = FileRecord(rel, lang, digest, len(data), time.time(), time.time())
        with self.graph.lock:
            old = self.graph.extracts.get(rel)
            old_edges = self.graph.edges_in_file(rel)
            self.graph.put_file(record, fx)
            dependants: set[str] = set()
            if existing is None:
                self.resolver.files_changed()
                dependants = self.resolver.unresolved_importers()
            if old is None or interface(old) != interface(fx):
                # Edges elsewhere hold symbol ids; an edit inside bodies keeps every id valid, so only a changed
                # interface (definitions, imports, attribute types, bases) sends dependants back to the resolver.
                dependants |= self.resolver.dependants(rel)
            # Only positions moved (a comment, whitespace, a string): the same answers with the new spans.
            # A dependant already marked dirty (a file it imports changed) keeps its mark: the background worker
            # re-resolves it as it would have anyway, and this edit only moves its positions.
            fresh = old is not None and rel not in self._unresolved
            moved = respan(old, fx, old_edges) if fresh and old is not None else None
            if moved is None and fresh and old is not None and existing is not None:
                # Definitions added or removed (typing a new function): only the references they could answer
                # are resolved again.
                try:
                    moved = self.resolver.resolve_changed(rel, old, old_edges)
                except Exception:  # a bug in the partial path must not lose the edit: resolve the file whole
                    log.warning("partial re-resolution of %s failed; resolving it whole", rel, exc_info=True)
                    moved = None
            if moved is not None:
                self.graph.set_edges(rel, moved)
            else:
                for path, edges in self.resolver.resolve([rel]).items():
                    self.graph.set_edges(path, edges)
        if moved is None:
            self._dirty.discard(rel)
        self._dirty |= dependants - {rel}
        self._unresolved.discard(rel)
        self._unsaved.add(rel)
        self._changed.add(rel)
        self._deleted.discard(rel)
        self._kick()
        return None

    def _extract_buffer(self, rel: str, lang: str, data: bytes) -> FileExtract:
        """The extract of an open buffer's new text, incremental from its previous state when there is one."""
        prior = self._buffers.pop(rel, None)
        try:
            if prior is None or prior.lang != lang:
                raise LookupError(rel)
            fx, state = extract_incr.update(prior, data)
        except Exception as exc:
            if not isinstance(exc, LookupError):  # a bug in the incremental path must not lose the edit
                log.exception("incremental extraction of %s failed; extracting it whole", rel)
            fx, state = extract_incr.start(rel, lang, data)
        self._buffers[rel] = state
        return fx

    # -- dependants, persistence and debouncing ----------------------------------------------------------------

    def settle(self) -> None:
        """Re-resolve stale dependants now and write everything pending to the store (blocking)."""
        self._resolve_dirty()
        self._flush_store(final=False)

    def _resolve_dirty(self) -> None:
        with self._lock:
            dirty = sorted(p for p in self._dirty if p in self.graph.files)
            self._dirty.clear()
        if dirty:
            self._resolve(dirty)
            with self._lock:
                self._unsaved.update(dirty)

    def _flush_store(self, *, final: bool) -> tuple[str, ...]:
        if self.store is None:
            return ()
        with self._lock:
            # A changed file's own row is its commit marker: written after every file re-resolved because of it,
            # so a kill in between leaves its old hash stored and the next run redoes the whole change. While
            # dependants still wait for the background resolver, the changes (and deletions) wait too.
            changed = self._changed & self._unsaved
            deleted: list[str] = []
            if self._dirty:
                unsaved = sorted(self._unsaved - changed)
                self._unsaved = set(changed)
            else:
                unsaved = sorted(self._unsaved - changed) + sorted(changed)
                deleted = sorted(self._deleted)
                self._unsaved.clear()
                self._deleted.clear()
                self._changed -= changed
        if not unsaved and not deleted and not final:
            return ()
        ok = self.store.save(self.graph, self.resolver, unsaved, deleted, bulk=final)
        if not ok:
            with self._lock:  # try again later; nothing is lost while the graph holds it
                self._unsaved.update(p for p in unsaved if p in self.graph.files)
                self._changed.update(changed)
                self._deleted.update(deleted)
        return tuple(self.store.messages)

    def _kick(self) -> None:
        if not self._background_enabled:
            return
        with self._wake:
            if self._worker is None and not self._closed:
                self._worker = threading.Thread(target=self._background, name="splice-index-bg", daemon=True)
                self._worker.start()
            self._wake.notify()

    def _background(self) -> None:
        while True:
            with self._wake:
                if self._closed:
                    return
                self._wake.wait(timeout=1.0)
                if self._closed:
                    return
            time.sleep(0.2)  # let a burst of edits coalesce into one resolution
            try:
                self._resolve_dirty()
                # Store commits are rate-limited (each is a LanceDB version; the graph is live anyway): what is
                # left pending goes out on a later round, the wait above times out every second.
                if time.monotonic() - self._last_flush >= _FLUSH_INTERVAL:
                    self._last_flush = time.monotonic()
                    self._flush_store(final=False)
            except Exception:  # the worker must survive a bad write; the next kick retries
                log.exception("background index update failed")

    def schedule(
        self, path: str | Path, text: bytes | None, delay: float = 0.15, on_applied: Callable[[str], None] | None = None
    ) -> None:
        """Debounced ``update_text`` (``text`` None: ``update_from_disk``); the latest call per path wins."""
        key = str(path)

        def fire() -> None:
            with self._lock:
                if self._timers.get(key) is not timer:
                    return
                del self._timers[key]
            try:
                self.update_from_disk(path) if text is None else self.update_text(path, text)
            except Exception:
                log.exception("update of %s failed", path)
                return
            if on_applied is not None:
                on_applied(key)

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self._lock:
            previous = self._timers.get(key)
            if previous is not None:
                previous.cancel()
            self._timers[key] = timer
        timer.start()

    def close(self) -> None:
        """Stop timers and the worker, write what is pending and release the store's lock."""
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=10)
        try:
            self._resolve_dirty()
            self._flush_store(final=False)
        finally:
            if self.store is not None:
                self.store.close()
