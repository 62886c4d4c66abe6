"""Proposals that weaken tests are flagged; model hunks may not undo rule lines."""

from __future__ import annotations

from splice.edits.build import Draft, build_proposal
from splice.edits.proposal import ChangeKind
from splice.features.migrate.checks import added_lines, touches_rule_lines, weakened_tests

TESTS = "def test_a():\n    assert f() == 1\n\n\ndef test_b():\n    assert g() == 2\n"


def _modify(path: str, old: str, new: str):  # type: ignore[no-untyped-def]
    return build_proposal("t", [Draft(ChangeKind.MODIFY, path, old, new, lang="python")])


def test_skip_markers_fewer_tests_and_deleted_test_files_are_flagged() -> None:
    skipped = _modify("tests/test_x.py", TESTS, "import pytest\n\n\n@pytest.mark.skip\n" + TESTS)
    assert weakened_tests(skipped) == ["adds 1 skip marker(s) in tests/test_x.py"]
    fewer = _modify("tests/test_x.py", TESTS, "def test_a():\n    assert f() == 1\n")
    assert weakened_tests(fewer) == ["lowers the number of tests in tests/test_x.py from 2 to 1"]
    gone = build_proposal("t", [Draft(ChangeKind.DELETE, "tests/test_x.py", TESTS, None, lang="python")])
    assert weakened_tests(gone) == ["deletes the test file tests/test_x.py"]
    fine = _modify("tests/test_x.py", TESTS, TESTS.replace("== 1", "== 1  # same"))
    assert weakened_tests(fine) == []


def test_a_model_hunk_that_rewrites_a_rule_line_is_caught() -> None:
    rule = _modify("a.py", "import requests\nx = 1\n", "import httpx\nx = 1\n")
    lines = added_lines([rule])
    undo = _modify("a.py", "import httpx\nx = 1\n", "import requests\nx = 1\n")
    assert touches_rule_lines(undo, lines) == ["a.py: import httpx"]
    other = _modify("a.py", "import httpx\nx = 1\n", "import httpx\nx = 2\n")
    assert touches_rule_lines(other, lines) == []
