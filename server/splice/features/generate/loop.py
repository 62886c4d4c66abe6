"""The verify loop (reason → act → observe): propose, verify in the sandbox, feed the failure back, up to N rounds.

Model-free: the caller passes ``propose(feedback)`` (the model call plus answer parsing; None when the answer had
no usable edit) and ``check(changes)`` (normally ``verify``). The loop only decides when to go round again and what
the final verdict is, so it is tested with scripted proposers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from splice.features.generate.verify import VerifyResult, VerifyStatus

Changes = Mapping[str, str | None]
_RETRY = {VerifyStatus.FAILED, VerifyStatus.TIMEOUT, VerifyStatus.KILLED}
"""Outcomes a better proposal can fix. UNAVAILABLE/REFUSED would only repeat: the command cannot run at all."""


@dataclass(frozen=True, slots=True)
class Round:
    number: int
    changes: Changes
    result: VerifyResult


@dataclass(frozen=True, slots=True)
class LoopOutcome:
    changes: Changes | None
    """The last proposal (shown for review whatever the verdict); None when the model never gave one."""
    rounds: tuple[Round, ...]
    verdict: str
    """One line for beside the diff: ``passed in round 2``, ``still failing after 3 rounds``, ``not verified: …``."""

    @property
    def final(self) -> VerifyResult | None:
        return self.rounds[-1].result if self.rounds else None

    @property
    def passed(self) -> bool:
        return self.final is not None and self.final.status is VerifyStatus.PASSED


def verify_loop(
    propose: Callable[[str | None], Changes | None],
    check: Callable[[Changes], VerifyResult],
    max_rounds: int,
    cancel: threading.Event | None = None,
) -> LoopOutcome:
    """Run up to ``max_rounds`` verify rounds; ``max_rounds`` 0 proposes once and does not verify."""
    changes = propose(None)
    if changes is None:
        return LoopOutcome(None, (), "no proposal: the answer held no usable edit")
    if max_rounds <= 0:
        return LoopOutcome(changes, (), "not verified (splice.verify.maxRounds is 0)")
    rounds: list[Round] = []
    while True:
        result = check(changes)
        rounds.append(Round(len(rounds) + 1, changes, result))
        if result.status is VerifyStatus.PASSED:
            return LoopOutcome(changes, tuple(rounds), f"passed in round {len(rounds)}: {result.command}")
        if result.status not in _RETRY:
            return LoopOutcome(changes, tuple(rounds), f"not verified: {result.reason}")
        if len(rounds) >= max_rounds or (cancel is not None and cancel.is_set()):
            break
        better = propose(feedback_for(result))
        if better is None:
            break
        changes = better
    word = "round" if len(rounds) == 1 else "rounds"
    last = rounds[-1].result
    return LoopOutcome(changes, tuple(rounds), f"still {last.status.value} after {len(rounds)} {word}: {last.reason}")


def feedback_for(result: VerifyResult) -> str:
    """What the model is told after a failed round: the command, how it ended, and its (bounded) output."""
    how = {VerifyStatus.TIMEOUT: "timed out", VerifyStatus.KILLED: "was stopped"}.get(result.status, "failed")
    output = result.output.strip() or "(no output)"
    return (
        f"The check `{result.command}` {how} ({result.reason}) with your change applied. Its output:\n"
        f"```\n{output}\n```\n"
        "Revise the change so that the check passes; answer in the same format as before."
    )
