"""Session memory for one task: the current step in full, the last turns verbatim, older turns as a summary.

A ``Session`` is what a multi-turn task (generate with follow-ups, a migration plan) remembers between model calls
and across restarts. Tool output ("ran pytest: 300 lines") is kept out of the prompt: it is recorded with
``kind="tool"`` and dropped when the turn ages out. When more than ``keep_turns`` conversational turns pile up, the
oldest are folded into ``summary`` — deterministically (first lines) or by a summariser such as
``gateway_summariser``. Plans are ordered ``Step``s with a status, so a migration can resume where it stopped.
Persisted as ``<workspace>/.splice/sessions/<id>.json``, written to a temp file and renamed into place.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from splice import state
from splice.llm.model import Completion, Message, Request

STEP_STATUSES = ("pending", "active", "done", "failed", "skipped")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FORMAT = 1
SUMMARY_LIMIT = 4000
"""Characters of summary kept; the oldest part is cut first."""


class SessionError(ValueError):
    """A session that cannot be read, or a request that does not fit it (unknown step, bad id)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Turn:
    role: str
    """``user`` | ``assistant``."""
    content: str
    kind: str = "message"
    """``message`` (kept in the prompt) or ``tool`` (recorded, never sent, dropped when it ages out)."""
    at: str = field(default_factory=_now)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    status: str = "pending"
    detail: str = ""
    """Everything the step needs (targets, instructions); sent in full while the step is current."""
    result: str = ""
    """What happened (proposal id, verification verdict, error)."""


Summariser = Callable[[Sequence[Turn], str], Awaitable[str]]
"""(turns to fold, previous summary) → new summary."""


def fold_deterministic(turns: Sequence[Turn], previous: str) -> str:
    lines = [previous] if previous else []
    for turn in turns:
        if turn.kind == "tool":
            continue
        first = next((line.strip() for line in turn.content.splitlines() if line.strip()), "")
        lines.append(f"- {turn.role}: {first[:160]}")
    text = "\n".join(lines)
    return text[-SUMMARY_LIMIT:] if len(text) > SUMMARY_LIMIT else text


class Session:
    def __init__(self, task: str, *, id: str | None = None, keep_turns: int = 6) -> None:
        self.id = id or uuid.uuid4().hex[:12]
        if not _ID.match(self.id):
            raise SessionError(f"invalid session id {self.id!r}: use letters, digits, '-' or '_' (at most 64)")
        self.task = task
        self.keep_turns = keep_turns
        self.created = _now()
        self.turns: list[Turn] = []
        self.steps: list[Step] = []
        self.summary = ""

    # -- turns -----------------------------------------------------------------------------------------------

    def add_turn(self, role: str, content: str, kind: str = "message") -> Turn:
        if kind not in ("message", "tool"):
            raise SessionError(f"unknown turn kind {kind!r}: expected 'message' or 'tool'")
        turn = Turn(role, content, kind)
        self.turns.append(turn)
        return turn

    def recent(self) -> list[Turn]:
        """The last ``keep_turns`` conversational turns (tool noise left out)."""
        talk = [t for t in self.turns if t.kind == "message"]
        return talk[-self.keep_turns :] if self.keep_turns else []

    async def compact(self, summarise: Summariser | None = None) -> int:
        """Fold turns older than the last ``keep_turns`` into the summary; returns how many turns were folded."""
        recent = self.recent()
        # By identity: two turns with the same text and second are equal but not the same turn.
        cut = next((i for i, t in enumerate(self.turns) if recent and t is recent[0]), len(self.turns))
        old = self.turns[:cut]
        if not old:
            return 0
        folded = [t for t in old if t.kind == "message"]
        if folded:
            self.summary = (
                await summarise(folded, self.summary) if summarise else fold_deterministic(folded, self.summary)
            )
        self.turns = self.turns[cut:]
        return len(old)

    # -- steps -----------------------------------------------------------------------------------------------

    def plan(self, steps: Sequence[tuple[str, str]]) -> list[Step]:
        """Replace the plan with ordered (title, detail) steps, all pending."""
        self.steps = [Step(f"s{i + 1}", title, detail=detail) for i, (title, detail) in enumerate(steps)]
        return self.steps

    def add_step(self, title: str, detail: str = "") -> Step:
        step = Step(f"s{len(self.steps) + 1}", title, detail=detail)
        self.steps.append(step)
        return step

    def set_status(self, step_id: str, status: str, result: str = "") -> Step:
        if status not in STEP_STATUSES:
            raise SessionError(f"unknown step status {status!r}: expected one of {', '.join(STEP_STATUSES)}")
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                self.steps[i] = replace(step, status=status, result=result or step.result)
                return self.steps[i]
        raise SessionError(f"session {self.id} has no step {step_id!r}")

    def current_step(self) -> Step | None:
        """The active step, else the first pending one: where a resumed task continues."""
        active = next((s for s in self.steps if s.status == "active"), None)
        return active or next((s for s in self.steps if s.status == "pending"), None)

    # -- prompt ----------------------------------------------------------------------------------------------

    def messages(self, system: str | None = None) -> tuple[Message, ...]:
        """What the model sees of this session: task, plan, current step in full, summary, last turns."""
        head = [f"Task: {self.task}"]
        if self.steps:
            head.append("Plan:")
            head.extend(f"  {s.id} [{s.status}] {s.title}" for s in self.steps)
        step = self.current_step()
        if step is not None:
            head.append(f"Current step {step.id}: {step.title}\n{step.detail}".rstrip())
        if self.summary:
            head.append(f"Earlier in this session (summary):\n{self.summary}")
        out = [Message("system", system)] if system else []
        out.append(Message("user", "\n\n".join(head)))
        out.extend(Message(t.role, t.content) for t in self.recent())
        return tuple(out)

    # -- persistence -----------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT,
            "id": self.id,
            "task": self.task,
            "created": self.created,
            "keep_turns": self.keep_turns,
            "summary": self.summary,
            "steps": [asdict(s) for s in self.steps],
            "turns": [asdict(t) for t in self.turns],
        }

    @classmethod
    def from_json(cls, data: Any) -> Session:
        try:
            if data.get("v") != FORMAT:
                raise SessionError(f"session format {data.get('v')!r} is not {FORMAT}")
            session = cls(str(data["task"]), id=str(data["id"]), keep_turns=int(data["keep_turns"]))
            session.created = str(data["created"])
            session.summary = str(data["summary"])
            session.steps = [Step(**s) for s in data["steps"]]
            session.turns = [Turn(**t) for t in data["turns"]]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, SessionError):
                raise
            raise SessionError(f"session data is malformed ({exc})") from exc
        for step in session.steps:
            if step.status not in STEP_STATUSES:
                raise SessionError(f"step {step.id} has unknown status {step.status!r}")
        return session

    def save(self, workspace: Path) -> Path:
        folder = sessions_dir(workspace)
        path = folder / f"{self.id}.json"
        state.write_text(path, json.dumps(self.to_json(), ensure_ascii=False, indent=1), fsync=True)
        return path

    @classmethod
    def load(cls, workspace: Path, session_id: str) -> Session:
        if not _ID.match(session_id):
            raise SessionError(f"invalid session id {session_id!r}")
        path = sessions_dir(workspace) / f"{session_id}.json"
        try:
            data = json.loads(state.read_text(path))
        except FileNotFoundError as exc:
            raise SessionError(f"no session {session_id} under {sessions_dir(workspace)}") from exc
        except (OSError, ValueError) as exc:
            raise SessionError(f"cannot read session {path} ({exc}); it was left as it is") from exc
        return cls.from_json(data)


def sessions_dir(workspace: Path) -> Path:
    return workspace / ".splice" / "sessions"


def list_sessions(workspace: Path) -> list[str]:
    folder = sessions_dir(workspace)
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


class Completes(Protocol):
    """The part of ``splice.llm.gateway.Gateway`` a summariser needs."""

    async def complete(self, request: Request) -> Completion: ...

    async def keep(self, completion: Completion) -> None: ...


def gateway_summariser(gateway: Completes, feature: str = "explain") -> Summariser:
    """A summariser that asks the model (through the gateway: redaction, cache, budget and usage apply)."""

    async def summarise(turns: Sequence[Turn], previous: str) -> str:
        transcript = "\n\n".join(f"{t.role}: {t.content}" for t in turns if t.kind == "message")
        prompt = (
            "Summarise this conversation so the task can continue without it. Keep decisions, file and symbol "
            "names, open questions; drop pleasantries. At most 12 bullet points.\n\n"
            + (f"Summary so far:\n{previous}\n\n" if previous else "")
            + f"Conversation:\n{transcript}"
        )
        result = await gateway.complete(Request(feature, (Message("user", prompt),)))
        await gateway.keep(result)  # the gateway refuses empty answers; any other summary is usable
        return result.text.strip()[:SUMMARY_LIMIT]

    return summarise
