"""Support for the context tests: small multi-file projects written to a temp dir and indexed into a Graph with
the real extractor and resolver (no LanceDB), plus a builder for hand-made symbols."""

from __future__ import annotations

import hashlib
from pathlib import Path

from splice.index.extract import extract
from splice.index.graph import Graph
from splice.index.languages import language_for_path
from splice.index.model import FileExtract, FileRecord, Point, Span, Symbol, SymbolKind
from splice.index.resolve import Resolver

UTIL_PY = '''"""Helpers shared by the app."""

DEFAULT_TIMEOUT = 30
API_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"


def parse_header(line: str) -> tuple[str, str]:
    """Split an HTTP header line into name and value."""
    name, _, value = line.partition(":")
    return name.strip(), value.strip()


def unrelated_helper(x):
    return x * 2
'''

BASE_PY = '''class Base:
    """Common behaviour of every handler."""

    def handle(self, request):
        """Handle one request."""
        raise NotImplementedError

    def log(self, message):
        print(message)
'''

APP_PY = '''from pkg.base import Base
from pkg.util import DEFAULT_TIMEOUT, API_KEY, parse_header


class App(Base):
    """The application."""

    def handle(self, request):
        """Parse the request headers."""
        name, value = parse_header(request)
        self.log(name)
        return DEFAULT_TIMEOUT

    def other(self):
        return API_KEY
'''

CLIENT_PY = """from pkg.app import App


def main():
    app = App()
    return app.handle("Host: example.org")
"""

SECRET_PY = """def hidden_helper():
    return 1
"""

FILES = {
    "pkg/__init__.py": "",
    "pkg/util.py": UTIL_PY,
    "pkg/base.py": BASE_PY,
    "pkg/app.py": APP_PY,
    "pkg/client.py": CLIENT_PY,
    "pkg/secret/hidden.py": SECRET_PY,
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def index(root: Path, graph: Graph | None = None) -> Graph:
    """Extract and resolve every supported file under ``root`` into a graph (what the indexer does, minus I/O)."""
    graph = graph or Graph()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        lang = language_for_path(rel)
        if lang is None or not path.is_file() or rel.startswith(".splice"):
            continue
        data = path.read_bytes()
        record = FileRecord(rel, lang, hashlib.sha256(data).hexdigest(), len(data), 0.0, 0.0)
        graph.put_file(record, extract(rel, lang, data))
    resolver = Resolver(graph, root)
    for rel, edges in resolver.resolve(list(graph.files)).items():
        graph.set_edges(rel, edges)
    return graph


def line_of(text: str, needle: str) -> int:
    """0-based line of the first line containing ``needle``."""
    for i, line in enumerate(text.splitlines()):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not found")


# -- hand-made symbols -----------------------------------------------------------------------------------------


def span(first: int, last: int) -> Span:
    return Span(Point(first, 0), Point(last, 0), first * 100, last * 100 + 99)


def symbol(path: str, qualname: str, kind: SymbolKind, first: int = 0, last: int = 0, **extra: str) -> Symbol:
    parent = extra.get("parent")
    if parent is None and qualname:
        owner = qualname.rsplit(".", 1)[0] if "." in qualname else ""
        parent = f"{path}::{owner}"
    return Symbol(
        id=f"{path}::{qualname}",
        path=path,
        name=qualname.rsplit(".", 1)[-1] if qualname else path,
        qualname=qualname,
        kind=kind,
        span=span(first, last),
        selection=span(first, first),
        signature=extra.get("signature", f"def {qualname.rsplit('.', 1)[-1]}():"),
        doc=extra.get("doc", ""),
        parent=parent if qualname else None,
        lang="python",
    )


def put(graph: Graph, path: str, symbols: list[Symbol]) -> None:
    module = symbol(path, "", SymbolKind.MODULE, 0, 1000)
    record = FileRecord(path, "python", "0" * 64, 0, 0.0, 0.0)
    graph.put_file(record, FileExtract(path=path, lang="python", symbols=[module, *symbols]))
