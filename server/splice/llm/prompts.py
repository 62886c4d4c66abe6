"""Prompt rendering: the jinja2 templates in ``prompts/`` plus context items → the messages of a ``Request``.

Each feature has one template (``generate``, ``fix``, ``explain``, ``review``, ``migrate``); ``system.j2`` is
shared. The
templates also fix the answer formats the edits layer parses (``edit_format``): ``symbol`` (one fenced block with
the whole new definition, no path), ``search_replace`` (path line + SEARCH/REPLACE blocks), ``diff`` (unified diff
with a/ b/ headers) and ``new_file`` (path line + one fenced block). Snapshot tests pin the rendered text.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import jinja2

from splice.llm.model import Message, Request

TEMPLATES = Path(__file__).parent / "prompts"
FEATURES = ("generate", "fix", "explain", "review", "migrate")
EDIT_FORMATS = ("symbol", "search_replace", "diff", "new_file")

_LANGS = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "jsx",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cc": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".php": "php",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
}


class _Point(Protocol):
    @property
    def line(self) -> int: ...


class _Span(Protocol):
    @property
    def start(self) -> _Point: ...
    @property
    def end(self) -> _Point: ...


class PromptItem(Protocol):
    """What a prompt needs of a context item (``splice.context.model.ContextItem`` has all of it)."""

    @property
    def path(self) -> str: ...
    @property
    def range(self) -> _Span: ...
    @property
    def symbol(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def reason(self) -> str: ...


@dataclass(frozen=True)
class _RenderedItem:
    path: str
    lines: str
    symbol: str | None
    kind: str
    reason: str
    text: str
    lang: str
    fence: str


@dataclass(frozen=True)
class _RenderedFile:
    """A file's items under one heading and one code fence; each item opens with a comment line saying which lines
    and symbol it is and why it is there (one heading per file, not per item: several cards of one module cost one)."""

    path: str
    lang: str
    fence: str
    comment: str
    items: tuple[_RenderedItem, ...]


_SLASH_COMMENTS = frozenset(
    {"javascript", "jsx", "typescript", "tsx", "go", "rust", "java", "c", "cpp", "csharp", "php"}
)


def _files(items: Sequence[_RenderedItem]) -> list[_RenderedFile]:
    """Items grouped by file, files in the order of their first item, items in their own order within a file."""
    by_path: dict[str, list[_RenderedItem]] = {}
    for item in items:
        by_path.setdefault(item.path, []).append(item)
    out = []
    for path, group in by_path.items():
        lang = group[0].lang
        comment = "//" if lang in _SLASH_COMMENTS else "#"
        out.append(_RenderedFile(path, lang, fence_for(*(i.text for i in group)), comment, tuple(group)))
    return out


def language_of(path: str) -> str:
    return _LANGS.get(PurePosixPath(path).suffix.lower(), "")


def fence_for(*texts: str) -> str:
    """A backtick fence longer than any run of backticks inside the texts, so code never closes it early."""
    longest = 0
    for text in texts:
        run = 0
        for ch in text:
            run = run + 1 if ch == "`" else 0
            longest = max(longest, run)
    return "`" * max(3, longest + 1)


def content_hash(item: PromptItem) -> str:
    data = f"{item.path}\0{item.range.start.line}\0{item.text}".encode()
    return hashlib.sha256(data).hexdigest()[:32]


def context_hashes(items: Iterable[PromptItem]) -> tuple[str, ...]:
    return tuple(content_hash(item) for item in items)


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug in the caller, not an empty string
        autoescape=False,  # prompts are plain text, not HTML
        keep_trailing_newline=False,
        trim_blocks=False,
    )


def _item(item: PromptItem) -> _RenderedItem:
    start, end = item.range.start.line + 1, item.range.end.line + 1
    text = item.text.rstrip("\n")
    # The header already names the file: a symbol id's path part (``pkg/mod.py::Cls.meth``) would say it twice,
    # once per item, in every prompt.
    symbol = item.symbol
    if symbol is not None and "::" in symbol:
        symbol = symbol.partition("::")[2] or None
    # An item's reason names its two strongest signals ("called by the target; near what this code uses in the
    # graph"); the prompt keeps the strongest: ~10 tokens less per item, ~800 in a prompt of 80 items.
    return _RenderedItem(
        item.path,
        f"{start}" if start == end else f"{start}-{end}",
        symbol,
        item.kind,
        item.reason.split("; ", 1)[0],
        text,
        language_of(item.path),
        fence_for(text),
    )


def context_section(items: Sequence[PromptItem]) -> str:
    """The "Context from the workspace" section exactly as the prompts carry it (one heading and fence per file), for
    front ends that show context itself (``splice mcp``): what they print is what the budget charged."""
    rendered = [_item(i) for i in items]
    template = _environment().get_template("_context.j2")
    return _tidy(template.render(items=rendered, files=_files(rendered), project_rules=""))


def _tidy(text: str) -> str:
    """Collapse the blank-line runs template conditionals leave behind — outside code fences only, so code the
    model must copy into SEARCH blocks stays byte for byte — and end with exactly one newline."""
    out: list[str] = []
    fence: str | None = None
    for line in text.strip("\n").split("\n"):
        stripped = line.strip()
        if fence is None:
            line = line.rstrip()
            if stripped.startswith("```"):
                fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
            elif not line and out and not out[-1]:
                continue
        elif stripped == fence:
            fence = None
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def render(
    feature: str,
    items: Sequence[PromptItem] = (),
    *,
    edit_format: str | None = None,
    extra_rules: Sequence[str] = (),
    **values: Any,
) -> tuple[Message, ...]:
    """The system and user messages for ``feature``. ``values`` are the template's variables (see each .j2)."""
    if feature not in FEATURES:
        raise ValueError(f"unknown prompt '{feature}'; expected one of {', '.join(FEATURES)}")
    if edit_format is not None and edit_format not in EDIT_FORMATS:
        raise ValueError(f"unknown edit format '{edit_format}'; expected one of {', '.join(EDIT_FORMATS)}")
    env = _environment()
    path = str(values.get("path", ""))
    current = str(values.get("current") or "")
    defaults: dict[str, Any] = {
        "lang": language_of(path),
        "fence": fence_for(current),
        "symbol": None,
        "current": None,
        "location": None,
        "callers": (),
        "frames": (),
        "intent": None,
        "plan": (),
        "project_rules": "",
    }
    rendered = [_item(i) for i in items]
    variables = {**defaults, **values, "items": rendered, "files": _files(rendered), "edit_format": edit_format}
    try:
        system = env.get_template("system.j2").render(extra_rules=list(extra_rules))
        user = env.get_template(f"{feature}.j2").render(**variables)
    except jinja2.UndefinedError as exc:
        raise ValueError(f"prompt '{feature}' needs a value the caller did not give: {exc.message}") from exc
    return (Message("system", _tidy(system)), Message("user", _tidy(user)))


def request(
    feature: str,
    items: Sequence[PromptItem] = (),
    *,
    edit_format: str | None = None,
    model: str | None = None,
    **values: Any,
) -> Request:
    """A ready ``Request``: rendered messages plus the context items' hashes for the cache key."""
    messages = render(feature, items, edit_format=edit_format, **values)
    return Request(feature, messages, context_hashes(items), model=model)
