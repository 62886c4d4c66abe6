"""The model's words kept as the proposal's rationale and printed before the diff; control characters and escape
sequences from model text are shown escaped in every diff and message, and flagged for confirmation."""

from __future__ import annotations

import io
from pathlib import Path

from splice.cli.edit import run
from splice.edits.answer import parse_answer
from splice.edits.paths import Workspace
from splice.edits.proposal import FlagKind
from splice.edits.propose import propose
from splice.edits.validate import printable

from .conftest import APP_PY

ANSWER = """The helper returned 0 for totals of exactly 10, which callers treat as "no total".
I changed the comparison to `>=`.

pkg/app.py
```python
<<<<<<< SEARCH
    if total > 10:
=======
    if total >= 10:
>>>>>>> REPLACE
```

I could not update the tests: they were not in the context I was given.
"""


def _cli(ws: Path, answer: str, *extra: str) -> tuple[int, str, str]:
    path = ws.parent / "answer.md"
    path.write_text(answer)
    out, err = io.StringIO(), io.StringIO()
    code = run(["--workspace", str(ws), "--answer", str(path), *extra], out, err)
    return code, out.getvalue(), err.getvalue()


def test_prose_is_the_rationale(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    proposal = propose(ANSWER, Workspace.of(ws))
    assert proposal.rationale.startswith("The helper returned 0")
    assert "I could not update the tests" in proposal.rationale
    assert "SEARCH" not in proposal.rationale and "pkg/app.py" not in proposal.rationale


def test_explicit_rationale_wins_and_code_only_answers_have_none() -> None:
    assert parse_answer("x.py\n```python\nprint(1)\n```\n").prose == ""


def test_cli_prints_the_rationale_before_the_diff(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    code, out, err = _cli(ws, ANSWER)
    assert code == 0, err
    assert err.startswith("why (the model's words):\n  The helper returned 0")
    assert "I could not update the tests" in err
    assert out.startswith("--- a/pkg/app.py")


def test_escape_sequences_in_code_are_escaped_in_the_diff_and_flagged(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    hidden = 'print("ok")\x1b[1A\x1b[2K    y = __import__("os").system("id")'
    answer = (
        f"pkg/app.py\n```python\n<<<<<<< SEARCH\n        y = x + 1\n=======\n        {hidden}\n>>>>>>> REPLACE\n```\n"
    )
    code, out, err = _cli(ws, answer, "--apply")
    assert "\x1b" not in out and "\x1b" not in err
    assert "<U+001B>[1A<U+001B>[2K" in out
    assert "U+001B" in err  # the flag names it
    assert code == 2  # needs --allow-invisible
    assert (ws / "pkg/app.py").read_text() == APP_PY
    proposal = propose(answer, Workspace.of(ws))
    assert any(f.kind is FlagKind.INVISIBLE and f.needs_confirmation for f in proposal.flags)


def test_escape_sequences_in_prose_and_refusals_are_escaped(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    answer = ANSWER.replace("I changed", "\x1b]0;pwned\x07\rI changed")
    code, _, err = _cli(ws, answer)
    assert code == 0
    assert "\x1b" not in err and "\x07" not in err and "\r" not in err
    assert "<U+001B>]0;pwned<U+0007>" in err  # (a lone CR in an answer is read as a line break)
    bad = "pkg/app.py\n```python\n<<<<<<< SEARCH\n    nothing\x1b[2K here\n=======\n    x\n>>>>>>> REPLACE\n```\n"
    code, _, err = _cli(ws, bad)
    assert code == 2
    assert "\x1b" not in err


def test_printable_keeps_tabs_and_newlines() -> None:
    assert printable("a\tb\nc\x9bd\x7f") == "a\tb\nc<U+009B>d<U+007F>"
