"""Candidate generation: every definition that might belong in the context, with the signals that nominate it.

Signals (raw values; ``rank.py`` weighs and combines them):

- ``uses``      the target's own body references it (callee, type, constant) — through the file's bindings.
- ``file_use``  other code in the visible file references it, weighted by closeness to the target (same class
                counts most): sibling code shows the API the module works with.
- ``import``    the file imports it by name; ``unused_import`` when nothing visible uses the import yet (a new
                import is a strong hint about the code being written).
- ``module``    a top-level definition of a module the file imports (``from . import utils``, ``import * as core``).
- ``package``   a top-level definition in the target's own package/folder (the strict-mode fallback when the
                import that would have named it is gone).
- ``name``      its name is written in the target's signature, docstring or the diagnostic/instruction text.
- ``twin``      used by a definition with the target's name elsewhere (overridden base method, parallel API).
- ``hierarchy`` a base class of the enclosing class, or the base method the target overrides.
- ``lexical``   full-text match (identifiers, docstrings); ``vector`` semantic match for natural language.
- ``seed``      a stack-trace frame.
Callers of the target are collected separately as call sites.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from splice.context.bindings import Binder
from splice.context.lexical import LexicalIndex, query_terms, surface_forms
from splice.context.target import Focus
from splice.index.graph import Graph
from splice.index.model import Edge, EdgeKind, Span, Symbol, SymbolKind

Search = Callable[[str, int], list[tuple[str, float]]]

_CLASSES = frozenset({SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.STRUCT, SymbolKind.TRAIT, SymbolKind.ENUM})
_DEFINITIONS = frozenset(
    {
        SymbolKind.CLASS,
        SymbolKind.FUNCTION,
        SymbolKind.METHOD,
        SymbolKind.CONSTANT,
        SymbolKind.VARIABLE,
        SymbolKind.INTERFACE,
        SymbolKind.ENUM,
        SymbolKind.STRUCT,
        SymbolKind.TRAIT,
        SymbolKind.TYPE,
        SymbolKind.FIELD,
    }
)
TEST_PENALTY = 0.4
"""Test code is rarely the context production code needs (and the reverse holds for tests, which keep full weight)."""
_TEST_PATH = re.compile(r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*$|_test\.[a-z]+$|\.(test|spec)\.[a-z]+$")
LEXICAL_HITS = 60
"""Identifier-index matches kept per request."""

_CALLS = frozenset({EdgeKind.CALLS})
_USE_KINDS = frozenset({EdgeKind.CALLS, EdgeKind.REFERENCES, EdgeKind.INHERITS})


@dataclass
class Candidate:
    sid: str
    signals: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    """Per signal, the human-readable reason (the strongest one is shown)."""
    scaled: dict[str, float] | None = None
    """Signals scaled to [0, 1] by the ranker."""

    def add(self, signal: str, value: float, reason: str, *, accumulate: bool = False) -> None:
        old = self.signals.get(signal, 0.0)
        if accumulate:
            self.signals[signal] = old + value
        elif value <= old:
            return
        else:
            self.signals[signal] = value
        self.reasons.setdefault(signal, reason)


@dataclass(frozen=True, slots=True)
class CallSite:
    """A place outside the target's file that calls the target."""

    caller: str
    path: str
    span: Span


@dataclass
class Candidates:
    by_id: dict[str, Candidate] = field(default_factory=dict)
    call_sites: list[CallSite] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def get(self, sid: str) -> Candidate:
        cand = self.by_id.get(sid)
        if cand is None:
            cand = self.by_id[sid] = Candidate(sid)
        return cand


def is_test_path(path: str) -> bool:
    return _TEST_PATH.search(path) is not None


def _top_level(sym: Symbol) -> bool:
    return sym.parent is not None and sym.parent.endswith("::")


def _short(sid: str) -> str:
    path, _, qual = sid.partition("::")
    return qual or path


class Collector:
    """Gathers candidates for one focus. Reads the graph, never writes it."""

    def __init__(
        self,
        graph: Graph,
        focus: Focus,
        binder: Binder | None,
        fts: Search | None = None,
        vectors: Search | None = None,
        lexical: LexicalIndex | None = None,
        children: Callable[[str], list[Symbol]] | None = None,
    ) -> None:
        self.graph = graph
        self.focus = focus
        self.binder = binder
        self.fts = fts
        self.vectors = vectors
        self.lexical = lexical
        self.children = children or graph.children
        self.out = Candidates()
        self._newlines: list[int] | None = None

    def usable(self, sid: str) -> Symbol | None:
        """A graph definition that may be a candidate: not in the focus file, not a module symbol."""
        sym = self.graph.symbol(sid)
        if sym is None or sym.kind not in _DEFINITIONS or sym.path == self.focus.path:
            return None
        return sym

    def edge_ok(self, edge: Edge) -> bool:
        """Edges found in the focus file are stale when the focus is a buffer overlay; ignore them."""
        return not (self.focus.overlay and edge.path == self.focus.path)

    def collect(self) -> Candidates:
        if self.binder is not None:
            self._visible_references()
            self._imports()
        if self.focus.symbol is not None:
            self._twins_and_hierarchy(self.focus.symbol)
            self._callers(self.focus.symbol)
        if self.focus.path is not None:
            self._package(self.focus.path)
        self._names()
        self._seeds()
        self._search()
        return self.out

    # -- the visible file ----------------------------------------------------------------------------------

    def _in_target(self, span: Span) -> bool:
        sym = self.focus.symbol
        return sym is not None and sym.span.encloses(span)

    def _visible_references(self) -> None:
        assert self.binder is not None and self.focus.extract is not None
        target = self.focus.symbol
        line = self.focus.point.line if self.focus.point else 0
        target_class = self.binder.enclosing_class(target.id) if target is not None else None
        resolved: list[tuple[str, Span, str, EdgeKind]] = []
        bindings = self.binder.bindings
        heads: set[tuple[str, str]] = set()
        for ref in self.focus.extract.references:
            dst = self.binder.resolve(ref)
            if dst is not None:
                resolved.append((dst, ref.span, ref.scope, ref.kind))
            if ref.receiver and ref.receiver[0] in bindings:
                # ``request.path`` uses the imported ``request`` itself, whatever ``path`` resolves to.
                # Counted once per scope: a method touching ``request`` ten times uses it once.
                head = bindings[ref.receiver[0]].target
                if not head.endswith("::") and head != dst and (head, ref.scope) not in heads:
                    heads.add((head, ref.scope))
                    resolved.append((head, ref.span, ref.scope, EdgeKind.REFERENCES))
        if not self.focus.overlay and self.focus.path is not None:
            # The indexer's resolution also knows chains the binder does not follow; merge both.
            for edge in self.graph.edges_in_file(self.focus.path):
                if edge.dst is not None and edge.kind in _USE_KINDS:
                    resolved.append((edge.dst, edge.span, edge.src, edge.kind))
        seen: set[tuple[str, int]] = set()
        for dst, span, scope, kind in resolved:
            key = (dst, span.start_byte)
            if key in seen:
                continue
            seen.add(key)
            sym = self.usable(dst)
            if sym is None:
                continue
            cand = self.out.get(dst)
            if self._in_target(span):
                verb = "called" if kind is EdgeKind.CALLS else "inherited" if kind is EdgeKind.INHERITS else "used"
                cand.add("uses", 1.0, f"{verb} by the target", accumulate=True)
                continue
            distance = abs(span.start.line - line)
            weight = 0.3 + 0.7 * math.exp(-distance / 80.0)
            if target_class is not None and scope.startswith(target_class.id):
                weight += 0.5
            who = _short(scope) or "module level"
            cand.add("file_use", weight, f"used by {who} in this file", accumulate=True)

    def _imports(self) -> None:
        assert self.binder is not None and self.focus.extract is not None
        referenced = {r.receiver[0] if r.receiver else r.name for r in self.focus.extract.references}
        # The extractor skips some uses (names that shadow builtins, e.g. an imported ConnectionError): a name
        # written outside the import lines counts as used too, with its text occurrences as file uses.
        for name in self.binder.bindings.keys() - referenced:
            lines = self._text_uses(name)
            if lines:
                referenced.add(name)
                target = self.binder.bindings[name].target
                if not target.endswith("::") and self.usable(target) is not None:
                    self._text_file_use(target, name, lines)
        unused = [n for n, b in self.binder.bindings.items() if n not in referenced and not b.target.endswith("::")]
        # One unused import is a strong hint about the code being written; forty (a package's re-exports) are not.
        unused_weight = min(1.0, 3.0 / max(len(unused), 1))
        for name, binding in self.binder.bindings.items():
            target = binding.target
            if target.endswith("::"):
                self._module_members(target[:-2], f"in module {target[:-2]} imported by the file", 0.6)
                continue
            sym = self.usable(target)
            if sym is None:
                continue
            cand = self.out.get(target)
            if name in referenced:
                cand.add("import", 1.0, f"imported by the file as {name}")
            else:
                cand.add("unused_import", unused_weight, f"imported by the file as {name} (not used yet)")
            if sym.kind in _CLASSES:
                self._class_members(sym, "member of imported class", 0.3)
        for path in self.binder.imported_modules:
            self._module_members(path, f"in module {path} imported by the file", 0.4)

    def _text_uses(self, name: str) -> list[int]:
        """0-based lines (outside import statements) where ``name`` is written as a whole word."""
        source = self.focus.source
        extract = self.focus.extract
        if source is None or extract is None or name.encode() not in source:
            return []
        import_lines = {ln for imp in extract.imports for ln in range(imp.span.start.line, imp.span.end.line + 1)}
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer(rb"\n", source)]
        pattern = re.compile(rb"(?<![\w$])" + re.escape(name.encode()) + rb"(?![\w$])")
        lines = (bisect.bisect_left(self._newlines, m.start()) for m in pattern.finditer(source))
        return [line for line in lines if line not in import_lines]

    def _text_file_use(self, target: str, name: str, lines: list[int]) -> None:
        here = self.focus.point.line if self.focus.point else 0
        sym = self.focus.symbol
        cand = self.out.get(target)
        for line in lines:
            if sym is not None and sym.span.start.line <= line <= sym.span.end.line:
                cand.add("uses", 1.0, "used by the target", accumulate=True)
            else:
                weight = 0.3 + 0.7 * math.exp(-abs(line - here) / 80.0)
                cand.add("file_use", weight, f"{name} is used in this file", accumulate=True)

    def _module_members(self, path: str, reason: str, weight: float) -> None:
        if path == self.focus.path:
            return
        for sym in self.graph.symbols_in(path):
            if sym.parent is not None and sym.parent.endswith("::") and sym.kind in _DEFINITIONS:
                self.out.get(sym.id).add("module", weight, reason)

    def _class_members(self, cls: Symbol, reason: str, weight: float) -> None:
        for member in self.children(cls.id):
            if member.kind in _DEFINITIONS:
                self.out.get(member.id).add("member", weight, f"{reason} {cls.name}")

    def _package(self, path: str) -> None:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        for other in self.graph.files:
            if other == path:
                continue
            other_folder = other.rsplit("/", 1)[0] if "/" in other else ""
            if other_folder != folder:
                continue
            for sym in self.graph.symbols_in(other):
                if sym.parent is not None and sym.parent.endswith("::") and sym.kind in _DEFINITIONS:
                    self.out.get(sym.id).add("package", 1.0, f"defined in the same package ({other})")

    # -- the target symbol ---------------------------------------------------------------------------------

    def _twins_and_hierarchy(self, target: Symbol) -> None:
        twins = [s for s in self.graph.find(target.name) if s.path != self.focus.path and s.kind == target.kind]
        bases: list[str] = []
        if self.binder is not None:
            cls = self.binder.enclosing_class(target.id)
            if cls is not None:
                bases = self.binder.bases(cls.id)
                for base in bases:
                    sym = self.usable(base)
                    if sym is not None:
                        self.out.get(base).add("hierarchy", 1.0, f"base class {sym.name} of {cls.name}")
        base_methods = {f"{b}.{target.name}" for b in bases}
        for twin in twins[:12]:
            overridden = twin.id in base_methods
            self.out.get(twin.id).add(
                "hierarchy" if overridden else "twin",
                1.0 if overridden else 0.5,
                f"overridden by the target ({twin.qualname})"
                if overridden
                else f"same name as the target ({twin.path})",
            )
            weight = 1.0 if overridden else 1.0 / max(len(twins), 1) ** 0.5
            for edge in self.graph.outgoing(twin.id, _USE_KINDS):
                if edge.dst is None or not self.edge_ok(edge) or self.usable(edge.dst) is None:
                    continue
                self.out.get(edge.dst).add("twin", weight, f"used by {twin.qualname} in {twin.path} (same name)")

    def _callers(self, target: Symbol) -> None:
        for edge in self.graph.incoming(target.id, _CALLS):
            if edge.path == self.focus.path:
                continue
            self.out.call_sites.append(CallSite(edge.src, edge.path, edge.span))

    # -- words, frames, search -----------------------------------------------------------------------------

    def _names(self) -> None:
        for word, weight in self.focus.words.items():
            variants = {word}
            if "_" in word or word.islower():
                variants.add("".join(p.capitalize() for p in word.split("_") if p))
            for variant in variants:
                matches = [
                    s
                    for s in self.graph.find(variant)
                    if self.usable(s.id) is not None and (weight >= 3.0 or _top_level(s))
                ]
                if not matches or len(matches) > 8:
                    continue
                for sym in matches:
                    value = weight / len(matches) * (1.0 if variant == word else 0.6)
                    self.out.get(sym.id).add("name", value, f"'{variant}' is named in the target")

    def _seeds(self) -> None:
        for sid, weight in self.focus.seeds.items():
            if self.graph.symbol(sid) is not None:
                self.out.get(sid).add("seed", weight, "a frame of the stack trace")

    def _search(self) -> None:
        words = sorted(self.focus.words, key=lambda w: -self.focus.words[w])[:24]
        if self.focus.symbol is not None:
            words.append(self.focus.symbol.name)
        query = " ".join(words)
        if self.fts is not None and query.strip() and (self.focus.natural or self.focus.symbol is None):
            self._merge(self._guarded(self.fts, query, 40), "fts", f"full-text match for '{' '.join(words[:4])}'")
        if self.lexical is not None:
            pieces = [(w, min(wt, 2.0)) for w, wt in self.focus.words.items()]
            if self.focus.symbol is not None:
                pieces.append((self.focus.symbol.name, 2.0))
            elif self.focus.text:
                pieces.append((self.focus.text, 1.0))
            terms = query_terms(pieces)
            if terms:
                surface = surface_forms([text for text, _ in pieces])
                shown = ", ".join(surface.get(t, t) for t in sorted(terms, key=lambda t: -terms[t])[:3])
                self._merge(self._lexical_hits(terms), "lexical", f"words match ({shown})")
        if self.vectors is not None and self.focus.text.strip() and (self.focus.natural or self.focus.symbol is None):
            hits = self._guarded(self.vectors, self.focus.text, 20)
            self._merge(hits, "vector", "semantically similar to the task text")

    def _lexical_hits(self, terms: dict[str, float]) -> list[tuple[str, float]]:
        """The best identifier matches, with the ranking's test penalty applied to the cut: otherwise a test suite
        full of ``test_redirect_*`` takes every slot from the ``TooManyRedirects`` production code needs."""
        assert self.lexical is not None
        if self.focus.path is None or is_test_path(self.focus.path):
            return self.lexical.search(terms, LEXICAL_HITS)
        hits = self.lexical.search(terms, 4 * LEXICAL_HITS)
        # The penalty only decides who gets a slot; the ranking applies it to the whole score later (once).
        kept = sorted(hits, key=lambda h: -h[1] * (TEST_PENALTY if is_test_path(h[0].partition("::")[0]) else 1.0))
        return kept[:LEXICAL_HITS]

    def _guarded(self, search: Search, query: str, limit: int) -> list[tuple[str, float]]:
        """A failing search backend (broken index, model error) costs its signal, never the request."""
        try:
            return search(query, limit)
        except Exception as exc:
            self.out.notes.append(f"a search backend failed ({type(exc).__name__}: {exc}); its matches are missing")
            return []

    def _merge(self, hits: list[tuple[str, float]], signal: str, reason: str) -> None:
        hits = [(sid, score) for sid, score in hits if self.usable(sid) is not None]
        if not hits:
            return
        top = max(score for _, score in hits) or 1.0
        for sid, score in hits:
            self.out.get(sid).add(signal, max(score, 0.0) / top, reason)
