"""The one exception type of the edits package: a refusal with a reason the user can read."""

from __future__ import annotations


class EditRefused(Exception):
    """An answer, block or apply request that Splice will not turn into a write.

    ``block`` is the 1-based number of the answer block at fault (None when the refusal is not about one block),
    so messages can say "block 3 (SEARCH/REPLACE for src/app.py): …".
    """

    def __init__(
        self, reason: str, *, block: int | None = None, path: str | None = None, choices: tuple[str, ...] = ()
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.block = block
        self.path = path
        self.choices = choices
        """When the answer holds several candidate blocks: a one-line preview of each (block N is choices[N-1]),
        so the user can pick one (``--block N``, a quick pick in the editor)."""

    def __str__(self) -> str:
        return self.reason
