"""Symbol navigation as value types for front ends that speak in names, not cursor positions (the MCP server):
find symbols, resolve a name or a ``file:line`` to one, and list its references, callers, callees and a module's
outline — all from the live graph, with excluded files left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from splice.context.exclusion import PathFilter
from splice.context.target import TargetError, relative_path
from splice.features.workspace import SpliceWorkspace
from splice.index.model import Edge, EdgeKind, Point, Symbol, SymbolKind

CALLS = frozenset({EdgeKind.CALLS})
USES = frozenset({EdgeKind.CALLS, EdgeKind.REFERENCES, EdgeKind.INHERITS, EdgeKind.IMPORTS})
MAX_CANDIDATES = 10


class NotFound(Exception):
    """A name, path or position that names nothing usable; the message says what to try instead."""


@dataclass(frozen=True, slots=True)
class Use:
    """One place that uses a symbol: the enclosing definition (None at module level) and the line."""

    path: str
    line: int
    """0-based."""
    kind: str
    by: Symbol | None
    text: str
    """The source line, stripped."""


class Navigator:
    def __init__(self, ws: SpliceWorkspace) -> None:
        self.ws = ws
        self.paths = PathFilter(ws.settings.exclude, lambda path: ws.indexer.rules.is_excluded(path))
        self._lines: dict[str, list[str]] = {}

    # -- paths and symbols -------------------------------------------------------------------------------------

    def path(self, raw: str) -> str:
        """Workspace-relative path of an indexed, not excluded file; NotFound (with why) otherwise."""
        try:
            rel = relative_path(self.ws.root, raw)
        except TargetError as exc:
            raise NotFound(str(exc)) from None
        if self.paths.excluded(rel):
            raise NotFound(f"{rel} is excluded from Splice (ignore rules or splice.exclude)")
        if rel not in self.ws.graph.files:
            raise NotFound(f"{rel} is not an indexed source file")
        return rel

    def visible(self, sym: Symbol | None) -> bool:
        return sym is not None and not self.paths.excluded(sym.path)

    def search(self, query: str, limit: int) -> list[Symbol]:
        hits = self.ws.graph.search(query, limit * 2 + 10)
        return [s for s in hits if s.kind is not SymbolKind.MODULE and self.visible(s)][:limit]

    def resolve(self, name: str) -> Symbol:
        """``path::Qual.name`` (a symbol id), ``Qual.name`` or a bare name → exactly one symbol, else NotFound
        listing the candidates."""
        name = name.strip()
        graph = self.ws.graph
        if "::" in name:
            sym = graph.symbol(name)
            if self.visible(sym):
                assert sym is not None
                return sym
            raise NotFound(f"no symbol {name!r} (ids look like 'pkg/mod.py::Class.method')")
        last = name.rsplit(".", 1)[-1]
        found = [s for s in graph.find(last) if self.visible(s) and s.kind is not SymbolKind.MODULE]
        exact = [s for s in found if s.qualname == name] or [s for s in found if s.qualname.endswith("." + name)]
        matches = exact or ([s for s in found if s.name == name] if "." not in name else [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFound(f"no symbol named {name!r}; try the search tool")
        listed = ", ".join(s.id for s in matches[:MAX_CANDIDATES])
        more = f" and {len(matches) - MAX_CANDIDATES} more" if len(matches) > MAX_CANDIDATES else ""
        raise NotFound(f"{name!r} is ambiguous: {listed}{more}; pass one of these ids")

    def at(self, raw_path: str, line: int, col: int | None = None) -> Symbol:
        """The symbol meant at a 0-based line (and UTF-8 column): a resolved reference there, else the innermost
        definition enclosing the line."""
        rel = self.path(raw_path)
        graph = self.ws.graph
        lines = self.lines(rel)
        if not 0 <= line < max(len(lines), 1):
            raise NotFound(f"{rel} has {len(lines)} lines; line {line + 1} is past the end")
        if col is not None:
            point = Point(line, col)
            best: Edge | None = None
            for edge in graph.edges_in_file(rel):
                if (
                    edge.dst is not None
                    and edge.span.contains(point)
                    and (best is None or best.span.encloses(edge.span))
                ):
                    best = edge
            target = graph.symbol(best.dst) if best is not None and best.dst is not None else None
            if self.visible(target):
                assert target is not None
                return target
        sym = graph.symbol_at(rel, Point(line, col or 0))
        if sym is None:
            raise NotFound(f"nothing is defined at {rel}:{line + 1}")
        return sym

    # -- relations ---------------------------------------------------------------------------------------------

    def uses(self, sym: Symbol, kinds: frozenset[EdgeKind] = USES) -> list[Use]:
        """Places that use ``sym`` (references by default, calls with ``CALLS``), by file and line."""
        graph = self.ws.graph
        out = []
        for edge in graph.incoming(sym.id, kinds):
            if self.paths.excluded(edge.path):
                continue
            by = graph.symbol(edge.src)
            text = self._line(edge.path, edge.span.start.line)
            out.append(Use(edge.path, edge.span.start.line, edge.kind.value, by, text))
        return sorted(out, key=lambda u: (u.path, u.line))

    def callees(self, sym: Symbol) -> list[tuple[Symbol, int]]:
        """What ``sym`` calls: each resolved callee with the first line (0-based) it is called on."""
        graph = self.ws.graph
        first: dict[str, int] = {}
        for edge in graph.outgoing(sym.id, CALLS):
            if edge.dst is not None:
                first[edge.dst] = min(first.get(edge.dst, edge.span.start.line), edge.span.start.line)
        out = []
        for dst, line in sorted(first.items(), key=lambda kv: kv[1]):
            callee = graph.symbol(dst)
            if callee is not None and self.visible(callee):
                out.append((callee, line))
        return out

    def callers(self, sym: Symbol) -> dict[str, list[Use]]:
        """Call sites of ``sym`` grouped by the calling definition's id (``""`` for module-level code)."""
        groups: dict[str, list[Use]] = defaultdict(list)
        for use in self.uses(sym, CALLS):
            groups[use.by.id if use.by is not None else ""].append(use)
        return dict(groups)

    def outline(self, raw_path: str) -> tuple[str, list[Symbol]]:
        """A module's definitions in source order (the module symbol itself left out)."""
        rel = self.path(raw_path)
        syms = [s for s in self.ws.graph.symbols_in(rel) if s.kind is not SymbolKind.MODULE]
        return rel, sorted(syms, key=lambda s: (s.span.start.line, s.span.start.col))

    # -- source ------------------------------------------------------------------------------------------------

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            try:
                text = self.ws.abspath(rel).read_bytes().decode("utf-8", errors="replace")
            except OSError:
                text = ""
            self._lines[rel] = text.splitlines()
        return self._lines[rel]

    def source(self, sym: Symbol, max_lines: int) -> tuple[str, bool]:
        """The definition's text (at most ``max_lines`` lines; True when cut)."""
        lines = self.lines(sym.path)[sym.span.start.line : sym.span.end.line + 1]
        return "\n".join(lines[:max_lines]), len(lines) > max_lines

    def _line(self, rel: str, line: int) -> str:
        lines = self.lines(rel)
        return lines[line].strip() if 0 <= line < len(lines) else ""
