"""Whole-symbol replacement: a function/class from the answer placed over the existing definition's lines.

The definition to replace is found by parsing the current text (``symbols.find``); the new code must hold exactly
one definition of that name and nothing else but comments. Elisions in the new code are expanded from the old
definition first (so code elided mid-expression still parses). Decorators and ``export`` the model left out are
kept from the original (it usually quotes the bare function); decorators it wrote replace the old ones. Comment
lines written directly above the new definition replace the comment lines directly above the old one. A method
quoted on its own (``max(v) { … }``, not valid at top level in JS/TS) is read inside a stand-in class.
"""

from __future__ import annotations

import dataclasses
import re

from splice.edits import elision, symbols
from splice.edits.answer import EditBlock
from splice.edits.errors import EditRefused
from splice.edits.match import common_indent, follow_indent_style, reindent, strip_trailing_if_clean
from splice.edits.text import indent_of, join_lines, split_lines
from splice.index.parser import error_count

_COMMENT_STARTS = ("#", "//", "/*", "*", "*/")
_CLASS_MEMBER_LANGS = {"javascript", "typescript", "tsx", "java"}
_WRAP = "__SpliceWrap__"


def apply_symbol(text: str, block: EditBlock, lang: str | None) -> str:
    label = block.label()
    if lang is None:
        raise EditRefused(f"{label}: {block.path} is not a language Splice parses, so it cannot place a symbol")
    code_lines = split_lines(block.code)
    body = body_only(code_lines, lang, block)
    if body is not None:
        return _replace_body(text, body, lang, block, label)
    if not block.fenced:
        code_lines = _cut_prose(code_lines, block.symbol, label, block)
    file_lines = split_lines(text)
    code_lines = follow_indent_style(code_lines, file_lines, lang, label)
    name = block.symbol or _inferred_name(join_lines(code_lines), lang, label, block)
    old = _old_definition(text, lang, name, block, label)
    whole_old = file_lines[
        old.outer_start_line - len(_comments_above(file_lines, old.outer_start_line)) : old.end_line + 1
    ]
    code_lines = _unwrap_elided_class(code_lines, lang, name)
    code_lines = elision.expand(code_lines, whole_old, lang, label)
    new_def, wrapper_lines = _new_definition(code_lines, lang, name, block, label)
    _check_same_kind(code_lines[new_def.start_line], old, lang, name, block, label)

    # Which part of the old definition is replaced: its wrapper too only when the new code has one.
    start_line, start_col = (
        (old.outer_start_line, old.outer_start_col) if new_def.wrapped else (old.start_line, old.start_col)
    )
    new_start = new_def.outer_start_line if new_def.wrapped else new_def.start_line
    code_lines, kept = _keep_docstring(code_lines, new_def, file_lines, old, lang)
    new_def = dataclasses.replace(new_def, end_line=new_def.end_line + kept)
    new_lines = code_lines[new_start : new_def.end_line + 1]
    new_comments = _comments_above(code_lines, new_start, same_indent=True)
    if new_comments and start_col == len(indent_of(file_lines[start_line]).encode("utf-8")):
        start_line -= len(_comments_above(file_lines, start_line))
        new_lines = new_comments + new_lines
    _check_nothing_else(code_lines, new_start - len(new_comments), new_def.end_line, wrapper_lines, block, label)

    first = file_lines[start_line]
    prefix = first.encode("utf-8")[:start_col].decode("utf-8") if not new_comments else indent_of(first)
    suffix = file_lines[old.end_line].encode("utf-8")[old.end_col :].decode("utf-8")
    if suffix.strip() not in ("", ";", ","):  # "," ends a method in an object literal
        raise EditRefused(f"{label}: other code follows {name!r} on its last line; nothing applied", block=block.number)
    new_lines = reindent(new_lines, common_indent(new_lines[:1]), indent_of(first), label)
    new_lines = strip_trailing_if_clean(new_lines, file_lines)
    if prefix.strip():
        new_lines[0] = prefix + new_lines[0].lstrip()
    if suffix.strip() and not new_lines[-1].rstrip().endswith(suffix.strip()):
        new_lines[-1] += suffix.rstrip()
    out = file_lines[:start_line] + new_lines + file_lines[old.end_line + 1 :]
    return join_lines(out, trailing_newline=text.endswith("\n"))


def _old_definition(text: str, lang: str, name: str, block: EditBlock, label: str) -> symbols.Definition:
    found = symbols.find(lang, text, name)
    if not found:
        raise EditRefused(
            f"{label}: {block.path} has no definition named {name!r}; nothing applied", block=block.number
        )
    if len(found) > 1 and block.symbol_line is not None:
        meant = [d for d in found if d.outer_start_line <= block.symbol_line <= d.end_line]
        if len(meant) == 1:
            return meant[0]
    if len(found) > 1:
        where = ", ".join(f"{d.qualname} (line {d.start_line + 1})" for d in found[:5])
        raise EditRefused(
            f"{label}: {name!r} is ambiguous in {block.path}: {where}; name it fully (Class.method). Nothing applied",
            block=block.number,
        )
    return found[0]


def body_only(code_lines: list[str], lang: str, block: EditBlock) -> list[str] | None:
    """The new body when the answer gives only a body for the named symbol (a sentence, then indented statements;
    or a fence holding statements and no definition), else None."""
    if not block.symbol:
        return None
    if not block.fenced:
        runs: list[list[str]] = []
        current: list[str] | None = None
        for line in code_lines:
            if line.strip() and line[0] in " \t":
                if current is None:
                    current = []
                    runs.append(current)
                current.append(line)
            elif not line.strip():
                if current is not None:
                    current.append(line)
            else:
                current = None
        if len(runs) != 1:
            return None
        code_lines = runs[0]
    written = [line for line in code_lines if line.strip()]
    if not written:
        return None
    short = block.symbol.rsplit(".", 1)[-1]
    code = join_lines(code_lines)
    if any(d.name == short for d in [*symbols.definitions(lang, code), *_top_level(code, lang)]):
        return None
    if re.search(rf"\b{re.escape(short)}\s*[(<]", written[0]) or _HEADER_START.match(written[0]):
        return None  # a definition's header, even if this snippet does not parse as one
    dedented = join_lines(reindent(code_lines, common_indent(code_lines), "", "the body"))
    if _top_level(dedented, lang):
        return None  # a definition (of another name: a renamed or hallucinated symbol) is not a body
    if lang == "python" and written[0][0] not in " \t" and _starts_definition(written[0]):
        return None
    while code_lines and not code_lines[-1].strip():
        code_lines = code_lines[:-1]
    while code_lines and not code_lines[0].strip():
        code_lines = code_lines[1:]
    return code_lines


_HEADER_START = re.compile(
    r"^\s*(?:@\w|(?:export|default|public|private|protected|static|async|pub(?:\([\w:]+\))?|unsafe|final|"
    r"abstract|override)\s+)*(?:def|class|function\*?|func|fn|impl|interface|struct|enum|trait)\b"
)


def _starts_definition(line: str) -> bool:
    return bool(re.match(r"\s*(?:async\s+def|def|class|@)\b", line))


_DOCSTRING = re.compile(r"^\s*[rRuUbBfF]{0,2}(\"\"\"|\'\'\'|\"|\')")


def _replace_body(text: str, body: list[str], lang: str, block: EditBlock, label: str) -> str:
    """Put ``body`` in place of the named definition's body: its header (and closing brace) stay."""
    name = block.symbol or ""
    file_lines = split_lines(text)
    old = _old_definition(text, lang, name, block, label)
    first = old.header_end_line + 1
    last = old.end_line if lang == "python" else old.end_line - 1
    header = file_lines[old.header_end_line].rstrip()
    if lang != "python" and (
        old.header_end_line >= old.end_line
        or not header.endswith("{")
        or not file_lines[old.end_line].strip().startswith("}")
    ):
        raise EditRefused(
            f"{label}: the answer gives only a body, and {name!r} in {block.path} is not laid out as a header line, "
            "body lines and a closing brace line; nothing applied",
            block=block.number,
        )
    old_body = file_lines[first : last + 1]
    body = elision.expand(body, old_body, lang, label)
    keep: list[str] = []
    if lang == "python":
        # A docstring the body-only answer does not restate stays (the answer is "the body under it").
        old_written = [i for i, line in enumerate(old_body) if line.strip()]
        if old_written and _DOCSTRING.match(old_body[old_written[0]]) and not _DOCSTRING.match(body[0]):
            doc_end = _docstring_end(old_body, old_written[0])
            keep = old_body[: doc_end + 1]
    target = next((indent_of(line) for line in old_body if line.strip()), None)
    if target is None or (keep and not old_body[len(keep) :]):
        tabs = any(line.startswith("\t") for line in file_lines)
        target = indent_of(file_lines[old.start_line]) + ("\t" if tabs else "    ")
    new_body = reindent(body, common_indent(body), target, label)
    out = file_lines[:first] + keep + new_body + file_lines[last + 1 :]
    return join_lines(out, trailing_newline=text.endswith("\n"))


def _keep_docstring(
    code_lines: list[str], new_def: symbols.Definition, file_lines: list[str], old: symbols.Definition, lang: str
) -> tuple[list[str], int]:
    """A Python definition restated without the docstring the file's has: the file's docstring stays (models
    leave it out when they show "the updated function"). Returns the lines and how many were inserted."""
    if lang != "python":
        return code_lines, 0
    old_first = next((i for i in range(old.header_end_line + 1, old.end_line + 1) if file_lines[i].strip()), None)
    new_first = next(
        (i for i in range(new_def.header_end_line + 1, new_def.end_line + 1) if code_lines[i].strip()), None
    )
    if old_first is None or new_first is None or not _DOCSTRING.match(file_lines[old_first]):
        return code_lines, 0
    if _DOCSTRING.match(code_lines[new_first]):
        return code_lines, 0
    end = _docstring_end(file_lines, old_first) + 1
    while end <= old.end_line and not file_lines[end].strip():
        end += 1  # with the blank lines that separated it from the code
    doc = file_lines[old_first:end]
    doc = reindent(doc, indent_of(file_lines[old_first]), indent_of(code_lines[new_first]), "the docstring")
    at = new_def.header_end_line + 1
    return code_lines[:at] + doc + code_lines[at:], len(doc)


def _docstring_end(lines: list[str], start: int) -> int:
    m = _DOCSTRING.match(lines[start])
    assert m is not None
    quote = m.group(1)
    rest = lines[start][m.end() :]
    if quote in rest:
        return start
    return next((j for j in range(start + 1, len(lines)) if quote in lines[j]), start)


_METHOD_HEADER = re.compile(r"^\s*(?:async\s+)?def\s+\w+\s*\(\s*(?:self|cls)\b")


def _check_same_kind(header: str, old: symbols.Definition, lang: str, name: str, block: EditBlock, label: str) -> None:
    """A method (``def helper(self, x)``) never replaces a top-level function ``helper(x)``."""
    if lang == "python" and old.top_level and _METHOD_HEADER.match(header):
        raise EditRefused(
            f"{label}: the answer's {name!r} is a method (it takes self/cls) but {block.path}'s {name!r} is a "
            "top-level function; nothing applied",
            block=block.number,
        )


def _unwrap_elided_class(code_lines: list[str], lang: str, name: str) -> list[str]:
    """``class A:`` + elision markers + the method ``A.m``: just the method. The markers stand for the rest of the
    class, which this edit does not touch (so its docstring and other members stay exactly as they are)."""
    if "." not in name:
        return code_lines
    found, wrapper = _method_in_class(code_lines, lang, name)
    if len(found) != 1:
        return code_lines
    method = found[0]
    start = method.outer_start_line
    while start > 0 and _doc_line(code_lines[start - 1], code_lines[method.outer_start_line]):
        if elision.looks_elided(code_lines[start - 1]):
            break
        start -= 1
    outside = [
        line
        for i, line in enumerate(code_lines)
        if not start <= i <= method.end_line and i not in wrapper and line.strip()
    ]
    if not outside or not all(elision.looks_elided(line) for line in outside):
        return code_lines
    body = code_lines[start : method.end_line + 1]
    return reindent(body, common_indent(body[:1]), "", "the method")


def _top_level(code: str, lang: str) -> list[symbols.Definition]:
    """Top-level definitions of a snippet; a lone JS/TS class member is read inside a stand-in class."""
    top = [d for d in symbols.definitions(lang, code) if d.top_level and not d.container]
    if top or lang not in _CLASS_MEMBER_LANGS:
        return top
    wrapped = symbols.definitions(lang, f"class {_WRAP} {{\n{code}}}\n")
    return [
        dataclasses.replace(
            d,
            qualname=d.qualname[len(_WRAP) + 1 :],
            start_line=d.start_line - 1,
            end_line=d.end_line - 1,
            outer_start_line=d.outer_start_line - 1,
            top_level=True,
        )
        for d in wrapped
        if d.qualname.count(".") == 1 and d.qualname.startswith(_WRAP + ".")
    ]


def single_definition_name(code: str, lang: str) -> str | None:
    """The one top-level definition's name in ``code`` (None when there is not exactly one)."""
    top = _top_level(code, lang)
    return top[0].name if len(top) == 1 else None


def _inferred_name(code: str, lang: str, label: str, block: EditBlock) -> str:
    top = _top_level(code, lang)
    if not top:
        # ``impl Cart { fn total … }`` holding one method names ``Cart.total``.
        defs = symbols.definitions(lang, code)
        containers = [d for d in defs if d.container and d.top_level]
        members = [d for d in defs if len(containers) == 1 and d.qualname.startswith(containers[0].qualname + ".")]
        if len(members) == 1:
            return members[0].qualname
    if len(top) != 1:
        raise EditRefused(
            f"{label}: no symbol was named and the code defines {len(top)} top-level symbols, so Splice cannot "
            "tell what it replaces; give --symbol or a file path. Nothing applied",
            block=block.number,
        )
    return top[0].name


def _new_definition(
    code_lines: list[str], lang: str, name: str, block: EditBlock, label: str
) -> tuple[symbols.Definition, set[int]]:
    """The one definition in the answer's code that replaces ``name``, and the lines of a class wrapper around
    it (a method quoted inside ``class A:``) that are not part of the replacement."""
    short = name.rsplit(".", 1)[-1]
    matches = [d for d in _top_level(join_lines(code_lines), lang) if d.name == short]
    wrapper_lines: set[int] = set()
    if not matches and "." in name:
        matches, wrapper_lines = _method_in_class(code_lines, lang, name)
    if not matches:
        raise EditRefused(
            f"{label}: the answer's code has no top-level definition of {short!r}; nothing applied", block=block.number
        )
    if len(matches) > 1:
        raise EditRefused(
            f"{label}: the answer defines {short!r} {len(matches)} times; nothing applied", block=block.number
        )
    new_def = matches[0]
    if not block.fenced:
        # Without a fence the code was cut out of prose: accept it only if it parses cleanly on its own.
        start = new_def.outer_start_line
        snippet = join_lines(
            reindent(code_lines[start : new_def.end_line + 1], indent_of(code_lines[start]), "", label)
        )
        if lang in _CLASS_MEMBER_LANGS and "." in name:
            snippet = f"class {_WRAP} {{\n{snippet}}}\n"
        if error_count(lang, snippet.encode("utf-8")):
            raise EditRefused(
                f"{label}: the answer has no code fence and the {short!r} found in it does not parse on its own; "
                "nothing applied",
                block=block.number,
            )
    return new_def, wrapper_lines


def _method_in_class(code_lines: list[str], lang: str, name: str) -> tuple[list[symbols.Definition], set[int]]:
    """``class A:`` + only the method ``A.m``: the method, with the class's header and closing lines."""
    owner, short = name.rsplit(".", 1)
    owner = owner.rsplit(".", 1)[-1]
    defs = symbols.definitions(lang, join_lines(code_lines))
    classes = [d for d in defs if d.top_level and d.name == owner]
    methods = [d for d in defs if d.qualname == f"{owner}.{short}"]
    if len(classes) != 1 or len(methods) != 1:
        return [], set()
    cls, method = classes[0], methods[0]
    wrapper = set(range(cls.outer_start_line, cls.header_end_line + 1))
    wrapper |= {i for i in range(method.end_line + 1, cls.end_line + 1) if code_lines[i].strip() in ("}", "};")}
    return [dataclasses.replace(method, top_level=True)], wrapper


def split_definitions(code: str, lang: str, old_text: str) -> list[tuple[str, str]] | None:
    """Code that is only definitions the file already has (plus lines the file already contains, such as its
    ``package``/imports, comments and elision markers): ``(qualified name, code)`` per definition, else None."""
    lines = split_lines(code)
    defs = symbols.definitions(lang, code)
    containers = {d.qualname for d in defs if d.container and d.top_level}
    top = _top_level(code, lang) + [d for d in defs if d.qualname.rsplit(".", 1)[0] in containers and "." in d.qualname]
    if not top:
        return None
    top = [m for d in top for m in _members_if_partial(d, defs, old_text, lang)]
    old_defs = [d for d in symbols.definitions(lang, old_text) if not d.container]
    present = {" ".join(line.split()) for line in split_lines(old_text)}
    old_lines = split_lines(old_text)
    pieces: list[tuple[str, str]] = []
    covered: set[int] = set()
    for d in top:
        same = [o for o in old_defs if o.qualname == d.qualname] or [o for o in old_defs if o.name == d.name]
        if len(same) != 1:
            return None
        o = same[0]
        body = lines[d.outer_start_line : d.end_line + 1]
        unchanged = _norm_lines(body) == _norm_lines(old_lines[o.outer_start_line : o.end_line + 1])
        old_doc = _norm_lines(_comments_above(old_lines, o.outer_start_line))
        start = d.outer_start_line
        # Comment lines right above: the definition's doc comment when the file's has the same lines, or a new
        # doc comment of a definition the answer changes. Other comments there ("// (snip)" above an unchanged
        # definition) stand for code left out and are not written into the file.
        while start > 0 and _doc_line(lines[start - 1], lines[d.outer_start_line]):
            line = " ".join(lines[start - 1].split())
            if elision.looks_elided(lines[start - 1]) or (line not in old_doc and (unchanged or old_doc)):
                break
            start -= 1
        covered.update(range(start, d.end_line + 1))
        if unchanged and start == d.outer_start_line:
            continue  # nothing to change in this definition
        pieces.append((o.qualname, join_lines(lines[start : d.end_line + 1])))
    for i, line in enumerate(lines):
        if i in covered or not line.strip() or line.strip().startswith(_COMMENT_STARTS):
            continue
        if " ".join(line.split()) not in present:
            return None  # new code outside the definitions: it has no place Splice could be sure of
    return pieces


def _norm_lines(lines: list[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines if line.strip()]


def _members_if_partial(
    d: symbols.Definition, defs: list[symbols.Definition], old_text: str, lang: str
) -> list[symbols.Definition]:
    """A class restated without some of the members the file's class has: its members, placed one by one (the
    missing ones stay); otherwise the class itself."""

    def members(of: str, among: list[symbols.Definition]) -> list[symbols.Definition]:
        return [m for m in among if m.qualname.rsplit(".", 1)[0] == of and "." in m.qualname]

    new = members(d.qualname, defs)
    old = members(d.qualname, [o for o in symbols.definitions(lang, old_text) if not o.container])
    if new and {m.name for m in old} - {m.name for m in new}:
        return new
    return [d]


def _cut_prose(lines: list[str], symbol: str | None, label: str, block: EditBlock) -> list[str]:
    """Unfenced answer: drop the prose before the definition's first line (decorators included)."""
    name = re.escape(symbol.rsplit(".", 1)[-1]) if symbol else r"[A-Za-z_$][\w$]*"
    start = re.compile(
        rf"^\s*(?:(?:export|default|async|static|public|private|protected|override|readonly|get|set)\s+)*"
        rf"(?:(?:def|class|function\*?|const|let|var)\s+{name}\b|{name}\s*[(<])"
    )
    for i, line in enumerate(lines):
        if start.match(line):
            while i > 0 and lines[i - 1].lstrip().startswith("@"):
                i -= 1
            return lines[i:]
    raise EditRefused(
        f"{label}: the answer has no code fence and no definition could be found in it", block=block.number
    )


def _doc_line(line: str, definition: str) -> bool:
    """A comment line at the definition's own indentation (a comment further left is not its doc comment)."""
    return line.strip().startswith(_COMMENT_STARTS) and indent_of(line) == indent_of(definition)


def _comments_above(lines: list[str], line: int, *, same_indent: bool = False) -> list[str]:
    out: list[str] = []
    i = line - 1
    while i >= 0 and (
        _doc_line(lines[i], lines[line]) if same_indent else lines[i].strip().startswith(_COMMENT_STARTS)
    ):
        out.insert(0, lines[i])
        i -= 1
    return out


def _check_nothing_else(
    code_lines: list[str], start: int, end: int, wrapper: set[int], block: EditBlock, label: str
) -> None:
    if not block.fenced:
        return
    for i, line in enumerate(code_lines):
        if start <= i <= end or i in wrapper or not line.strip() or line.strip().startswith(_COMMENT_STARTS):
            continue
        raise EditRefused(
            f"{label}: the code block also contains code outside the definition (line {i + 1}: {line.strip()!r}); "
            "use SEARCH/REPLACE blocks for changes elsewhere. Nothing applied",
            block=block.number,
        )
