"""Explain an error end to end: a stack trace or a diagnostic → frames on workspace symbols → context within the
budget → the model's explanation → a markdown document with links, and a fix as a proposal awaiting review.

Front ends (the language server, the CLI) call ``prepare_*`` (deterministic, no model) and then ``run``; with no
model configured ``preview`` says exactly what would be sent and what it would cost.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from splice import redaction, state
from splice.context.model import ContextItem, ContextRequest, ContextResult, DiagnosticTarget, Frame, FramesTarget
from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import Cost, Proposal
from splice.edits.propose import disk_reader, propose
from splice.edits.review import Reader
from splice.features.explain.frames import FrameStatus
from splice.features.explain.model import ParseError
from splice.features.explain.resolve import Resolution, resolve_text
from splice.features.workspace import SpliceWorkspace
from splice.llm import prompts
from splice.llm.errors import LLMError, UnusableAnswer
from splice.llm.gateway import Gateway
from splice.llm.model import Completion, Progress, Request, TokenUsage

MAX_FRAMES_IN_PROMPT = 12


@dataclass(frozen=True)
class Prepared:
    """Everything decided before any model call: what failed, where, the context and the rendered request."""

    title: str
    error: str
    """The error as the prompt states it (exception + message, or the diagnostic)."""
    location: str | None
    frames: tuple[str, ...]
    """Frame lines for the prompt and the document, innermost last, library runs folded."""
    items: tuple[ContextItem, ...]
    context_notes: tuple[str, ...]
    signature: str
    focus_path: str | None
    """The innermost workspace file: where path-less fix blocks apply."""
    excluded: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    frame_paths: tuple[str, ...] = ()
    """Workspace files on the trace, innermost first: where a fix for a symbol the focus file lacks may go."""
    rules: str = ""
    """The repository's rules files that apply here (``features/rules_files.py``)."""

    def request(self, *, fix: bool) -> Request:
        return prompts.request(
            "explain",
            self.items,
            project_rules=self.rules,
            edit_format="search_replace" if fix else None,
            error=self.error,
            frames=self.frames,
            location=self.location,
            path=self.focus_path or "",
        )


@dataclass(frozen=True)
class Explanation:
    markdown: str
    document: Path
    proposal: Proposal | None
    fix_note: str
    """Why there is no fix (empty when there is one)."""
    cost: float
    tokens: int
    cached: bool
    model: str


@dataclass(frozen=True)
class Preview:
    """What would be sent with no model configured: items, tokens, an example cost, how to configure."""

    prepared: Prepared
    tokens: int
    example_model: str
    example_dollars: float | None
    how_to_configure: str
    messages: tuple[str, ...] = field(default_factory=tuple)


class ExplainError:
    def __init__(
        self, ws: SpliceWorkspace, gateway: Gateway, *, read_file: Callable[[str], bytes | None] | None = None
    ):
        self.ws = ws
        self.gateway = gateway
        self.read_file = read_file
        self.folder = ws.root / ".splice" / "explanations"

    # -- deterministic front half ------------------------------------------------------------------------------

    def _read_text(self, rel: str) -> str | None:
        data = self.read_file(rel) if self.read_file is not None else None
        if data is None:
            try:
                data = self.ws.abspath(rel).read_bytes()
            except OSError:
                return None
        return data.decode("utf-8", errors="replace")

    def _excluded(self, rel: str) -> bool:
        return self.ws.indexer.rules.is_excluded(rel)

    def prepare_trace(self, text: str, budget: int | None = None) -> Prepared | ParseError:
        resolved = resolve_text(
            text, self.ws.graph, is_excluded=self._excluded, read_text=self._read_text, root=str(self.ws.root)
        )
        if isinstance(resolved, ParseError):
            return resolved
        trace = resolved.primary.trace
        root = resolved.primary.chain()[-1]
        frames: list[Frame] = []
        for node in reversed(resolved.primary.chain()):  # root cause first
            for mapped in reversed(node.frames):  # outermost first, as FramesTarget wants
                if mapped.status is FrameStatus.WORKSPACE and mapped.path is not None and mapped.line is not None:
                    frames.append(Frame(mapped.path, mapped.line))
        message = f"{root.trace.exception_type}: {root.trace.message}".strip(": ")
        innermost = next((f for f in reversed(frames)), None)
        shell = Prepared(
            title=redaction.masked(f"{trace.exception_type}: {trace.message}")[:120],
            error=_error_text(resolved),
            location=f"{innermost.path}:{innermost.line + 1}" if innermost else None,
            frames=_frame_lines(resolved),
            items=(),
            context_notes=(),
            signature=resolved.signature.key,
            focus_path=innermost.path if innermost else None,
            excluded=tuple(resolved.excluded_paths()),
            notes=resolved.notes,
            frame_paths=tuple(dict.fromkeys(f.path for f in reversed(frames))),
            rules=self.ws.project_rules(innermost.path if innermost else None).text,
        )
        engine = self.ws.context_engine(read_file=self.read_file)
        total = budget or self.ws.settings.context_budget
        target = FramesTarget(tuple(frames), message=message, exception=root.trace.exception_type)
        context = engine.assemble(ContextRequest(target, self._item_budget(shell, total, engine.count)))
        return replace(shell, items=context.items, context_notes=self._notes(context, shell.focus_path))

    def _notes(self, context: ContextResult, path: str | None) -> tuple[str, ...]:
        """The context's notes, its error, and which rules files the prompt carries."""
        rules = self.ws.project_rules(path).note()
        return context.notes + ((context.error,) if context.error else ()) + ((rules,) if rules else ())

    @staticmethod
    def _item_budget(shell: Prepared, total: int, count: Callable[[str], int]) -> int:
        """The budget is for the whole prompt: what the task, the frames and the answer format take (the larger,
        fix-asking variant) is not left for context items."""
        fixed = sum(count(m.content) for m in shell.request(fix=True).messages)
        return max(0, total - fixed)

    def prepare_diagnostic(
        self,
        path: str,
        line: int,
        col: int,
        end_line: int | None,
        message: str,
        source: str | None = None,
        code: str | None = None,
        buffer_text: str | None = None,
        related: tuple[str, ...] = (),
        budget: int | None = None,
    ) -> Prepared:
        label = " ".join(x for x in (source, f"[{code}]" if code else None) if x)
        error = f"{label}: {message}" if label else message
        if related:
            error += "\nRelated: " + "; ".join(related)
        target = DiagnosticTarget(path, line, col, end_line, message, buffer_text)
        key = hashlib.sha256(f"{path}\0{label}\0{message}".encode()).hexdigest()[:16]
        shell = Prepared(
            title=redaction.masked(error.splitlines()[0])[:120],
            error=error,
            location=f"{path}:{line + 1}:{col + 1}",
            frames=(),
            items=(),
            context_notes=(),
            signature=key,
            focus_path=path,
            rules=self.ws.project_rules(path).text,
        )
        engine = self.ws.context_engine(read_file=self.read_file)
        total = budget or self.ws.settings.context_budget
        context = engine.assemble(ContextRequest(target, self._item_budget(shell, total, engine.count)))
        return replace(shell, items=context.items, context_notes=self._notes(context, shell.focus_path))

    def preview(self, prepared: Prepared, *, fix: bool, example_model: str = "openai/gpt-4o-mini") -> Preview:
        request = prepared.request(fix=fix)
        tokens = sum(self.gateway.token_counter(example_model)(m.content) for m in request.messages)
        dollars: float | None
        try:
            dollars = self.gateway.estimate(
                Request(request.feature, request.messages, request.context_hashes, model=example_model)
            ).dollars
        except LLMError:
            dollars = None
        how = (
            "Configure a model: set SPLICE_MODEL (e.g. SPLICE_MODEL=openai/gpt-4o-mini with OPENAI_API_KEY, or "
            "SPLICE_MODEL=openai/<name> SPLICE_API_BASE=http://127.0.0.1:8080/v1 for a local server), or "
            '`model = "…"` under [tool.splice] in pyproject.toml, or the editor setting splice.model.'
        )
        return Preview(prepared, tokens, example_model, dollars, how, tuple(m.content for m in request.messages))

    # -- the model call ----------------------------------------------------------------------------------------

    async def run(
        self,
        prepared: Prepared,
        *,
        fix: bool,
        reader: Reader | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> Explanation:
        """Ask the model (raises LLMError with a user-facing message and fix), write the document, build the fix."""
        request = prepared.request(fix=fix)
        model = self.gateway.model_for(request)
        cache_path = self._cache_path(prepared, fix, model)
        cached_answer = self._cached(cache_path)
        if cached_answer is not None:
            completion = Completion(cached_answer, model, "explain", TokenUsage(), 0.0, True, 0.0, "stop")
        else:
            completion = await self.gateway.complete(request, progress=progress)
        problem = unusable_explanation(completion.text)
        if problem is not None:
            await self.gateway.reject(completion)
            self._forget(cache_path)
            raise UnusableAnswer(
                f"the model's answer is not an explanation ({problem}); nothing was written",
                "try again; if it keeps happening, check the model (splice.model / splice.models.explain)",
            )
        proposal: Proposal | None = None
        fix_note = ""
        if fix:
            try:
                proposal = propose(
                    completion.text,
                    Workspace.of(self.ws.root),
                    reader=reader or disk_reader,
                    target=prepared.focus_path,
                    title=f"Fix: {prepared.title}",
                    rationale=_section(completion.text, "Why") or "",
                    context=tuple(i.symbol or i.path for i in prepared.items),
                    cost=Cost(completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.cost),
                    elsewhere=lambda name: [prepared.frame_paths, [s.path for s in self.ws.graph.find(name)]],
                )
            except EditRefused as exc:
                fix_note = f"No usable fix in the answer: {exc}"
        if fix and proposal is None:  # a retry must ask the model again, not replay the answer whose fix was refused
            await self.gateway.reject(completion)
            self._forget(cache_path)
        else:
            await self.gateway.keep(completion)
            if not completion.cached:
                self._remember(cache_path, completion.text, model)
        tokens = completion.usage.prompt_tokens + completion.usage.completion_tokens
        markdown = self.document(prepared, completion.text, fix_note, completion.model, completion.cost, tokens)
        path = self._write(prepared.signature, markdown)
        return Explanation(
            markdown, path, proposal, fix_note, completion.cost, tokens, completion.cached, completion.model
        )

    # -- the document ------------------------------------------------------------------------------------------

    def link(self, rel: str, line: int | None = None) -> str:
        uri = self.ws.abspath(rel).as_uri()
        label = f"{rel}:{line + 1}" if line is not None else rel
        return f"[{label}]({uri}#L{line + 1})" if line is not None else f"[{label}]({uri})"

    def document(self, prepared: Prepared, answer: str, fix_note: str, model: str, cost: float, tokens: int) -> str:
        # The title and frames are text from the trace: escaped, or Markdown eats `__init__` and `<module>`.
        out = [f"# {md_escape(prepared.title)}", ""]
        if prepared.location:
            path, _, rest = prepared.location.partition(":")
            line = int(rest.split(":")[0]) - 1 if rest.split(":")[0].isdigit() else None
            out.append(f"Reported at {self.link(path, line)}")
        if prepared.frames:
            frames = [frame_markdown(f, self._frame_link) for f in prepared.frames]
            out += ["", "## Frames (innermost last)", ""] + [f"- {f}" for f in frames]
        out += ["", "## Explanation", "", answer.strip(), ""]
        if fix_note:
            out += [f"> {md_escape(fix_note)}", ""]
        out += ["## Context used", ""]
        for item in prepared.items[:CONTEXT_LISTED]:
            symbol = (item.symbol or "").split("::", 1)[-1]
            out.append(f"- {self.link(item.path, item.range.start.line)} `{symbol}` — {md_escape(item.reason)}")
        if len(prepared.items) > CONTEXT_LISTED:
            rest_tokens = sum(i.tokens for i in prepared.items[CONTEXT_LISTED:])
            out.append(f"- … and {len(prepared.items) - CONTEXT_LISTED} more ({rest_tokens} tokens)")
        if prepared.excluded:
            out.append(f"- not sent (excluded): {md_escape(', '.join(prepared.excluded))}")
        out += ["", f"_{model}, {tokens} tokens, ${cost:.4f}_", ""]
        return "\n".join(out)

    def _frame_link(self, rel: str, line: int) -> str | None:
        """A link to a frame's line when the path is a workspace file (library frames stay text)."""
        try:
            return self.link(rel, line) if self.ws.abspath(rel).is_file() else None
        except (OSError, ValueError):
            return None

    def _write(self, signature: str, markdown: str) -> Path:
        path = self.folder / f"{signature[:24]}.md"
        state.write_text(path, redaction.masked(markdown))  # secrets never stored; never through a planted link
        return path

    # -- the explanation cache: one answer per error signature and code hashes -------------------------------

    def _cache_path(self, prepared: Prepared, fix: bool, model: str) -> Path:
        key = json.dumps([prepared.signature, prompts.context_hashes(prepared.items), fix, model])
        return self.folder / "cache" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    def _cached(self, path: Path) -> str | None:
        try:
            answer = json.loads(state.read_text(path)).get("answer")
        except (OSError, ValueError):
            return None
        return answer if isinstance(answer, str) else None

    def _forget(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink()

    def _remember(self, path: Path, answer: str, model: str) -> None:
        if redaction.has_secret(answer):
            return  # never stored with a secret, and a masked answer would make a wrong fix on the next hit
        with contextlib.suppress(OSError):  # the cache is an optimisation; the explanation was already shown
            state.write_text(path, json.dumps({"answer": answer, "model": model, "at": time.time()}))


def unusable_explanation(answer: str) -> str | None:
    """Why an answer cannot be shown as an explanation (None: it can): empty, too short to say anything, or not
    prose (a JSON value, or mostly symbols)."""
    text = answer.strip()
    if not text:
        return "it is empty"
    if text.lower() in ("null", "none", "undefined", "{}", "[]", '""'):
        return f"it is just {text!r}"
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < 3:
        return "it has fewer than three words"
    if text[0] in "{[" and text[-1] in "}]":
        try:
            json.loads(text)
            return "it is a JSON value, not prose"
        except ValueError:
            pass
    letters = sum(ch.isalpha() or ch.isspace() for ch in text)
    if letters < len(text) * 0.4:
        return "it is mostly symbols"
    return None


def _error_text(resolved: Resolution) -> str:
    parts = []
    for node in resolved.primary.chain():
        t = node.trace
        parts.append(f"{t.exception_type}: {t.message}".strip(": "))
    return "\ncaused by ".join(parts) if len(parts) > 1 else parts[0]


CONTEXT_LISTED = 8
"""Context items listed by name in the document; the rest are counted (the prompt may hold dozens)."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    """Plain text shown as itself in Markdown: ``Request.__init__`` and ``<module>`` keep their characters."""
    return _MD_SPECIAL.sub(r"\\\1", text)


_FRAME_AT = re.compile(r"^(?P<what>.*) at (?P<path>[^\s:]+):(?P<line>\d+)(?P<rest>.*)$")


def frame_markdown(frame: str, link: Callable[[str, int], str | None]) -> str:
    """One frame line (``Request.__init__ at src/models.py:12``) with its place as a clickable link when ``link``
    gives one for that 0-based line; the rest escaped."""
    m = _FRAME_AT.match(frame)
    target = link(m["path"], int(m["line"]) - 1) if m else None
    if m is None or target is None:
        return md_escape(frame)
    return f"{md_escape(m['what'])} at {target}{md_escape(m['rest'])}"


def _frame_lines(resolved: Resolution) -> tuple[str, ...]:
    out: list[str] = []
    for node in reversed(resolved.primary.chain()):
        for run in reversed(node.runs):
            out.append(run.describe())
    return tuple(out[-MAX_FRAMES_IN_PROMPT:])


def _section(answer: str, name: str) -> str | None:
    lines = answer.splitlines()
    for i, line in enumerate(lines):
        if line.strip().lstrip("#").strip().lower() == name.lower():
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.startswith("#"):
                    break
                body.append(nxt)
            return "\n".join(body).strip() or None
    return None
