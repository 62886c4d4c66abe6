"""Parsing raw answers: every format, the usual noise, and the inputs that must be refused."""

from __future__ import annotations

import pytest

from splice.edits.answer import BlockKind, parse_answer
from splice.edits.errors import EditRefused

SR = """Here you go.

pkg/app.py
```python
<<<<<<< SEARCH
        y = x + 1
=======
        y = x + 2
>>>>>>> REPLACE
```
Done.
"""


def test_search_replace_with_path_above_fence() -> None:
    parsed = parse_answer(SR)
    [block] = parsed.blocks
    assert block.kind is BlockKind.SEARCH_REPLACE
    assert block.path == "pkg/app.py"
    assert block.search == "        y = x + 1\n"
    assert block.replace == "        y = x + 2\n"


@pytest.mark.parametrize(
    "header",
    ["**pkg/app.py**", "`pkg/app.py`", "File: pkg/app.py", "### pkg/app.py", "pkg/app.py:"],
)
def test_search_replace_path_decorations(header: str) -> None:
    assert parse_answer(SR.replace("pkg/app.py", header, 1)).blocks[0].path == "pkg/app.py"


def test_path_in_fence_info_string() -> None:
    answer = SR.replace("pkg/app.py\n```python", "```python pkg/app.py")
    assert parse_answer(answer).blocks[0].path == "pkg/app.py"


def test_crlf_and_think_blocks_are_noise() -> None:
    answer = "<think>maybe edit other.py?\n</think>\n" + SR.replace("\n", "\r\n")
    [block] = parse_answer(answer).blocks
    assert block.search == "        y = x + 1\n"


def test_unclosed_think_is_truncation() -> None:
    with pytest.raises(EditRefused, match="think"):
        parse_answer("<think>I will now edit\n" + SR)


def test_missing_fences_still_parse() -> None:
    answer = SR.replace("```python\n", "").replace("```\n", "")
    assert parse_answer(answer).blocks[0].path == "pkg/app.py"


def test_consecutive_blocks_inherit_path() -> None:
    answer = SR.replace(">>>>>>> REPLACE\n", ">>>>>>> REPLACE\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n")
    blocks = parse_answer(answer).blocks
    assert [b.path for b in blocks] == ["pkg/app.py", "pkg/app.py"]


def test_block_without_path_is_refused_unless_target() -> None:
    answer = "<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n"
    with pytest.raises(EditRefused, match="does not say which file"):
        parse_answer(answer)
    assert parse_answer(answer, target="pkg/app.py").blocks[0].path == "pkg/app.py"


@pytest.mark.parametrize("cut", ["=======", ">>>>>>> REPLACE"])
def test_truncated_search_replace(cut: str) -> None:
    answer = SR[: SR.index(cut)]
    with pytest.raises(EditRefused, match="truncated"):
        parse_answer(answer)


def test_unclosed_fence_is_truncation() -> None:
    with pytest.raises(EditRefused, match="never closes"):
        parse_answer("pkg/new.py\n```python\ndef f():\n    return 1\n")


def test_duplicate_blocks_are_dropped_with_a_note() -> None:
    body = SR.split("\n", 2)[2]
    parsed = parse_answer(body + "\n" + body)
    assert len(parsed.blocks) == 1
    assert "repeats block 1" in parsed.notes[0]


DIFF = """```diff
--- a/pkg/app.py
+++ b/pkg/app.py
@@ -5,3 +5,3 @@ class App:
     def run(self, x):
-        y = x + 1
+        y = x * 3
         return y
```
"""


def test_unified_diff() -> None:
    [block] = parse_answer(DIFF).blocks
    assert block.kind is BlockKind.DIFF and block.path == "pkg/app.py"
    [hunk] = block.hunks
    assert hunk.old_start == 5
    assert hunk.old_lines() == ["    def run(self, x):", "        y = x + 1", "        return y"]
    assert hunk.new_lines()[1] == "        y = x * 3"


def test_diff_create_delete_rename() -> None:
    create = "--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1,2 @@\n+A = 1\n+B = 2\n"
    [block] = parse_answer(create).blocks
    assert block.create and block.path == "pkg/new.py"
    delete = "--- a/pkg/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-A = 1\n"
    assert parse_answer(delete).blocks[0].delete
    rename = "diff --git a/x.py b/y.py\nrename from x.py\nrename to y.py\n"
    [block] = parse_answer(rename).blocks
    assert (block.path, block.new_path) == ("x.py", "y.py")


def test_truncated_final_hunk_is_refused() -> None:
    answer = (
        "--- a/pkg/app.py\n+++ b/pkg/app.py\n@@ -5,4 +5,6 @@\n     def run(self, x):\n-        y = 1\n+        y = 2\n"
    )
    with pytest.raises(EditRefused, match="truncated"):
        parse_answer(answer)


def test_whole_file_block_and_symbol_block() -> None:
    answer = "Create it:\n\npkg/new.py\n```python\nX = 1\n```\n"
    [block] = parse_answer(answer).blocks
    assert block.kind is BlockKind.WHOLE_FILE and block.code == "X = 1\n"
    [sym] = parse_answer("```python\ndef f():\n    pass\n```\n", target="pkg/app.py", symbol="f").blocks
    assert sym.kind is BlockKind.SYMBOL and sym.symbol == "f" and sym.fenced


def test_pathless_code_without_target_is_refused() -> None:
    with pytest.raises(EditRefused, match="names no file path"):
        parse_answer("```python\ndef f():\n    pass\n```\n")


def test_prose_only_answer_is_refused() -> None:
    with pytest.raises(EditRefused, match="no edit"):
        parse_answer("I cannot help with that.")


def test_path_comment_inside_the_fence_and_prose_that_is_not_a_path() -> None:
    body = "<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    assert parse_answer(f"```ts\n// src/util.ts\n{body}").blocks[0].path == "src/util.ts"
    assert parse_answer(f"```\nJenkinsfile\n{body}").blocks[0].path == "Jenkinsfile"
    with pytest.raises(EditRefused, match="does not say which file"):
        parse_answer(f"Done.\n```\n{body}")


def test_suspicious_paths_are_kept_as_written_so_they_are_refused_not_redirected() -> None:
    body = "<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n"
    for path in ("../evil.py", "~/evil.py", "%2e%2e/evil.py", "..\\evil.py", "/etc/passwd"):
        assert parse_answer(f"{path}\n{body}", target="pkg/app.py").blocks[0].path == path
