"""Migration value types: sites, typed steps with their ledger state, and the migration itself.

A ``Migration`` is what ``.splice/migrations/<id>/ledger.json`` holds: the target, scope, rule packs and old API,
the ordered steps and, per step, its status, attempts, proposal, verdict, cost and the file hashes it saw. The
readable ``plan.md`` beside it is rendered from (and re-read into) the same steps by ``plan.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

STEP_KINDS = ("rule", "model", "command", "create", "rename", "delete", "ask")
STATUSES = ("pending", "proposed", "applying", "done", "failed", "skipped")
"""``proposed``: a proposal waits for review; ``applying``: its files are being written (a resume checks which
side of the write the files are on)."""
FORMAT = 1


@dataclass(frozen=True, slots=True, order=True)
class Site:
    """One place the old API is used. Lines and columns are 0-based; columns count characters."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    kind: str
    """``import``, ``call``, ``reference``, ``base`` (from the graph) or ``pattern`` (a rule's match)."""
    name: str
    """What was matched: the imported module, the called name, or the rule's matched text (first line)."""
    rule: str | None = None
    """The rule that covers it (rewrites or finds it); None for residue only the model can handle."""
    fixable: bool = False
    """True when the covering rule has a ``fix``."""

    def label(self) -> str:
        how = f"rule {self.rule}" if self.rule else "model"
        return f"{self.path}:{self.line + 1}:{self.col + 1} {self.kind} {self.name} ({how})"


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    kind: str
    title: str
    paths: tuple[str, ...] = ()
    """Files the step works on (a rule step: every file its rule matched; a model step: its one unit)."""
    rule: str | None = None
    command: str | None = None
    question: str | None = None
    new_path: str | None = None
    """For ``rename``: the destination."""
    instruction: str = ""
    depends: tuple[str, ...] = ()
    # ledger state
    status: str = "pending"
    attempts: int = 0
    proposal: str | None = None
    verdict: str = ""
    reason: str = ""
    """Why the step is pending/failed (a refused answer, a failing check), in words."""
    answer: str | None = None
    """An ``ask`` step's recorded answer."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    dollars: float = 0.0
    seen: dict[str, str] = field(default_factory=dict)
    """sha256 of each file as the step's proposal was computed from it."""
    after: dict[str, str | None] = field(default_factory=dict)
    """sha256 each file must have once the proposal is written (None: deleted); a resume compares against it."""
    lines_changed: int = 0

    def with_state(self, **changes: Any) -> Step:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Scope:
    path: str = ""
    """Workspace-relative file or folder; empty for the whole workspace."""
    start_line: int | None = None
    end_line: int | None = None
    """A selection inside ``path`` (0-based, inclusive)."""

    def covers(self, path: str, line: int | None = None) -> bool:
        if self.path and not (path == self.path or path.startswith(self.path.rstrip("/") + "/")):
            return False
        if line is not None and self.start_line is not None and self.end_line is not None:
            return self.start_line <= line <= self.end_line
        return True

    def describe(self) -> str:
        if not self.path:
            return "the whole workspace"
        if self.start_line is not None:
            return f"{self.path} lines {self.start_line + 1}-{(self.end_line or self.start_line) + 1}"
        return self.path


@dataclass(frozen=True, slots=True)
class Migration:
    id: str
    target: str
    scope: Scope
    old_api: tuple[str, ...]
    rule_files: tuple[str, ...]
    """Rule packs as copied into the migration folder (``rules/<n>.yml``), so a resume runs the same rules."""
    steps: tuple[Step, ...]
    state: str = "active"
    """``active``, ``finished`` or ``aborted``."""
    created: str = ""
    files: tuple[str, ...] = ()
    """Every file the migration may change (its claim; a second migration on them is refused)."""
    sites_total: int = 0
    applied: tuple[str, ...] = ()
    """Applied proposal ids in order (``abort`` inverts them)."""
    tools: tuple[str, ...] = ()
    """Commands the plan needs (verify, codemods), each listed so ``splice doctor`` can try it."""

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def replace_step(self, step: Step) -> Migration:
        return replace(self, steps=tuple(step if s.id == step.id else s for s in self.steps))

    def next_step(self) -> Step | None:
        """Where a run continues: a step in flight first, then the first pending one whose dependencies are done."""
        for s in self.steps:
            if s.status in ("proposed", "applying"):
                return s
        finished = {s.id for s in self.steps if s.status in ("done", "skipped")}
        for s in self.steps:
            if s.status == "pending" and all(d in finished for d in s.depends):
                return s
        return None

    def counts(self) -> dict[str, int]:
        out = {status: 0 for status in STATUSES}
        for s in self.steps:
            out[s.status] += 1
        return out

    def cost(self) -> float:
        return sum(s.dollars for s in self.steps)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["v"] = FORMAT
        return data

    @classmethod
    def from_json(cls, data: Any) -> Migration:
        """Raises KeyError/TypeError/ValueError on malformed data (the store turns that into a readable report)."""
        if not isinstance(data, dict) or data.get("v") != FORMAT:
            raise ValueError(f"ledger format {data.get('v') if isinstance(data, dict) else None!r} is not {FORMAT}")
        steps = []
        for raw in data["steps"]:
            for key in ("paths", "depends"):
                raw[key] = tuple(raw.get(key) or ())
            step = Step(**raw)
            if step.kind not in STEP_KINDS or step.status not in STATUSES:
                raise ValueError(f"step {step.id} has kind {step.kind!r} / status {step.status!r}")
            steps.append(step)
        return cls(
            id=str(data["id"]),
            target=str(data["target"]),
            scope=Scope(**data["scope"]),
            old_api=tuple(data["old_api"]),
            rule_files=tuple(data["rule_files"]),
            steps=tuple(steps),
            state=str(data["state"]),
            created=str(data["created"]),
            files=tuple(data["files"]),
            sites_total=int(data["sites_total"]),
            applied=tuple(data["applied"]),
            tools=tuple(data.get("tools", ())),
        )
