"""Navigation served from the symbol graph: workspace/document symbols, definition, references, call hierarchy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from lsprotocol import types

from splice.index.model import Edge, EdgeKind, Symbol, SymbolKind
from splice.index.occurrences import expand
from splice.lsp import convert
from splice.lsp.server import SpliceServer

CALLS = frozenset({EdgeKind.CALLS})


def _reader(ls: SpliceServer) -> Callable[[str], bytes | None]:
    def read(rel: str) -> bytes | None:
        text = ls.text_of(rel)
        return text.encode("utf-8") if text is not None else None

    return read


USES = frozenset({EdgeKind.CALLS, EdgeKind.REFERENCES, EdgeKind.INHERITS, EdgeKind.IMPORTS})


def _target_at(ls: SpliceServer, uri: str, position: types.Position) -> tuple[Symbol | None, str | None]:
    """The symbol meant at a position: a resolved reference under the cursor, else the definition whose name is
    under the cursor. Returns (symbol, workspace-relative path)."""
    rel = ls.rel_for(uri)
    if rel is None or ls.ws is None:
        return None, None
    graph = ls.ws.graph
    point = ls.lines_of(rel).from_client(position)
    best: Edge | None = None
    for edge in graph.edges_in_file(rel):
        if edge.dst is not None and edge.span.contains(point) and (best is None or best.span.encloses(edge.span)):
            best = edge
    if best is not None and best.dst is not None:
        return graph.symbol(best.dst), rel
    for sym in graph.symbols_in(rel):
        if sym.kind is not SymbolKind.MODULE and sym.selection.contains(point):
            return sym, rel
    return None, rel


def register(server: SpliceServer) -> None:
    @server.feature(types.WORKSPACE_SYMBOL)
    async def workspace_symbol(ls: SpliceServer, params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
        if ls.ws is None:
            return []
        out = []
        # Off the event loop: a search over a large graph must not hold up every other request (the query length
        # is bounded by SpliceProtocol).
        for sym in await ls.in_work_thread(ls.ws.graph.search, params.query, 200):
            if sym.kind is SymbolKind.MODULE:
                continue
            lines = ls.lines_of(sym.path)
            out.append(
                types.WorkspaceSymbol(
                    name=sym.name,
                    kind=convert.lsp_kind(sym.kind),
                    location=convert.location(ls.uri_for(sym.path), lines, sym.selection),
                    container_name=sym.qualname.rpartition(".")[0] or sym.path,
                )
            )
        return out

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: SpliceServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        rel = ls.rel_for(params.text_document.uri)
        if rel is None or ls.ws is None:
            return []
        return convert.document_symbols(ls.ws.graph.symbols_in(rel), ls.lines_of(rel))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: SpliceServer, params: types.DefinitionParams) -> list[types.Location]:
        sym, _ = _target_at(ls, params.text_document.uri, params.position)
        if sym is None:
            return []
        return [convert.location(ls.uri_for(sym.path), ls.lines_of(sym.path), sym.selection)]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(ls: SpliceServer, params: types.ReferenceParams) -> list[types.Location]:
        sym, _ = _target_at(ls, params.text_document.uri, params.position)
        if sym is None or ls.ws is None:
            return []
        out = []
        if params.context.include_declaration:
            out.append(convert.location(ls.uri_for(sym.path), ls.lines_of(sym.path), sym.selection))
        by_path: dict[str, list[Edge]] = defaultdict(list)
        for edge in expand(ls.ws.graph, ls.ws.graph.incoming(sym.id, USES), _reader(ls)):
            by_path[edge.path].append(edge)
        for path, edges in sorted(by_path.items()):
            lines, uri = ls.lines_of(path), ls.uri_for(path)
            out.extend(convert.location(uri, lines, e.span) for e in sorted(edges, key=lambda e: e.span.start))
        return out

    @server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
    def prepare_call_hierarchy(
        ls: SpliceServer, params: types.CallHierarchyPrepareParams
    ) -> list[types.CallHierarchyItem] | None:
        sym, _ = _target_at(ls, params.text_document.uri, params.position)
        if sym is None:
            return None
        return [convert.call_hierarchy_item(sym, ls.uri_for(sym.path), ls.lines_of(sym.path))]

    @server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)
    def incoming_calls(
        ls: SpliceServer, params: types.CallHierarchyIncomingCallsParams
    ) -> list[types.CallHierarchyIncomingCall]:
        sid = _item_id(params.item)
        if sid is None or ls.ws is None:
            return []
        graph = ls.ws.graph
        groups: dict[str, list[Edge]] = defaultdict(list)
        for edge in expand(graph, graph.incoming(sid, CALLS), _reader(ls)):
            groups[edge.src].append(edge)
        out = []
        for src_id, edges in groups.items():
            caller = graph.symbol(src_id)
            if caller is None:
                continue
            lines = ls.lines_of(caller.path)
            out.append(
                types.CallHierarchyIncomingCall(
                    from_=convert.call_hierarchy_item(caller, ls.uri_for(caller.path), lines),
                    from_ranges=[lines.range(e.span) for e in edges],
                )
            )
        return out

    @server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)
    def outgoing_calls(
        ls: SpliceServer, params: types.CallHierarchyOutgoingCallsParams
    ) -> list[types.CallHierarchyOutgoingCall]:
        sid = _item_id(params.item)
        if sid is None or ls.ws is None:
            return []
        graph = ls.ws.graph
        caller = graph.symbol(sid)
        if caller is None:
            return []
        lines = ls.lines_of(caller.path)
        groups: dict[str, list[Edge]] = defaultdict(list)
        for edge in graph.outgoing(sid, CALLS):
            if edge.dst is not None:
                groups[edge.dst].append(edge)
        out = []
        for dst_id, edges in groups.items():
            callee = graph.symbol(dst_id)
            if callee is None:
                continue
            out.append(
                types.CallHierarchyOutgoingCall(
                    to=convert.call_hierarchy_item(callee, ls.uri_for(callee.path), ls.lines_of(callee.path)),
                    from_ranges=[lines.range(e.span) for e in edges],
                )
            )
        return out


def _item_id(item: types.CallHierarchyItem) -> str | None:
    data = item.data
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return str(data["id"])
    return None
