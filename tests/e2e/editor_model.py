"""A tiny model of what an editor does with a WorkspaceEdit, so e2e tests can check the resulting file text."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def _offset(text: str, pos: types.Position) -> int:
    lines = text.split("\n")
    if pos.line >= len(lines):
        return len(text)
    start = sum(len(line) + 1 for line in lines[: pos.line])
    return start + min(pos.character, len(lines[pos.line]))  # ASCII fixtures: every encoding counts the same


def apply_text_edits(text: str, edits: list[types.TextEdit | types.AnnotatedTextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = _offset(text, edit.range.start), _offset(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def apply_to_disk(edit: types.WorkspaceEdit) -> None:
    """Apply text edits, creations, renames and deletions to the files, as an editor would on approval."""
    for uri, edits in (edit.changes or {}).items():
        p = path_of(uri)
        p.write_text(apply_text_edits(p.read_text(), list(edits)))
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit):
            p = path_of(change.text_document.uri)
            p.write_text(apply_text_edits(p.read_text() if p.exists() else "", list(change.edits)))  # type: ignore[arg-type]
        elif isinstance(change, types.CreateFile):
            p = path_of(change.uri)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.touch()
        elif isinstance(change, types.DeleteFile):
            path_of(change.uri).unlink()
        elif isinstance(change, types.RenameFile):
            path_of(change.old_uri).rename(path_of(change.new_uri))


def annotated_edits(edit: types.WorkspaceEdit) -> list[types.AnnotatedTextEdit]:
    out = []
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit):
            out.extend(e for e in change.edits if isinstance(e, types.AnnotatedTextEdit))
    return out


def touched_paths(edit: types.WorkspaceEdit) -> set[str]:
    paths = {path_of(u).name for u in (edit.changes or {})}
    for change in edit.document_changes or []:
        uri = getattr(change, "uri", None) or getattr(getattr(change, "text_document", None), "uri", None)
        if uri:
            paths.add(str(path_of(uri)))
    return paths
