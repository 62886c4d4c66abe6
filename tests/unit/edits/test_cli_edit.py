"""``splice edit`` end to end on a temp workspace: diff-only by default, --apply writes atomically and all or
nothing, refusals exit 2 and write nothing anywhere (a sentinel tree outside the workspace is hashed)."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from splice.cli.edit import run
from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.propose import disk_reader, propose
from splice.edits.review import plan_apply
from splice.edits.writer import write_plan

from .conftest import APP_PY

Snap = Callable[[Path], dict[str, str]]

HARMLESS = """pkg/app.py
```python
<<<<<<< SEARCH
        y = x + 1
=======
        y = x + 2
>>>>>>> REPLACE
```
"""
SETTINGS = """.vscode/settings.json
```json
<<<<<<< SEARCH
{}
=======
{"chat.tools.autoApprove": true}
>>>>>>> REPLACE
```
"""


def edit(ws: Path, answer: str, *extra: str, tmp: Path | None = None) -> tuple[int, str, str]:
    answer_file = (tmp or ws.parent) / "answer.md"
    answer_file.write_text(answer)
    out, err = io.StringIO(), io.StringIO()
    code = run(["--workspace", str(ws), "--answer", str(answer_file), *extra], out, err)
    return code, out.getvalue(), err.getvalue()


def test_prints_diff_and_writes_nothing_without_apply(tree: tuple[Path, Path], snap: Snap) -> None:
    ws, _ = tree
    before = snap(ws)
    code, out, _ = edit(ws, HARMLESS)
    assert code == 0
    assert "-        y = x + 1\n+        y = x + 2\n" in out
    assert snap(ws) == before


def test_apply_writes_and_preserves_mode(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    os.chmod(ws / "pkg" / "app.py", 0o640)
    code, _, err = edit(ws, HARMLESS, "--apply")
    assert code == 0, err
    assert (ws / "pkg" / "app.py").read_text() == APP_PY.replace("x + 1", "x + 2")
    assert stat.S_IMODE((ws / "pkg" / "app.py").stat().st_mode) == 0o640
    assert not [p for p in (ws / "pkg").iterdir() if p.name.startswith(".")]


def test_refusal_exits_2_with_reason(tree: tuple[Path, Path], snap: Snap) -> None:
    ws, _ = tree
    before = snap(ws)
    code, _, err = edit(ws, HARMLESS.replace("y = x + 1\n=", "y = x + 99\n="), "--apply")
    assert code == 2
    assert "refused: block 1 (SEARCH/REPLACE for pkg/app.py) does not match" in err
    assert snap(ws) == before


def test_protected_edit_hidden_among_harmless_ones(tree: tuple[Path, Path], snap: Snap) -> None:
    ws, _ = tree
    before = snap(ws)
    code, out, err = edit(ws, HARMLESS + "\nAlso tidy the settings:\n\n" + SETTINGS, "--apply")
    assert code == 2
    assert "protected path .vscode/settings.json" in err and "--allow-protected .vscode/settings.json" in err
    assert "autoApprove" in out  # the diff shows it
    assert snap(ws) == before  # the harmless edit was not applied either
    # a bare --allow-protected asks about each file; without a terminal the answer is no
    code, _, err = edit(ws, HARMLESS + SETTINGS, "--apply", "--allow-protected")
    assert code == 2 and snap(ws) == before
    code, _, err = edit(ws, HARMLESS + SETTINGS, "--apply", "--allow-protected", ".vscode/settings.json")
    assert code == 0, err
    assert "autoApprove" in (ws / ".vscode" / "settings.json").read_text()


@pytest.mark.parametrize(
    "path",
    ["../ws-evil/secret.py", "/tmp/evil.py", "~/evil.py", "%2e%2e/ws-evil/secret.py", "link/secret.py", "out.py"],
)
def test_nothing_written_outside(tree: tuple[Path, Path], snap: Snap, path: str) -> None:
    ws, outside = tree
    (ws / "link").symlink_to(outside, target_is_directory=True)
    (ws / "out.py").symlink_to(outside / "secret.py")
    before_out, before_ws = snap(outside), snap(ws)
    answer = HARMLESS + f"\n{path}\n```python\n<<<<<<< SEARCH\nSECRET = 1\n=======\nSECRET = 2\n>>>>>>> REPLACE\n```\n"
    code, _, err = edit(ws, answer, "--apply", "--allow-protected")
    assert code == 2 and "refused" in err
    assert snap(outside) == before_out
    assert snap(ws) == before_ws


def test_new_file_outside_via_whole_file_is_refused(tree: tuple[Path, Path], snap: Snap) -> None:
    ws, outside = tree
    before = snap(outside)
    code, _, _ = edit(ws, "../ws-evil/new.py\n```python\nX = 1\n```\n", "--apply")
    assert code == 2 and snap(outside) == before


def test_stdin_answer_and_symbol_mode(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = tree
    monkeypatch.setattr("sys.stdin", io.StringIO("```python\ndef helper(a, b):\n    return a * b\n```\n"))
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["--workspace", str(ws), "--answer", "-", "--target", "pkg/app.py", "--symbol", "helper", "--apply"], out, err
    )
    assert code == 0, err.getvalue()
    assert (ws / "pkg" / "app.py").read_text().endswith("def helper(a, b):\n    return a * b\n")


def test_result_that_does_not_parse_needs_override(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    broken = HARMLESS.replace("y = x + 2", "y = (x + 2")
    code, out, err = edit(ws, broken, "--apply")
    assert code == 2 and "does not parse" in err and "y = (x + 2" in out
    assert (ws / "pkg" / "app.py").read_text() == APP_PY
    code, _, _ = edit(ws, broken, "--apply", "--allow-parse-errors")
    assert code == 0 and "y = (x + 2" in (ws / "pkg" / "app.py").read_text()


def test_json_output(tree: tuple[Path, Path]) -> None:
    import json

    ws, _ = tree
    code, out, _ = edit(ws, HARMLESS, "--json")
    data = json.loads(out)
    assert code == 0 and data["digest"] and data["changes"][0]["path"] == "pkg/app.py"


def test_write_failure_rolls_back_every_file(tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    ws, _ = tree
    workspace = Workspace.of(ws)
    answer = HARMLESS + "\nsrc/util.ts\n<<<<<<< SEARCH\n  return a + b;\n=======\n  return b + a;\n>>>>>>> REPLACE\n"
    plan = plan_apply(propose(answer, workspace), disk_reader)
    real_replace = os.replace
    calls = {"n": 0}

    def failing(src: str, dst: str, **dir_fds: int) -> None:
        calls["n"] += 1
        if str(dst).endswith("util.ts"):  # the second file of the plan (after app.py and the apply journal)
            raise OSError(28, "No space left on device")
        real_replace(src, dst, **dir_fds)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(EditRefused, match="rolled back"):
        write_plan(workspace, plan)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (ws / "pkg" / "app.py").read_text() == APP_PY
    assert "return a + b;" in (ws / "src" / "util.ts").read_text()


def test_symlink_swapped_in_after_proposal_is_caught(tree: tuple[Path, Path], snap: Snap) -> None:
    ws, outside = tree
    workspace = Workspace.of(ws)
    plan = plan_apply(propose(HARMLESS, workspace), disk_reader)
    (ws / "pkg" / "app.py").unlink()
    (ws / "pkg" / "app.py").symlink_to(outside / "secret.py")
    before = snap(outside)
    with pytest.raises(EditRefused):
        write_plan(workspace, plan)
    assert snap(outside) == before


def test_file_changed_since_proposal_overlapping_is_refused(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    workspace = Workspace.of(ws)
    proposal = propose(HARMLESS, workspace)
    (ws / "pkg" / "app.py").write_text(APP_PY.replace("y = x + 1", "y = x - 1"))
    with pytest.raises(EditRefused, match="overlaps"):
        plan_apply(proposal, disk_reader)
    assert "x - 1" in (ws / "pkg" / "app.py").read_text()


def test_undo_through_the_cli(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    out, err_io = io.StringIO(), io.StringIO()
    assert run(["--workspace", str(ws), "--undo"], out, err_io) == 2
    assert "nothing to undo" in err_io.getvalue()
    code, _, err = edit(ws, HARMLESS, "--apply")
    assert code == 0, err
    out, err_io = io.StringIO(), io.StringIO()
    assert run(["--workspace", str(ws), "--undo"], out, err_io) == 0
    assert "-        y = x + 2\n+        y = x + 1\n" in out.getvalue()
    assert "x + 2" in (ws / "pkg" / "app.py").read_text()  # shown, not applied
    assert run(["--workspace", str(ws), "--undo", "--apply"], io.StringIO(), io.StringIO()) == 0
    assert (ws / "pkg" / "app.py").read_text() == APP_PY


def test_directory_swapped_for_a_link_during_writes_never_escapes(tree: tuple[Path, Path], snap: Snap) -> None:
    import threading

    ws, outside = tree
    workspace = Workspace.of(ws)
    plan = plan_apply(propose(HARMLESS, workspace), disk_reader)
    before = snap(outside)
    stop = threading.Event()
    swaps = {"n": 0}

    def swap() -> None:
        while not stop.is_set():
            os.rename(ws / "pkg", ws / "pkg_real")
            (ws / "pkg").symlink_to(outside, target_is_directory=True)
            (ws / "pkg").unlink()
            os.rename(ws / "pkg_real", ws / "pkg")
            swaps["n"] += 1

    racer = threading.Thread(target=swap)
    racer.start()
    outcomes = {"written": 0, "refused": 0}
    try:
        for _ in range(300):
            try:
                write_plan(workspace, plan)
                outcomes["written"] += 1
            except EditRefused:
                outcomes["refused"] += 1
    finally:
        stop.set()
        racer.join()
    assert sum(outcomes.values()) == 300 and swaps["n"] > 10
    assert snap(outside) == before
