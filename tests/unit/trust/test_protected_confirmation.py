"""Protected files: the list (data, in the package) covers every file that runs code, and each one needs its own
confirmation — one "yes" for setup.py never writes a git hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from splice.cli.approve import apply_approved, protected_confirmations
from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import FlagKind
from splice.edits.propose import disk_reader, propose
from splice.edits.protected import LIST, protection_reason
from splice.edits.review import plan_apply

RUNS_CODE = [
    ".git/hooks/pre-commit",
    ".vscode/tasks.json",
    ".vscode/launch.json",
    ".github/workflows/ci.yml",
    "sitecustomize.py",
    "usercustomize.py",
    "lib/python3.11/site-packages/evil.pth",
    ".claude/settings.json",
    ".pre-commit-config.yaml",
    "jest.config.js",
    "vite.config.ts",
    "webpack.config.cjs",
    "eslint.config.mjs",
    ".cargo/config.toml",
    "Cargo.toml",
    "crates/core/build.rs",
    ".zed/tasks.json",
    ".nvim.lua",
    ".exrc",
    ".gemini/settings.json",
    "mypy.ini",
    "setup.cfg",
    "Dockerfile",
    "gradle/wrapper/gradle-wrapper.properties",
    ".venv/bin/activate",
    "env/bin/activate.fish",
    "package.json",
    "setup.py",
    "tests/conftest.py",
    "Makefile",
    ".envrc",
    ".VSCODE/Tasks.JSON",  # case-folding file systems
]
ORDINARY = ["src/app.py", "README.md", "docs/config.md", "lib/jest_helpers.js", "cargo_utils.py", "bin/tool.py"]


@pytest.mark.parametrize("rel", RUNS_CODE)
def test_files_that_run_code_are_protected_with_a_reason(rel: str) -> None:
    reason = protection_reason(rel)
    assert reason and " — " in reason, rel


@pytest.mark.parametrize("rel", ORDINARY)
def test_ordinary_files_are_not(rel: str) -> None:
    assert protection_reason(rel) is None


def test_the_list_is_data_in_the_package() -> None:
    assert LIST.name == "protected.toml" and LIST.is_file() and "[names]" in LIST.read_text()


SEVEN = {
    "setup.py": "from setuptools import setup\nsetup()\n",
    ".git/hooks/pre-commit": "#!/bin/sh\nexit 0\n",
    ".vscode/tasks.json": "{}\n",
    ".github/workflows/ci.yml": "on: push\n",
    "sitecustomize.py": "pass\n",
    ".claude/settings.json": "{}\n",
    ".pre-commit-config.yaml": "repos: []\n",
}


def _answer() -> str:
    blocks = []
    for rel, text in SEVEN.items():
        first = text.splitlines()[0]
        blocks.append(f"{rel}\n<<<<<<< SEARCH\n{first}\n=======\n{first}\n# changed by the model\n>>>>>>> REPLACE\n")
    return "\n".join(blocks)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for rel, text in SEVEN.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_one_confirmation_covers_one_file(ws: Path) -> None:
    proposal = propose(_answer(), Workspace.of(ws))
    flagged = sorted(f.path for f in proposal.needs_confirmation() if f.kind is FlagKind.PROTECTED)
    assert flagged == sorted(SEVEN)
    before = {rel: (ws / rel).read_text() for rel in SEVEN}
    with pytest.raises(EditRefused) as info:
        apply_approved(proposal, Workspace.of(ws), digest=proposal.digest(), allow_protected=["setup.py"])
    message = str(info.value)
    for rel in SEVEN:
        if rel != "setup.py":  # every other file is named with its reason and the flag that confirms it
            assert f"protected path {rel} (" in message and f"--allow-protected {rel}" in message
    assert "--allow-protected setup.py" not in message
    assert {rel: (ws / rel).read_text() for rel in SEVEN} == before  # nothing written, setup.py included
    with pytest.raises(EditRefused):  # a blanket kind-level "yes" approves no protected file
        plan_apply(proposal, disk_reader, confirmed=[FlagKind.PROTECTED])
    applied = apply_approved(proposal, Workspace.of(ws), digest=proposal.digest(), allow_protected=list(SEVEN))
    assert applied.files == len(SEVEN)


def test_asking_each_file_in_turn(ws: Path) -> None:
    proposal = propose(_answer(), Workspace.of(ws))
    asked: list[str] = []

    def ask(question: str) -> bool:
        asked.append(question)
        return "setup.py" in question

    confirmed = protected_confirmations(proposal, ["?"], ask)
    assert confirmed == [(FlagKind.PROTECTED, "setup.py")]
    assert len(asked) == len(SEVEN) and all(" — " in q for q in asked)  # each shown with its reason


def test_lookalike_and_hidden_characters_are_flagged(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    answers = {
        "filler": "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 1\n\u3164 = x\n>>>>>>> REPLACE\n",
        "homoglyph": "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 1\np\u0430ypal = x\n>>>>>>> REPLACE\n",
        "tags": "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 1  # ok\U000e0069\U000e0067\n>>>>>>> REPLACE\n",
    }
    for kind, answer in answers.items():
        proposal = propose(answer, Workspace.of(tmp_path))
        flags = [f for f in proposal.needs_confirmation() if f.kind is FlagKind.INVISIBLE]
        assert flags, kind
        expected = {"filler": "HANGUL FILLER", "homoglyph": "CYRILLIC and LATIN", "tags": "TAG CHARACTER"}[kind]
        assert expected in flags[0].message, flags[0].message


def test_an_mcp_approval_covers_at_most_one_protected_file(ws: Path) -> None:
    from splice.features.handoff import apply_reviewed

    several = propose(_answer(), Workspace.of(ws))
    with pytest.raises(EditRefused, match="confirm each explicitly"):
        apply_reviewed(ws, several, digest=several.digest(), confirm_flags=True)
    one = propose(_answer().split("\n\n")[0] + "\n", Workspace.of(ws))
    assert [f.path for f in one.needs_confirmation()] == ["setup.py"]
    assert apply_reviewed(ws, one, digest=one.digest(), confirm_flags=True).files == 1
