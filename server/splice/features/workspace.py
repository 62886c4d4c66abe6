"""One open workspace: its root, settings, symbol graph and indexer — the composition root shared by the language
server and the CLI, so both read the same settings and see the same index."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from splice.config import Settings
from splice.index.graph import Graph

if TYPE_CHECKING:
    from splice.index.indexer import Indexer


class SpliceWorkspace:
    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.graph = Graph()
        self._indexer: Indexer | None = None

    @property
    def indexer(self) -> Indexer:
        if self._indexer is None:
            from splice.index.indexer import Indexer

            self._indexer = Indexer(self.root, self.settings, self.graph)
        return self._indexer

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings
        if self._indexer is not None:
            self._indexer.settings = settings

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
