"""Conversions between Splice value types and lsprotocol types, including the position-encoding boundary:
Splice counts UTF-8 byte columns, clients count UTF-16 (VS Code), UTF-8 (Neovim) or UTF-32 code units."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from splice.index.model import Point, Span, Symbol, SymbolKind

_KINDS: dict[SymbolKind, types.SymbolKind] = {
    SymbolKind.MODULE: types.SymbolKind.Module,
    SymbolKind.CLASS: types.SymbolKind.Class,
    SymbolKind.FUNCTION: types.SymbolKind.Function,
    SymbolKind.METHOD: types.SymbolKind.Method,
    SymbolKind.CONSTANT: types.SymbolKind.Constant,
    SymbolKind.VARIABLE: types.SymbolKind.Variable,
    SymbolKind.FIELD: types.SymbolKind.Field,
    SymbolKind.INTERFACE: types.SymbolKind.Interface,
    SymbolKind.ENUM: types.SymbolKind.Enum,
    SymbolKind.STRUCT: types.SymbolKind.Struct,
    SymbolKind.TRAIT: types.SymbolKind.Interface,
    SymbolKind.TYPE: types.SymbolKind.TypeParameter,
    SymbolKind.NAMESPACE: types.SymbolKind.Namespace,
}


def lsp_kind(kind: SymbolKind) -> types.SymbolKind:
    return _KINDS.get(kind, types.SymbolKind.Variable)


class Lines:
    """A document's lines (as text) for converting between byte columns and client code units."""

    def __init__(self, text: str, encoding: str) -> None:
        self.lines: Sequence[str] = text.split("\n")
        self.encoding = encoding

    def _units(self, s: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf8:
            return len(s.encode("utf-8", errors="surrogatepass"))
        if self.encoding == types.PositionEncodingKind.Utf32:
            return len(s)
        return sum(2 if ord(c) > 0xFFFF else 1 for c in s)

    def to_client(self, p: Point) -> types.Position:
        if p.line >= len(self.lines):
            last = len(self.lines) - 1
            return types.Position(line=last, character=self._units(self.lines[last]))
        raw = self.lines[p.line].encode("utf-8", errors="surrogatepass")
        prefix = raw[: max(p.col, 0)].decode("utf-8", errors="ignore")
        return types.Position(line=p.line, character=self._units(prefix))

    def from_client(self, pos: types.Position) -> Point:
        """Client position → byte point, clamped to the document as the spec asks (never raises)."""
        if pos.line < 0:
            return Point(0, 0)
        if pos.line >= len(self.lines):
            last = len(self.lines) - 1
            return Point(last, len(self.lines[last].encode("utf-8", errors="surrogatepass")))
        line = self.lines[pos.line]
        units = 0
        chars = 0
        for c in line:
            if units >= pos.character:
                break
            units += self._units(c)
            chars += 1
        return Point(pos.line, len(line[:chars].encode("utf-8", errors="surrogatepass")))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.to_client(span.start), end=self.to_client(span.end))


def location(uri: str, lines: Lines, span: Span) -> types.Location:
    return types.Location(uri=uri, range=lines.range(span))


def document_symbols(symbols: Sequence[Symbol], lines: Lines) -> list[types.DocumentSymbol]:
    """Nested DocumentSymbols (the module symbol itself is not listed; its children are the roots)."""
    children: dict[str, list[types.DocumentSymbol]] = {}
    roots: list[types.DocumentSymbol] = []
    for sym in symbols:
        if sym.kind is SymbolKind.MODULE:
            continue
        kids: list[types.DocumentSymbol] = []
        children[sym.id] = kids
        node = types.DocumentSymbol(
            name=sym.name,
            kind=lsp_kind(sym.kind),
            range=lines.range(sym.span),
            selection_range=lines.range(sym.selection),
            detail=sym.signature or None,
            children=kids,
        )
        siblings = children.get(sym.parent) if sym.parent else None
        (siblings if siblings is not None else roots).append(node)
    return roots


def call_hierarchy_item(sym: Symbol, uri: str, lines: Lines) -> types.CallHierarchyItem:
    return types.CallHierarchyItem(
        name=sym.name,
        kind=lsp_kind(sym.kind),
        uri=uri,
        range=lines.range(sym.span),
        selection_range=lines.range(sym.selection),
        detail=sym.path,
        data={"id": sym.id},
    )
