"""The verify loop with scripted proposals and checks: rounds, feedback, verdicts."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from splice.features.generate.loop import feedback_for, verify_loop
from splice.features.generate.verify import VerifyResult, VerifyStatus

S = VerifyStatus


def result(status: VerifyStatus, output: str = "", reason: str = "") -> VerifyResult:
    return VerifyResult(status, "pytest -x -q tests/test_calc.py", 0 if status is S.PASSED else 1, output, 0.1, reason)


class Script:
    """Proposals in order, and a check that fails until the proposal says 'good'."""

    def __init__(self, proposals: list[dict[str, str | None] | None], statuses: dict[str, VerifyStatus]) -> None:
        self.proposals = proposals
        self.statuses = statuses
        self.feedback: list[str | None] = []
        self.checked: list[str | None] = []

    def propose(self, feedback: str | None) -> Mapping[str, str | None] | None:
        self.feedback.append(feedback)
        return self.proposals.pop(0) if self.proposals else None

    def check(self, changes: Mapping[str, str | None]) -> VerifyResult:
        text = changes.get("calc.py")
        self.checked.append(text)
        status = self.statuses.get(text or "", S.FAILED)
        return result(status, output=f"assert failed for {text}", reason="exit status 1")


def test_fails_then_passes_in_round_two() -> None:
    script = Script([{"calc.py": "bad"}, {"calc.py": "good"}], {"good": S.PASSED})
    outcome = verify_loop(script.propose, script.check, max_rounds=3)
    assert outcome.passed and outcome.changes == {"calc.py": "good"}
    assert [r.result.status for r in outcome.rounds] == [S.FAILED, S.PASSED]
    assert outcome.verdict == "passed in round 2: pytest -x -q tests/test_calc.py"
    assert script.feedback[0] is None
    assert script.feedback[1] is not None and "assert failed for bad" in script.feedback[1]


def test_stops_after_max_rounds_and_keeps_the_last_proposal() -> None:
    script = Script([{"calc.py": "a"}, {"calc.py": "b"}, {"calc.py": "c"}, {"calc.py": "d"}], {})
    outcome = verify_loop(script.propose, script.check, max_rounds=3)
    assert not outcome.passed
    assert script.checked == ["a", "b", "c"]
    assert outcome.changes == {"calc.py": "c"}
    assert outcome.verdict == "still failed after 3 rounds: exit status 1"


def test_unavailable_sandbox_is_not_retried() -> None:
    calls: list[str | None] = []

    def propose(feedback: str | None) -> Mapping[str, str | None]:
        calls.append(feedback)
        return {"calc.py": "x"}

    def check(changes: Mapping[str, str | None]) -> VerifyResult:
        return result(S.UNAVAILABLE, reason="sandbox unavailable: bubblewrap is not installed")

    outcome = verify_loop(propose, check, max_rounds=3)
    assert calls == [None] and len(outcome.rounds) == 1
    assert outcome.verdict == "not verified: sandbox unavailable: bubblewrap is not installed"
    assert outcome.changes == {"calc.py": "x"}


def test_no_usable_first_answer() -> None:
    script = Script([None], {})
    outcome = verify_loop(script.propose, script.check, max_rounds=3)
    assert outcome.changes is None and outcome.rounds == () and script.checked == []
    assert outcome.final is None


def test_no_usable_retry_answer_keeps_the_previous_proposal() -> None:
    script = Script([{"calc.py": "a"}, None], {})
    outcome = verify_loop(script.propose, script.check, max_rounds=3)
    assert outcome.changes == {"calc.py": "a"} and len(outcome.rounds) == 1
    assert outcome.verdict == "still failed after 1 round: exit status 1"


def test_zero_rounds_means_no_verification() -> None:
    script = Script([{"calc.py": "a"}], {})
    outcome = verify_loop(script.propose, script.check, max_rounds=0)
    assert script.checked == [] and outcome.changes == {"calc.py": "a"}
    assert outcome.verdict.startswith("not verified")


def test_cancel_stops_before_the_next_round() -> None:
    cancel = threading.Event()
    cancel.set()
    script = Script([{"calc.py": "a"}, {"calc.py": "b"}], {})
    outcome = verify_loop(script.propose, script.check, max_rounds=3, cancel=cancel)
    assert script.checked == ["a"] and len(outcome.rounds) == 1


def test_feedback_text() -> None:
    text = feedback_for(result(S.TIMEOUT, output="", reason="timed out after 5 s"))
    assert "`pytest -x -q tests/test_calc.py` timed out (timed out after 5 s)" in text
    assert "(no output)" in text
