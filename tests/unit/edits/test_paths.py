"""Path confinement and protected paths: every traversal variant is refused, protected files are flagged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace, is_case_insensitive, resolve
from splice.edits.protected import protection_reason


@pytest.mark.parametrize(
    "raw",
    [
        "../ws-evil/secret.py",
        "pkg/../../ws-evil/secret.py",
        "pkg/../app.py",
        "/etc/passwd",
        "~/.bashrc",
        "~root/x.py",
        "%2e%2e/ws-evil/secret.py",
        "pkg%2Fapp.py",
        "pkg/app.py\x00.txt",
        "pkg\\..\\..\\x.py",
        "file://host/etc/passwd",
        "https://example.com/x.py",
        "pkg/app.py.",
        "pkg/app.py ",
        "C:/x.py",
        "",
        "   ",
    ],
)
def test_model_path_variants_are_refused(tree: tuple[Path, Path], raw: str) -> None:
    ws, _ = tree
    with pytest.raises(EditRefused, match="refused"):
        resolve(Workspace.of(ws), raw)


def test_sibling_folder_sharing_the_prefix_is_outside(tree: tuple[Path, Path]) -> None:
    ws, outside = tree
    with pytest.raises(EditRefused, match="outside"):
        resolve(Workspace.of(ws), str(outside / "secret.py"), from_model=False)
    with pytest.raises(EditRefused, match="outside"):
        resolve(Workspace.of(ws), f"file://{outside}/secret.py", from_model=False)


def test_symlink_pointing_outside_is_refused(tree: tuple[Path, Path]) -> None:
    ws, outside = tree
    (ws / "link.py").symlink_to(outside / "secret.py")
    (ws / "linkdir").symlink_to(outside, target_is_directory=True)
    with pytest.raises(EditRefused, match="outside"):
        resolve(Workspace.of(ws), "link.py")
    with pytest.raises(EditRefused, match="outside"):
        resolve(Workspace.of(ws), "linkdir/new.py")


def test_symlink_inside_resolves_to_its_real_target(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    (ws / "alias.py").symlink_to(ws / "pkg" / "app.py")
    target = resolve(Workspace.of(ws), "alias.py")
    assert target.rel == "pkg/app.py" and target.written_rel == "alias.py"


def test_symlink_into_protected_path_is_seen_by_its_real_name(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    (ws / "docs.json").symlink_to(ws / ".vscode" / "settings.json")
    target = resolve(Workspace.of(ws), "docs.json")
    assert protection_reason(target.rel) is not None


def test_user_paths_may_be_absolute_inside(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    target = resolve(Workspace.of(ws), str(ws / "pkg" / "app.py"), from_model=False)
    assert target.rel == "pkg/app.py"
    assert resolve(Workspace.of(ws), "pkg/new/mod.py").rel == "pkg/new/mod.py"


def test_workspace_root_itself_is_not_a_file(tree: tuple[Path, Path]) -> None:
    ws, _ = tree
    with pytest.raises(EditRefused):
        resolve(Workspace.of(ws), ".")


def test_case_sensitivity_probe(tmp_path: Path) -> None:
    (tmp_path / "Probe").mkdir()
    folded = os.path.exists(tmp_path / "probe")
    assert is_case_insensitive(tmp_path / "Probe") == folded


@pytest.mark.parametrize(
    "rel",
    [
        ".vscode/settings.json",
        ".VSCODE/Settings.json",
        ".vscode/tasks.json",
        ".vscode/launch.json",
        ".git/config",
        ".git/hooks/pre-commit",
        ".github/workflows/ci.yml",
        ".GitHub/Workflows/CI.yml",
        ".gitlab-ci.yml",
        ".circleci/config.yml",
        "azure-pipelines.yml",
        "Jenkinsfile",
        "conftest.py",
        "tests/unit/conftest.py",
        "CONFTEST.PY",
        "setup.py",
        "pyproject.toml",
        "lib/evil.pth",
        "sitecustomize.py",
        ".splice/settings.json",
        ".cursor/mcp.json",
        ".claude/settings.json",
        "sub/.git/config",
        ".env.local",
        "package.json",
        ".pre-commit-config.yaml",
    ],
)
def test_protected_paths(rel: str) -> None:
    assert protection_reason(rel) is not None


@pytest.mark.parametrize("rel", ["pkg/app.py", "src/util.ts", "docs/vscode.md", "tests/test_conftest_helpers.py"])
def test_ordinary_paths_are_not_protected(rel: str) -> None:
    assert protection_reason(rel) is None
