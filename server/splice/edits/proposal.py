"""Proposal value types: an edit waiting for approval, its per-file changes, hunks, flags and lifecycle status.

Everything is a frozen dataclass with plain fields so the LSP layer can render it (Refactor Preview, message
request, ``splice/proposal``) and the store can persist it as JSON. ``digest`` is the approval token: a hash of
exactly the bytes a set of accepted hunks would write, checked again at apply time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from splice.edits.diff import Hunk, TextEdit, text_edits, unified_diff


class ChangeKind(StrEnum):
    CREATE = "create"
    MODIFY = "modify"
    DELETE = "delete"
    RENAME = "rename"


class Status(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    REJECTED = "rejected"
    EXPIRED = "expired"


class FlagKind(StrEnum):
    PROTECTED = "protected"
    """Edits a file that configures code execution; needs its own confirmation."""
    INVISIBLE = "invisible"
    """New text holds bidi/zero-width/tag characters; needs its own confirmation."""
    PARSE = "does-not-parse"
    """The edited file has new syntax errors."""
    FILE_OP = "file-operation"
    """Creates, deletes or renames a file."""


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    path: str | None
    message: str
    needs_confirmation: bool


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file's part of a proposal. ``old_text``/``new_text`` are LF-normalised; ``newline`` restores the file's
    own line endings when writing."""

    kind: ChangeKind
    path: str
    """Workspace-relative POSIX path (the source path for a rename)."""
    old_text: str | None
    """Base text the proposal was computed from (None for a creation)."""
    new_text: str | None
    """Proposed text with every hunk accepted (None for a deletion)."""
    base_hash: str | None
    """sha256 of ``old_text``; compared with the current text at apply time."""
    base_version: int | None
    """Editor document version the base text came from (None when read from disk)."""
    hunks: tuple[Hunk, ...]
    new_path: str | None = None
    lang: str | None = None
    newline: str = "\n"
    bom: bool = False
    root: str = ""
    """The workspace folder (real path) the paths are relative to."""

    @property
    def whole_file_id(self) -> str:
        """The single review id of a create/delete/rename, which is accepted or rejected as a whole."""
        seed = f"{self.kind}\0{self.path}\0{self.new_path}\0{self.base_hash}\0{self.new_text}"
        return "f" + hashlib.sha256(seed.encode()).hexdigest()[:12]

    def review_ids(self) -> tuple[str, ...]:
        return tuple(h.id for h in self.hunks) if self.kind is ChangeKind.MODIFY else (self.whole_file_id,)

    def diff(self) -> str:
        return unified_diff(self.path, self.old_text, self.new_text, new_path=self.new_path)

    def text_edits(self) -> list[TextEdit]:
        """Range replacements on the base text (byte columns), new text in the file's own line endings."""
        edits = text_edits(self.old_text or "", self.hunks)
        if self.newline == "\n":
            return edits
        return [TextEdit(e.start, e.end, e.new_text.replace("\n", self.newline)) for e in edits]


@dataclass(frozen=True, slots=True)
class Verification:
    parses: bool = True
    new_errors: tuple[tuple[str, int], ...] = ()
    """(path, number of new ERROR/MISSING nodes) for files that parse worse than before."""
    checks: tuple[str, ...] = ()
    """Results of configured checks (tests, linters) run by the verify loop, one line each."""


@dataclass(frozen=True, slots=True)
class Cost:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    dollars: float = 0.0


@dataclass(frozen=True, slots=True)
class AppliedFile:
    """What one file looked like right before and after an apply: the material for its inverse."""

    kind: ChangeKind
    path: str
    new_path: str | None
    before: str | None
    after: str | None
    lang: str | None
    newline: str
    bom: bool
    root: str


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str
    title: str
    changes: tuple[FileChange, ...]
    rationale: str = ""
    context: tuple[str, ...] = ()
    """The context items the model saw, one ``path:lines — why`` line each."""
    cost: Cost = field(default_factory=Cost)
    verification: Verification = field(default_factory=Verification)
    flags: tuple[Flag, ...] = ()
    notes: tuple[str, ...] = ()
    status: Status = Status.PENDING
    created_at: float = 0.0
    expires_at: float | None = None
    inverse_of: str | None = None
    """For an undo proposal: the id of the proposal it reverts."""
    applied: tuple[AppliedFile, ...] = ()
    """Set when applied: before/after of every written file (``undo`` builds the inverse from it)."""

    def review_ids(self) -> tuple[str, ...]:
        return tuple(i for change in self.changes for i in change.review_ids())

    def needs_confirmation(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.needs_confirmation)

    def diff(self) -> str:
        return "".join(change.diff() for change in self.changes)

    def digest(self, accepted: Iterable[str] | None = None) -> str:
        """Hash of exactly what applying ``accepted`` (default: everything) writes: each file's kind, paths,
        base hash and the accepted hunks' old and new text."""
        chosen = set(self.review_ids() if accepted is None else accepted)
        parts: list[object] = []
        for change in self.changes:
            if change.kind is ChangeKind.MODIFY:
                hunks = [(h.id, h.old_start, h.old_text, h.new_text) for h in change.hunks if h.id in chosen]
                if hunks:
                    parts.append([change.kind, change.path, change.base_hash, hunks])
            elif change.whole_file_id in chosen:
                parts.append([change.kind, change.path, change.new_path, change.base_hash, change.new_text])
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
