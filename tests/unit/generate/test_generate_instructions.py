"""`splice:` instruction comments: every comment syntax, continuation lines, anchors, and never inside strings."""

from __future__ import annotations

import pytest

from splice.features.generate.instructions import AnchorKind, instructions_in

CASES: list[tuple[str, str | None, str, list[str]]] = [
    ("python-hash", "python", "x = 1\n# splice: add a cache\n", ["add a cache"]),
    ("python-trailing", "python", "x = 1  # splice: rename x\n", ["rename x"]),
    ("python-case", "python", "# Splice:   shout\n", ["shout"]),
    ("python-string", "python", 's = "# splice: not an instruction"\n', []),
    ("python-docstring", "python", 'def f():\n    """splice: not this either\n    # splice: nor this"""\n', []),
    ("python-fstring", "python", 'x = f"{a} // splice: no"\n', []),
    ("python-empty", "python", "# splice:\n", []),
    ("python-mention", "python", "# we use splice: it helps\n", []),
    ("js-line", "javascript", "// splice: validate input\nlet a;\n", ["validate input"]),
    ("js-block", "javascript", "/* splice: sort by date */\nlet a;\n", ["sort by date"]),
    ("js-jsdoc-block", "javascript", "/**\n * splice: write the\n * parser\n */\nlet a;\n", ["write the parser"]),
    ("js-string", "javascript", "const s = '// splice: no';\nconst t = `/* splice: no */`;\n", []),
    ("js-regex", "javascript", "const r = /splice: no/;\n", []),
    ("ts-line", "typescript", "let a: number; // splice: make it a bigint\n", ["make it a bigint"]),
    ("go-line", "go", "package p\n// splice: add tests\n", ["add tests"]),
    ("go-raw-string", "go", "package p\nvar s = `// splice: no`\n", []),
    ("rust-line", "rust", "// splice: use a HashMap\nfn f() {}\n", ["use a HashMap"]),
    ("rust-doc", "rust", "/// splice: document this\nfn f() {}\n", ["document this"]),
    ("rust-block", "rust", "/* splice: inline it */\nfn f() {}\n", ["inline it"]),
    ("java-line", "java", "class A {\n  // splice: add equals\n}\n", ["add equals"]),
    ("java-string", "java", 'class A {\n  String s = "/* splice: no */";\n}\n', []),
    ("c-comment", "c", "/* splice: bounds check */\nint x;\n", ["bounds check"]),
    ("ruby-comment", "ruby", "# splice: memoize\nx = 1\n", ["memoize"]),
    ("sql-no-grammar", None, "-- splice: add an index\nSELECT 1;\n", ["add an index"]),
    ("lua-no-grammar", None, "local x = 1\n  -- splice: cache it\n", ["cache it"]),
    ("no-grammar-code-line", None, "x = '-- splice: no'\n", []),
]


@pytest.mark.parametrize(("lang", "source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_instruction_comments(lang: str | None, source: str, expected: list[str]) -> None:
    assert [i.text for i in instructions_in("f", lang, source.encode())] == expected


def test_continuation_lines_join_and_stop_at_blank_line() -> None:
    source = b"# splice: add retries\n#   with backoff\n\n# unrelated\nx = 1\n"
    (inst,) = instructions_in("m.py", "python", source)
    assert inst.text == "add retries with backoff"
    assert source[inst.span.start_byte : inst.span.end_byte] == b"# splice: add retries\n#   with backoff"


def test_two_instructions_in_a_row_stay_separate() -> None:
    source = b"// splice: first\n// splice: second\n"
    assert [i.text for i in instructions_in("m.js", "javascript", source)] == ["first", "second"]


def test_anchor_enclosing_function() -> None:
    source = b"class A:\n    def m(self):\n        # splice: make it fast\n        return 1\n"
    (inst,) = instructions_in("m.py", "python", source)
    assert (inst.anchor, inst.target_name) == (AnchorKind.ENCLOSING, "A.m")
    assert source[inst.target.start_byte :].startswith(b"def m")


def test_anchor_following_function_including_decorators() -> None:
    source = b"# splice: cache the result\n@decorator\ndef f():\n    return 1\n"
    (inst,) = instructions_in("m.py", "python", source)
    assert (inst.anchor, inst.target_name) == (AnchorKind.FOLLOWING, "f")
    assert inst.target.start.line == 1


def test_anchor_here_when_nothing_follows() -> None:
    source = b"x = 1\n# splice: add a main block\n\ndef f():\n    pass\n"
    (inst,) = instructions_in("m.py", "python", source)
    assert inst.anchor is AnchorKind.HERE
    assert inst.target == inst.span and inst.target_name is None


def test_block_comment_inside_function() -> None:
    source = b"function f() {\n  /* splice: handle\n     empty arrays */\n  return 1;\n}\n"
    (inst,) = instructions_in("m.js", "javascript", source)
    assert inst.text == "handle empty arrays"
    assert (inst.anchor, inst.target_name) == (AnchorKind.ENCLOSING, "f")


def test_anchor_prefers_the_nested_function_right_below() -> None:
    source = b"def outer():\n    # splice: make inner faster\n    def inner():\n        return 1\n    return inner\n"
    (inst,) = instructions_in("m.py", "python", source)
    assert (inst.anchor, inst.target_name) == (AnchorKind.FOLLOWING, "outer.inner")


def test_instruction_at() -> None:
    from splice.features.generate.instructions import instruction_at

    source = b"x = 1\n# splice: first\n# splice: second\n"
    found = instruction_at("m.py", "python", source, 2, 4)
    assert found is not None and found.text == "second"
    assert instruction_at("m.py", "python", source, 0, 0) is None
