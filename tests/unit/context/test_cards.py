"""Cards: compact renderings of definitions, and bodies read from file bytes by span."""

from __future__ import annotations

from pathlib import Path

from tests.unit.context.support import index, line_of, symbol, write

from splice.context.cards import MAX_MEMBERS, body_text, class_card, first_paragraph, one_line, symbol_card
from splice.context.engine import ContextEngine
from splice.context.model import ContextRequest, PositionTarget
from splice.context.render import members_for
from splice.index.model import Point, Span, SymbolKind


def test_first_paragraph_is_cut_and_collapsed() -> None:
    assert first_paragraph("Split a header.\n\nMore text here.") == "Split a header."
    assert first_paragraph("  Line one\n  line two\n") == "Line one line two"
    assert first_paragraph("/**\n * Parse it.\n * Really.\n */") == "Parse it. Really."
    assert len(first_paragraph("x" * 1000)) <= 240


def test_one_line_joins_multi_line_signatures() -> None:
    assert one_line("def f(\n    a: int,\n    b: str,\n) -> None:") == "def f(a: int, b: str) -> None:"


def test_method_card_shows_its_class_and_doc() -> None:
    cls = symbol("pkg/a.py", "Client", SymbolKind.CLASS, signature="class Client(Base):")
    meth = symbol(
        "pkg/a.py",
        "Client.send",
        SymbolKind.METHOD,
        signature="def send(self, data: bytes) -> int:",
        doc="Send it.\n\nLong.",
    )
    assert (
        symbol_card(meth, cls) == 'class Client(Base):\n    def send(self, data: bytes) -> int:\n        """Send it."""'
    )


def test_constant_card_is_its_assignment() -> None:
    const = symbol("pkg/a.py", "LIMIT", SymbolKind.CONSTANT, signature="LIMIT = 30")
    assert symbol_card(const) == "LIMIT = 30"


def test_class_card_lists_preferred_members_first_and_counts_the_rest() -> None:
    cls = symbol("pkg/a.py", "Box", SymbolKind.CLASS, 0, 40, signature="class Box:", doc="A box.")
    members = [
        symbol("pkg/a.py", f"Box.m{i}", SymbolKind.METHOD, i + 1, i + 1, signature=f"def m{i}(self):")
        for i in range(10)
    ]
    text, listed = class_card(cls, members, prefer={"pkg/a.py::Box.m9"}, max_members=3)
    assert text.splitlines()[0] == "class Box:"
    assert '"""A box."""' in text
    assert "def m9(self):" in text
    assert "… 7 more members" in text
    assert len(listed) == 3 and "pkg/a.py::Box.m9" in listed


def test_body_text_starts_at_the_line_start() -> None:
    source = b"x = 1\n\nclass A:\n    def f(self):\n        return 1\n"
    start = source.index(b"def f")
    sym = symbol("pkg/a.py", "A.f", SymbolKind.METHOD)
    sym = type(sym)(
        **{
            **{s: getattr(sym, s) for s in sym.__slots__},
            "span": Span(Point(3, 4), Point(4, 16), start, len(source) - 1),
        }
    )
    assert body_text(sym, source) == "    def f(self):\n        return 1"
    broken = type(sym)(
        **{**{s: getattr(sym, s) for s in sym.__slots__}, "span": Span(Point(3, 4), Point(4, 16), start, 10_000)}
    )
    assert body_text(broken, source) is None


def test_class_cards_grow_with_the_budget_and_the_enclosing_class_gets_twice_as_many(tmp_path: Path) -> None:
    assert [members_for(b) for b in (500, 1000, 2000, 4000, 8000, 100_000)] == [3, 3, 4, 8, 16, MAX_MEMBERS]
    methods = "".join(f"    def step_{i}(self, x: int) -> int:\n        return x + {i}\n\n" for i in range(20))
    write(tmp_path, {"pkg/big.py": f'class Big:\n    """Many steps."""\n\n{methods}'})
    engine = ContextEngine(index(tmp_path), tmp_path)
    at = line_of((tmp_path / "pkg/big.py").read_text(), "def step_10")
    for budget, listed in ((2000, 8), (4000, 16)):
        result = engine.assemble(ContextRequest(PositionTarget("pkg/big.py", at, 8), budget=budget))
        scope = next(i for i in result.items if i.kind == "scope")
        assert scope.text.count("def step_") == listed
        assert f"… {20 - listed} more members" in scope.text
