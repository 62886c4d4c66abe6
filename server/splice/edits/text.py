"""Text facts shared by the edit pipeline: line endings, hashes, binary detection, line splitting."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from splice.edits.errors import EditRefused

_BINARY_PROBE = 8192


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text normalised to LF, plus what is needed to write it back the way it was."""

    text: str
    """The content with every line ending as ``\\n``."""
    newline: str
    """``\\n`` or ``\\r\\n``: the style the file uses (LF for new or empty files)."""
    bom: bool


def decode_file(data: bytes, path: str) -> Decoded:
    """Decode a target file; binary, non-UTF-8 and mixed-line-ending files are refused (we could not write them
    back byte for byte)."""
    if b"\x00" in data[:_BINARY_PROBE]:
        raise EditRefused(f"{path} is a binary file; Splice does not edit binary files", path=path)
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        raw = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditRefused(f"{path} is not valid UTF-8 ({exc.reason}); Splice does not edit it", path=path) from None
    crlf = raw.count("\r\n")
    lf = raw.count("\n")
    if crlf and crlf != lf:
        raise EditRefused(f"{path} mixes CRLF and LF line endings; normalise it before editing", path=path)
    if "\r" in raw.replace("\r\n", ""):
        raise EditRefused(f"{path} uses bare CR line endings; Splice does not edit it", path=path)
    return Decoded(text=raw.replace("\r\n", "\n"), newline="\r\n" if crlf else "\n", bom=bom)


def encode_file(text: str, like: Decoded | None) -> bytes:
    """The bytes to write for LF-normalised ``text``, restoring the original file's line endings and BOM."""
    if like is None:
        return text.encode("utf-8")
    out = text.replace("\n", like.newline) if like.newline != "\n" else text
    data = out.encode("utf-8")
    return b"\xef\xbb\xbf" + data if like.bom else data


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """Lines without their terminators; a trailing newline does not make an extra empty line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def join_lines(lines: list[str], trailing_newline: bool = True) -> str:
    if not lines:
        return ""
    return "\n".join(lines) + ("\n" if trailing_newline else "")


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]
