"""One open workspace: its root, settings, symbol graph and indexer — the composition root shared by the language
server and the CLI, so both read the same settings and see the same index."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from splice.config import Settings
from splice.index.graph import Graph

if TYPE_CHECKING:
    from collections.abc import Callable

    from splice.context.engine import ContextEngine
    from splice.features.rules_files import ProjectRules
    from splice.index.embeddings import EmbeddingIndex
    from splice.index.indexer import Indexer
    from splice.llm.gateway import Gateway


class SpliceWorkspace:
    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.graph = Graph()
        self._indexer: Indexer | None = None
        self._context: ContextEngine | None = None
        self._gateway: Gateway | None = None
        self.embeddings: EmbeddingIndex | None = None
        """Vectors for natural-language look-ups, computed in the background once the graph is usable."""

    @property
    def indexer(self) -> Indexer:
        if self._indexer is None:
            from splice.index.indexer import Indexer

            self._indexer = Indexer(self.root, self.settings, self.graph)
        return self._indexer

    def context_engine(self, read_file: Callable[[str], bytes | None] | None = None) -> ContextEngine:
        """The context engine over this workspace's graph (built once; ``read_file`` lets open buffers win)."""
        if self._context is None:
            from splice.context.engine import ContextEngine

            indexer = self.indexer

            def fts(query: str, limit: int) -> list[tuple[str, float]]:
                # peek: never wait for the store to open on a request path (it may still be importing lancedb)
                store = indexer.store.peek() if indexer.store is not None else None
                return store.fts_search(query, limit) if store is not None else []

            def vectors(query: str, limit: int) -> list[tuple[str, float]]:
                return self.embeddings.search(query, limit) if self.embeddings is not None else []

            counters: list[Callable[[str], int]] = []

            def count(text: str) -> int:
                # litellm's tokenizer for the configured model, built on first use: building it imports litellm
                # (seconds), which must happen on a work thread, never while the engine is being created
                if not counters:
                    counters.append(self.gateway().token_counter())
                return counters[0](text)

            self._context = ContextEngine(
                self.graph,
                self.root,
                exclude=self.settings.exclude,
                is_ignored=lambda path: indexer.rules.is_excluded(path),
                count_tokens=count if self.settings.model else None,
                fts=fts,
                vectors=vectors,
                read_file=read_file,
            )
        return self._context

    def start_embeddings(self) -> None:
        """Embed the graph's definitions in the background (``embeddings.model``; ``none`` turns it off)."""
        from splice.index.embeddings import EmbeddingIndex, embedder_for

        def remote(texts: list[str]) -> list[list[float]]:  # a litellm embedding model, through the gateway
            import asyncio

            return asyncio.run(self.gateway().embed(texts))

        embedder = embedder_for(self.settings, remote)
        if embedder is None:
            self.embeddings = None
            return
        store = self.indexer.store.peek() if self.indexer.store is not None else None
        self.embeddings = EmbeddingIndex(self.graph, embedder, store)
        self.embeddings.start()

    def project_rules(self, target: str | None = None) -> ProjectRules:
        """The repository's rules files (AGENTS.md, CLAUDE.md, Copilot, Cursor) that apply to ``target``."""
        from splice.features.rules_files import project_rules

        return project_rules(self.root, target, is_excluded=lambda rel: self.indexer.rules.is_excluded(rel))

    def gateway(self) -> Gateway:
        """The model gateway for this workspace (cache, usage log and budgets under ``.splice/``)."""
        if self._gateway is None:
            from splice.llm.gateway import Gateway

            self._gateway = Gateway(self.settings, self.root)
        return self._gateway

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings
        self._context = None  # exclusion patterns may have changed
        self._gateway = None  # model, budgets and cache settings may have changed
        if self._indexer is not None:
            self._indexer.settings = settings

    def close(self) -> None:
        """Flush pending index writes and release the index's writer lock (if an indexer was ever started)."""
        if self._indexer is not None:
            self._indexer.close()

    def relpath(self, path: str | os.PathLike[str]) -> str | None:
        """Workspace-relative POSIX path of an absolute path, or None when it lies outside the workspace."""
        p = Path(path)
        if not p.is_absolute():
            p = self.root / p
        try:
            rel = Path(os.path.normpath(p)).relative_to(self.root)
        except ValueError:
            try:
                rel = p.resolve().relative_to(self.root)
            except (ValueError, OSError):
                return None
        posix = PurePosixPath(rel.as_posix())
        if ".." in posix.parts:
            return None
        return str(posix)

    def abspath(self, rel: str) -> Path:
        return self.root / rel
