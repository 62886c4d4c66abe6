"""Bad input never crashes extraction: syntax errors, non-UTF-8, empty files, NUL bytes, huge lines, deep nesting."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from tests.unit.index.golden import golden_cases

from splice.index.extract import extract, supported
from splice.index.languages import LANGUAGES
from splice.index.model import SymbolKind


def _names(source: bytes, lang: str = "python") -> set[str]:
    return {s.qualname for s in extract("m.py", lang, source).symbols}


def test_syntax_errors_are_counted_and_recovered_from() -> None:
    fx = extract("m.py", "python", b"def ok():\n    return 1\n\ndef broken(:\n    pass\n\nclass After:\n    pass\n")
    assert fx.error_count > 0
    assert {"ok", "After"} <= {s.qualname for s in fx.symbols}


def test_clean_file_has_no_errors() -> None:
    assert extract("m.py", "python", b"x = 1\n").error_count == 0


def test_non_utf8_bytes_are_replaced_in_text_and_spans_stay_bytes() -> None:
    source = b"def caf\xe9():\n    '''Doc \xff.'''\nNAME = '\xfe'\n"
    fx = extract("m.py", "python", source)
    assert all(isinstance(s.name, str) for s in fx.symbols)
    func = next(s for s in fx.symbols if s.kind is SymbolKind.FUNCTION)
    # the grammar stops the identifier at the invalid byte; the docstring keeps it as U+FFFD
    assert func.name == "caf" and func.doc == "Doc \ufffd."
    name = next(s for s in fx.symbols if s.qualname == "NAME")
    assert source[name.selection.start_byte : name.selection.end_byte] == b"NAME"


def test_empty_file_has_only_the_module_symbol() -> None:
    fx = extract("pkg/empty.py", "python", b"")
    assert [s.kind for s in fx.symbols] == [SymbolKind.MODULE]
    assert fx.references == [] and fx.imports == [] and fx.assignments == []
    assert fx.symbols[0].span.end_byte == 0


def test_nul_bytes() -> None:
    fx = extract("m.py", "python", b"def f():\n    return 1\n\x00\x00\ndef g(): pass\n")
    assert "f" in {s.qualname for s in fx.symbols}


def test_huge_single_line_is_bounded() -> None:
    items = ", ".join(f"'k{i}': v{i}" for i in range(20000))
    fx = extract("m.py", "python", f"TABLE = {{{items}}}\n".encode())
    table = next(s for s in fx.symbols if s.qualname == "TABLE")
    assert len(table.signature) <= 200
    # every v<i> is a distinct reference scoped to TABLE: dedupe keeps them, but each only once
    assert len([r for r in fx.references if r.scope.endswith("::TABLE")]) == 20000


def test_deeply_nested_code() -> None:
    depth = 200
    lines = [("    " * i) + f"def f{i}():" for i in range(depth)] + [("    " * depth) + "pass"]
    fx = extract("m.py", "python", ("\n".join(lines) + "\n").encode())
    deepest = max(fx.symbols, key=lambda s: s.qualname.count("."))
    assert deepest.qualname.count(".") == depth - 1
    assert deepest.parent is not None and deepest.parent.endswith(".f198")

    nested_expr = "x = " + "(" * 500 + "1" + ")" * 500 + "\n"
    assert "x" in _names(nested_expr.encode())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_survives_garbage(lang: str) -> None:
    assert supported(lang)
    fx = extract("garbage.txt", lang, b"}{ )( \xff\xfe class def fn func ;;; \x00 <?php {{{")
    assert fx.symbols[0].kind is SymbolKind.MODULE
    assert fx.error_count > 0


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="cobol"):
        extract("a.cob", "cobol", b"")


@pytest.mark.parametrize(("lang", "source"), golden_cases(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_mangled_sources_extract_with_spans_inside_the_file(lang: str, source: Path) -> None:
    """Truncations and random byte flips of every golden source (fixed seed): no exception, sane spans and ids."""
    original = source.read_bytes()
    rng = random.Random(source.name)
    variants = [original[: len(original) * k // 5] for k in range(1, 5)]
    for _ in range(6):
        data = bytearray(original)
        for _ in range(8):
            data[rng.randrange(len(data))] = rng.randrange(256)
        variants.append(bytes(data))
    for data in variants:
        fx = extract(f"{lang}/{source.name}", lang, data)
        ids = [s.id for s in fx.symbols]
        assert len(ids) == len(set(ids))
        known = set(ids)
        for s in fx.symbols[1:]:
            assert 0 <= s.span.start_byte <= s.selection.start_byte <= s.selection.end_byte <= s.span.end_byte
            assert s.span.end_byte <= len(data) and s.parent in known
        for r in fx.references:
            assert r.scope in known and r.span.end_byte <= len(data)
        assert all(i.scope in known for i in fx.imports) and all(a.scope in known for a in fx.assignments)
