"""Three-way rebase of a proposal onto a document the user edited after the proposal was made.

Both sides are diffed against the shared base. Changes that touch disjoint base lines are combined; any overlap —
including two insertions at the same place — refuses with a message naming the lines, because keeping the user's
keystrokes always wins over applying the proposal.
"""

from __future__ import annotations

from splice.edits.diff import Hunk, apply_hunks, compute_hunks
from splice.edits.errors import EditRefused


def _overlaps(a: Hunk, b: Hunk) -> bool:
    if a.old_start == a.old_end or b.old_start == b.old_end:
        # An insertion conflicts with anything that starts, ends or sits at its position.
        return a.old_start <= b.old_end and b.old_start <= a.old_end
    return a.old_start < b.old_end and b.old_start < a.old_end


def rebase(base: str, user: str, proposed: str, path: str) -> str:
    """``proposed``'s changes to ``base`` re-applied on top of the user's ``user`` text, or EditRefused."""
    theirs = compute_hunks(path, base, user)
    ours = compute_hunks(path, base, proposed)
    for mine in ours:
        for other in theirs:
            if _overlaps(mine, other):
                raise EditRefused(
                    f"{path} changed since the proposal was made, and your edit to lines "
                    f"{other.old_start + 1}-{max(other.old_end, other.old_start + 1)} overlaps the proposal's change "
                    f"to lines {mine.old_start + 1}-{max(mine.old_end, mine.old_start + 1)}; nothing applied "
                    "(regenerate the proposal to include your edit)",
                    path=path,
                )
    return apply_hunks(base, [*theirs, *ours])
