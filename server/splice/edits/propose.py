"""From a raw model answer to a Proposal: parse, confine paths, place every block, validate — all or nothing.

Nothing is written here. Any block that cannot be placed for certain refuses the whole answer with a reason that
names the block; a proposal either holds every change the answer asked for or does not exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from splice.edits import invariant, symbols
from splice.edits.answer import BlockKind, EditBlock, parse_answer
from splice.edits.apply import apply_diff, apply_search_replace, apply_whole_file
from splice.edits.build import Draft, build_proposal
from splice.edits.errors import EditRefused
from splice.edits.paths import Target, Workspace, resolve
from splice.edits.place_symbol import apply_symbol, body_only, single_definition_name, split_definitions
from splice.edits.proposal import ChangeKind, Cost, Proposal
from splice.edits.review import FileState, Reader
from splice.edits.text import join_lines, split_lines
from splice.index.languages import language_for_path


def disk_reader(root: str, rel: str) -> FileState:
    """Current state of a file on disk (the CLI's reader; the server passes one that prefers open buffers)."""
    path = Path(root) / rel
    if not path.exists():
        return FileState(None)
    if not path.is_file():
        raise EditRefused(f"{rel} is not a regular file; Splice only edits files", path=rel)
    return FileState.from_bytes(path.read_bytes(), rel)


@dataclass(slots=True)
class _Working:
    target: Target
    state: FileState
    text: str | None
    kind: ChangeKind
    lang: str | None
    new_path: str | None = None


def propose(
    answer: str,
    workspace: Workspace,
    *,
    reader: Reader = disk_reader,
    target: str | None = None,
    symbol: str | None = None,
    symbol_line: int | None = None,
    title: str | None = None,
    rationale: str = "",
    context: tuple[str, ...] = (),
    cost: Cost | None = None,
    block: int | None = None,
    elsewhere: Callable[[str], Sequence[Sequence[str]]] | None = None,
) -> Proposal:
    """Build the proposal for ``answer``. ``target`` is a user-given path (absolute or workspace-relative) the
    answer's path-less blocks apply to; ``symbol`` the qualified name whole-symbol code replaces, and
    ``symbol_line`` a 0-based line inside the definition meant when several share that name; ``rationale``
    defaults to the answer's prose (its words around the code); ``block`` the
    1-based number of the one answer block to apply (the user's pick when the answer offers alternatives);
    ``elsewhere(name)`` groups of other workspace files that may define a symbol the target file lacks, most
    likely group first (a trace's frames, then the index's files): path-less symbol code goes to the file that
    defines it when exactly one file of the first group with any definition does."""
    target_rel = resolve(workspace, target, from_model=False).rel if target else None
    parsed = parse_answer(answer, target=target_rel, symbol=symbol)
    if block is not None:
        picked = [b for b in parsed.blocks if b.number == block]
        if not picked:
            raise EditRefused(f"the answer has no block {block} (it has {len(parsed.blocks)}); nothing applied")
        blocks = picked
    else:
        blocks = _choose_symbol_block(list(parsed.blocks), symbol)
    if elsewhere is not None:
        blocks = [_relocated(b, workspace, reader, elsewhere) for b in blocks]
    if symbol_line is not None:
        blocks = [
            dataclasses.replace(b, symbol_line=symbol_line) if b.kind is BlockKind.SYMBOL and b.symbol == symbol else b
            for b in blocks
        ]
    working, problem = _checked_plan(blocks, answer, workspace, reader)
    if problem is not None:
        # The one re-plan: code under a file-path line that is really one or more definitions of that file is
        # applied to those definitions, never as the whole file.
        replanned = _as_symbol_blocks(blocks, workspace, reader)
        if replanned is None:
            raise problem
        working, second = _checked_plan(replanned, answer, workspace, reader)
        if second is not None:
            raise second if isinstance(second, _Unshown) else problem
    drafts = [d for w in working.values() if (d := _draft(w)) is not None]
    if not drafts:
        raise EditRefused("this change is already in the file: the answer's code matches it exactly; no proposal")
    return build_proposal(
        title or "Edit " + ", ".join(d.new_path or d.path for d in drafts),
        drafts,
        rationale=rationale or parsed.prose,
        context=context,
        cost=cost,
        notes=parsed.notes,
    )


def _plan(blocks: list[EditBlock], workspace: Workspace, reader: Reader) -> dict[str, _Working]:
    working: dict[str, _Working] = {}
    for block in blocks:
        _apply_block(block, workspace, reader, working)
    return working


class _Unshown(EditRefused):
    """The planned edit would remove code the answer did not show."""


def _checked_plan(
    blocks: list[EditBlock], answer: str, workspace: Workspace, reader: Reader
) -> tuple[dict[str, _Working], EditRefused | None]:
    try:
        working = _plan(blocks, workspace, reader)
    except EditRefused as exc:
        return {}, exc
    violation = _first_violation(working, answer, blocks)
    if violation is not None:
        return working, _Unshown(violation.message(), path=violation.path)
    return working, None


def _first_violation(working: dict[str, _Working], answer: str, blocks: list[EditBlock]) -> invariant.Violation | None:
    for w in working.values():
        old = w.state.text
        if old is None or not old.strip() or w.kind is ChangeKind.DELETE or w.text is None or w.text == old:
            continue  # creations add code; a deletion is checked against the content it quotes
        violation = invariant.check(w.target.rel, old, w.text, answer, blocks, w.lang)
        if violation is not None:
            return violation
    return None


def _as_symbol_blocks(blocks: list[EditBlock], workspace: Workspace, reader: Reader) -> list[EditBlock] | None:
    """Whole-file blocks for existing files whose code is only definitions that file has: one symbol block per
    definition. None when no block can be read that way (the first problem then stands)."""
    out: list[EditBlock] = []
    changed = False
    for block in blocks:
        lang = language_for_path(block.path or "")
        if block.kind is not BlockKind.WHOLE_FILE or lang is None:
            out.append(block)
            continue
        target = _target(block, workspace, block.path)
        old = reader(str(target.root), target.rel).text
        pieces = split_definitions(block.code, lang, old) if old is not None else None
        if pieces is None:
            out.append(block)
            continue
        changed = True
        out += [
            dataclasses.replace(block, kind=BlockKind.SYMBOL, code=code, symbol=name, number=block.number)
            for name, code in pieces
        ]
    return out if changed else None


def _choose_symbol_block(blocks: list[EditBlock], symbol: str | None) -> list[EditBlock]:
    """Several path-less code blocks: keep the one that defines the symbol (others are examples), if exactly one."""
    code = [b for b in blocks if b.kind is BlockKind.SYMBOL]
    if len(code) <= 1:
        return blocks
    lang = language_for_path(code[0].path or "")
    choices = tuple(_preview(b) for b in blocks)
    if lang is None:
        raise EditRefused(
            f"the answer has {len(code)} code blocks without file paths; cannot tell which to apply. Pick one "
            f"(--block N, 1-{len(blocks)})",
            choices=choices,
        )
    # Examples are not edits: REPL sessions, shell commands and usage snippets that define nothing.
    candidates = [b for b in code if not _is_example(b, lang)]
    if symbol is not None:
        short = symbol.rsplit(".", 1)[-1]
        defining = [b for b in candidates if any(d.name == short for d in symbols.definitions(lang, b.code))]
        candidates = defining or [b for b in candidates if body_only(split_lines(b.code), lang, b) is not None]
    if len(candidates) != 1:
        what = f"defining {symbol.rsplit('.', 1)[-1]!r}" if symbol is not None else "of code"
        raise EditRefused(
            f"the answer has {len(candidates)} code blocks {what} (expected exactly one); cannot tell which to apply. "
            f"Pick one (--block N, 1-{len(blocks)}); nothing applied",
            choices=choices,
        )
    return [b for b in blocks if b.kind is not BlockKind.SYMBOL or b is candidates[0]]


def _relocated(
    block: EditBlock, workspace: Workspace, reader: Reader, elsewhere: Callable[[str], Sequence[Sequence[str]]]
) -> EditBlock:
    """Symbol code for a definition the target file lacks: the one other file that defines it, or unchanged."""
    lang = language_for_path(block.path or "")
    if block.kind is not BlockKind.SYMBOL or lang is None or block.path is None:
        return block
    name = block.symbol or single_definition_name(block.code, lang)
    if name is None:
        return block
    own = resolve(workspace, block.path, from_model=False)
    here = reader(str(own.root), own.rel).text
    if here is None or symbols.find(lang, here, name):
        return block
    for group in elsewhere(name.rsplit(".", 1)[-1]):
        defining: list[str] = []
        for rel in dict.fromkeys(group):
            if language_for_path(rel) != lang or rel == own.rel:
                continue
            try:
                other = resolve(workspace, rel, from_model=False)
                text = reader(str(other.root), other.rel).text
            except EditRefused:
                continue
            if text is not None and symbols.find(lang, text, name):
                defining.append(other.rel)
        if defining:
            return dataclasses.replace(block, path=defining[0]) if len(set(defining)) == 1 else block
    return block


def _preview(block: EditBlock) -> str:
    first = next(
        (line.strip() for line in (block.code or block.replace or block.search).splitlines() if line.strip()), ""
    )
    return f"block {block.number}: {first[:70]}"


_PROMPTS = (">>>", "$ ", "% ", "PS>", "> ")


def _is_example(block: EditBlock, lang: str) -> bool:
    """A REPL session, a shell command or a snippet that only uses code (defines nothing) is an example."""
    written = [line.strip() for line in block.code.splitlines() if line.strip()]
    if not written or written[0].startswith(_PROMPTS):
        return True
    return not symbols.definitions(lang, block.code) and body_only(split_lines(block.code), lang, block) is None


def _target(block: EditBlock, workspace: Workspace, raw: str | None) -> Target:
    if raw is None:
        raise EditRefused(f"{block.label()} names no file", block=block.number)
    try:
        return resolve(workspace, raw)
    except EditRefused as exc:
        raise EditRefused(f"{block.label()}: {exc}", block=block.number, path=raw) from None


def _apply_block(block: EditBlock, workspace: Workspace, reader: Reader, working: dict[str, _Working]) -> None:
    target = _target(block, workspace, block.path)
    w = working.get(target.rel)
    if w is None:
        state = reader(str(target.root), target.rel)
        kind = ChangeKind.MODIFY if state.text is not None else ChangeKind.CREATE
        w = working[target.rel] = _Working(target, state, state.text, kind, language_for_path(target.rel))
    label = block.label()
    exists = w.text is not None
    missing = EditRefused(f"{label}: {target.rel} does not exist; nothing applied", block=block.number)
    if block.kind is BlockKind.SEARCH_REPLACE:
        if not exists and block.search.strip():
            raise missing
        w.text = apply_search_replace(w.text or "", block, w.lang)
    elif block.kind is BlockKind.DIFF:
        _apply_diff_block(block, workspace, w)
    elif block.kind is BlockKind.WHOLE_FILE:
        w.text = apply_whole_file(w.text, block, w.lang)
    else:
        if not exists:
            raise missing
        w.text = apply_symbol(w.text or "", block, w.lang)
    if w.kind is not ChangeKind.DELETE and (w.text is None or not w.text.strip()) and (w.state.text or "").strip():
        raise EditRefused(
            f"{label} would leave {target.rel} empty; Splice never empties a file (propose a deletion instead)",
            block=block.number,
        )
    if w.kind is ChangeKind.CREATE and not (w.text or "").strip():
        raise EditRefused(f"{label} would create {target.rel} empty; nothing applied", block=block.number)


def _apply_diff_block(block: EditBlock, workspace: Workspace, w: _Working) -> None:
    label = block.label()
    if block.create:
        if w.text is not None:
            raise EditRefused(f"{label} creates {w.target.rel}, which already exists; nothing applied")
        w.text = join_lines([line for h in block.hunks for line in h.new_lines()])
        return
    if w.text is None:
        raise EditRefused(f"{label}: {w.target.rel} does not exist; nothing applied", block=block.number)
    if block.delete:
        quoted = [line for h in block.hunks for line in h.old_lines()]
        if quoted and join_lines(quoted) != w.text:
            raise EditRefused(f"{label} deletes {w.target.rel} but quotes different content; nothing applied")
        w.kind, w.text = ChangeKind.DELETE, None
        return
    if block.hunks:
        w.text = apply_diff(w.text, block, w.lang)
    if block.new_path:
        dest = _target(block, workspace, block.new_path)
        if dest.abs.exists():
            raise EditRefused(f"{label} renames onto {dest.rel}, which exists; nothing applied", block=block.number)
        w.kind, w.new_path = ChangeKind.RENAME, dest.rel


def _draft(w: _Working) -> Draft | None:
    old = w.state.text
    if w.kind is ChangeKind.MODIFY and w.text == old:
        return None
    return Draft(
        kind=w.kind,
        path=w.target.rel,
        old_text=old,
        new_text=w.text,
        base_version=w.state.version,
        new_path=w.new_path,
        lang=language_for_path(w.new_path) if w.new_path else w.lang,
        newline=w.state.newline,
        bom=w.state.bom,
        root=str(w.target.root),
    )
