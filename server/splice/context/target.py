"""Turning a request's target into a *focus*: the visible file (the index's copy, or a throwaway parse of the
editor's buffer), the enclosing symbol, extra seed symbols and the words that describe the task.

Every way a target can be wrong (outside the workspace, excluded, unreadable, position past the end …) becomes a
``TargetError`` with a message for the user; nothing here raises anything else on bad input.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from splice import redaction
from splice.context.exclusion import PathFilter
from splice.context.model import (
    DiagnosticTarget,
    FramesTarget,
    PositionTarget,
    SymbolTarget,
    Target,
    TextTarget,
)
from splice.index.graph import Graph
from splice.index.languages import language_for_path
from splice.index.model import FileExtract, Point, Symbol, SymbolKind

Extractor = Callable[[str, str, bytes], FileExtract]
PARSE_CACHE = 16

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_QUOTED = re.compile(r"""['"`‘“]([A-Za-z_$][\w$.]*)['"`’”]""")
_STOP_WORDS = """self cls this def class return returns none true false the and for with from import not that this
    is are was be to of in on or an a as by it if else elif if args kwargs param type str int float bool dict
    list tuple set any object optional union callable value values name names data param params rtype raises
    function method default when use used using see also note should will can may must new get set
    const let var async await export interface extends implements string number boolean void null undefined
"""
_STOP = frozenset(_STOP_WORDS.split())


class TargetError(Exception):
    """A target that cannot be served; the message is shown to the user as the result's error."""


@dataclass
class Focus:
    path: str | None = None
    lang: str | None = None
    extract: FileExtract | None = None
    source: bytes | None = None
    overlay: bool = False
    """True when ``extract`` is a throwaway parse (buffer text or an unindexed file): the graph's own data for
    ``path`` is stale for this request and must not be used."""
    symbol: Symbol | None = None
    point: Point | None = None
    seeds: dict[str, float] = field(default_factory=dict)
    """Extra seed symbol ids (stack frames) with weights."""
    words: dict[str, float] = field(default_factory=dict)
    """Identifiers and words describing the task, with weights (signature/docstring names, quoted names …)."""
    text: str = ""
    """Free text for full-text and vector search."""
    natural: bool = False
    """The task includes natural language (an instruction, a diagnostic or exception message): worth the cost of
    the store's full-text search and the vectors; code positions use the in-memory identifier index only."""
    notes: list[str] = field(default_factory=list)


def relative_path(workspace: Path, raw: str) -> str:
    """Workspace-relative POSIX path for ``raw``; raises TargetError when it points outside the workspace."""
    if not raw or "\x00" in raw:
        raise TargetError("empty or invalid path")
    root = workspace.resolve()
    candidate = Path(raw)
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        resolved = Path(os.path.realpath(candidate))
        rel = resolved.relative_to(root)
    except (ValueError, OSError):
        raise TargetError(f"{raw} is outside the workspace {root}") from None
    if str(rel) == ".":
        raise TargetError(f"{raw} is the workspace folder, not a file")
    return rel.as_posix()


def words_of(text: str, weight: float, into: dict[str, float]) -> None:
    """Identifiers in ``text`` (ignoring stop words and very short names) added with ``weight``."""
    for m in _IDENT.finditer(text):
        w = m.group(0)
        if len(w) < 3 or w.lower() in _STOP:
            continue
        into[w] = max(into.get(w, 0.0), weight)


class FocusBuilder:
    def __init__(
        self,
        graph: Graph,
        workspace: Path,
        paths: PathFilter,
        extractor: Extractor | None,
        read: Callable[[str], bytes | None],
        parsed: OrderedDict[tuple[str, str], FileExtract] | None = None,
    ) -> None:
        self.graph = graph
        self.workspace = workspace
        self.paths = paths
        self.extractor = extractor
        self.read = read
        self.parsed: OrderedDict[tuple[str, str], FileExtract] = parsed if parsed is not None else OrderedDict()
        """Recent throwaway parses by (path, sha256 of the text): a batch asking about one buffer at several
        budgets parses it once."""

    def build(self, target: Target) -> Focus:
        if isinstance(target, PositionTarget):
            focus = self._position(target.path, target.line, target.col, target.text)
            if target.instruction.strip():
                instruction = redaction.masked(target.instruction)  # a secret never becomes a search word or a reason
                words_of(instruction, 2.0, focus.words)
                focus.text = f"{instruction}\n{focus.text}"
                focus.natural = True
            return focus
        if isinstance(target, DiagnosticTarget):
            focus = self._position(target.path, target.line, target.col, target.text)
            message = redaction.masked(target.message)  # a secret never becomes a search word or a reason
            for m in _QUOTED.finditer(message):
                for part in m.group(1).split("."):
                    if len(part) >= 2:
                        focus.words[part] = 3.0
            words_of(message, 1.0, focus.words)
            focus.text = f"{message}\n{focus.text}"
            focus.natural = bool(message.strip())
            return focus
        if isinstance(target, SymbolTarget):
            sym = self.graph.symbol(target.symbol_id)
            if sym is None:
                raise TargetError(f"unknown symbol {target.symbol_id!r} (not in the index)")
            return self._position(sym.path, sym.selection.start.line, sym.selection.start.col, None)
        if isinstance(target, FramesTarget):
            return self._frames(target)
        if isinstance(target, TextTarget):
            text = redaction.masked(target.text)
            focus = Focus(text=text, natural=True)
            words_of(text, 1.0, focus.words)
            for m in _QUOTED.finditer(text):
                focus.words[m.group(1).split(".")[-1]] = 3.0
            if not target.text.strip():
                raise TargetError("empty text target")
            return focus
        raise TargetError(f"unsupported target {type(target).__name__}")

    def _frames(self, target: FramesTarget) -> Focus:
        usable: list[tuple[str, int]] = []
        skipped = 0
        for frame in target.frames:
            try:
                rel = relative_path(self.workspace, frame.path)
            except TargetError:
                skipped += 1
                continue
            if rel in self.graph.files and not self.paths.excluded(rel):
                usable.append((rel, frame.line))
            else:
                skipped += 1
        if not usable:
            raise TargetError("none of the stack frames is in an indexed workspace file")
        path, line = usable[-1]
        focus = self._position(path, line, 0, None)
        if skipped:
            focus.notes.append(f"{skipped} frame(s) outside the workspace or the index were skipped")
        # Inner frames matter most; outer ones are context for how the failing code was reached.
        for depth, (p, ln) in enumerate(reversed(usable[:-1])):
            sym = self.graph.symbol_at(p, Point(ln, 0))
            if sym is not None:
                focus.seeds[sym.id] = max(focus.seeds.get(sym.id, 0.0), 1.0 / (depth + 2))
        message = redaction.masked(target.message)
        words_of(message, 1.0, focus.words)
        for m in _QUOTED.finditer(message):
            focus.words[m.group(1).split(".")[-1]] = 3.0
        focus.text = message
        focus.natural = bool(message.strip())
        return focus

    def _position(self, raw_path: str, line: int, col: int, text: str | None) -> Focus:
        path = relative_path(self.workspace, raw_path)
        if self.paths.excluded(path):
            raise TargetError(f"{path} is excluded from context (ignore rules or splice.exclude)")
        lang = language_for_path(path)
        focus = Focus(path=path, lang=lang)
        indexed = path in self.graph.files
        if text is not None:
            source = text.encode("utf-8", errors="replace")
        else:
            data = self.read(path)
            if data is None:
                raise TargetError(f"{path} does not exist or cannot be read")
            source = data
        focus.source = source
        record = self.graph.files.get(path)
        # An unsaved buffer that the index already holds (didChange is indexed after a short debounce) needs no
        # parse of its own: the graph's extract and resolved edges are of exactly this text.
        same_as_index = record is not None and text is not None and hashlib.sha256(source).hexdigest() == record.hash
        if (text is None and indexed) or same_as_index:
            focus.extract = self.graph.extracts.get(path)
        else:
            if lang is None:
                raise TargetError(f"{path}: no grammar for this file type, so it has no symbols to start from")
            focus.extract = self._parse(path, lang, source, focus)
            focus.overlay = True
            if not indexed:
                focus.notes.append(f"{path} is not in the index; parsed it for this request only")
        self._place(focus, source, line, col)
        return focus

    def _parse(self, path: str, lang: str, source: bytes, focus: Focus) -> FileExtract | None:
        if self.extractor is None:
            focus.notes.append("no extractor available: the buffer could not be parsed, using names only")
            return None
        key = (path, hashlib.sha256(source).hexdigest())
        extract = self.parsed.get(key)
        if extract is None:
            try:
                extract = self.extractor(path, lang, source)
            except (ValueError, RecursionError, UnicodeError) as exc:
                focus.notes.append(f"could not parse the buffer ({exc}); using names only")
                return None
            self.parsed[key] = extract
            while len(self.parsed) > PARSE_CACHE:
                self.parsed.popitem(last=False)
        else:
            self.parsed.move_to_end(key)
        if extract.error_count:
            focus.notes.append(f"the buffer has {extract.error_count} syntax error(s); context may be partial")
        return extract

    def _place(self, focus: Focus, source: bytes, line: int, col: int) -> None:
        lines = source.split(b"\n")
        if source.endswith(b"\n"):
            lines.pop()
        if line < 0 or col < 0 or line >= max(len(lines), 1):
            raise TargetError(f"position {line + 1}:{col + 1} is outside {focus.path} ({len(lines)} lines)")
        width = len(lines[line]) if lines else 0
        if col > width:
            focus.notes.append(f"column {col + 1} is past the end of line {line + 1}; using the line end")
            col = width
        focus.point = Point(line, col)
        if focus.extract is not None:
            best: Symbol | None = None
            for sym in focus.extract.symbols:
                if sym.kind is SymbolKind.MODULE or not sym.span.contains(focus.point):
                    continue
                if best is None or best.span.encloses(sym.span):
                    best = sym
            focus.symbol = best
        if focus.symbol is not None:
            sym = focus.symbol
            words_of(sym.signature, 2.0, focus.words)
            words_of(sym.doc, 1.0, focus.words)
            for m in re.finditer(r"[`:]([A-Za-z_][\w.]*)`", sym.doc):
                focus.words[m.group(1).split(".")[-1]] = 3.0
            focus.words.pop(sym.name, None)
            focus.text = f"{sym.name} {sym.signature}\n{sym.doc}"
