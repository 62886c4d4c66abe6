"""Rendering a symbol as prompt text: compact *cards* (signature + docstring; class header + member signatures) or
the whole *body* read from the file's bytes by span.

Cards come from the symbol's stored signature and docstring, so they stay correct even when the file on disk has
moved on since it was indexed; bodies are read from the bytes only when their hash still matches the index.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from splice.index.model import Symbol, SymbolKind

CLASS_LIKE = frozenset({SymbolKind.CLASS, SymbolKind.INTERFACE, SymbolKind.STRUCT, SymbolKind.TRAIT, SymbolKind.ENUM})
CALLABLE = frozenset({SymbolKind.FUNCTION, SymbolKind.METHOD})
DOC_CHARS = 240
"""A card keeps the first paragraph of the docstring, at most this many characters."""
MEMBER_SIG_CHARS = 140
MAX_MEMBERS = 24
"""Members listed in a class card before the rest are summarised as a count."""

_WS = re.compile(r"\s+")


def first_paragraph(doc: str, limit: int = DOC_CHARS) -> str:
    """The docstring's first paragraph, whitespace-collapsed and cut at ``limit`` characters."""
    text = doc.strip().strip("\"'`").strip()
    if text.startswith("/**"):
        text = text[3:]
    text = text.removesuffix("*/")
    lines = [ln.strip().lstrip("*").strip() for ln in text.splitlines()]
    para: list[str] = []
    for ln in lines:
        if not ln:
            if para:
                break
            continue
        para.append(ln)
    joined = " ".join(para)
    if len(joined) > limit:
        joined = joined[: limit - 1].rstrip() + "…"
    return joined


def one_line(signature: str, limit: int = MEMBER_SIG_CHARS) -> str:
    """A signature collapsed to a single line (multi-line parameter lists joined)."""
    text = _WS.sub(" ", signature.strip())
    text = text.replace("( ", "(").replace(", )", ")").replace(",)", ")").replace(" )", ")")
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def signature_text(sym: Symbol) -> str:
    sig = sym.signature.strip()
    if not sig:
        sig = f"{sym.kind.value} {sym.name}"
    return sig


def _doc_lines(sym: Symbol, indent: str, limit: int = DOC_CHARS) -> list[str]:
    doc = first_paragraph(sym.doc, limit) if sym.doc else ""
    if not doc:
        return []
    if sym.lang == "python":
        return [f'{indent}"""{doc}"""']
    return [f"{indent}// {doc}"]


def _member_indent(sym: Symbol) -> str:
    return "    " if sym.lang == "python" else "  "


def symbol_card(sym: Symbol, parent: Symbol | None = None, doc_chars: int = DOC_CHARS) -> str:
    """Signature + first doc paragraph; a method is shown inside a one-line header of its class."""
    lines: list[str] = []
    indent = ""
    if parent is not None and parent.kind in CLASS_LIKE:
        lines.append(one_line(signature_text(parent).splitlines()[0]))
        indent = _member_indent(sym)
    sig_lines = [ln.rstrip() for ln in signature_text(sym).splitlines() if ln.strip()]
    if sym.kind in CALLABLE or sym.kind in CLASS_LIKE:
        lines.extend(indent + ln.strip() if i == 0 else indent + ln for i, ln in enumerate(sig_lines))
    else:
        lines.append(indent + one_line(signature_text(sym), 200))
    if sym.kind in CALLABLE or sym.kind in CLASS_LIKE:
        lines.extend(_doc_lines(sym, indent + _member_indent(sym) if sym.lang == "python" else indent, doc_chars))
    if sym.lang != "python" and sym.kind in CALLABLE | CLASS_LIKE and lines and lines[-1].lstrip().startswith("//"):
        # Doc comments precede declarations outside Python.
        doc = lines.pop()
        insert_at = 1 if parent is not None and parent.kind in CLASS_LIKE else 0
        lines.insert(insert_at, doc)
    return "\n".join(lines)


def class_card(
    cls: Symbol,
    members: list[Symbol],
    prefer: Collection[str] = (),
    max_members: int = MAX_MEMBERS,
    doc_chars: int = DOC_CHARS,
) -> tuple[str, list[str]]:
    """Class header + doc + member signatures (preferred members first); returns (text, ids of listed members)."""
    indent = _member_indent(cls)
    lines = [ln.rstrip() for ln in signature_text(cls).splitlines() if ln.strip()]
    lines.extend(_doc_lines(cls, indent, doc_chars))
    if cls.lang != "python" and lines and lines[-1].lstrip().startswith("//"):
        lines.insert(0, lines.pop().strip())

    def order(m: Symbol) -> tuple[int, int]:
        if m.id in prefer:
            rank = 0
        elif m.name in ("__init__", "constructor", "new"):
            rank = 1
        elif m.name.startswith("_"):
            rank = 3
        else:
            rank = 2
        return rank, m.span.start_byte

    chosen = sorted(members, key=order)[:max_members]
    chosen.sort(key=lambda m: m.span.start_byte)
    for m in chosen:
        lines.append(
            indent + one_line(signature_text(m).splitlines()[0] if m.kind not in CALLABLE else signature_text(m))
        )
    rest = len(members) - len(chosen)
    if rest > 0:
        comment = "#" if cls.lang == "python" else "//"
        lines.append(f"{indent}{comment} … {rest} more members")
    return "\n".join(lines), [m.id for m in chosen]


def body_text(sym: Symbol, source: bytes) -> str | None:
    """The symbol's full text from the file bytes (from the start of its first line, so indentation is kept)."""
    start = sym.span.start_byte - sym.span.start.col
    end = sym.span.end_byte
    if start < 0 or end > len(source) or start > end:
        return None
    return source[start:end].decode("utf-8", errors="replace")


def line_text(source: bytes, first: int, last: int) -> str:
    """Lines ``first..last`` (0-based, inclusive) of the file."""
    lines = source.splitlines()
    chunk = lines[max(first, 0) : last + 1]
    return b"\n".join(chunk).decode("utf-8", errors="replace")
