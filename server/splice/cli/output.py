"""Tables that survive pipes and narrow terminals.

On a terminal a table is drawn by rich with every cell folded onto more lines, never cut with "…" (a path cut to
``httpx/_content.…`` is useless). Into a pipe or file it is plain aligned text, one row per line with the location
first as ``path:line``, so ``| head``, ``| grep`` and ``| awk`` see whole rows. ``guard_pipe`` turns a reader that
went away (``| head``) into a quiet exit instead of a ``BrokenPipeError`` traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO


def is_terminal(stream: IO[str] | None = None) -> bool:
    stream = stream if stream is not None else sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def plain_rows(rows: Sequence[Sequence[str]], *, last_free: bool = True) -> list[str]:
    """Rows as aligned text: every column padded to its widest cell, except the last (free text)."""
    if not rows:
        return []
    count = max(len(r) for r in rows)
    widths = [max((len(r[i]) for r in rows if i < len(r)), default=0) for i in range(count)]
    lines = []
    for row in rows:
        cells = [cell if (last_free and i == len(row) - 1) else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], *, stream: IO[str] | None = None
) -> None:
    """A rich table on a terminal (cells fold, never cut); aligned plain rows without a title elsewhere."""
    out = stream if stream is not None else sys.stdout
    if not is_terminal(out):
        for line in plain_rows(rows):
            out.write(line + "\n")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out)
    if table_width(columns, rows) > console.width:
        # Narrower than the table: whole rows the terminal wraps, so a path:line stays one clickable piece.
        console.print(title, style="bold", markup=False, highlight=False)
        for line in plain_rows(rows):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # Text: a path with [brackets] is not markup
    console.print(table)


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def table_width(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """The width a rich table with box borders and one space of padding needs to show every cell whole."""
    widths = [max([len(c), *(len(r[i]) for r in rows if i < len(r))]) for i, c in enumerate(columns)]
    return sum(widths) + 3 * len(widths) + 1


def guard_pipe() -> None:
    """After a ``BrokenPipeError``: point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
