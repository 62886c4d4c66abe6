"""Every answer shape of ``bench/edit_shapes.py`` (five languages) through ``splice edit --apply``: the file ends
exactly as expected, or the answer is refused and the file is untouched. Plus the messages users read."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from edit_shapes import CASES, PY, Shape
from splice.cli.edit import run


def _run(tmp_path: Path, case: Shape, *extra: str) -> tuple[int, str, str, str]:
    ws = tmp_path / "ws"
    (ws / case.path).parent.mkdir(parents=True)
    (ws / case.path).write_text(case.original)
    answer = tmp_path / "answer.md"
    answer.write_bytes(case.answer.encode())
    out, err = io.StringIO(), io.StringIO()
    code = run(["--workspace", str(ws), "--answer", str(answer), *case.args, *extra], out, err)
    return code, out.getvalue(), err.getvalue(), (ws / case.path).read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_shape(tmp_path: Path, case: Shape) -> None:
    code, _, err, after = _run(tmp_path, case, "--apply")
    if case.expected is None:
        assert code == 2, err
        assert after == case.original
    else:
        assert code == 0, err
        assert after == case.expected


def _case(cid: str) -> Shape:
    return next(c for c in CASES if c.id == cid)


def test_already_applied_is_said(tmp_path: Path) -> None:
    for cid in ("py-sr-already-applied", "go-diff-already-applied"):
        code, _, err, _ = _run(tmp_path / cid, _case(cid))
        assert code == 2
        assert "this change is already in the file" in err


def test_ambiguous_blocks_offer_a_pick(tmp_path: Path) -> None:
    code, _, err, _ = _run(tmp_path, _case("ts-two-blocks-ambiguous"))
    assert code == 2
    assert "--block N" in err


def test_body_only_keeps_the_header(tmp_path: Path) -> None:
    code, _, err, after = _run(tmp_path, _case("py-body-only-unfenced"), "--apply")
    assert code == 0, err
    assert "def restock(levels, sku, n):\n    levels[sku] = levels.get(sku, 0) + n\n" in after
    assert PY.path.endswith("stock.py")


def test_a_renamed_definition_is_not_a_body(tmp_path: Path) -> None:
    """An indented `def restockV2(...)` answered for --symbol restock is a hallucinated symbol, never its body."""
    case = _case("py-body-only-stub")
    renamed = Shape(
        "renamed",
        case.path,
        case.original,
        "```python\n    def restockV2(levels, sku, n):\n        return n\n```\n",
        case.args,
        None,
    )
    code, _, err, after = _run(tmp_path, renamed, "--apply")
    assert code == 2, err
    assert after == case.original


def test_a_sentence_saying_unchanged_is_a_comment_not_an_elision() -> None:
    from splice.edits.elision import is_marker

    assert not is_marker("        # those unchanged as errors", "python")
    assert is_marker("    # (unchanged)", "python") and is_marker("// rest unchanged", "go")
