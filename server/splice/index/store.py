"""The persistent index in LanceDB (the only importer of lancedb/pyarrow): files, symbols, edges, vectors, meta.

Layout under ``<workspace>/.splice/index`` (or ``Settings.index_uri``):

- ``files``   one row per indexed file; written *last* in every batch, so a file counts as indexed only once its
  row (with the content hash) is committed. The row also carries the file's extract and edges (``codec``), which
  is what a warm start loads.
- ``symbols`` one row per definition (no bodies: name, qualname, signature, doc) plus an FTS index over ``text``.
- ``edges``   one row per resolved or unresolved reference, for readers in other processes.
- ``vectors`` embeddings keyed by symbol id; ``meta`` records which model produced them.
- ``meta``    key/value rows: the schema version (written last when an index is created).

One writer per index (``flock`` on ``.lock``); a second process opens read-only and says so. An index with another
schema, a missing ``meta`` row (creation interrupted) or a table that will not open is rebuilt, with a log message.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import threading
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from splice import redaction, state
from splice.config import Settings
from splice.index import codec
from splice.index.model import Edge, FileExtract, FileRecord

log = logging.getLogger("splice.index.store")

SCHEMA_VERSION = f"1.{codec.FORMAT}"
_TABLES = ("files", "symbols", "edges")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _without_secrets(lines: list[str]) -> list[str]:
    """Doc lines that carry no secret (one detector pass over the whole doc first: most docs have none)."""
    if not lines or not redaction.has_secret("\n".join(lines)):
        return lines
    return [line for line in lines if not redaction.has_secret(line)]


class StoreError(Exception):
    """The index cannot be used (unwritable folder, broken URI); callers keep serving from memory."""


class ReadOnlyStore(StoreError):
    """Raised by writes when another process holds the writer lock."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    record: FileRecord
    extract: FileExtract
    edges: list[Edge]
    deps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FileWrite:
    """Everything persisted for one file; ``deps`` are the files its edges were resolved through."""

    record: FileRecord
    extract: FileExtract
    edges: list[Edge]
    deps: tuple[str, ...]


_import_lock = threading.Lock()


def warm_import() -> threading.Thread:
    """Import lancedb in a background thread (it takes seconds), so parsing can start meanwhile."""
    thread = threading.Thread(target=_import_lancedb, name="splice-lancedb-import", daemon=True)
    thread.start()
    return thread


def _import_lancedb() -> Any:
    with _import_lock:
        import lancedb

        return lancedb


def default_uri(workspace: Path, settings: Settings) -> str:
    return settings.index_uri or str(workspace / ".splice" / "index")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def path_predicate(paths: Iterable[str]) -> str:
    """``path IN ('a.py', 'it''s.py')`` with SQL string escaping."""
    return "path IN (" + ", ".join(_quote(p) for p in paths) + ")"


def search_text(name: str, qualname: str, doc: str) -> str:
    """What the FTS index sees: the name, its words (snake and camel case split), the qualname and the doc."""
    words = " ".join(w.lower() for part in name.split("_") for w in _CAMEL.findall(part))
    clean_doc = "\n".join(_without_secrets(doc.splitlines()[:40]))
    return f"{name} {words} {qualname.replace('.', ' ')} {clean_doc}".strip()


class Store:
    """An open index. Writes are serialised by an internal lock; one process writes, others read."""

    def __init__(
        self,
        workspace: Path,
        settings: Settings,
        *,
        optimize_every: int = 60,
        retention: timedelta = timedelta(seconds=30),
        read_only: bool = False,
    ) -> None:
        self.workspace = workspace
        self.uri = default_uri(workspace, settings)
        self.local = "://" not in self.uri
        self.optimize_every = optimize_every
        self.retention = retention
        self.read_only = read_only
        self.messages: list[str] = []
        """Things the user should see once (read-only mode, rebuilds); also logged."""
        self._lock = threading.RLock()
        self._lock_file: int | None = None
        self._commits = 0
        self._db: Any = None
        self._tables: dict[str, Any] = {}
        self._fts_ready = False
        self._open()

    # -- opening -----------------------------------------------------------------------------------------------

    def _say(self, message: str, level: int = logging.WARNING) -> None:
        self.messages.append(message)
        log.log(level, message)

    def _open(self) -> None:
        if self.local:
            folder = Path(self.uri)
            try:
                splice_dir = self.workspace / state.STATE
                if folder.is_relative_to(splice_dir):  # no link anywhere on the way or inside (lancedb follows them)
                    state.mkdirs(folder)
                    if not (splice_dir / ".gitignore").exists():
                        state.write_text(splice_dir / ".gitignore", state.GITIGNORE)
                    planted = list(state.unsafe_entries(folder))
                    if planted:
                        raise StoreError(f"a link or special file in the index folder: {planted[0]}; not opening it")
                else:
                    folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the index folder {folder}: {exc}") from exc
        if not self.read_only:
            self._take_lock()
        lancedb = _import_lancedb()
        try:
            self._db = lancedb.connect(self.uri)
        except Exception as exc:
            raise StoreError(f"cannot open the index at {self.uri}: {exc}") from exc
        existing = set(self._db.list_tables().tables)
        schema = self._read_meta("schema") if "meta" in existing else None
        if self.read_only:
            if schema == SCHEMA_VERSION:
                for name in (*_TABLES, "vectors"):
                    if name in existing:
                        with contextlib.suppress(Exception):
                            self._tables[name] = self._db.open_table(name)
            return
        if existing and schema != SCHEMA_VERSION:
            why = "no schema version (creation was interrupted)" if schema is None else f"schema {schema}"
            self._say(f"index at {self.uri} has {why}; rebuilding it for schema {SCHEMA_VERSION}")
            self._drop_all(existing)
            existing = set()
        try:
            for name in _TABLES:
                self._tables[name] = (
                    self._db.open_table(name) if name in existing else self._create(name, _schemas()[name])
                )
            if "vectors" in existing:
                self._tables["vectors"] = self._db.open_table("vectors")
        except Exception as exc:  # a table that will not open: the index is derived data, rebuild it
            self._say(f"index at {self.uri} is damaged ({exc}); rebuilding it")
            self._drop_all(set(self._db.list_tables().tables))
            self._tables = {name: self._create(name, _schemas()[name]) for name in _TABLES}
        if schema != SCHEMA_VERSION:
            self._write_meta({"schema": SCHEMA_VERSION})
        self._fts_ready = any(i.index_type == "FTS" for i in self._tables["symbols"].list_indices())
        self._purge_orphans()

    def _take_lock(self) -> None:
        lock_path = Path(self.uri) / ".lock" if self.local else self.workspace / ".splice" / "index.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            self.read_only = True
            self._say(f"index at {self.uri} is being written by another process (pid {holder}); opened read-only")
            return
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_file = fd

    def close(self) -> None:
        with self._lock:
            if self._lock_file is not None:
                with contextlib.suppress(OSError):
                    fcntl.flock(self._lock_file, fcntl.LOCK_UN)
                    os.close(self._lock_file)
                self._lock_file = None
            self._tables = {}
            self._db = None

    def _create(self, name: str, schema: Any) -> Any:
        return self._db.create_table(name, schema=schema, exist_ok=True)

    def _drop_all(self, names: set[str]) -> None:
        for name in names:
            try:
                self._db.drop_table(name)
            except Exception:
                if self.local:  # a table too damaged to drop: remove its folder (inside the index only)
                    shutil.rmtree(Path(self.uri) / f"{name}.lance", ignore_errors=True)
        self._tables = {}

    def _read_meta(self, key: str) -> str | None:
        try:
            rows = self._db.open_table("meta").search().where(f"key = {_quote(key)}").to_list()
        except Exception:
            return None
        return str(rows[-1]["value"]) if rows else None

    def _write_meta(self, values: dict[str, str]) -> None:
        import pyarrow as pa

        table = self._db.create_table("meta", schema=_schemas()["meta"], exist_ok=True)
        rows = pa.table({"key": list(values), "value": list(values.values())}, schema=_schemas()["meta"])
        table.merge_insert("key").when_matched_update_all().when_not_matched_insert_all().execute(rows)

    def _purge_orphans(self) -> None:
        """Rows of files whose ``files`` row is missing or has another hash were never committed: drop them."""
        committed = self._file_hashes()
        for name in ("symbols", "edges"):
            stale: set[str] = set()
            data = self._tables[name].search().select(["path", "file_hash"]).to_arrow()
            for path, h in zip(data["path"].to_pylist(), data["file_hash"].to_pylist(), strict=True):
                if committed.get(path) != h:
                    stale.add(path)
            if stale:
                log.info("dropping %d uncommitted files' rows from %s", len(stale), name)
                for chunk in _chunks(sorted(stale), 200):
                    self._tables[name].delete(path_predicate(chunk))

    def _file_hashes(self) -> dict[str, str]:
        data = self._tables["files"].search().select(["path", "hash"]).to_arrow()
        return dict(zip(data["path"].to_pylist(), data["hash"].to_pylist(), strict=True))

    # -- reading -----------------------------------------------------------------------------------------------

    def load_files(self) -> dict[str, StoredFile]:
        """Every committed file with its extract and edges; rows that cannot be decoded are left out (re-indexed)."""
        table = self._tables.get("files")
        if table is None:
            return {}
        out: dict[str, StoredFile] = {}
        for row in table.search().to_arrow().to_pylist():
            path = row["path"]
            try:
                extract, edges = codec.decode(path, row["extract"])
            except ValueError as exc:
                log.warning("%s; it will be re-indexed", exc)
                continue
            record = FileRecord(path, row["lang"], row["hash"], row["size"], row["mtime"], row["indexed_at"])
            out[path] = StoredFile(record, extract, edges, tuple(row["deps"] or ()))
        return out

    def count(self, table: str) -> int:
        t = self._tables.get(table)
        return int(t.count_rows()) if t is not None else 0

    def version_count(self) -> int:
        """Versions kept on disk, summed over the tables (bounded by periodic cleanup)."""
        return sum(len(t.list_versions()) for t in self._tables.values())

    # -- writing -----------------------------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStore(f"index at {self.uri} is read-only in this process")
        if not self._tables:
            raise StoreError("the index is closed")

    def write(self, batch: Sequence[FileWrite]) -> None:
        """Replace the rows of every file in ``batch``: symbols and edges first, the ``files`` rows last."""
        if not batch:
            return
        import pyarrow as pa

        schemas = _schemas()
        with self._lock:
            self._writable()
            paths = [w.record.path for w in batch]
            predicate = path_predicate(paths)
            sym_rows, edge_rows, file_rows = _rows(batch)
            self._replace("symbols", "id", pa.Table.from_pydict(sym_rows, schema=schemas["symbols"]), predicate)
            self._replace("edges", "key", pa.Table.from_pydict(edge_rows, schema=schemas["edges"]), predicate)
            self._prune_vectors(batch, predicate)
            files = pa.Table.from_pydict(file_rows, schema=schemas["files"])
            self._tables["files"].merge_insert("path").when_matched_update_all().when_not_matched_insert_all().execute(
                files
            )
            self._commits += 3
            self.maybe_optimize()

    def _prune_vectors(self, batch: Sequence[FileWrite], predicate: str) -> None:
        """Drop embeddings of symbols that no longer exist in these files (kept ones stay valid: same id)."""
        vectors = self._tables.get("vectors")
        if vectors is None or vectors.count_rows(predicate) == 0:
            return
        alive = {s.id for w in batch for s in w.extract.symbols}
        stored = vectors.search().where(predicate).select(["id"]).to_arrow()["id"].to_pylist()
        gone = [sid for sid in stored if sid not in alive]
        for chunk in _chunks(gone, 200):
            vectors.delete("id IN (" + ", ".join(_quote(sid) for sid in chunk) + ")")
            self._commits += 1

    def _replace(self, name: str, key: str, rows: Any, predicate: str) -> None:
        table = self._tables[name]
        if rows.num_rows == 0:
            table.delete(predicate)
            return
        (
            table.merge_insert(key)
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .when_not_matched_by_source_delete(predicate)
            .execute(rows)
        )

    def delete(self, paths: Iterable[str]) -> None:
        """Forget files: their ``files`` rows go first, so a crash in between leaves only orphans (purged)."""
        paths = list(paths)
        if not paths:
            return
        with self._lock:
            self._writable()
            for chunk in _chunks(paths, 200):
                predicate = path_predicate(chunk)
                for name in ("files", "symbols", "edges", "vectors"):
                    if name in self._tables:
                        self._tables[name].delete(predicate)
                        self._commits += 1
            self.maybe_optimize()

    def maybe_optimize(self) -> None:
        if self._commits >= self.optimize_every:
            self.optimize()

    def optimize(self) -> None:
        """Compact fragments, fold new rows into the FTS index and drop versions older than the retention."""
        with self._lock:
            self._writable()
            if not self._fts_ready:
                self.ensure_fts()
            with warnings.catch_warnings():
                # LanceDB warns that retention 0 breaks concurrent readers; the caller chose it knowingly.
                warnings.simplefilter("ignore", UserWarning)
                for table in self._tables.values():
                    table.optimize(cleanup_older_than=self.retention)
            self._commits = 0

    def ensure_fts(self) -> None:
        from lancedb.index import FTS

        with self._lock:
            self._writable()
            symbols = self._tables["symbols"]
            if symbols.count_rows() == 0:
                return
            symbols.create_index("text", config=FTS(), replace=True)
            self._fts_ready = True

    # -- search for the context engine -------------------------------------------------------------------------

    def fts_search(self, query: str, limit: int) -> list[tuple[str, float]]:
        """(symbol id, BM25 score) over names, qualnames and docs; empty when there is no FTS index yet."""
        table = self._tables.get("symbols")
        if table is None or not query.strip():
            return []
        try:
            rows = (
                table.search(query, query_type="fts", fts_columns="text")
                .limit(limit)
                .select(["id", "_score"])
                .to_list()
            )
        except Exception as exc:  # no FTS index yet (fresh index, read-only reader): no lexical results
            log.debug("full-text search unavailable: %s", exc)
            return []
        return [(str(r["id"]), float(r.get("_score", 0.0))) for r in rows]

    def vector_model(self) -> str | None:
        if "vectors" not in self._tables:
            return None
        return self._read_meta("vector_model")

    def set_vectors(self, model_id: str, rows: list[tuple[str, list[float]]]) -> None:
        """Upsert embeddings; vectors from another model (or dimension) are dropped first."""
        import pyarrow as pa

        if not rows:
            return
        dim = len(rows[0][1])
        if any(len(v) != dim for _, v in rows):
            raise ValueError("all vectors must have the same dimension")
        schema = pa.schema(
            [
                pa.field("id", pa.string(), nullable=False),
                pa.field("path", pa.string(), nullable=False),
                pa.field("vector", pa.list_(pa.float32(), dim)),
            ]
        )
        with self._lock:
            self._writable()
            current = self.vector_model()
            table = self._tables.get("vectors")
            if table is not None and (current != model_id or table.schema.field("vector").type.list_size != dim):
                self._db.drop_table("vectors")
                table = None
            if table is None:
                table = self._db.create_table("vectors", schema=schema, exist_ok=True)
                self._tables["vectors"] = table
                self._write_meta({"vector_model": model_id})
            data = pa.table(
                {
                    "id": [sid for sid, _ in rows],
                    "path": [sid.split("::", 1)[0] for sid, _ in rows],
                    "vector": [list(map(float, v)) for _, v in rows],
                },
                schema=schema,
            )
            table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all().execute(data)
            self._commits += 1
            self.maybe_optimize()

    def load_vectors(self, model_id: str) -> list[tuple[str, list[float]]]:
        if self.vector_model() != model_id:
            return []
        data = self._tables["vectors"].search().select(["id", "vector"]).to_arrow()
        return list(zip(data["id"].to_pylist(), data["vector"].to_pylist(), strict=True))

    def vector_search(self, model_id: str, vector: Sequence[float], limit: int) -> list[tuple[str, float]]:
        """(symbol id, cosine similarity) of the nearest stored vectors of ``model_id``."""
        if self.vector_model() != model_id:
            return []
        rows = (
            self._tables["vectors"]
            .search(list(vector))
            .metric("cosine")
            .limit(limit)
            .select(["id", "_distance"])
            .to_list()
        )
        return [(str(r["id"]), 1.0 - float(r["_distance"])) for r in rows]


def _rows(batch: Sequence[FileWrite]) -> tuple[dict[str, list[Any]], dict[str, list[Any]], dict[str, list[Any]]]:
    sym: dict[str, list[Any]] = {k: [] for k in _schemas()["symbols"].names}
    edge: dict[str, list[Any]] = {k: [] for k in _schemas()["edges"].names}
    files: dict[str, list[Any]] = {k: [] for k in _schemas()["files"].names}
    now = time.time()
    for w in batch:
        r = w.record
        seen: set[str] = set()
        for s in w.extract.symbols:
            if s.id in seen:
                continue
            seen.add(s.id)
            sym["id"].append(s.id)
            sym["path"].append(r.path)
            sym["name"].append(s.name)
            sym["qualname"].append(s.qualname)
            sym["kind"].append(s.kind.value)
            sym["lang"].append(s.lang)
            sym["parent"].append(s.parent)
            sym["signature"].append(redaction.masked_header(s.signature)[:500])  # a constant's value may be a key
            sym["doc"].append("\n".join(_without_secrets(s.doc.splitlines()))[:2000])
            sym["text"].append(search_text(s.name, s.qualname, s.doc))
            sym["span"].append(codec.span_list(s.span))
            sym["selection"].append(codec.span_list(s.selection))
            sym["file_hash"].append(r.hash)
        for i, e in enumerate(w.edges):
            edge["key"].append(f"{r.path}#{i}")
            edge["path"].append(r.path)
            edge["src"].append(e.src)
            edge["dst"].append(e.dst)
            edge["name"].append(e.name)
            edge["kind"].append(e.kind.value)
            edge["span"].append(codec.span_list(e.span))
            edge["confidence"].append(e.confidence)
            edge["file_hash"].append(r.hash)
        files["path"].append(r.path)
        files["lang"].append(r.lang)
        files["hash"].append(r.hash)
        files["size"].append(r.size)
        files["mtime"].append(r.mtime)
        files["indexed_at"].append(r.indexed_at or now)
        files["deps"].append(list(w.deps))
        files["extract"].append(codec.encode(w.extract, w.edges))
    return sym, edge, files


_SCHEMAS: dict[str, Any] = {}


def _schemas() -> dict[str, Any]:
    if _SCHEMAS:
        return _SCHEMAS
    import pyarrow as pa

    span = pa.list_(pa.int64(), 6)
    s, req = pa.string(), False
    _SCHEMAS.update(
        files=pa.schema(
            [
                pa.field("path", s, nullable=req),
                pa.field("lang", s),
                pa.field("hash", s),
                pa.field("size", pa.int64()),
                pa.field("mtime", pa.float64()),
                pa.field("indexed_at", pa.float64()),
                pa.field("deps", pa.list_(s)),
                pa.field("extract", pa.large_binary()),
            ]
        ),
        symbols=pa.schema(
            [
                pa.field("id", s, nullable=req),
                pa.field("path", s, nullable=req),
                pa.field("name", s),
                pa.field("qualname", s),
                pa.field("kind", s),
                pa.field("lang", s),
                pa.field("parent", s),
                pa.field("signature", s),
                pa.field("doc", s),
                pa.field("text", s),
                pa.field("span", span),
                pa.field("selection", span),
                pa.field("file_hash", s),
            ]
        ),
        edges=pa.schema(
            [
                pa.field("key", s, nullable=req),
                pa.field("path", s, nullable=req),
                pa.field("src", s),
                pa.field("dst", s),
                pa.field("name", s),
                pa.field("kind", s),
                pa.field("span", span),
                pa.field("confidence", pa.float32()),
                pa.field("file_hash", s),
            ]
        ),
        meta=pa.schema([pa.field("key", s, nullable=req), pa.field("value", s)]),
    )
    return _SCHEMAS


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
