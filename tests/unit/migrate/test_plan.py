"""plan.md: rendered from the ledger and read back — reorder, skip, un-skip, add, remove, garbage lines."""

from __future__ import annotations

from splice.features.migrate.model import Migration, Scope, Step
from splice.features.migrate.plan import render, reread


def _migration() -> Migration:
    steps = (
        Step("s1", "rule", "rule r1: 2 site(s) in 1 file(s)", paths=("a.py",), rule="r1", status="done"),
        Step("s2", "model", "model a.py: 1 site(s) (get)", paths=("a.py",)),
        Step("s3", "model", "model b.py: 2 site(s) (post)", paths=("b.py",)),
    )
    return Migration("m-1", "requests to httpx", Scope(), ("requests",), (), steps, files=("a.py", "b.py"))


def test_an_unedited_plan_reads_back_unchanged() -> None:
    m = _migration()
    again = reread(m, render(m))
    assert not again.changed and again.warnings == () and again.migration == m


def test_reorder_skip_and_add() -> None:
    m = _migration()
    text = render(m).replace("- [ ] s2", "- [-] s2")
    lines = text.splitlines()
    s3 = next(line for line in lines if " s3 " in line)
    lines.remove(s3)
    lines.insert(lines.index(next(line for line in lines if " s1 " in line)) + 1, s3)
    lines.append("- [ ] model: c.py — move the retry helper to httpx transports")
    lines.append("- [ ] ask: keep the requests fallback for Python 3.8?")
    lines.append("this line is not a step")
    merged = reread(m, "\n".join(lines))
    got = merged.migration.steps
    assert [s.id for s in got] == ["s1", "s3", "s2", "s4", "s5"]
    assert got[2].status == "skipped"
    assert got[3].kind == "model" and got[3].paths == ("c.py",) and "retry helper" in got[3].instruction
    assert got[4].kind == "ask" and got[4].question == "keep the requests fallback for Python 3.8?"
    assert any("not a step" in w for w in merged.warnings)


def test_a_deleted_pending_line_skips_that_step_and_done_steps_stay_done() -> None:
    m = _migration()
    text = "\n".join(line for line in render(m).splitlines() if " s3 " not in line and " s1 " not in line)
    got = {s.id: s for s in reread(m, text).migration.steps}
    assert got["s3"].status == "skipped" and got["s3"].reason == "removed from plan.md"
    assert got["s1"].status == "done"


def test_a_plan_without_its_steps_section_is_reported_not_guessed() -> None:
    m = _migration()
    merged = reread(m, "I deleted everything")
    assert merged.migration == m and "no '## Steps' section" in merged.warnings[0]
