"""Placing blocks on text: the matching ladder, ambiguity and failure refusals, elisions, symbol replacement."""

from __future__ import annotations

import dataclasses

import pytest

from splice.edits.answer import BlockKind, DiffHunk, EditBlock
from splice.edits.apply import apply_diff, apply_search_replace, apply_whole_file
from splice.edits.errors import EditRefused
from splice.edits.place_symbol import apply_symbol

from .conftest import APP_PY, UTIL_TS


def sr(search: str, replace: str, path: str = "pkg/app.py") -> EditBlock:
    return EditBlock(BlockKind.SEARCH_REPLACE, 1, path, search=search, replace=replace)


def sym(code: str, symbol: str | None, path: str = "pkg/app.py", fenced: bool = True) -> EditBlock:
    return EditBlock(BlockKind.SYMBOL, 1, path, code=code, symbol=symbol, fenced=fenced)


def test_exact_match() -> None:
    out = apply_search_replace(APP_PY, sr("        y = x + 1\n", "        y = x + 2\n"), "python")
    assert out == APP_PY.replace("y = x + 1", "y = x + 2")


def test_indentation_drift_is_re_indented() -> None:
    block = sr("def run(self, x):\n    y = x + 1\n    return y\n", "def run(self, x):\n    y = x + 1\n    return -y\n")
    out = apply_search_replace(APP_PY, block, "python")
    assert out == APP_PY.replace("        return y\n", "        return -y\n")


def test_trailing_whitespace_tolerated_and_not_written() -> None:
    out = apply_search_replace(APP_PY, sr("        y = x + 1   \n", "        y = x + 5  \n"), "python")
    assert out == APP_PY.replace("y = x + 1", "y = x + 5")


def test_relative_indentation_must_match_in_python() -> None:
    # The block's second line is indented differently relative to the first: that changes Python's meaning.
    block = sr("    def run(self, x):\n    y = x + 1\n", "    def run(self, x):\n    y = 0\n")
    with pytest.raises(EditRefused, match="does not match"):
        apply_search_replace(APP_PY, block, "python")


def test_never_case_insensitive() -> None:
    with pytest.raises(EditRefused, match="does not match"):
        apply_search_replace(APP_PY, sr("        Y = X + 1\n", "        y = 0\n"), "python")


def test_ambiguous_search_is_refused_naming_the_block() -> None:
    text = APP_PY + "\n\ndef other():\n    return 0\n"
    with pytest.raises(EditRefused, match=r"block 1 \(SEARCH/REPLACE for pkg/app.py\) is ambiguous.*2 places"):
        apply_search_replace(text, sr("    return 0\n", "    return 1\n"), "python")


def test_search_that_matches_nowhere_is_refused() -> None:
    with pytest.raises(EditRefused, match="does not match the file"):
        apply_search_replace(APP_PY, sr("        y = x + 100\n", "        y = 0\n"), "python")


def test_empty_search_on_existing_file_is_refused() -> None:
    with pytest.raises(EditRefused, match="empty SEARCH"):
        apply_search_replace(APP_PY, sr("", "print(1)\n"), "python")


def test_blank_edges_of_search_are_trimmed() -> None:
    out = apply_search_replace(APP_PY, sr("\n        y = x + 1\n\n", "\n        y = x + 9\n\n"), "python")
    assert out == APP_PY.replace("x + 1", "x + 9")


def test_elided_replace_is_expanded_from_search() -> None:
    search = "def helper(a, b):\n    total = a + b\n    if total > 10:\n        return total\n    return 0\n"
    replace = "def helper(a, b):\n    total = a + b\n    # ... existing code ...\n    return -1\n"
    with pytest.raises(EditRefused, match="elides code"):
        # "return -1" is not in the original, so the elision's end is unknown: refuse.
        apply_search_replace(APP_PY, sr(search, replace), "python")
    replace = "def helper(a, b):\n    total = a + b + 1\n    # ... existing code ...\n    return 0\n"
    with pytest.raises(EditRefused):
        apply_search_replace(APP_PY, sr(search, replace), "python")
    replace = "def helper(a, b):\n    total = a + b\n    # ... existing code ...\n        return total\n    return 1\n"
    out = apply_search_replace(APP_PY, sr(search, replace), "python")
    assert out == APP_PY.replace("    return 0\n", "    return 1\n")


def test_symbol_anchored_search_with_elided_body() -> None:
    search = "def helper(a, b):\n    # ... existing code ...\n"
    replace = "def helper(a, b):\n    return a * b\n"
    out = apply_search_replace(APP_PY, sr(search, replace), "python")
    assert out.endswith("def helper(a, b):\n    return a * b\n")
    assert "total" not in out


def test_diff_with_wrong_line_numbers_matches_by_context() -> None:
    hunk = DiffHunk(
        40, 3, 3, ("     def run(self, x):", "-        y = x + 1", "+        y = x * 3", "         return y")
    )
    out = apply_diff(APP_PY, EditBlock(BlockKind.DIFF, 1, "pkg/app.py", hunks=(hunk,)), "python")
    assert out == APP_PY.replace("y = x + 1", "y = x * 3")


def test_diff_line_number_breaks_ties_only_when_exact() -> None:
    text = "a\nx\nb\na\nx\nb\n"
    hunk = DiffHunk(4, 3, 3, (" a", "-x", "+y", " b"))
    block = EditBlock(BlockKind.DIFF, 1, "f.txt", hunks=(hunk,))
    assert apply_diff(text, block, None) == "a\nx\nb\na\ny\nb\n"
    wrong = EditBlock(BlockKind.DIFF, 1, "f.txt", hunks=(DiffHunk(3, 3, 3, hunk.lines),))
    with pytest.raises(EditRefused, match="ambiguous"):
        apply_diff(text, wrong, None)


def test_diff_stale_context_is_refused() -> None:
    hunk = DiffHunk(5, 2, 2, ("     def run(self, x, y):", "-        y = x + 1", "+        y = 2"))
    with pytest.raises(EditRefused, match="hunk 1 does not match"):
        apply_diff(APP_PY, EditBlock(BlockKind.DIFF, 1, "pkg/app.py", hunks=(hunk,)), "python")


def test_diff_adding_an_elision_is_refused() -> None:
    hunk = DiffHunk(5, 2, 2, ("     def run(self, x):", "-        y = x + 1", "+        # ... rest unchanged ..."))
    with pytest.raises(EditRefused, match="elision"):
        apply_diff(APP_PY, EditBlock(BlockKind.DIFF, 1, "pkg/app.py", hunks=(hunk,)), "python")


def test_symbol_replacement_keeps_decorators_and_reindents_methods() -> None:
    out = apply_symbol(APP_PY, sym('def name(self):\n    return "b"\n', "App.name"), "python")
    assert '    @property\n    def name(self):\n        return "b"\n' in out


def test_symbol_replacement_with_new_decorators_replaces_old() -> None:
    code = '@functools.cached_property\ndef name(self):\n    return "b"\n'
    out = apply_symbol(APP_PY, sym(code, "App.name"), "python")
    assert "@property" not in out and "    @functools.cached_property\n    def name(self):" in out


def test_symbol_inferred_from_single_definition() -> None:
    out = apply_symbol(APP_PY, sym("def helper(a, b):\n    return a\n", None), "python")
    assert out.endswith("def helper(a, b):\n    return a\n")


def test_symbol_missing_or_ambiguous_is_refused() -> None:
    with pytest.raises(EditRefused, match="no definition named 'nope'"):
        apply_symbol(APP_PY, sym("def nope():\n    pass\n", "nope"), "python")
    twice = APP_PY + "\n\ndef helper(a, b):\n    return 1\n"
    with pytest.raises(EditRefused, match="ambiguous"):
        apply_symbol(twice, sym("def helper(a, b):\n    return 2\n", "helper"), "python")


def test_symbol_block_with_other_code_is_refused() -> None:
    with pytest.raises(EditRefused, match="outside the definition"):
        apply_symbol(APP_PY, sym("import sys\n\ndef helper(a, b):\n    return 1\n", "helper"), "python")


def test_symbol_elision_must_be_anchored() -> None:
    code = "def helper(a, b):\n    validate(a)\n    # ... existing code ...\n"
    with pytest.raises(EditRefused, match="elides code"):
        apply_symbol(APP_PY, sym(code, "helper"), "python")
    code = "def helper(a, b):\n    total = a + b\n    # ... existing code ...\n        return total\n    return None\n"
    out = apply_symbol(APP_PY, sym(code, "helper"), "python")
    assert out.endswith("    if total > 10:\n        return total\n    return None\n")


def test_unfenced_symbol_code_cut_from_prose() -> None:
    answer = "Here is the fix:\n\ndef helper(a, b):\n    return a - b\n\nThis subtracts instead.\n"
    out = apply_symbol(APP_PY, sym(answer, "helper", fenced=False), "python")
    assert out.endswith("def helper(a, b):\n    return a - b\n")


def test_typescript_symbol_keeps_export_and_doc_comment() -> None:
    out = apply_symbol(
        UTIL_TS,
        sym("function add(a: number, b: number): number {\n  return b + a;\n}\n", "add", "src/util.ts"),
        "typescript",
    )
    assert out.startswith(
        "/** Adds two numbers. */\nexport function add(a: number, b: number): number {\n  return b + a;"
    )
    code = "/** Sums. */\nexport function add(a: number, b: number): number {\n  return a + b + 0;\n}\n"
    out = apply_symbol(UTIL_TS, sym(code, "add", "src/util.ts"), "typescript")
    assert out.startswith("/** Sums. */\nexport function add(") and "Adds two" not in out


def test_typescript_method_with_bare_dots_elision_is_refused() -> None:
    code = "get(): number {\n  ...\n  return 1;\n}\n"
    with pytest.raises(EditRefused):
        apply_symbol(UTIL_TS, sym(code, "Box.get", "src/util.ts"), "typescript")


def test_whole_file_elision_against_existing_file() -> None:
    block = EditBlock(
        BlockKind.WHOLE_FILE, 1, "pkg/app.py", code="import os\nimport sys\n# ... rest of the file unchanged ...\n"
    )
    with pytest.raises(EditRefused):
        apply_whole_file(APP_PY, block, "python")
    block = EditBlock(BlockKind.WHOLE_FILE, 1, "pkg/app.py", code="import os\n# ... rest of the file unchanged ...\n")
    assert apply_whole_file(APP_PY, block, "python") == APP_PY
    new = EditBlock(BlockKind.WHOLE_FILE, 1, "pkg/new.py", code="X = 1\n# ... existing code ...\n")
    with pytest.raises(EditRefused, match="elides"):
        apply_whole_file(None, new, "python")


def test_commented_out_spread_is_not_an_elision() -> None:
    from splice.edits.elision import is_marker

    assert not is_marker("  //     ...this._def,", "typescript")
    assert is_marker("  // ... existing code ...", "typescript")
    assert not is_marker("    ...", "python")  # Ellipsis is code in Python
    assert is_marker("    ...", "typescript")


def test_typescript_method_quoted_alone() -> None:
    code = "get(): number {\n  return this.value + 1;\n}\n"
    out = apply_symbol(UTIL_TS, sym(code, "Box.get", "src/util.ts"), "typescript")
    assert "  get(): number {\n    return this.value + 1;\n  }\n" in out


def test_elision_inside_an_expression_is_expanded_before_parsing() -> None:
    text = "def build(a):\n    return dict(\n        x=1,\n        y=2,\n        z=3,\n    )\n"
    code = "def build(a):\n    check(a)\n    return dict(\n        # ... existing code ...\n    )\n"
    out = apply_symbol(text, sym(code, "build", "m.py"), "python")
    assert out == "def build(a):\n    check(a)\n    return dict(\n        x=1,\n        y=2,\n        z=3,\n    )\n"


def test_long_comment_mentioning_unchanged_is_not_an_elision() -> None:
    from splice.edits.elision import is_marker

    line = "    # If we don't check for an empty prefix (in other words, archive remains unchanged after the split),"
    assert not is_marker(line, "python")
    assert is_marker("    # rest of the function unchanged", "python")


def test_method_quoted_inside_its_class() -> None:
    code = 'class App:\n    def name(self):\n        return "w"\n'
    out = apply_symbol(APP_PY, sym(code, "App.name"), "python")
    assert '    @property\n    def name(self):\n        return "w"\n' in out and out.count("class App") == 1
    ts = "class Box {\n  get(): number {\n    return 2;\n  }\n}\n"
    out = apply_symbol(UTIL_TS, sym(ts, "Box.get", "src/util.ts"), "typescript")
    assert "  get(): number {\n    return 2;\n  }\n}\n" in out and out.count("class Box") == 1
    crowded = 'class App:\n    x = 1\n\n    def name(self):\n        return "w"\n'
    with pytest.raises(EditRefused, match="outside the definition"):
        apply_symbol(APP_PY, sym(crowded, "App.name"), "python")


def test_elided_lines_follow_the_answers_indentation() -> None:
    code = "def run(self, x):\n    check(x)\n    y = x + 1\n    # ... existing code ...\n"
    out = apply_symbol(APP_PY, sym(code, "App.run"), "python")
    assert "    def run(self, x):\n        check(x)\n        y = x + 1\n        return y\n" in out


def test_method_inside_class_with_multi_line_header() -> None:
    text = "export class Z<T> extends Y<\n  T\n> {\n  m(): number {\n    return 1;\n  }\n}\n"
    code = "export class Z<T> extends Y<\n  T\n> {\n  m(): number {\n    return 2;\n  }\n}\n"
    out = apply_symbol(text, sym(code, "Z.m", "z.ts"), "typescript")
    assert out == text.replace("return 1", "return 2")


def test_method_in_an_object_literal_keeps_its_trailing_comma() -> None:
    src = "export function make() {\n  return {\n    get(): number {\n      return 1;\n    },\n    size: 2,\n  };\n}\n"
    out = apply_symbol(src, sym("get(): number {\n  return 2;\n}\n", "make.get", "src/a.ts"), "typescript")
    assert out == src.replace("return 1;", "return 2;")


PROPERTY_PY = '''class Config:
    @property
    def debug(self) -> bool:
        """Whether debug mode is on."""
        raise NotImplementedError

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = value
'''


def test_same_named_definitions_are_told_apart_by_a_line_hint() -> None:
    code = 'def debug(self) -> bool:\n    """Whether debug mode is on."""\n    return self._debug\n'
    with pytest.raises(EditRefused, match="ambiguous"):
        apply_symbol(PROPERTY_PY, sym(code, "Config.debug", "pkg/config.py"), "python")
    block = dataclasses.replace(sym(code, "Config.debug", "pkg/config.py"), symbol_line=4)  # inside the getter
    out = apply_symbol(PROPERTY_PY, block, "python")
    assert "        return self._debug\n" in out and "NotImplementedError" not in out
    assert out.count("@property") == 1 and "@debug.setter" in out and "self._debug = value" in out
