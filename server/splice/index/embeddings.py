"""Symbol embeddings for natural-language look-ups: which model, computing vectors in the background once the graph
is usable, keeping them with their model id in the store, and answering similarity queries from memory.

The default model is ``wordllama`` — 16 MB of static token embeddings shipped inside its wheel, so it works
offline. Its 0.4.0.post1 loader looks for the tokenizer under a folder it does not ship and then tries Hugging Face;
pointing ``cache_dir`` at the package folder with downloads disabled makes it use the bundled files. Any other model
name goes through an injected embedding function (the LLM layer passes litellm's), so this module never imports
litellm. Vectors are stored with the model id; a different model makes the store drop them and everything is
embedded again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from splice.config import Settings
from splice.index.graph import Graph
from splice.index.model import Symbol, SymbolKind

log = logging.getLogger("splice.index.embeddings")

EmbedFn = Callable[[list[str]], Sequence[Sequence[float]]]
"""Texts → one vector per text."""
WORDLLAMA = "wordllama"
WORDLLAMA_ID = "wordllama/l2_supercat_256"
BATCH = 256
TEXT_CHARS = 600
"""Embedded text per symbol: name, signature and the start of the docstring."""
_SKIP = frozenset({SymbolKind.MODULE})


class VectorStore(Protocol):
    """What the store offers for vectors (``splice.index.store.Store``)."""

    def vector_model(self) -> str | None: ...

    def set_vectors(self, model_id: str, rows: list[tuple[str, list[float]]]) -> None: ...

    def load_vectors(self, model_id: str) -> list[tuple[str, list[float]]]: ...


@dataclass(frozen=True)
class Embedder:
    model_id: str
    """Stored with the vectors: ``wordllama/l2_supercat_256`` or ``litellm/<model>``."""
    embed: EmbedFn


def wordllama_embedder(dim: int = 256) -> Embedder:
    """The bundled offline model; loading happens on first use (≈0.3 s), not here."""
    lock = threading.Lock()
    holder: dict[str, Any] = {}

    def embed(texts: list[str]) -> Sequence[Sequence[float]]:
        with lock:
            model = holder.get("model")
            if model is None:
                import wordllama
                from wordllama import WordLlama

                model = holder["model"] = WordLlama.load(
                    cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=dim
                )
        vectors: np.ndarray[Any, Any] = model.embed(texts)
        return vectors.tolist()  # type: ignore[no-any-return]

    return Embedder(WORDLLAMA_ID if dim == 256 else f"wordllama/l2_supercat_{dim}", embed)


def embedder_for(settings: Settings, remote: EmbedFn | None = None) -> Embedder | None:
    """The embedder ``splice.embeddings.model`` asks for; None when embeddings are off or the model needs a
    remote function that was not supplied."""
    name = settings.embeddings_model.strip()
    if name.lower() == "none":
        return None
    if name.lower() == WORDLLAMA:
        return wordllama_embedder()
    if remote is None:
        log.warning("embeddings model %s needs the LLM layer's embedding function; embeddings are off", name)
        return None
    return Embedder(f"litellm/{name}", remote)


def symbol_text(sym: Symbol) -> str:
    return f"{sym.name} {sym.qualname}\n{sym.signature}\n{sym.doc}"[:TEXT_CHARS]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class EmbeddingIndex:
    """Vectors for the graph's definitions, kept in memory for queries and mirrored to the store.

    ``refresh()`` embeds whatever is new or changed (call it from a background thread; ``start()`` does) and
    ``search()`` answers from whatever is ready — an index still warming up just returns fewer matches.
    """

    def __init__(self, graph: Graph, embedder: Embedder, store: VectorStore | None = None) -> None:
        self.graph = graph
        self.embedder = embedder
        self.store = store
        self._lock = threading.Lock()
        self._vectors: dict[str, np.ndarray[Any, Any]] = {}
        self._texts: dict[str, str] = {}
        """Digest of the text each vector was made from (unknown for vectors loaded from the store)."""
        self._matrix: tuple[list[str], np.ndarray[Any, Any]] | None = None
        self._loaded = False
        self.error: str | None = None
        self._thread: threading.Thread | None = None
        self._again = False
        """A refresh was asked for since the running one started."""
        self._running = False

    # -- building ----------------------------------------------------------------------------------------------

    def _load_stored(self) -> None:
        self._loaded = True
        if self.store is None:
            return
        try:
            if self.store.vector_model() != self.embedder.model_id:
                return  # another model's vectors: set_vectors drops them on the first write
            rows = self.store.load_vectors(self.embedder.model_id)
        except Exception as exc:  # a broken store costs the warm start, not the feature
            log.warning("could not load stored vectors: %s", exc)
            return
        with self._lock:
            for sid, vector in rows:
                self._vectors[sid] = _unit(np.asarray(vector, dtype=np.float32))
            self._matrix = None

    def refresh(self, cancel: threading.Event | None = None) -> int:
        """Embed new and changed definitions, drop vanished ones; returns how many were embedded."""
        if not self._loaded:
            self._load_stored()
        with self.graph.lock:
            wanted = {sid: symbol_text(s) for sid, s in self.graph.symbols.items() if s.kind not in _SKIP}
        with self._lock:
            for sid in [s for s in self._vectors if s not in wanted]:
                del self._vectors[sid]
                self._texts.pop(sid, None)
                self._matrix = None
        todo = [
            sid
            for sid, text in wanted.items()
            if sid not in self._vectors or (sid in self._texts and self._texts[sid] != _digest(text))
        ]
        done = 0
        for start in range(0, len(todo), BATCH):
            if cancel is not None and cancel.is_set():
                break
            chunk = todo[start : start + BATCH]
            texts = [wanted[sid] for sid in chunk]
            try:
                vectors = self.embedder.embed(texts)
            except Exception as exc:
                self.error = f"embedding with {self.embedder.model_id} failed: {exc}"
                log.warning("%s", self.error)
                break
            rows = [(sid, [float(x) for x in vec]) for sid, vec in zip(chunk, vectors, strict=True)]
            with self._lock:
                for (sid, vec), text in zip(rows, texts, strict=True):
                    self._vectors[sid] = _unit(np.asarray(vec, dtype=np.float32))
                    self._texts[sid] = _digest(text)
                self._matrix = None
            done += len(rows)
            if self.store is not None:
                try:
                    self.store.set_vectors(self.embedder.model_id, rows)
                except Exception as exc:
                    log.warning("could not store vectors: %s", exc)
        return done

    def start(self, cancel: threading.Event | None = None) -> threading.Thread:
        """Run ``refresh`` on a daemon thread: after the graph is usable, and again whenever it changed. One run at a
        time: called while one runs, it makes that run go once more instead of starting another."""
        with self._lock:
            self._again = True
            if self._running and self._thread is not None:
                return self._thread
            self._running = True
            thread = self._thread = threading.Thread(
                target=self._run, args=(cancel,), name="splice-embeddings", daemon=True
            )
        thread.start()
        return thread

    def _run(self, cancel: threading.Event | None) -> None:
        while True:
            with self._lock:
                if not self._again:
                    self._running = False  # decided under the lock: a request from now on starts a new run
                    return
                self._again = False
            try:
                self.refresh(cancel)
            except Exception:  # a background refresh must never die silently with work still queued
                log.exception("refreshing the embeddings failed")

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # -- queries -----------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._vectors)

    def search(self, text: str, limit: int) -> list[tuple[str, float]]:
        """(symbol id, cosine similarity) of the definitions nearest to ``text``; empty until vectors exist."""
        if not text.strip() or not self._vectors:
            return []
        query = _unit(np.asarray(self.embedder.embed([text])[0], dtype=np.float32))
        with self._lock:
            if self._matrix is None:
                ids = list(self._vectors)
                self._matrix = (ids, np.stack([self._vectors[i] for i in ids]))
            ids, matrix = self._matrix
        if matrix.shape[1] != query.shape[0]:
            return []
        scores = matrix @ query
        top = np.argsort(-scores)[:limit]
        return [(ids[i], float(scores[i])) for i in top]


def _unit(vector: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
