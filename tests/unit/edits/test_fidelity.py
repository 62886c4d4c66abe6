"""What the review shows is what gets written: hunks, text edits and partial selections reproduce the texts
exactly; protected paths are flagged for every kind of change."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from splice.edits.diff import apply_hunks, changed_blocks, compute_hunks, text_edits
from splice.edits.paths import Workspace, resolve
from splice.edits.proposal import ChangeKind, FlagKind
from splice.edits.propose import propose
from splice.edits.review import FileState

WORDS = ["alpha", "beta", "", "    gamma", "delta()", "\tepsilon", "}", "ζeta", "x = 1"]


def _random_text(rng: random.Random) -> str:
    lines = [rng.choice(WORDS) for _ in range(rng.randint(0, 12))]
    text = "\n".join(lines)
    return text + ("\n" if rng.random() < 0.8 and lines else "")


def _mutate(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["insert", "delete", "replace"])
        i = rng.randint(0, len(lines))
        if op == "insert" or not lines:
            lines.insert(i, rng.choice(WORDS) + "\n")
        elif op == "delete":
            del lines[min(i, len(lines) - 1)]
        else:
            lines[min(i, len(lines) - 1)] = rng.choice(WORDS) + "\n"
    return "".join(lines)


def _apply_edits(text: str, before: str) -> str:
    """Apply byte-column text edits the way an editor would (from the end, by line/column)."""
    lines = before.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = before.encode()
    for edit in sorted(text_edits(before, compute_hunks("f", before, text)), key=lambda e: e.start, reverse=True):
        start = offsets[edit.start.line] + edit.start.col
        end = offsets[edit.end.line] + edit.end.col
        data = data[:start] + edit.new_text.encode() + data[end:]
    return data.decode()


def test_hunks_and_edits_reproduce_the_proposed_text() -> None:
    rng = random.Random(1234)
    for _ in range(1000):
        before = _random_text(rng)
        after = _mutate(rng, before)
        hunks = compute_hunks("f", before, after)
        assert apply_hunks(before, hunks) == after
        assert _apply_edits(after, before) == after
        assert compute_hunks("f", before, before) == ()


def test_a_small_change_in_a_long_file_is_one_tight_hunk() -> None:
    lines = [f"line {i % 7}\n" for i in range(5000)]  # repetitive: many equal lines for the matcher to confuse
    after = [*lines[:2500], "new one\n", "new two\n", *lines[2501:]]
    hunks = compute_hunks("f", "".join(lines), "".join(after))
    assert [(h.old_start, h.old_end, h.new_start, h.new_text) for h in hunks] == [
        (2500, 2501, 2500, "new one\nnew two\n")
    ]
    assert changed_blocks(["a", "b"], ["a", "b"]) == []
    assert changed_blocks(["a", "a"], ["a", "a", "a"]) == [("insert", 2, 2, 2, 3)]


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ('.vscode/tasks.json\n```json\n{"version": "2.0.0"}\n```\n', ChangeKind.CREATE),
        (".VSCode/Launch.json\n```json\n{}\n```\n", ChangeKind.CREATE),
        ("--- a/.vscode/settings.json\n+++ /dev/null\n@@ -1 +0,0 @@\n-{}\n", ChangeKind.DELETE),
        (
            "diff --git a/src/util.ts b/.github/workflows/x.yml\n"
            "rename from src/util.ts\nrename to .github/workflows/x.yml\n",
            ChangeKind.RENAME,
        ),
        ("pkg/conftest.py\n```python\nimport os\n```\n", ChangeKind.CREATE),
        ("lib/evil.pth\n```\nimport os; os.system('x')\n```\n", ChangeKind.CREATE),
        (".git/hooks/pre-commit\n```sh\nrm -rf /\n```\n", ChangeKind.CREATE),
    ],
)
def test_protected_paths_flagged_for_every_change_kind(tree: tuple[Path, Path], answer: str, kind: ChangeKind) -> None:
    ws, _ = tree
    p = propose(answer, Workspace.of(ws))
    assert p.changes[0].kind is kind
    assert [f.kind for f in p.needs_confirmation()] == [FlagKind.PROTECTED]


def test_multi_root_workspace(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "x").mkdir(parents=True)
    (b / "y").mkdir(parents=True)
    (b / "y" / "m.py").write_text("A = 1\n")
    ws = Workspace.of(a, b)
    assert resolve(ws, "y/m.py").root == b
    assert resolve(ws, "x/new.py").root == a
    assert resolve(ws, str(b / "y" / "m.py"), from_model=False).rel == "y/m.py"


def test_buffer_state_normalises_crlf_and_keeps_the_version() -> None:
    state = FileState.from_buffer("a\r\nb\r\n", 12, "m.py")
    assert (state.text, state.version, state.newline) == ("a\nb\n", 12, "\r\n")
