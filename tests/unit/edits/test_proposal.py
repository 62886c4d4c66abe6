"""Proposals: building from answers, hunk selection, the approval digest, staleness/rebase, store and undo."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import ChangeKind, FlagKind, Status
from splice.edits.propose import disk_reader, propose
from splice.edits.review import FileState, mark_applied, mark_rejected, plan_apply
from splice.edits.store import ProposalStore, from_json, to_json
from splice.edits.undo import inverse
from splice.edits.writer import write_plan

from .conftest import APP_PY

TWO_HUNKS = """pkg/app.py
<<<<<<< SEARCH
        y = x + 1
=======
        y = x + 2
>>>>>>> REPLACE

pkg/app.py
<<<<<<< SEARCH
    return 0
=======
    return -1
>>>>>>> REPLACE
"""


def reader_with(overrides: dict[str, str | None]):  # type: ignore[no-untyped-def]
    def read(root: str, rel: str) -> FileState:
        if rel in overrides:
            text = overrides[rel]
            return FileState(text, version=7)
        return disk_reader(root, rel)

    return read


def test_proposal_has_tight_hunks_with_stable_ids(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    [change] = p.changes
    assert change.kind is ChangeKind.MODIFY and change.path == "pkg/app.py"
    assert [(h.old_text, h.new_text) for h in change.hunks] == [
        ("        y = x + 1\n", "        y = x + 2\n"),
        ("    return 0\n", "    return -1\n"),
    ]
    again = propose(TWO_HUNKS, Workspace.of(ws))
    assert [h.id for h in again.changes[0].hunks] == [h.id for h in change.hunks]
    assert p.digest() == again.digest()
    edits = change.text_edits()
    assert (edits[0].start.line, edits[0].end.line, edits[0].new_text) == (5, 6, "        y = x + 2\n")


def test_accepting_one_hunk_applies_only_it(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    first = p.changes[0].hunks[0].id
    plan = plan_apply(p, disk_reader, accepted=[first], digest=p.digest([first]))
    assert plan.files[0].after == APP_PY.replace("x + 1", "x + 2")


def test_digest_must_match_what_was_shown(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    first = p.changes[0].hunks[0].id
    with pytest.raises(EditRefused, match="differ from the diff that was approved"):
        plan_apply(p, disk_reader, accepted=[first], digest=p.digest())
    with pytest.raises(EditRefused, match="no hunk"):
        plan_apply(p, disk_reader, accepted=["hdeadbeef"])


def test_user_edit_elsewhere_is_rebased(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    user = APP_PY.replace("import os\n", "import os\nimport sys\n")
    plan = plan_apply(p, reader_with({"pkg/app.py": user}), digest=p.digest())
    [f] = plan.files
    assert f.rebased and f.before_version == 7
    assert f.after == user.replace("x + 1", "x + 2").replace("    return 0\n", "    return -1\n")


def test_overlapping_user_edit_is_refused(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    user = APP_PY.replace("y = x + 1", "y = x + 10")
    with pytest.raises(EditRefused, match="overlaps"):
        plan_apply(p, reader_with({"pkg/app.py": user}))


def test_file_deleted_since_proposal_is_refused(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    (ws / "pkg" / "app.py").unlink()
    with pytest.raises(EditRefused, match="deleted since"):
        plan_apply(p, disk_reader)


def test_expired_and_rejected_proposals_do_not_apply(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    with pytest.raises(EditRefused, match="expired"):
        plan_apply(p, disk_reader, now=(p.expires_at or 0) + 1)
    with pytest.raises(EditRefused, match="rejected"):
        plan_apply(mark_rejected(p), disk_reader)


def test_store_round_trip_diff_file_and_expiry(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    store = ProposalStore.for_workspace(ws)
    p = propose(TWO_HUNKS, Workspace.of(ws), rationale="why", context=("pkg/app.py:5-7 — the method",))
    diff_path = store.put(p)
    assert from_json(to_json(p)) == p
    assert store.require(p.id) == p
    assert "-        y = x + 1\n+        y = x + 2\n" in diff_path.read_text()
    assert store.expire(now=(p.expires_at or 0) + 1) == [p.id]
    assert store.require(p.id).status is Status.EXPIRED
    with pytest.raises(EditRefused):
        store.require("../../etc")
    (store.folder / "broken.json").write_text("{not json")
    assert store.get("broken") is None


def test_undo_is_a_proposal_of_the_inverse(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    workspace = Workspace.of(ws)
    p = propose(TWO_HUNKS + "\npkg/new.py\n```python\nX = 1\n```\n", workspace)
    with pytest.raises(EditRefused, match="not applied"):
        inverse(p)
    plan = plan_apply(p, disk_reader)
    write_plan(workspace, plan)
    applied = mark_applied(p, plan)
    store = ProposalStore.for_workspace(ws)
    store.put(applied)
    undo = inverse(store.require(p.id))
    assert undo.inverse_of == p.id and undo.status is Status.PENDING
    assert {c.kind for c in undo.changes} == {ChangeKind.MODIFY, ChangeKind.DELETE}
    write_plan(workspace, plan_apply(undo, disk_reader, digest=undo.digest()))
    assert (ws / "pkg" / "app.py").read_text() == APP_PY
    assert not (ws / "pkg" / "new.py").exists()


def test_undo_keeps_later_user_edits_or_refuses(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    workspace = Workspace.of(ws)
    p = propose(TWO_HUNKS, workspace)
    plan = plan_apply(p, disk_reader)
    write_plan(workspace, plan)
    undo = inverse(mark_applied(p, plan))
    edited = (ws / "pkg" / "app.py").read_text().replace("import os\n", "import os  # mine\n")
    (ws / "pkg" / "app.py").write_text(edited)
    write_plan(workspace, plan_apply(undo, disk_reader))
    assert (ws / "pkg" / "app.py").read_text() == APP_PY.replace("import os\n", "import os  # mine\n")


def test_protected_and_invisible_need_their_own_confirmation(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    answer = TWO_HUNKS + '\n.vscode/settings.json\n<<<<<<< SEARCH\n{}\n=======\n{"a": 1}\n>>>>>>> REPLACE\n'
    p = propose(answer, Workspace.of(ws))
    assert [f.path for f in p.needs_confirmation()] == [".vscode/settings.json"]
    with pytest.raises(EditRefused, match=r"protected path \.vscode/settings\.json"):
        plan_apply(p, disk_reader)
    with pytest.raises(EditRefused, match=r"protected path \.vscode/settings\.json"):
        plan_apply(p, disk_reader, confirmed=[FlagKind.PROTECTED])  # a blanket yes confirms no protected file
    confirmed = [(FlagKind.PROTECTED, ".vscode/settings.json")]
    assert len(plan_apply(p, disk_reader, confirmed=confirmed).files) == 2
    # Accepting only the harmless hunks needs no protected confirmation.
    harmless = list(p.changes[0].review_ids())
    assert len(plan_apply(p, disk_reader, accepted=harmless).files) == 1
    hidden = propose(
        'pkg/app.py\n<<<<<<< SEARCH\n        return "app"\n=======\n        return "a\u202eb"\n>>>>>>> REPLACE\n',
        Workspace.of(ws),
    )
    assert [f.kind for f in hidden.needs_confirmation()] == [FlagKind.INVISIBLE]
    assert "<U+202E>" in hidden.diff()


def test_parse_regression_is_flagged_not_dropped(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(
        "pkg/app.py\n<<<<<<< SEARCH\n        return y\n=======\n        return (y\n>>>>>>> REPLACE\n", Workspace.of(ws)
    )
    assert not p.verification.parses
    assert any(f.kind is FlagKind.PARSE and "does not parse" in f.message for f in p.flags)


def test_create_delete_rename_are_changes_needing_approval(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    delete = "--- a/pkg/app.py\n+++ /dev/null\n@@ -1,18 +0,0 @@\n" + "".join(
        f"-{line}\n" for line in APP_PY.splitlines()
    )
    p = propose(delete, Workspace.of(ws))
    assert [c.kind for c in p.changes] == [ChangeKind.DELETE]
    assert any(f.kind is FlagKind.FILE_OP for f in p.flags)
    rename = "diff --git a/src/util.ts b/src/helpers.ts\nrename from src/util.ts\nrename to src/helpers.ts\n"
    r = propose(rename, Workspace.of(ws))
    assert (r.changes[0].kind, r.changes[0].new_path) == (ChangeKind.RENAME, "src/helpers.ts")
    write_plan(Workspace.of(ws), plan_apply(r, disk_reader))
    assert (ws / "src" / "helpers.ts").exists() and not (ws / "src" / "util.ts").exists()


def test_emptying_a_file_is_refused(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    with pytest.raises(EditRefused, match="empty"):
        propose("pkg/app.py\n```python\n\n```\n", Workspace.of(ws))
    search = "".join(f"{line}\n" for line in APP_PY.splitlines())
    with pytest.raises(EditRefused, match="never empties"):
        propose(f"pkg/app.py\n<<<<<<< SEARCH\n{search}=======\n>>>>>>> REPLACE\n", Workspace.of(ws))


def test_proposal_is_all_or_nothing(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    bad = TWO_HUNKS + "\npkg/app.py\n<<<<<<< SEARCH\n    nowhere()\n=======\n    x()\n>>>>>>> REPLACE\n"
    with pytest.raises(EditRefused, match="block 3"):
        propose(bad, Workspace.of(ws))


def test_binary_target_is_refused(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    (ws / "blob.py").write_bytes(b"\x89PNG\x00\x00data")
    with pytest.raises(EditRefused, match="binary"):
        propose("blob.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n", Workspace.of(ws))


def test_crlf_file_keeps_its_line_endings(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    (ws / "pkg" / "app.py").write_bytes(APP_PY.replace("\n", "\r\n").encode())
    p = propose(TWO_HUNKS.replace("\n", "\r\n"), Workspace.of(ws))
    assert p.changes[0].newline == "\r\n"
    write_plan(Workspace.of(ws), plan_apply(p, disk_reader))
    data = (ws / "pkg" / "app.py").read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and b"y = x + 2\r\n" in data


def test_frozen_values(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.title = "x"  # type: ignore[misc]


def test_plan_text_edits_cover_a_rebased_result(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    p = propose(TWO_HUNKS, Workspace.of(ws))
    user = APP_PY.replace("import os\n", "import os\nimport sys\n")
    [f] = plan_apply(p, reader_with({"pkg/app.py": user})).files
    edits = f.text_edits()
    assert [(e.start.line, e.end.line, e.new_text) for e in edits] == [
        (6, 7, "        y = x + 2\n"),
        (18, 19, "    return -1\n"),
    ]
