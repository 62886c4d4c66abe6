"""Checks on a step's proposal that the ordinary review does not make: weakened tests, and model hunks that undo
what a rule wrote."""

from __future__ import annotations

import re
from collections.abc import Iterable

from splice.edits.proposal import ChangeKind, Proposal

_TEST_PATH = re.compile(r"(^|/)(tests?/|test_[^/]*$|[^/]*_test\.(py|go)$|[^/]*\.(test|spec)\.[jt]sx?$|conftest\.py$)")
_SKIP = re.compile(
    r"@pytest\.mark\.(skip|skipif|xfail)\b|@unittest\.skip|\bpytest\.skip\(|\bunittest\.skip\(|\bself\.skipTest\("
    r"|\b(it|test|describe)\.skip\(|\bx(it|describe|test)\(|\bt\.Skip(Now|f)?\(|@Disabled\b|@Ignore\b"
)
_TEST_DEF = re.compile(r"^\s*(async\s+)?def\s+test\w*\s*\(|\b(it|test)\(\s*['\"`]|^\s*func\s+Test\w+\(", re.M)


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


def weakened_tests(proposal: Proposal) -> list[str]:
    """Why this proposal weakens the tests (deleted test files, new skip markers, fewer tests); empty if it does not."""
    found: list[str] = []
    for c in proposal.changes:
        path = c.new_path or c.path
        old, new = c.old_text or "", c.new_text or ""
        if c.kind is ChangeKind.DELETE and is_test_path(c.path):
            found.append(f"deletes the test file {c.path}")
            continue
        skips = len(_SKIP.findall(new)) - len(_SKIP.findall(old))
        if skips > 0:
            found.append(f"adds {skips} skip marker(s) in {path}")
        if is_test_path(c.path) or is_test_path(path):
            before, after = len(_TEST_DEF.findall(old)), len(_TEST_DEF.findall(new))
            if c.kind is not ChangeKind.CREATE and after < before:
                found.append(f"lowers the number of tests in {path} from {before} to {after}")
    return found


def touches_rule_lines(proposal: Proposal, rule_lines: dict[str, set[str]]) -> list[str]:
    """Lines a rule wrote that this (model) proposal removes or changes, as ``path: line``."""
    found: list[str] = []
    for c in proposal.changes:
        protected = rule_lines.get(c.path)
        if not protected:
            continue
        for h in c.hunks:
            kept = set(h.new_text.splitlines())
            found.extend(
                f"{c.path}: {line.strip()}"
                for line in h.old_text.splitlines()
                if line.strip() and line in protected and line not in kept
            )
    return found


def added_lines(proposals: Iterable[Proposal]) -> dict[str, set[str]]:
    """Per file, the lines these (rule) proposals wrote."""
    out: dict[str, set[str]] = {}
    for p in proposals:
        for c in p.changes:
            for h in c.hunks:
                out.setdefault(c.path, set()).update(line for line in h.new_text.splitlines() if line.strip())
    return out
