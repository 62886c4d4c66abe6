"""Context from a stack trace's data flow: what the frames' code is and what it called to get the failing values.

A model explaining a crash needs, in this order: the code of every workspace frame's function (innermost first —
the outer ones show where the failing values came from), the definitions called or read *on* each frame's line,
the definitions that produced the names used on that line (``method = self._redirect_method(…)`` a few lines
above ``return Request(method, …)``), the definitions named in the failing expression, and the exception's own
class when the workspace defines it. Graph neighbours and word matches come after all of that, and only when the
budget has room (``engine.py`` decides).

Everything here is read from the graph (edges carry their spans) and the files' bytes; nothing is guessed from
words. The same walk serves a diagnostic: its line is a one-frame trace.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from splice.context.cards import CLASS_LIKE
from splice.index.graph import Graph
from splice.index.model import EdgeKind, Point, Symbol, SymbolKind

_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_USES = frozenset({EdgeKind.CALLS, EdgeKind.REFERENCES})
MAX_OTHER_CALLEES = 4
"""Per frame, callees neither on the frame's line nor feeding it: the nearest few before the line."""
MAX_FRAMES = 12


@dataclass(frozen=True, slots=True)
class Place:
    """A workspace frame: its file, 0-based line, depth (0 = innermost) and enclosing definition (None at module
    level)."""

    path: str
    line: int
    depth: int
    symbol: Symbol | None


@dataclass(frozen=True, slots=True)
class Lead:
    """A definition the trace's data flow points at, with the priority and the reason the prompt shows."""

    sid: str
    priority: float
    reason: str
    card_only: bool = False
    """A class that is constructed or owns a member: its card (header, doc, member signatures) says what it holds;
    its whole body would repeat the frames' own code."""


def places(graph: Graph, frames: list[tuple[str, int]]) -> list[Place]:
    """``frames`` innermost first → one place per distinct frame (a recursive frame counts once)."""
    out: list[Place] = []
    seen: set[tuple[str, str | int]] = set()
    for path, line in frames:
        sym = graph.symbol_at(path, Point(line, 0))
        if sym is not None and sym.kind is SymbolKind.MODULE:
            sym = None
        key: tuple[str, str | int] = (path, sym.id if sym is not None else line)
        if key in seen:
            continue
        seen.add(key)
        out.append(Place(path, line, len(out), sym))
        if len(out) >= MAX_FRAMES:
            break
    return out


def frame_label(place: Place, total: int) -> str:
    where = place.symbol.qualname if place.symbol is not None else "module level"
    if place.depth == 0:
        return f"innermost frame: {where}, line {place.line + 1}"
    return f"frame {place.depth + 1} of {total} (outer): {where}, line {place.line + 1}"


def leads(
    graph: Graph,
    frames: list[Place],
    line_text: Callable[[str, int], str | None],
    exception: str = "",
) -> list[Lead]:
    """Definitions the frames' code uses to produce the failing values, best first (deduplicated)."""
    frame_ids = {p.symbol.id for p in frames if p.symbol is not None}
    found: dict[str, Lead] = {}

    def add(sid: str | None, priority: float, reason: str) -> None:
        if sid is None or sid in frame_ids:
            return
        sym = graph.symbol(sid)
        if sym is None or sym.kind is SymbolKind.MODULE:
            return
        old = found.get(sid)
        if old is None or old.priority < priority:
            card_only = sym.kind in CLASS_LIKE and not reason.startswith("the exception")
            found[sid] = Lead(sid, priority, reason, card_only)

    for place in frames:
        weight = 1.0 / (1 + place.depth)
        where = place.symbol.qualname if place.symbol is not None else place.path
        edges = [e for e in graph.edges_in_file(place.path) if e.kind in _USES]
        if place.symbol is not None:
            span = place.symbol.span
            edges = [e for e in edges if span.start.line <= e.span.start.line <= span.end.line]
        else:
            edges = [e for e in edges if e.span.start.line == place.line]
        text = line_text(place.path, place.line) or ""
        used_names = {m.group(0) for m in _IDENT.finditer(text)}
        others: list[tuple[int, str]] = []
        for edge in edges:
            ln = edge.span.start.line
            verb = "called" if edge.kind is EdgeKind.CALLS else "read"
            if edge.dst is None:
                # ``client.get(…)`` on a receiver of unknown type: the index names no definition, so say which ones
                # it could be when there are only a few — never as if it knew
                if edge.kind is EdgeKind.CALLS and ln <= place.line:
                    guesses = _members_named(graph, edge.name)
                    produced = _assigned_names(line_text(place.path, ln) or "", edge.span.start.col) & used_names
                    if guesses and (ln == place.line or produced):
                        for sid in guesses:
                            add(
                                sid,
                                (2.0 if ln == place.line else 1.8) * weight,
                                f"maybe what .{edge.name}() on line {ln + 1} of {where} calls (frame {place.depth + 1};"
                                f" the receiver's type is unknown, {len(guesses)} definition(s) have this name)",
                            )
                continue
            guessed = " — by name only, the receiver's type is unknown" if edge.confidence < NAME_ONLY else ""
            if ln == place.line:
                add(edge.dst, 3.0 * weight, f"{verb} on line {ln + 1} of {where} (frame {place.depth + 1}){guessed}")
                if place.depth == 0:
                    _owner(graph, edge.dst, add, 2.0, f"type of what line {ln + 1} of {where} uses")
                continue
            produced = _assigned_names(line_text(place.path, ln) or "", edge.span.start.col) & used_names
            if produced and ln < place.line:
                names = ", ".join(sorted(produced))
                add(
                    edge.dst,
                    2.5 * weight,
                    f"produces {names}, used on line {place.line + 1} of {where} (frame {place.depth + 1}){guessed}",
                )
            elif ln < place.line and edge.kind is EdgeKind.CALLS:
                others.append((place.line - ln, edge.dst))
        others.sort()
        kept = 0
        for _, sid in others:
            if kept >= MAX_OTHER_CALLEES:
                break
            if sid not in found:
                add(sid, 1.0 * weight, f"called by {where} before line {place.line + 1} (frame {place.depth + 1})")
                kept += 1
    if exception:
        short = exception.rsplit(".", 1)[-1]
        classes = [s for s in graph.find(short) if s.kind in CLASS_LIKE]
        if 0 < len(classes) <= 3:
            for cls in classes:
                add(cls.id, 2.2, f"the exception's class {short}")
    return sorted(found.values(), key=lambda lead: -lead.priority)


NAME_ONLY = 0.8
"""Edges below this confidence were matched by name alone (``index/resolve.py``)."""
MAX_GUESSES = 3
"""A call on a receiver of unknown type suggests the definitions of that name only when there are this few."""


def _members_named(graph: Graph, name: str) -> list[str]:
    found = [s.id for s in graph.find(name) if s.kind in (SymbolKind.METHOD, SymbolKind.FUNCTION)]
    return found if len(found) <= MAX_GUESSES else []


def _owner(graph: Graph, sid: str, add: Callable[[str | None, float, str], None], priority: float, why: str) -> None:
    """The class a member read on the failing line belongs to (its other members tell what the object holds)."""
    sym = graph.symbol(sid)
    if sym is None or sym.parent is None:
        return
    parent = graph.symbol(sym.parent)
    if parent is not None and parent.kind in CLASS_LIKE:
        add(parent.id, priority, why)


_DECLARE = re.compile(r"^\s*(?:const|let|var|final)\s+")
_ASSIGN = re.compile(r"^\s*([A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)\s*(?::[^=]*)?(?<![=!<>])=(?!=)")


def _assigned_names(line: str, col: int) -> set[str]:
    """Names a line assigns before byte column ``col`` (``a, b = f()`` → {a, b}); tuple targets in parentheses
    and attribute targets are left out."""
    head = line.encode("utf-8", errors="replace")[:col].decode("utf-8", errors="replace")
    m = _ASSIGN.match(_DECLARE.sub("", head, count=1))
    if m is None:
        return set()
    return {n.strip() for n in m.group(1).split(",") if n.strip()}
