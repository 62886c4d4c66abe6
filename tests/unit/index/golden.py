"""Readable rendering of a FileExtract for table tests and golden files (``UPDATE_GOLDEN=1`` rewrites them)."""

from __future__ import annotations

import os
from pathlib import Path

from splice.index.extract import extract
from splice.index.model import FileExtract, Import, Span

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _pos(span: Span) -> str:
    return f"{span.start.line}:{span.start.col}-{span.end.line}:{span.end.col}"


def _local(symbol_id: str | None, path: str) -> str:
    if symbol_id is None:
        return "-"
    qual = symbol_id.removeprefix(f"{path}::")
    return qual or "<module>"


def _import(imp: Import) -> str:
    dots = "." * imp.level
    names = ", ".join(n.name + (f" as {n.alias}" if n.alias else "") for n in imp.names)
    text = f"{dots}{imp.module}"
    text = f"from {text} import {names}" if names else f"import {text}"
    if imp.alias:
        text += f" as {imp.alias}"
    return text


def render(fx: FileExtract) -> str:
    """One line per fact; a symbol's doc on an indented line below it (first 80 characters, newlines as ⏎)."""
    lines = [f"errors {fx.error_count}"]
    for s in fx.symbols:
        local_id = _local(s.id, fx.path)
        label = s.qualname or "<module>"
        if local_id != label:
            label += f" [{local_id}]"
        lines.append(
            f"{s.kind} {label} {s.name!r} | span {_pos(s.span)} | sel {_pos(s.selection)} | "
            f"parent {_local(s.parent, fx.path)} | {s.signature}"
        )
        if s.doc:
            doc = s.doc.replace("\n", "⏎")
            lines.append(f"    doc: {doc[:80]}")
    for r in fx.references:
        dotted = ".".join((*r.receiver, r.name))
        lines.append(f"{r.kind} {dotted} | in {_local(r.scope, fx.path)} | at {_pos(r.span)}")
    for i in fx.imports:
        lines.append(f"{_import(i)} | in {_local(i.scope, fx.path)} | at {_pos(i.span)}")
    for a in fx.assignments:
        value = ".".join(a.value) + ("()" if a.is_call else "")
        lines.append(f"assign {'.'.join(a.target)} = {value} | in {_local(a.scope, fx.path)}")
    return "\n".join(lines) + "\n"


def check(lang: str, source: str, expected: list[str], absent: tuple[str, ...] = (), path: str = "") -> None:
    """Every expected line appears (as a line prefix) in the rendering; no line starts with an ``absent`` text."""
    suffix = {
        "python": "py", "javascript": "js", "typescript": "ts", "tsx": "tsx", "go": "go", "rust": "rs",
        "java": "java", "c": "c", "cpp": "cpp", "c_sharp": "cs", "ruby": "rb", "php": "php",
    }[lang]  # fmt: skip
    fx = extract(path or f"pkg/mod.{suffix}", lang, source.encode())
    rendered = render(fx).splitlines()
    missing = [e for e in expected if not any(line.startswith(e) for line in rendered)]
    unwanted = [line for line in rendered if any(line.startswith(a) for a in absent)]
    assert not missing and not unwanted, (
        "missing:\n  "
        + "\n  ".join(missing)
        + "\nunwanted:\n  "
        + "\n  ".join(unwanted)
        + "\ngot:\n"
        + "\n".join(rendered)
    )


def golden_cases() -> list[tuple[str, Path]]:
    """(language, source file) for every ``tests/fixtures/golden/<lang>/<case>.<ext>``."""
    cases = []
    for lang_dir in sorted(p for p in GOLDEN_DIR.iterdir() if p.is_dir()):
        for source in sorted(lang_dir.iterdir()):
            if not source.name.endswith(".expected.txt"):
                cases.append((lang_dir.name, source))
    return cases


def check_golden(lang: str, source: Path) -> None:
    """Compare the rendering with ``<case>.expected.txt``; with ``UPDATE_GOLDEN=1`` rewrite it instead."""
    path = f"{lang}/{source.name}"
    actual = render(extract(path, lang, source.read_bytes()))
    expected_file = source.with_name(source.name.rsplit(".", 1)[0] + ".expected.txt")
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"{expected_file} missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == expected_file.read_text(encoding="utf-8"), f"golden mismatch for {source}"
