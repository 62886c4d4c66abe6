"""Turning drafted file changes into a reviewable Proposal: hunks, flags and the syntax verification."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from splice.edits.diff import Hunk, compute_hunks
from splice.edits.proposal import ChangeKind, Cost, FileChange, Flag, FlagKind, Proposal, Verification
from splice.edits.protected import protection_reason
from splice.edits.text import sha256_text
from splice.edits.validate import invisible_characters, new_parse_errors

DEFAULT_TTL = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Draft:
    """A file change before hunks and flags are computed."""

    kind: ChangeKind
    path: str
    old_text: str | None
    new_text: str | None
    base_version: int | None = None
    new_path: str | None = None
    lang: str | None = None
    newline: str = "\n"
    bom: bool = False
    root: str = ""


def build_proposal(
    title: str,
    drafts: list[Draft],
    *,
    rationale: str = "",
    context: tuple[str, ...] = (),
    cost: Cost | None = None,
    notes: tuple[str, ...] = (),
    inverse_of: str | None = None,
    ttl: float = DEFAULT_TTL,
) -> Proposal:
    changes: list[FileChange] = []
    flags: list[Flag] = []
    new_errors: list[tuple[str, int]] = []
    for d in drafts:
        hunks = compute_hunks(d.path, d.old_text or "", d.new_text or "") if d.kind is ChangeKind.MODIFY else ()
        changes.append(
            FileChange(
                kind=d.kind,
                path=d.path,
                old_text=d.old_text,
                new_text=d.new_text,
                base_hash=sha256_text(d.old_text) if d.old_text is not None else None,
                base_version=d.base_version,
                hunks=hunks,
                new_path=d.new_path,
                lang=d.lang,
                newline=d.newline,
                bom=d.bom,
                root=d.root,
            )
        )
        flags.extend(_flags(d, hunks))
        if d.new_text is not None:
            errors = new_parse_errors(d.lang, d.old_text, d.new_text)
            if errors:
                new_errors.append((d.new_path or d.path, errors))
                flags.append(
                    Flag(
                        FlagKind.PARSE,
                        d.new_path or d.path,
                        f"does not parse: {d.new_path or d.path} would have {errors} new syntax error(s)",
                        needs_confirmation=False,
                    )
                )
    now = time.time()
    return Proposal(
        id=uuid.uuid4().hex[:12],
        title=title,
        changes=tuple(changes),
        rationale=rationale,
        context=context,
        cost=cost or Cost(),
        verification=Verification(parses=not new_errors, new_errors=tuple(new_errors)),
        flags=tuple(flags),
        notes=notes,
        created_at=now,
        expires_at=now + ttl,
        inverse_of=inverse_of,
    )


def _flags(d: Draft, hunks: tuple[Hunk, ...]) -> list[Flag]:
    flags: list[Flag] = []
    for path in (d.path, d.new_path):
        reason = protection_reason(path) if path else None
        if reason:
            flags.append(
                Flag(
                    FlagKind.PROTECTED,
                    path,
                    f"protected path {path} ({reason}): {d.kind.value} needs its own confirmation",
                    needs_confirmation=True,
                )
            )
    if d.kind is not ChangeKind.MODIFY:
        target = f"{d.path} → {d.new_path}" if d.new_path else d.path
        flags.append(Flag(FlagKind.FILE_OP, d.path, f"{d.kind.value}s a file: {target}", needs_confirmation=False))
    if d.new_text is not None:
        if d.kind is ChangeKind.MODIFY:  # reuse the hunks: a whole-file diff costs up to 100 ms on large files
            added = "".join(h.new_text for h in hunks)
        elif d.old_text is None:
            added = d.new_text
        else:
            added = "".join(h.new_text for h in compute_hunks(d.path, d.old_text, d.new_text))
        hidden = invisible_characters(added)
        if hidden:
            flags.append(
                Flag(
                    FlagKind.INVISIBLE,
                    d.new_path or d.path,
                    f"new text in {d.new_path or d.path} contains invisible characters: " + "; ".join(hidden[:5]),
                    needs_confirmation=True,
                )
            )
    return flags
