"""The context engine: target → focus → candidates → ranking → rendering → budget → ordered items with reasons.

One engine serves many requests over the shared, read-only graph. Buffer text in a request is parsed into a
throwaway extract (``target.py``) and never written to the graph, so a batch of requests with different buffers
cannot corrupt the index or each other.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from splice.context.bindings import Binder, ModuleMap
from splice.context.budget import Choice, Rendering, TokenCounter, approx_tokens, fit
from splice.context.candidates import Candidate, Candidates, Collector, Search, is_test_path
from splice.context.exclusion import PathFilter, path_matches
from splice.context.lexical import LexicalIndex
from splice.context.model import (
    ContextItem,
    ContextRequest,
    ContextResult,
    DiagnosticTarget,
    FramesTarget,
    failure,
    file_header,
    item_header,
    item_line,
)
from splice.context.overlay import OverlayExtractor
from splice.context.rank import GraphView, combine, reason
from splice.context.render import RenderCache, Renderer, Source
from splice.context.target import Extractor, Focus, FocusBuilder, TargetError, relative_path
from splice.context.trace import Place as TracePlace
from splice.context.trace import frame_label
from splice.context.trace import leads as trace_leads
from splice.context.trace import places as trace_places
from splice.index.graph import Graph
from splice.index.model import FileExtract

if TYPE_CHECKING:
    from splice.index.indexer import Indexer

log = logging.getLogger(__name__)

MAX_RANKED = 80
"""Candidates offered to the budgeter; beyond this the scores are noise for any budget we use."""
MIN_RELATIVE_SCORE = 0.04
"""Candidates scoring below this fraction of the best one are not offered at all."""
OUTLINE_MODULES = 3
"""Module outlines per request: the modules the file imports most names from."""
OUTLINE_MIN_NAMES = 2
"""A module the file takes a single name from is not a catalogue it picks from."""
OUTLINE_SHARE = 0.1
"""Budget share one module outline may take."""
OUTLINE_SCORE = 0.4
"""An outline's score relative to the best candidate's (the enclosing class scores 0.3, the first call site 0.4)."""
TRACE_TARGET_SHARE = 0.45
"""The innermost frame's whole definition may take this share of the budget; past it, its excerpt is shown."""
TRACE_FRAME_SHARE = 0.25
TRACE_FRAME = 100.0
"""Scores on the trace path: outer frames (100 − depth) before leads (10 × priority ≤ 30) before neighbours (≤ 5)."""
TRACE_LEAD = 10.0
TRACE_NEIGHBOUR = 5.0
TRACE_NEIGHBOURS = 5
STRONG_SIGNALS = frozenset({"uses", "hierarchy", "seed"})
QUOTED_NAME = 1.5
"""A ``name`` signal this strong comes from a name quoted in the message (``'platinum'``), not a loose word."""


class ContextEngine:
    def __init__(
        self,
        graph: Graph,
        workspace: Path,
        *,
        exclude: tuple[str, ...] = (),
        is_ignored: Callable[[str], bool] | None = None,
        count_tokens: TokenCounter | None = None,
        extractor: Extractor | None = None,
        fts: Search | None = None,
        vectors: Search | None = None,
        read_file: Callable[[str], bytes | None] | None = None,
    ) -> None:
        """``count_tokens``: the model's counter (the LLM layer passes litellm's); default ≈ chars/4.
        ``extractor``: parses buffer text (``splice.index.extract.extract``); ``fts``/``vectors``: query →
        [(symbol id, score)]; ``read_file``: workspace-relative path → bytes (open editor buffers first)."""
        self.graph = graph
        self.workspace = workspace.resolve()
        self.paths = PathFilter(exclude, is_ignored)
        self.count = count_tokens or approx_tokens
        self.extractor = extractor if extractor is not None else _default_extractor()
        self.fts = fts
        self.vectors = vectors
        self._read_override = read_file
        self._sources: dict[str, tuple[tuple[int, int], Source]] = {}
        self._modules: tuple[int, ModuleMap] | None = None
        self.lexical = LexicalIndex(graph)
        self.view = GraphView(graph)
        self._renderings: RenderCache = {}
        self._parsed: OrderedDict[tuple[str, str], FileExtract] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def for_indexer(
        cls,
        indexer: Indexer,
        *,
        count_tokens: TokenCounter | None = None,
        vectors: Search | None = None,
        use_store: bool = True,
    ) -> ContextEngine:
        """An engine over an indexer's live graph, honouring its ignore rules and ``splice.exclude``; full-text
        search through its store when one is open (``use_store=False`` keeps LanceDB out of the request path)."""
        fts: Search | None = None
        if use_store and indexer.store is not None:
            store = indexer.store.get()
            if store is not None:
                fts = store.fts_search
        return cls(
            indexer.graph,
            indexer.workspace,
            exclude=indexer.settings.exclude,
            is_ignored=indexer.rules.is_excluded,
            count_tokens=count_tokens,
            fts=fts,
            vectors=vectors,
        )

    # -- public ------------------------------------------------------------------------------------------------

    def assemble(self, request: ContextRequest) -> ContextResult:
        """Never raises on bad input: errors come back in ``result.error``, partial context in ``notes``."""
        try:
            # The caches below are plain dicts: one request at a time (each takes tens of milliseconds).
            with self._lock:
                return self._assemble(request)
        except TargetError as exc:
            return failure(request.budget, str(exc))
        except Exception as exc:  # one bad request must never take the server or a batch down
            log.exception("context assembly failed")
            return failure(request.budget, f"internal error while assembling context: {exc!r}")

    def warm(self) -> None:
        """Build now what requests would otherwise build piecemeal: the identifier index, every definition's graph
        neighbours and reference count, the exclusion decision for every file. Run once after indexing, off the
        request path (zod: ~0.3 s); afterwards a request only rebuilds what the edits since touched."""
        with self._lock:
            with self.graph.lock:
                self.view.sync()
                ids = list(self.graph.symbols)
                paths = list(self.graph.files)
            self.lexical.refresh()
            for sid in ids:
                self.view.neighbours(sid, None)
                self.view.popularity(sid, None)
            for path in paths:
                self.paths.excluded(path)

    # -- pipeline ----------------------------------------------------------------------------------------------

    def _assemble(self, request: ContextRequest) -> ContextResult:
        started = time.perf_counter()
        cpu_started = time.thread_time()
        budget = request.budget
        if budget <= 0:
            return ContextResult(items=(), budget=budget, used=0, notes=("the budget is 0 tokens: nothing fits",))
        paths = self.paths.with_request(request.excludes)
        builder = FocusBuilder(self.graph, self.workspace, paths, self.extractor, self.read, self._parsed)
        focus = builder.build(request.target)
        t_parse = time.perf_counter()
        cpu_parse = time.thread_time()
        notes = list(focus.notes)
        if not self.graph.files:
            notes.append("the index is empty: only the target itself can be shown")
        with self.graph.lock:
            self.view.sync()
            binder = (
                Binder(self.graph, self.modules(), focus.extract, self.view.module_members)
                if focus.extract is not None
                else None
            )
            collector = Collector(
                self.graph, focus, binder, self.fts, self.vectors, self.lexical, children=self.view.children
            )
            found = collector.collect()
            notes.extend(found.notes)
            excluded_ids = {e for e in request.excludes if "::" in e}
            for sid in list(found.by_id):
                sym = self.graph.symbol(sid)
                if sid in excluded_ids or sym is None or paths.excluded(sym.path):
                    del found.by_id[sid]
            ranked = combine(self.view, found.by_id, focus.path if focus.overlay else None, focus_path=focus.path)
            t_rank = time.perf_counter()
            if len(self._renderings) > 50_000:
                self._renderings.clear()
            renderer = Renderer(
                self.graph, focus, self.count, self.source, self._renderings, children=self.view.children
            )
            choices: list[Choice] = []
            meta: dict[str, tuple[str, float, str]] = {}
            trace = isinstance(request.target, FramesTarget | DiagnosticTarget)
            if trace:
                offer = _Offer(paths, renderer, choices, meta, excluded_ids, budget)
                target_key = self._trace_choices(request, focus, offer)
                self._pin_choices(request, paths, renderer, choices, meta)
                self._neighbour_choices(found.by_id, ranked, offer)
                if isinstance(request.target, DiagnosticTarget):
                    for extra, score, why in renderer.extras(found.call_sites, TRACE_NEIGHBOUR, budget):
                        if extra.key.startswith(("call:", "scope:")):
                            choices.append(Choice(extra.key, score, extra.renderings))
                            meta[extra.key] = ("extra", score, why)
                            renderer.remember(extra)
                choices = self._with_overheads(choices, meta, renderer)
                choices = [c for c in choices if c.forced] + sorted(
                    (c for c in choices if not c.forced), key=lambda c: -c.score
                )
                chosen = fit(choices, budget)
            else:
                target_key, outlined = self._ranked_choices(
                    request, focus, binder, found, ranked, _Offer(paths, renderer, choices, meta, excluded_ids, budget)
                )
                chosen = self._fit_with_outlines(choices, outlined, meta, renderer, budget)
        items = self._items(choices, chosen, meta, renderer)
        used = sum(i.tokens for i in items)
        if target_key is not None and target_key not in chosen:
            notes.append("the budget is smaller than the target itself; the target is left out")
        if not items:
            notes.append("nothing fits the budget" if choices else "no context found for this target")
        done = time.perf_counter()
        return ContextResult(
            items=tuple(items),
            budget=budget,
            used=used,
            notes=tuple(notes),
            target_symbol=focus.symbol.id if focus.symbol is not None else None,
            candidates=len(ranked),
            timings={
                "parse_ms": (t_parse - started) * 1000,
                "rank_ms": (t_rank - t_parse) * 1000,
                "total_ms": (done - started) * 1000,
                "parse_cpu_ms": (cpu_parse - cpu_started) * 1000,
                "cpu_ms": (time.thread_time() - cpu_started) * 1000,
            },
        )

    def _ranked_choices(
        self,
        request: ContextRequest,
        focus: Focus,
        binder: Binder | None,
        found: Candidates,
        ranked: list[tuple[str, float]],
        offer: _Offer,
    ) -> tuple[str | None, dict[str, set[str]]]:
        """The general path (a position, a symbol, free text): the target, pins, the ranked candidates, module
        outlines, call sites and the enclosing scope."""
        paths, renderer, choices, meta = offer.paths, offer.renderer, offer.choices, offer.meta
        excluded_ids, budget = offer.excluded_ids, offer.budget
        target_key = self._target_choice(request, focus, renderer, choices, meta)
        self._pin_choices(request, paths, renderer, choices, meta)
        top = ranked[0][1] if ranked else 0.0
        listed: set[str] = set()
        prefer = {sid for sid, _ in ranked[:MAX_RANKED]}
        offered = 0
        for sid, score in ranked:
            if offered >= MAX_RANKED or score < top * MIN_RELATIVE_SCORE:
                break
            if sid in listed or sid in meta or sid in excluded_ids or _excluded(self.graph, paths, sid):
                continue
            rendered = renderer.symbol(sid, budget, prefer=prefer)
            if rendered is None:
                continue
            renderings, members = rendered
            listed.update(members)
            choices.append(Choice(sid, score, renderings))
            meta[sid] = ("symbol", score, reason(found.by_id[sid]))
            offered += 1
        outlined: dict[str, set[str]] = {}
        if binder is not None:
            outlined = self._outlines(binder, focus, paths, ranked, renderer, choices, meta, excluded_ids, budget)
        for extra, score, why in renderer.extras(found.call_sites, top, budget):
            choices.append(Choice(extra.key, score, extra.renderings))
            meta[extra.key] = ("extra", score, why)
            renderer.remember(extra)
        return target_key, outlined

    def _fit_with_outlines(
        self,
        choices: list[Choice],
        outlined: dict[str, set[str]],
        meta: dict[str, tuple[str, float, str]],
        renderer: Renderer,
        budget: int,
    ) -> dict[str, Rendering]:
        """Fit; when a chosen module outline lists definitions that are also separate items, drop those and fit
        again (``choices`` is updated in place)."""
        choices[:] = self._with_overheads(choices, meta, renderer)
        choices[:] = [c for c in choices if c.forced] + sorted(
            (c for c in choices if not c.forced), key=lambda c: -c.score
        )
        chosen = fit(choices, budget)
        folded = set().union(*(ids for key, ids in outlined.items() if key in chosen)) & chosen.keys()
        if folded:
            # A definition listed by a chosen outline is not shown a second time; its tokens go to the next items.
            choices[:] = [c for c in choices if c.key not in folded]
            chosen = fit(choices, budget)
        return chosen

    def _with_overheads(
        self, choices: list[Choice], meta: dict[str, tuple[str, float, str]], renderer: Renderer
    ) -> list[Choice]:
        """Each choice with the tokens its own line costs in the prompt, and its file's heading and code fence as the
        overhead of its group (paid once per file: the prompt shows a file's items under one heading)."""
        out = []
        for c in choices:
            place = renderer.span_of(c.key)
            if place is None:
                out.append(c)
                continue
            path, span, sid = place
            line = item_line(span.start.line, span.end.line, sid, "excerpt", meta[c.key][2])
            shared = max(0, int(self.count(file_header(path))))
            out.append(replace(c, overhead=max(0, int(self.count(line))), group=path, group_overhead=shared))
        return out

    # -- stack traces and diagnostics --------------------------------------------------------------------------

    def _trace_choices(self, request: ContextRequest, focus: Focus, offer: _Offer) -> str | None:
        """The trace's data flow (``trace.py``): every frame's code, innermost first, then what each frame's line
        calls or reads and what produced the names used on it, and the exception's class."""
        paths, renderer, choices, meta = offer.paths, offer.renderer, offer.choices, offer.meta
        budget = request.budget
        target = request.target
        frames: list[tuple[str, int]] = []
        exception = ""
        if isinstance(target, FramesTarget):
            exception = target.exception
            for frame in reversed(target.frames):
                try:
                    rel = relative_path(self.workspace, frame.path)
                except TargetError:
                    continue
                if rel in self.graph.files and not paths.excluded(rel):
                    frames.append((rel, frame.line))
        elif focus.path is not None and focus.point is not None:
            frames.append((focus.path, focus.point.line))
        found = trace_places(self.graph, frames)
        if focus.overlay and found and focus.path == found[0].path:
            found[0] = TracePlace(found[0].path, found[0].line, 0, focus.symbol)
        target_key: str | None = None
        for place in found:
            sym = place.symbol
            key = f"target:{sym.id}" if place.depth == 0 and sym is not None else f"frame:{place.path}:{place.line}"
            cap = int(budget * (TRACE_TARGET_SHARE if place.depth == 0 else TRACE_FRAME_SHARE))
            extra = renderer.frame(key, place.path, place.line, sym, cap)
            if extra is None:
                continue
            why = frame_label(place, len(found))
            if place.depth == 0:
                target_key = key
                choices.append(Choice(key, float("inf"), extra.renderings, forced=True))
                meta[key] = ("target", 0.0, f"the target: {why}")
            else:
                score = TRACE_FRAME - place.depth
                choices.append(Choice(key, score, extra.renderings))
                meta[key] = ("frame", score, why)

        def line_text(path: str, line: int) -> str | None:
            src = renderer._frame_source(path)
            if src is None:
                return None
            lines = src.split(b"\n")
            return lines[line].decode("utf-8", errors="replace") if 0 <= line < len(lines) else None

        prefer = {lead.sid for lead in trace_leads(self.graph, found, line_text)}
        for lead in trace_leads(self.graph, found, line_text, exception):
            if lead.sid in meta or lead.sid in offer.excluded_ids or _excluded(self.graph, paths, lead.sid):
                continue
            rendered = renderer.symbol(lead.sid, budget, prefer=prefer)
            if rendered is None:
                continue
            renderings = rendered[0]
            if lead.card_only:
                renderings = renderings[:1]
            score = TRACE_LEAD * lead.priority
            choices.append(Choice(lead.sid, score, renderings))
            meta[lead.sid] = ("symbol", score, lead.reason)
        return target_key

    def _neighbour_choices(self, by_id: dict[str, Candidate], ranked: list[tuple[str, float]], offer: _Offer) -> None:
        """After the trace's own code: a few graph neighbours the ranking found through real edges (cards only).
        Candidates nominated only by words, packages or modules are left out: they were most of the noise."""
        paths, renderer, choices, meta = offer.paths, offer.renderer, offer.choices, offer.meta
        excluded_ids, budget = offer.excluded_ids, offer.budget
        top = ranked[0][1] if ranked else 0.0
        added = 0
        shown = {place[2] for key in meta if (place := renderer.span_of(key)) is not None}
        for sid, score in ranked:
            if added >= TRACE_NEIGHBOURS or score < top * MIN_RELATIVE_SCORE:
                break
            cand = by_id.get(sid)
            if cand is None or sid in meta or sid in shown or sid in excluded_ids or _excluded(self.graph, paths, sid):
                continue
            signals = cand.signals
            strong = bool(STRONG_SIGNALS & signals.keys()) or signals.get("name", 0.0) >= QUOTED_NAME
            if not strong:
                continue
            rendered = renderer.symbol(sid, budget, prefer=())
            if rendered is None:
                continue
            value = TRACE_NEIGHBOUR * score / (top or 1.0)
            choices.append(Choice(sid, value, rendered[0][:1]))
            meta[sid] = ("symbol", value, reason(cand))
            added += 1

    def _outlines(
        self,
        binder: Binder,
        focus: Focus,
        paths: PathFilter,
        ranked: list[tuple[str, float]],
        renderer: Renderer,
        choices: list[Choice],
        meta: dict[str, tuple[str, float, str]],
        excluded_ids: set[str],
        budget: int,
    ) -> dict[str, set[str]]:
        """Add an outline of each module the file picks several names from (an exception module, a helpers
        module): the definitions neither the file's imports nor anything ranked above the outline show, one line
        each. When the import that would have named a definition is gone (new code), its module's outline is often
        the only place it is found. Returns each outline's key with the ids it lists."""
        top = ranked[0][1] if ranked else 0.0
        score = top * OUTLINE_SCORE
        scores = dict(ranked)
        imported = {b.target for b in binder.bindings.values()}
        shown = {c.key for c in choices if c.score >= score}
        out: dict[str, set[str]] = {}
        for path, count in self._outline_modules(binder, focus, paths):
            why = f"more of {path}, which the file imports {count} names from"
            # the share covers the item's heading too (a typical span: the header's line numbers vary a digit)
            cap = int(budget * OUTLINE_SHARE) - int(self.count(item_header(path, 100, 200, None, "excerpt", why)))
            outline = renderer.outline(path, shown | imported | excluded_ids, lambda sid: scores.get(sid, 0.0), cap)
            if outline is None:
                continue
            extra, listed = outline
            out[extra.key] = set(listed)
            choices.append(Choice(extra.key, score, extra.renderings))
            meta[extra.key] = ("extra", score, why)
            renderer.remember(extra)
        return out

    def _outline_modules(self, binder: Binder, focus: Focus, paths: PathFilter) -> list[tuple[str, int]]:
        """Modules the file imports at least ``OUTLINE_MIN_NAMES`` definitions from, most names first."""
        counts: dict[str, int] = {}
        for binding in binder.bindings.values():
            path, _, qualname = binding.target.partition("::")
            if qualname and path != focus.path:
                counts[path] = counts.get(path, 0) + 1
        production = focus.path is not None and not is_test_path(focus.path)
        modules = [
            (path, n)
            for path, n in counts.items()
            if n >= OUTLINE_MIN_NAMES
            and path in self.graph.files
            and not paths.excluded(path)
            and not (production and is_test_path(path))
        ]
        modules.sort(key=lambda m: -m[1])  # stable: import order breaks ties
        return modules[:OUTLINE_MODULES]

    def _target_choice(
        self,
        request: ContextRequest,
        focus: Focus,
        renderer: Renderer,
        choices: list[Choice],
        meta: dict[str, tuple[str, float, str]],
    ) -> str | None:
        if not request.include_target or focus.symbol is None:
            return None
        renderings = renderer.target()
        if not renderings:
            return None
        key = f"target:{focus.symbol.id}"
        choices.append(Choice(key, float("inf"), renderings, forced=True))
        meta[key] = ("target", 0.0, f"the target: {focus.symbol.qualname} (line {focus.symbol.span.start.line + 1})")
        return key

    def _pin_choices(
        self,
        request: ContextRequest,
        paths: PathFilter,
        renderer: Renderer,
        choices: list[Choice],
        meta: dict[str, tuple[str, float, str]],
    ) -> None:
        for pin in request.pins:
            if pin in meta:
                continue
            if "::" in pin:
                sym = self.graph.symbol(pin)
                if sym is None or paths.excluded(sym.path):
                    continue
                rendered = renderer.symbol(pin, request.budget, prefer=())
                if rendered is not None:
                    choices.append(Choice(pin, float("inf"), rendered[0], forced=True))
                    meta[pin] = ("pinned", 0.0, "pinned by the user")
                continue
            for path in sorted(self.graph.files):
                if path_matches(path, pin) and not paths.excluded(path):
                    renderings = renderer.file(path)
                    if renderings:
                        key = f"file:{path}"
                        choices.append(Choice(key, float("inf"), renderings, forced=True))
                        meta[key] = ("pinned", 0.0, "pinned by the user")

    def _items(
        self,
        choices: list[Choice],
        chosen: dict[str, Rendering],
        meta: dict[str, tuple[str, float, str]],
        renderer: Renderer,
    ) -> list[ContextItem]:
        picked = [(c, chosen[c.key]) for c in choices if c.key in chosen]
        items: list[ContextItem] = []
        opened: set[str] = set()
        bodies = [renderer.span_of(c.key) for c, r in picked if r.kind in ("body", "target")]
        for choice, rendering in picked:
            role, score, reason = meta[choice.key]
            place = renderer.span_of(choice.key)
            if place is None:
                continue
            path, span, sid = place
            if rendering.kind not in ("body", "target") and any(
                b is not None and b[0] == path and b[1].encloses(span) and b[2] != sid for b in bodies
            ):
                continue  # already shown inside a whole body picked for another item
            # the first item kept from a file carries the file's heading and fence (what fit charged may have gone
            # to an item dropped above; this never costs more than that item did)
            shared = choice.group_overhead if choice.group and choice.group not in opened else 0
            opened.add(choice.group)
            kind = rendering.kind
            if role == "target":
                kind = "target"
            elif role == "pinned":
                kind = "pinned"
            items.append(
                ContextItem(
                    path=path,
                    range=span,
                    symbol=sid,
                    kind=kind,
                    text=rendering.text,
                    reason=reason,
                    score=0.0 if score == float("inf") else score,
                    tokens=rendering.tokens + choice.overhead + shared,
                )
            )
        return items

    # -- sources -----------------------------------------------------------------------------------------------

    def modules(self) -> ModuleMap:
        key = hash(frozenset(self.graph.files))
        if self._modules is None or self._modules[0] != key:
            self._modules = (key, ModuleMap(self.graph.files))
        return self._modules[1]

    def read(self, path: str) -> bytes | None:
        """Bytes of a workspace file (the editor's buffer when a reader was injected)."""
        if self._read_override is not None:
            data = self._read_override(path)
            if data is not None:
                return data
        full = self.workspace / path
        try:
            if not full.is_file():
                return None
            return full.read_bytes()
        except OSError:
            return None

    def source(self, path: str) -> Source | None:
        """Cached file bytes plus whether they still match what the index saw."""
        full = self.workspace / path
        try:
            st = os.stat(full)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (-1, -1)
        cached = self._sources.get(path)
        if cached is not None and cached[0] == stamp and self._read_override is None:
            return cached[1]
        data = self.read(path)
        if data is None:
            return None
        record = self.graph.files.get(path)
        fresh = record is None or len(record.hash) != 64 or hashlib.sha256(data).hexdigest() == record.hash
        src = Source(data, fresh)
        self._sources[path] = (stamp, src)
        return src


@dataclass(slots=True)
class _Offer:
    """What one request offers the budgeter, built up by the choice-making steps."""

    paths: PathFilter
    renderer: Renderer
    choices: list[Choice]
    meta: dict[str, tuple[str, float, str]]
    """Choice key → (role, score, reason)."""
    excluded_ids: set[str]
    budget: int


def _excluded(graph: Graph, paths: PathFilter, sid: str) -> bool:
    sym = graph.symbol(sid)
    return sym is None or paths.excluded(sym.path)


def _default_extractor() -> Extractor:
    return OverlayExtractor()
