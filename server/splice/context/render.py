"""Turning ranked candidates into renderings the budgeter can choose from (card, body), plus the extra items that
are not plain definitions: call sites of the target, its enclosing scope and nearby siblings, pinned files.

Every text passes through secret masking *before* it is counted, so the budget accounts for exactly what is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from splice import invisible
from splice.context.budget import Rendering, TokenCounter
from splice.context.candidates import CallSite
from splice.context.cards import (
    CALLABLE,
    CLASS_LIKE,
    MAX_MEMBERS,
    body_text,
    class_card,
    line_text,
    one_line,
    signature_text,
    symbol_card,
)
from splice.context.exclusion import mask_secrets
from splice.context.target import Focus
from splice.index.graph import Graph
from splice.index.languages import ECMASCRIPT
from splice.index.model import Point, Span, Symbol, SymbolKind

MAX_BODY_SHARE = 0.5
"""A whole body may take at most this share of the budget; past it only the card is offered."""
MAX_CALL_SITES = 3
MAX_SIBLINGS = 2
OUTLINED = CLASS_LIKE | CALLABLE | {SymbolKind.CONSTANT, SymbolKind.TYPE, SymbolKind.VARIABLE}
OUTLINE_CHARS = 90
"""An outline line is cut here (a long parameter list still shows the name and the first parameters)."""
MIN_LINE_TOKENS = 4
FRAME_BEFORE = 10
"""Lines before a frame's line an excerpt shows: where the values used on it were computed."""
FRAME_AFTER = 3
FRAME_AROUND = 2
"""Module-level code (a script's last lines) is shown this many lines either side of the frame's line."""
FRAME_BODY_LINES = 400
"""Longer definitions are never offered whole for a frame (the excerpt stands for them)."""
OUTLINE_SCAN = 200
"""Definitions an outline considers at most: counting tokens line by line through a module of thousands would cost
more than the rest of the request."""


def outline_line(sym: Symbol) -> str:
    """One line for a module outline: a callable's whole signature joined onto one line; a class's header line; a
    constant's first line (a multi-line value is cut: its comments would swallow the rest of a joined line)."""
    sig = signature_text(sym).strip()
    if sym.kind not in CALLABLE and "\n" in sig:
        sig = sig.splitlines()[0].rstrip() + " …"
    text = one_line(sig, OUTLINE_CHARS).rstrip()
    return text.removesuffix("{").removesuffix(":").rstrip()


@dataclass(frozen=True, slots=True)
class Source:
    data: bytes
    fresh: bool
    """The bytes are what the index saw (hash matches), so symbol spans point at the right text."""


@dataclass(frozen=True, slots=True)
class Extra:
    key: str
    renderings: tuple[Rendering, ...]
    path: str
    span: Span
    symbol: str | None


def doc_chars_for(budget: int) -> int:
    """Docstring characters a card keeps: the first sentence under a tight budget, a paragraph when roomy."""
    return 110 if budget <= 1500 else 170 if budget <= 3000 else 240


def members_for(budget: int) -> int:
    """Members a class card lists: a handful under a tight budget, more when there is room."""
    return max(3, min(MAX_MEMBERS, budget // 500))


RenderCache = dict[tuple[str, str, str], Rendering]
"""(kind, symbol id, file hash) → rendering; owned by the engine so it survives across requests."""


class Renderer:
    def __init__(
        self,
        graph: Graph,
        focus: Focus,
        count: TokenCounter,
        source: Callable[[str], Source | None],
        cache: RenderCache | None = None,
        children: Callable[[str], list[Symbol]] | None = None,
    ) -> None:
        self.graph = graph
        self.focus = focus
        self.count = count
        self.source = source
        self.cache: RenderCache = cache if cache is not None else {}
        self.children = children or graph.children
        self._places: dict[str, tuple[str, Span, str | None]] = {}

    def render(self, kind: str, text: str) -> Rendering:
        masked, _ = mask_secrets(text)
        masked, _ = invisible.for_model(masked)  # the preview shows what the gateway sends: hidden text revealed
        return Rendering(kind, masked, max(0, int(self.count(masked))))

    def _cached(self, kind: str, sym: Symbol, make: Callable[[], str | None], variant: str = "") -> Rendering | None:
        record = self.graph.files.get(sym.path)
        key = (kind + variant, sym.id, record.hash if record is not None else "")
        hit = self.cache.get(key)
        if hit is None and key not in self.cache:
            text = make()
            if text is None:
                return None
            hit = self.cache[key] = self.render(kind, text)
        return hit

    def span_of(self, key: str) -> tuple[str, Span, str | None] | None:
        return self._places.get(key)

    def remember(self, extra: Extra) -> None:
        self._places[extra.key] = (extra.path, extra.span, extra.symbol)

    # -- the target --------------------------------------------------------------------------------------------

    def target(self) -> tuple[Rendering, ...]:
        sym = self.focus.symbol
        if sym is None or self.focus.path is None:
            return ()
        self._places[f"target:{sym.id}"] = (sym.path, sym.span, sym.id)
        out = [self.render("card", symbol_card(sym, self._focus_parent(sym)))]
        if self.focus.source is not None:
            body = body_text(sym, self.focus.source)
            if body is not None:
                out.append(self.render("body", body))
        return tuple(out)

    def _focus_parent(self, sym: Symbol) -> Symbol | None:
        if self.focus.extract is None or sym.parent is None:
            return None
        for s in self.focus.extract.symbols:
            if s.id == sym.parent:
                return s
        return None

    # -- definitions -------------------------------------------------------------------------------------------

    def symbol(self, sid: str, budget: int, prefer: Collection[str]) -> tuple[tuple[Rendering, ...], list[str]] | None:
        """Card (and body when it is fresh and not too large) of a graph symbol; also the members a class card
        lists, so the caller can skip separate cards for them."""
        sym = self.graph.symbol(sid)
        if sym is None or sym.kind is SymbolKind.MODULE:
            return None
        self._places[sid] = (sym.path, sym.span, sid)
        members: list[str] = []
        card: Rendering | None
        if sym.kind in CLASS_LIKE:
            # Which members a class card lists depends on this request's ranking: not cached.
            children = [c for c in self.children(sid) if c.kind is not SymbolKind.MODULE]
            text, members = class_card(
                sym, children, prefer, max_members=members_for(budget), doc_chars=doc_chars_for(budget)
            )
            card = self.render("card", text)
        else:
            parent = self.graph.symbol(sym.parent) if sym.parent else None
            chars = doc_chars_for(budget)
            card = self._cached("card", sym, lambda: symbol_card(sym, parent, chars), variant=str(chars))
        if card is None:
            return None
        out = [card]
        # Cheap size check first: masking and counting a huge class body only to reject it is the slow path.
        if (sym.span.end_byte - sym.span.start_byte) <= budget * MAX_BODY_SHARE * 6:
            body = self._cached("body", sym, lambda: self._body(sym))
            if body is not None and body.tokens <= budget * MAX_BODY_SHARE and body.tokens > card.tokens:
                out.append(body)
        return tuple(out), members

    def _body(self, sym: Symbol) -> str | None:
        src = self.source(sym.path)
        if src is None or not src.fresh:
            return None
        return body_text(sym, src.data)

    def file(self, path: str) -> tuple[Rendering, ...]:
        """A pinned file: its whole text, or an outline of its top-level definitions when that does not fit."""
        src = self.source(path)
        syms = [s for s in self.graph.symbols_in(path) if s.parent is not None and s.parent.endswith("::")]
        if not syms and src is None:
            return ()
        end = syms[-1].span if syms else Span(Point(0, 0), Point(0, 0), 0, 0)
        span = Span(Point(0, 0), end.end, 0, end.end_byte)
        if src is not None:
            lines = src.data.count(b"\n")
            span = Span(Point(0, 0), Point(lines, 0), 0, len(src.data))
        self._places[f"file:{path}"] = (path, span, None)
        out = []
        if syms:
            outline = "\n".join(one_line(s.signature or s.name) for s in syms)
            out.append(self.render("card", outline))
        if src is not None:
            out.append(self.render("body", src.data.decode("utf-8", errors="replace")))
        return tuple(out)

    # -- extras ------------------------------------------------------------------------------------------------

    def extras(self, sites: list[CallSite], top: float, budget: int) -> Iterator[tuple[Extra, float, str]]:
        top = top or 1.0
        seen: set[str] = set()
        for site in sites:
            if len(seen) >= MAX_CALL_SITES or site.caller in seen:
                continue
            extra = self._call_site(site)
            if extra is not None:
                seen.add(site.caller)
                caller = self.graph.symbol(site.caller)
                who = caller.qualname if caller is not None and caller.qualname else site.path
                yield (
                    extra,
                    top * (0.45 - 0.05 * len(seen)),
                    f"calls the target ({who}, line {site.span.start.line + 1})",
                )
        sym = self.focus.symbol
        if sym is None or self.focus.extract is None or self.focus.path is None:
            return
        parent = self._focus_parent(sym)
        in_scope: list[str] = []
        if parent is not None and parent.kind in CLASS_LIKE:
            members = [s for s in self.focus.extract.symbols if s.parent == parent.id]
            # The enclosing class's outline matters more than any other class's: twice the members, same scaling.
            text, in_scope = class_card(parent, members, prefer={sym.id}, max_members=2 * members_for(budget))
            key = f"scope:{parent.id}"
            yield (
                Extra(key, (self.render("scope", text),), self.focus.path, parent.span, parent.id),
                top * 0.3,
                f"enclosing {parent.kind.value} {parent.name}",
            )
        # A sibling's card shows its docstring; without one it would only repeat its line in the scope card.
        siblings = [
            s
            for s in self.focus.extract.symbols
            if s.parent == sym.parent
            and s.id != sym.id
            and s.kind in CALLABLE
            and (s.doc.strip() or s.id not in in_scope)
        ]
        siblings.sort(key=lambda s: abs(s.span.start.line - sym.span.start.line))
        for sib in siblings[:MAX_SIBLINGS]:
            key = f"sibling:{sib.id}"
            yield (
                Extra(key, (self.render("card", symbol_card(sib)),), self.focus.path, sib.span, sib.id),
                top * 0.1,
                f"sibling {sib.name}: shows this module's conventions",
            )

    def outline(
        self, path: str, skip: Collection[str], score_of: Callable[[str], float], cap: int
    ) -> tuple[Extra, list[str]] | None:
        """The top-level definitions of a module the file imports from, one line each, best scored first while they
        fit in ``cap`` tokens, shown in file order: what else the module offers that the ranking did not show on its
        own. Returns the item and the ids it lists."""
        syms = [
            s
            for s in self.graph.symbols_in(path)
            if s.parent is not None and s.parent.endswith("::") and s.kind in OUTLINED and s.id not in skip
        ]
        if syms and syms[0].lang == "python":
            # Private constants and type variables (``_null``, ``_KT``) are the module's own business.
            syms = [s for s in syms if not (s.name.startswith("_") and s.kind not in CALLABLE | CLASS_LIKE)]
        if syms and syms[0].lang in ECMASCRIPT:
            # Only what another module can import: the exported declarations (when the file marks them inline).
            exported = [s for s in syms if s.signature.lstrip().startswith("export")]
            syms = exported or syms
        if not syms:
            return None
        python = syms[0].lang == "python"
        header = f"{'#' if python else '//'} {path}: also defines"
        used = self.count(header)
        picked: list[tuple[Symbol, str]] = []
        ranked = sorted(syms, key=lambda s: (-score_of(s.id), s.span.start_byte))
        for sym in ranked[:OUTLINE_SCAN]:
            if cap - used < MIN_LINE_TOKENS:
                break
            line = outline_line(sym)
            tokens = self.count(line) + 1
            if used + tokens <= cap:
                used += tokens
                picked.append((sym, line))
        if not picked:
            return None
        picked.sort(key=lambda p: p[0].span.start_byte)
        first, last = picked[0][0].span, picked[-1][0].span
        span = Span(first.start, last.end, first.start_byte, last.end_byte)
        text = "\n".join([header, *(line for _, line in picked)])
        extra = Extra(f"outline:{path}", (self.render("outline", text),), path, span, None)
        return extra, [sym.id for sym, _ in picked]

    # -- stack frames --------------------------------------------------------------------------------------------

    def frame(self, key: str, path: str, line: int, sym: Symbol | None, body_cap: int) -> Extra | None:
        """A stack frame's code: an excerpt (the definition's first lines, then the lines around the frame's line,
        with the file's own indentation) and, when it fits in ``body_cap`` tokens, the whole definition."""
        src = self._frame_source(path)
        if src is None:
            return None
        lines = src.decode("utf-8", errors="replace").split("\n")
        if not 0 <= line < len(lines):
            return None
        renderings: list[Rendering] = []
        if sym is not None:
            first, last = sym.span.start.line, min(sym.span.end.line, len(lines) - 1)
            head_end = min(first + max(1, len(sym.signature.splitlines())) - 1, last)
        else:
            first = last = head_end = line
        lo = max(head_end + 1, line - FRAME_BEFORE)
        hi = min(max(last, line), line + FRAME_AFTER, len(lines) - 1)
        if sym is None:  # module-level code: the lines around the frame's line
            first, last = max(0, line - FRAME_AROUND), min(len(lines) - 1, line + FRAME_AROUND)
            shown = list(range(first, last + 1))
            hi = last
        else:
            shown = list(range(first, head_end + 1))
            if lo > head_end + 1:
                shown.append(-1)
            shown.extend(range(lo, hi + 1))
            if hi < last:
                shown.append(-1)
        excerpt = _excerpt(lines, shown)
        whole = sym is not None and -1 not in shown and shown[-1] >= last
        renderings.append(self.render("body" if whole else "excerpt", excerpt))
        if sym is not None and not whole and (sym.span.end.line - first) < FRAME_BODY_LINES:
            body = self.render("body", "\n".join(lines[first : last + 1]))
            if body.tokens <= body_cap and body.tokens > renderings[0].tokens:
                renderings.append(body)
        end_line = max(last, hi)
        starts = [0]
        for text in lines:
            starts.append(starts[-1] + len(text.encode("utf-8", errors="replace")) + 1)
        span = Span(Point(first, 0), Point(end_line, len(lines[end_line])), starts[first], starts[end_line + 1] - 1)
        extra = Extra(key, tuple(renderings), path, span, sym.id if sym is not None else None)
        self.remember(extra)
        return extra

    def _frame_source(self, path: str) -> bytes | None:
        if path == self.focus.path and self.focus.source is not None:
            return self.focus.source
        src = self.source(path)
        return src.data if src is not None else None

    def _call_site(self, site: CallSite) -> Extra | None:
        src = self.source(site.path)
        if src is None or not src.fresh:
            return None
        caller = self.graph.symbol(site.caller)
        first, last = site.span.start.line, min(site.span.end.line, site.span.start.line + 2)
        call = line_text(src.data, first, last)
        lines = []
        if caller is not None and caller.kind is not SymbolKind.MODULE and caller.span.start.line < first:
            lines.append(one_line(caller.signature.splitlines()[0] if caller.signature else caller.name))
            lines.append("    ...")
        lines.append(call)
        span = Span(Point(first, 0), Point(last, len(call.splitlines()[-1]) if call else 0), 0, 0)
        key = f"call:{site.path}:{first}"
        return Extra(key, (self.render("call-site", "\n".join(lines)),), site.path, span, site.caller)


def _excerpt(lines: list[str], shown: list[int]) -> str:
    """The given 0-based lines as they are in the file; ``-1`` marks a gap, written as ``...`` at the indentation of
    the line after it."""
    out: list[str] = []
    for i, n in enumerate(shown):
        if n >= 0:
            out.append(lines[n].rstrip("\r"))
            continue
        nxt = next((lines[m] for m in shown[i + 1 :] if m >= 0 and lines[m].strip()), "")
        prev = out[-1] if out else ""
        ref = nxt or prev
        indent = ref[: len(ref) - len(ref.lstrip())]
        if not nxt and prev.rstrip().endswith((":", "{")):
            indent += "    "
        out.append(f"{indent}...")
    return "\n".join(out)
