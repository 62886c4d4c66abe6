"""What "generate" can offer at a cursor or selection: one cheap call for code actions and ``splice generate``.

Never calls a model (DESIGN.md §1 invariant 3): a parse, a query and, for missing symbols, a graph lookup. The
expensive part (context, prompt, model, verify) happens only when an offer is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from splice.features.generate.functions import functions, parse_source
from splice.features.generate.instructions import instructions_in
from splice.features.generate.missing import missing_refs
from splice.features.generate.stubs import STUB_LANGUAGES, stubs_in
from splice.index.graph import Graph
from splice.index.model import Point, Span
from splice.index.modules import ModuleTable
from splice.index.parser import Tree

_DECORATOR_REACH = 20


class OfferKind(StrEnum):
    INSTRUCTION = "instruction"
    MISSING = "missing"
    STUB = "stub"
    TESTS = "tests"


@dataclass(frozen=True, slots=True)
class Offer:
    kind: OfferKind
    title: str
    """The code action's title, e.g. "Generate missing `parse_header` in `pkg/http.py`"."""
    path: str
    span: Span
    """What the offer is about: the stub's definition, the comment, the call or import, the function to test."""
    symbol: str | None
    """Qualified name of the function concerned (the missing name for MISSING)."""


def offers_at(
    path: str,
    lang: str,
    source: bytes,
    start: Point,
    end: Point | None = None,
    *,
    graph: Graph | None = None,
    table: ModuleTable | None = None,
    tree: Tree | None = None,
) -> list[Offer]:
    """Offers touching the cursor (``end`` None) or the selection ``start``–``end``, most specific first:
    instruction comments, missing symbols, stubs, then tests for the innermost function."""
    end = end or start
    if min(start.line, start.col, end.line, end.col) < 0 or end < start:
        return []
    tree = tree or (parse_source(lang, source) if lang in STUB_LANGUAGES else None)
    found: list[Offer] = []
    for inst in instructions_in(path, lang, source, tree):
        if _touches(inst.span, start, end):
            found.append(
                Offer(OfferKind.INSTRUCTION, f"Generate: {_short(inst.text)}", path, inst.span, inst.target_name)
            )
    if graph is not None:
        seen: set[tuple[str, str]] = set()
        for ref in missing_refs(graph, path, table):
            if _touches(ref.span, start, end) and (ref.name, ref.target_path) not in seen:
                seen.add((ref.name, ref.target_path))
                where = f"{ref.target_class}" if ref.target_class else ref.target_path
                title = f"Generate missing `{ref.name}` in `{where}`"
                found.append(Offer(OfferKind.MISSING, title, path, ref.span, ref.name))
    if tree is None:
        return found
    for stub in stubs_in(path, lang, source, tree):
        if _touches(stub.span, start, end):
            found.append(
                Offer(OfferKind.STUB, f"Generate the body of `{stub.qualname}`", path, stub.span, stub.qualname)
            )
    # A cursor on a decorator line belongs to the definition below it: look a few lines further down.
    lines = (start.line, end.line + _DECORATOR_REACH)
    around = [f for f in functions(lang, tree, lines) if f.span.contains(start) and f.span.contains(end)]
    if around:
        inner = min(around, key=lambda f: f.span.end_byte - f.span.start_byte)
        found.append(Offer(OfferKind.TESTS, f"Generate tests for `{inner.qualname}`", path, inner.span, inner.qualname))
    return found


def stub_offers(path: str, lang: str, source: bytes, tree: Tree | None = None) -> list[Offer]:
    """Every stub of a file as an offer, one per function, in one parse and one pass ("Generate all stubs"):
    asking ``offers_at`` at each stub would re-parse and re-scan the whole file per stub (quadratic)."""
    found: dict[str, Offer] = {}
    for stub in stubs_in(path, lang, source, tree):
        found[stub.qualname] = Offer(
            OfferKind.STUB, f"Generate the body of `{stub.qualname}`", path, stub.span, stub.qualname
        )
    return list(found.values())


def _touches(span: Span, start: Point, end: Point) -> bool:
    return span.start <= end and start <= span.end


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
