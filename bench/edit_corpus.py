"""Generator of the edit-application benchmark corpus: realistic model answers for edits on flask, requests and
zod, each with its expected outcome (the exact resulting file, or a refusal).

Built deterministically at run time from the unpacked corpora (never committed). For each chosen function or
method the intended edit is a guard inserted at the top of its body; that edit is then written the ways models
write it — SEARCH/REPLACE, unified diff, whole symbol, whole file, new file — cleanly and with the failure modes
seen in practice (indentation drift, elided code, stale context, wrong line numbers, missing fences, duplicated
blocks, CRLF, ambiguous SEARCH, truncation, hallucinated SEARCH, emptied files, traversal, hidden protected edits).
"""

from __future__ import annotations

import difflib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from splice.edits import symbols
from splice.index.languages import language_for_path
from splice.index.parser import Node, parse

SOURCES = {
    "flask": ["flask/src/flask"],
    "requests": ["requests/src/requests"],
    "zod": ["zod/packages/zod/src/v3", "zod/packages/zod/src/v4/core"],
}
SETTINGS = ".vscode/settings.json"


@dataclass(frozen=True)
class Case:
    id: str
    repo: str
    category: str
    files: dict[str, bytes]
    """Workspace content before the edit (relative path → bytes)."""
    answer: str
    args: tuple[str, ...]
    expected: dict[str, bytes] | None
    """Files that must hold exactly these bytes after ``--apply``; None means the answer must be refused."""


@dataclass
class _Target:
    repo: str
    path: str
    lang: str
    text: str
    qualname: str
    start: int
    """First line of the definition (without decorators)."""
    end: int
    insert_at: int
    """Line index where the guard goes (before the first body statement, after a docstring)."""
    guard: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines(keepends=True)

    @property
    def new_text(self) -> str:
        lines = self.lines
        return "".join(lines[: self.insert_at] + self.guard + lines[self.insert_at :])

    def new_definition(self) -> list[str]:
        lines = self.new_text.splitlines(keepends=True)
        return lines[self.start : self.end + 1 + len(self.guard)]


def _first_param(node: Node, lang: str) -> str | None:
    params = node.child_by_field_name("parameters")
    if params is None:
        return None
    for child in params.named_children:
        ident = child if child.type == "identifier" else child.child_by_field_name("pattern") or child
        if (
            ident.type == "typed_parameter"
            or ident.type == "typed_default_parameter"
            or ident.type == "default_parameter"
        ):
            ident = next((c for c in ident.named_children if c.type == "identifier"), ident)
        if ident.type != "identifier" or ident.text is None:
            continue
        name = ident.text.decode()
        if name not in ("self", "cls"):
            return name
    return None


def _body_start(node: Node, lang: str) -> int | None:
    body = node.child_by_field_name("body")
    if body is None or not body.named_children:
        return None
    first = body.named_children[0]
    if lang == "python" and first.type == "expression_statement" and first.named_children[0].type == "string":
        if len(body.named_children) < 2:
            return None
        first = body.named_children[1]
    if lang != "python" and first.type == "comment":
        return None
    if first.start_point.row == node.start_point.row:
        return None
    return first.start_point.row


def _guard(lang: str, indent: str, param: str) -> list[str]:
    if lang == "python":
        return [f"{indent}if {param} is None:\n", f'{indent}    raise ValueError("{param} is required")\n']
    return [
        f"{indent}if ({param} === undefined) {{\n",
        f'{indent}  throw new Error("{param} is required");\n',
        f"{indent}}}\n",
    ]


def _targets(root: Path, repo: str, per_repo: int, rng: random.Random) -> list[_Target]:
    found: list[_Target] = []
    for folder in SOURCES[repo]:
        for path in sorted((root / folder).rglob("*")):
            lang = language_for_path(path.name)
            if lang not in ("python", "typescript") or "test" in path.name or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            found += _file_targets(repo, path.relative_to(root / repo).as_posix(), lang, text)
    rng.shuffle(found)
    return found[:per_repo]


def _file_targets(repo: str, rel: str, lang: str, text: str) -> list[_Target]:
    out: list[_Target] = []
    tree = parse(lang, text.encode())
    lines = text.splitlines(keepends=True)
    defs = {(d.start_line, d.start_col): d for d in symbols.definitions(lang, text)}
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        d = defs.get((node.start_point.row, node.start_point.column))
        if d is None or node.type not in ("function_definition", "function_declaration", "method_definition"):
            continue
        if not 5 <= d.end_line - d.start_line <= 40 or len(symbols.find(lang, text, d.qualname)) != 1:
            continue
        param = _first_param(node, lang)
        at = _body_start(node, lang)
        if param is None or at is None:
            continue
        indent = re.match(r"[ \t]*", lines[at]).group()  # type: ignore[union-attr]
        target = _Target(repo, rel, lang, text, d.qualname, d.start_line, d.end_line, at, _guard(lang, indent, param))
        if _unique_window(target) is not None:
            out.append(target)
    return out


def _unique_window(t: _Target) -> tuple[int, int] | None:
    """Context lines around the insertion that occur exactly once in the file."""
    lines = t.lines
    for ctx in range(2, 7):
        lo, hi = max(0, t.insert_at - ctx), min(len(lines), t.insert_at + ctx)
        window = "".join(lines[lo:hi])
        if t.text.count(window) == 1 and all(line.strip() for line in (lines[lo], lines[hi - 1])):
            return lo, hi
    return None


# -- answer renderers ------------------------------------------------------------------------------------------


def _fence_lang(t: _Target) -> str:
    return "python" if t.lang == "python" else "ts"


def _sr_body(t: _Target, *, search_edit: str | None = None, shift: str | None = None) -> str:
    lo, hi = _unique_window(t) or (0, 0)
    lines = t.lines
    search = lines[lo:hi]
    replace = lines[lo : t.insert_at] + t.guard + lines[t.insert_at : hi]
    if search_edit == "stale":
        i = next(i for i, line in enumerate(search) if re.search(r"[A-Za-z_]", line) and lo + i != t.insert_at)
        search = [*search]
        search[i] = re.sub(r"[A-Za-z_]\w*", lambda m: m.group() + "_old", search[i], count=1)
    if shift == "dedent":
        indent = min((len(x) - len(x.lstrip()) for x in search if x.strip()), default=0)
        search = [x[indent:] if x.strip() else x for x in search]
        replace = [x[indent:] if x.strip() else x for x in replace]
    if shift == "trailing":
        search = [x.rstrip("\n") + "  \n" for x in search]
        replace = [x.rstrip("\n") + " \n" for x in replace]
    return "<<<<<<< SEARCH\n" + "".join(search) + "=======\n" + "".join(replace) + ">>>>>>> REPLACE\n"


def _sr(t: _Target, fenced: bool = True, **kw: str) -> str:
    body = _sr_body(t, **kw)
    if fenced:
        body = f"```{_fence_lang(t)}\n{body}```\n"
    return f"I'll add the guard.\n\n{t.path}\n{body}\nThis validates the argument early.\n"


def _diff(t: _Target, fenced: bool = True, offset: int = 0, stale: bool = False) -> str:
    out = difflib.unified_diff(t.lines, t.new_text.splitlines(keepends=True), f"a/{t.path}", f"b/{t.path}", n=3)
    text = "".join(out)
    if offset:
        text = re.sub(
            r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@",
            lambda m: f"@@ -{int(m[1]) + offset}{m[2] or ''} +{int(m[3]) + offset}{m[4] or ''} @@",
            text,
            flags=re.M,
        )
    if stale:
        lines = text.splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if line.startswith(" ") and re.search(r"[A-Za-z_]", line))
        lines[i] = re.sub(r"[A-Za-z_]\w*", lambda m: m.group() + "_old", lines[i], count=1)
        text = "".join(lines)
    return f"Here is the patch:\n\n```diff\n{text}```\n" if fenced else f"Patch:\n\n{text}\n"


def _symbol(t: _Target, *, dedent: bool = False, fenced: bool = True, rename: bool = False) -> str:
    lines = t.new_definition()
    if dedent or not fenced:
        indent = len(lines[0]) - len(lines[0].lstrip())
        lines = [x[indent:] if x.strip() else x for x in lines]
    code = "".join(lines)
    if rename:
        name = t.qualname.rsplit(".", 1)[-1]
        code = code.replace(name, name + "V2", 1)
    if not fenced:
        return f"Here is the updated definition:\n\n{code}\nIt now checks its argument.\n"
    return f"Updated `{t.qualname}`:\n\n```{_fence_lang(t)}\n{code}```\n"


def _marker(t: _Target, indent: str) -> str:
    return f"{indent}{'#' if t.lang == 'python' else '//'} ... existing code ...\n"


def _elided(t: _Target, anchored: bool) -> str | None:
    lines = t.new_definition()
    g = t.insert_at - t.start  # index of the guard inside the new definition
    after = g + len(t.guard)
    indent = re.match(r"[ \t]*", t.guard[0]).group()  # type: ignore[union-attr]
    if anchored:
        # Keep the first original body line after the guard and the last line; elide what is between.
        original = t.lines[t.start : t.end + 1]
        a, b = lines[after], lines[-1]
        if sum(1 for x in original if x.strip() == a.strip()) != 1 or after + 3 >= len(lines) - 1:
            return None
        if sum(1 for x in original[after - len(t.guard) + 1 :] if x.strip() == b.strip()) != 1:
            return None
        code = "".join([*lines[: after + 1], _marker(t, indent), b])
    else:
        code = "".join([*lines[:after], _marker(t, indent)])
    return f"```{_fence_lang(t)}\n{code}```\n"


def _truncate(answer: str, at: float) -> str:
    return answer[: int(len(answer) * at)]


def _in_class(t: _Target) -> str | None:
    """A method answered inside its class header (and closing brace), as models sometimes do."""
    if "." not in t.qualname:
        return None
    owner = t.qualname.rsplit(".", 1)[0]
    [cls] = symbols.find(t.lang, t.text, owner) or [None]
    if cls is None:
        return None
    header = "".join(t.lines[cls.start_line : cls.header_end_line + 1])
    indent = re.match(r"[ \t]*", header).group()  # type: ignore[union-attr]
    closing = f"{indent}}}\n" if t.lang != "python" else ""
    return f"```{_fence_lang(t)}\n{header}{''.join(t.new_definition())}{closing}```\n"


def _dropped_line(t: _Target) -> str | None:
    body = _sr_body(t)
    search, rest = body.split("=======\n", 1)
    lines = search.splitlines(keepends=True)
    if len(lines) < 4:
        return None
    del lines[2]
    return f"{t.path}\n```{_fence_lang(t)}\n{''.join(lines)}======={chr(10)}{rest}```\n"


def _diff_variant(t: _Target, bare: bool) -> tuple[str, bool]:
    """A diff without a/ b/ prefixes, or with bare ``@@ @@`` hunk headers; and whether its context is unique."""
    text = _diff(t).replace(f"--- a/{t.path}", f"--- {t.path}").replace(f"+++ b/{t.path}", f"+++ {t.path}")
    if bare:
        text = re.sub(r"^@@ .* @@.*$", "@@ @@", text, flags=re.M)
    hunk = re.split(r"^@@.*$", text, flags=re.M)[1].split("```")[0]
    old = "".join(line[1:] + "\n" for line in hunk.splitlines() if line[:1] in (" ", "-"))
    return text, t.text.count(old) == 1 or not bare


def _symbol_args(t: _Target) -> tuple[str, ...]:
    return ("--target", t.path, "--symbol", t.qualname)


def _ambiguous_line(t: _Target) -> str | None:
    counts: dict[str, int] = {}
    for line in t.lines:
        if len(line.strip()) >= 6:
            counts[line] = counts.get(line, 0) + 1
    repeated = sorted(line for line, n in counts.items() if n >= 2)
    return repeated[0] if repeated else None


def cases_for(t: _Target, n: int) -> list[Case]:
    base = {t.path: t.text.encode(), SETTINGS: b"{}\n"}
    ok = {t.path: t.new_text.encode()}
    out: list[Case] = []

    def add(
        category: str,
        answer: str,
        expected: dict[str, bytes] | None,
        args: tuple[str, ...] = (),
        files: dict[str, bytes] | None = None,
    ) -> None:
        out.append(Case(f"{t.repo}-{n:02d}-{len(out):02d}", t.repo, category, files or base, answer, args, expected))

    add("clean search/replace", _sr(t), ok)
    add("clean unified diff", _diff(t), ok)
    add("clean whole symbol", _symbol(t), ok, _symbol_args(t))
    add("clean whole file", f"{t.path}\n```{_fence_lang(t)}\n{t.new_text}```\n", ok)
    new_path = str(Path(t.path).with_name("generated_" + Path(t.path).name))
    new_file = t.new_text  # a whole module, so the new file parses on its own
    add(
        "clean new file",
        f"Create it:\n\n{new_path}\n```{_fence_lang(t)}\n{new_file}```\n",
        {**ok, new_path: new_file.encode(), t.path: t.text.encode()},
    )
    add("indentation drift", _sr(t, shift="dedent"), ok)
    add("indentation drift", _symbol(t, dedent=True), ok, _symbol_args(t))
    add("trailing whitespace", _sr(t, shift="trailing"), ok)
    elided = _elided(t, anchored=True)
    if elided:
        add("elided code (anchored)", elided, ok, _symbol_args(t))
    add("elided code (unanchored)", _elided(t, anchored=False) or "", None, _symbol_args(t))
    add("stale context", _sr(t, search_edit="stale"), None)
    add("stale context", _diff(t, stale=True), None)
    add("wrong line numbers", _diff(t, offset=37), ok)
    add("wrong line numbers", _diff(t, offset=-min(t.insert_at, 9)), ok)
    add("missing fences", _sr(t, fenced=False), ok)
    add("missing fences", _diff(t, fenced=False), ok)
    if t.lang == "python" or t.qualname.count(".") == 0:
        add("missing fences", _symbol(t, fenced=False), ok, _symbol_args(t))
    add("duplicated blocks", _sr(t) + "\nTo be sure, again:\n\n" + _sr(t), ok)
    add("CRLF", _sr(t).replace("\n", "\r\n"), ok)
    crlf = {t.path: t.text.replace("\n", "\r\n").encode(), SETTINGS: b"{}\n"}
    add("CRLF", _sr(t), {t.path: t.new_text.replace("\n", "\r\n").encode()}, files=crlf)
    line = _ambiguous_line(t)
    if line:
        body = f"<<<<<<< SEARCH\n{line}=======\n{line.rstrip()}  # checked\n>>>>>>> REPLACE\n"
        add("ambiguous search", f"{t.path}\n```{_fence_lang(t)}\n{body}```\n", None)
    add("truncated answer", _truncate(_sr(t), 0.6), None)
    add("truncated answer", _truncate(_diff(t), 0.7), None)
    add("truncated answer", _truncate(_symbol(t), 0.5), None, _symbol_args(t))
    add("hallucinated symbol", _symbol(t, rename=True), None, _symbol_args(t))
    add("emptied file", f"{t.path}\n```{_fence_lang(t)}\n```\n", None)
    add(
        "think noise",
        "<think>\nMaybe edit it like\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n</think>\n" + _sr(t),
        ok,
    )
    wrapped = _in_class(t)
    if wrapped:
        add("method inside its class", wrapped, ok, _symbol_args(t))
    dropped = _dropped_line(t)
    if dropped:
        add("dropped line in SEARCH", dropped, None)
    notes_path = str(Path(t.path).with_name("generated_notes" + Path(t.path).suffix))
    notes = "export const NOTES = 1;\n" if t.lang != "python" else "NOTES = 1\n"
    multi = _sr(t) + f"\nAnd a new module:\n\n{notes_path}\n```{_fence_lang(t)}\n{notes}```\n"
    add("multi-file answer", multi, {**ok, notes_path: notes.encode()})
    for bare in (False, True):
        variant, unique = _diff_variant(t, bare)
        add("diff header variants", variant, ok if unique else None)
    add("path traversal", _sr(t).replace(f"\n{t.path}\n", f"\n../{t.repo}/{t.path}\n"), None)
    hidden = (
        f"\n{SETTINGS}\n```json\n<<<<<<< SEARCH\n{{}}\n=======\n"
        '{"chat.tools.autoApprove": true}\n>>>>>>> REPLACE\n```\n'
    )
    add("hidden protected edit", _sr(t) + hidden, None)
    return out


def generate(root: Path, per_repo: int = 3, seed: int = 7) -> list[Case]:
    """All cases for the corpora unpacked under ``root`` (``root/flask``, ``root/requests``, ``root/zod``)."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for repo in SOURCES:
        for n, target in enumerate(_targets(root, repo, per_repo, rng)):
            cases += cases_for(target, n)
    return cases
