"""Generate end to end: an offer (stub, ``splice:`` instruction, missing symbol, tests, or a free instruction) →
context from the graph → the model's code → a proposal, optionally verified in the sandbox and fed back on failure
(up to ``verify.maxRounds``), with risky lines flagged and an optional second-model review attached.

Nothing here writes a user file: the result is a Proposal that the front end takes through the review flow.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

from splice.context.model import ContextItem, ContextRequest, PositionTarget
from splice.edits.answer import BlockKind, parse_answer
from splice.edits.build import Draft, build_proposal
from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import ChangeKind, Cost, Proposal
from splice.edits.propose import disk_reader, propose
from splice.edits.review import Reader
from splice.features.generate.insertion import insert, insertion_for
from splice.features.generate.instructions import instruction_at
from splice.features.generate.loop import verify_loop
from splice.features.generate.missing import missing_ref_at, missing_symbol
from splice.features.generate.offers import Offer, OfferKind, offers_at, stub_offers
from splice.features.generate.risks import risks_in
from splice.features.generate.risks import summary as risk_summary
from splice.features.generate.sandbox import Sandbox
from splice.features.generate.stubs import stub_at
from splice.features.generate.testplace import placement_for
from splice.features.generate.verify import VerifyResult, verify_with_settings
from splice.features.workspace import SpliceWorkspace
from splice.index.languages import language_for_path
from splice.index.model import Point, Span
from splice.index.occurrences import expand
from splice.llm import prompts
from splice.llm.errors import LLMError
from splice.llm.model import Completion, Message, Progress, Request


@dataclass(frozen=True)
class Task:
    """One generation, decided before any model call."""

    kind: str
    """An OfferKind value, or ``free`` for a palette instruction."""
    path: str
    lang: str
    title: str
    instruction: str
    symbol: str | None
    current: str | None
    callers: tuple[str, ...]
    edit_format: str
    """``symbol`` (replace the definition), ``insert`` (new definition at ``insert_path``), ``search_replace``,
    ``new_file``."""
    items: tuple[ContextItem, ...]
    insert_path: str | None = None
    target_class: str | None = None
    line: int | None = None
    """0-based line inside the definition to replace: tells same-named definitions apart (overloads, properties)."""
    cursor: str | None = None
    """Where the user's cursor or selection is (``line 12``), for an instruction from the palette."""
    cursor_line: int | None = None
    """0-based line of a bare cursor: where a new definition the answer shows on its own goes."""

    def request(self, extra: tuple[Message, ...] = (), rules: str = "") -> Request:
        """``rules``: the repository's rules files that apply here (``SpliceWorkspace.project_rules``)."""
        fmt = "symbol" if self.edit_format == "insert" else self.edit_format
        base = prompts.request(
            "generate",
            self.items,
            project_rules=rules,
            edit_format=fmt,
            instruction=self.instruction,
            path=self.insert_path or self.path,
            symbol=self.symbol,
            current=self.current,
            callers=self.callers,
            cursor=self.cursor,
        )
        return dataclasses.replace(base, messages=base.messages + extra) if extra else base


@dataclass(frozen=True)
class Result:
    proposal: Proposal | None
    note: str
    """Why there is no proposal, or the verify verdict."""
    rounds: int = 0


class Generate:
    def __init__(
        self,
        ws: SpliceWorkspace,
        *,
        read_file: Callable[[str], bytes | None] | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.ws = ws
        self.read_file = read_file
        self.sandbox = sandbox

    def read(self, rel: str) -> bytes | None:
        if self.read_file is not None:
            data = self.read_file(rel)
            if data is not None:
                return data
        try:
            return self.ws.abspath(rel).read_bytes()
        except OSError:
            return None

    # -- offering (cheap, no model) ----------------------------------------------------------------------------

    def offers(self, path: str, start: Point, end: Point | None = None) -> list[Offer]:
        lang = language_for_path(path)
        if lang is None or self.ws.indexer.rules.is_excluded(path):
            return []  # a stub in an ignored file is not offered: its code must never reach a model
        source = self.read(path)
        if source is None:
            return []
        return offers_at(path, lang, source, start, end, graph=self.ws.graph)

    def stub_offers(self, path: str) -> list[Offer]:
        """One offer per stub of the file ("Generate all stubs"), found in linear time."""
        lang = language_for_path(path)
        if lang is None or self.ws.indexer.rules.is_excluded(path):
            return []
        source = self.read(path)
        return stub_offers(path, lang, source) if source is not None else []

    # -- preparing ---------------------------------------------------------------------------------------------

    def task(self, offer: Offer, instruction: str | None = None) -> Task:
        """The generation an offer stands for, its prompt within the context budget."""
        return self._within_budget(self._task(offer, instruction))

    def _within_budget(self, task: Task) -> Task:
        """The budget is for the whole prompt: the instruction, the current code, the callers and the answer format
        come first, and the context items the engine ranked last are dropped until everything fits."""
        count = self.ws.context_engine(read_file=self.read_file).count
        budget = self.ws.settings.context_budget
        items = list(task.items)
        while items:
            trial = dataclasses.replace(task, items=tuple(items))
            excess = sum(count(m.content) for m in trial.request().messages) - budget
            if excess <= 0:
                break
            while items and excess > 0:  # an item's tokens include its heading: one render per round, not per item
                excess -= items.pop().tokens
        return task if len(items) == len(task.items) else dataclasses.replace(task, items=tuple(items))

    def _task(self, offer: Offer, instruction: str | None = None) -> Task:
        lang = language_for_path(offer.path)
        source = self.read(offer.path)
        if lang is None or source is None:
            raise EditRefused(f"cannot read {offer.path}")
        text = source.decode("utf-8", errors="replace")
        at = offer.span.start
        items = self._context(offer.path, at, text)
        if offer.kind is OfferKind.STUB:
            stub = stub_at(offer.path, lang, source, at.line, at.col)
            if stub is None:
                raise EditRefused("the cursor is no longer on a stub")
            return Task(
                "stub",
                offer.path,
                lang,
                offer.title,
                instruction or f"Implement `{stub.qualname}` as its signature and documentation describe.",
                stub.qualname,
                _slice(source, stub.span),
                self._callers(offer.path, stub.qualname),
                "symbol",
                items,
                line=stub.body.start.line,
            )
        if offer.kind is OfferKind.INSTRUCTION:
            inst = instruction_at(offer.path, lang, source, at.line, at.col)
            if inst is None:
                raise EditRefused("the `splice:` comment is gone")
            return Task(
                "instruction",
                offer.path,
                lang,
                offer.title,
                f"{inst.text}\nRemove the `splice:` comment that asked for this.",
                inst.target_name,
                _slice(source, inst.target) + "\n" + _slice(source, inst.span),
                (),
                "search_replace",
                items,
            )
        if offer.kind is OfferKind.MISSING:
            ref = missing_ref_at(self.ws.graph, offer.path, at.line, at.col)
            if ref is None:
                raise EditRefused(f"`{offer.symbol}` is no longer missing")
            missing = missing_symbol(self.ws.graph, ref, self.read)
            where = f"class `{missing.target_class}` in " if missing.target_class else ""
            callers = tuple(f"{c.path}:{c.span.start.line + 1}: {c.line}" for c in missing.call_sites)
            return Task(
                "missing",
                offer.path,
                lang,
                offer.title,
                f"Write the missing {'method' if missing.target_class else 'function'} `{missing.name}` for "
                f"{where}`{missing.target_path}` so every caller below works. Inferred signature: "
                f"`{missing.signature.text}`.",
                missing.name,
                None,
                callers,
                "insert",
                items,
                insert_path=missing.target_path,
                target_class=missing.target_class,
            )
        if offer.kind is OfferKind.TESTS:
            placement = placement_for(offer.path, lang, list(self.ws.graph.files), self.read)
            if placement is None:
                raise EditRefused(f"no test convention known for {lang}")
            examples = ", ".join(placement.examples) or "none yet"
            return Task(
                "tests",
                offer.path,
                lang,
                offer.title,
                f"Write {placement.framework} tests for `{offer.symbol}` (in {offer.path}) covering normal use, edge "
                f"cases and errors. They go in {placement.path}"
                f"{' after the existing tests' if placement.exists else ' (a new file)'}; follow the style of the "
                f"existing tests ({examples}). Reply with only the new test code.",
                offer.symbol,
                _slice(source, offer.span),
                (),
                "insert" if placement.exists else "new_file",
                items,
                insert_path=placement.path,
            )
        raise EditRefused(f"unknown offer kind {offer.kind}")

    def free_task(self, path: str, start: Point, end: Point, instruction: str) -> Task:
        lang = language_for_path(path)
        source = self.read(path)
        if lang is None or source is None or self.ws.indexer.rules.is_excluded(path):
            raise EditRefused(f"{path} cannot be generated into (no grammar, unreadable or excluded)")
        text = source.decode("utf-8", errors="replace")
        sym = self.ws.graph.symbol_at(path, start)
        if sym is not None and start == end:
            current = _slice(source, sym.span)
        elif start == end:
            # A bare cursor outside any definition: the code around it, so SEARCH blocks have text to match.
            current = _lines(text, max(0, start.line - AROUND_CURSOR), start.line + AROUND_CURSOR)
        else:
            current = _lines(text, start.line, end.line)
        where = f"line {start.line + 1}" if start == end else f"lines {start.line + 1}-{end.line + 1} (selected)"
        task = Task(
            "free",
            path,
            lang,
            f"Generate: {instruction[:60]}",
            instruction,
            sym.qualname if sym else None,
            current,
            self._callers(path, sym.qualname) if sym else (),
            "search_replace",
            self._context(path, start, text),
            cursor=where,
            cursor_line=start.line if start == end else None,
        )
        return self._within_budget(task)

    def _context(self, path: str, at: Point, text: str) -> tuple[ContextItem, ...]:
        engine = self.ws.context_engine(read_file=self.read_file)
        # The code being generated goes into the prompt as "current code"; repeating it as a context item wastes budget.
        request = ContextRequest(
            PositionTarget(path, at.line, at.col, text), self.ws.settings.context_budget, include_target=False
        )
        result = engine.assemble(request)
        return result.items

    def _callers(self, path: str, qualname: str) -> tuple[str, ...]:
        lines: list[str] = []
        graph = self.ws.graph
        for edge in expand(graph, graph.incoming(f"{path}::{qualname}"), self.read):
            data = self.read(edge.path)
            if data is None:
                continue
            src = data.decode("utf-8", errors="replace").splitlines()
            if edge.span.start.line < len(src):
                lines.append(f"{edge.path}:{edge.span.start.line + 1}: {src[edge.span.start.line].strip()}")
        return tuple(lines[:12])

    # -- running -----------------------------------------------------------------------------------------------

    async def ask(
        self, task: Task, extra: tuple[Message, ...] = (), progress: Callable[[Progress], None] | None = None
    ) -> Completion:
        rules = self.ws.project_rules(task.path).text
        return await self.ws.gateway().complete(task.request(extra, rules), progress=progress)

    def to_proposal(self, task: Task, completion: Completion, reader: Reader) -> Proposal:
        """The answer as a proposal (EditRefused when it holds no usable, parseable edit)."""
        cost = Cost(completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.cost)
        context = tuple(i.symbol or i.path for i in task.items)
        title = task.title
        cursor_line: int | None = None
        if task.edit_format in ("symbol", "search_replace"):
            try:
                proposal = propose(
                    completion.text,
                    Workspace.of(self.ws.root),
                    reader=reader,
                    target=task.path,
                    symbol=task.symbol if task.edit_format == "symbol" else None,
                    symbol_line=task.line,
                    title=title,
                    context=context,
                    cost=cost,
                )
                if not proposal.verification.parses:  # e.g. a body in another language placed as the body
                    raise EditRefused("the generated code does not parse")
                return proposal
            except EditRefused:
                # An instruction at a bare cursor answered with a plain fenced definition (no SEARCH/REPLACE):
                # a new definition goes in at the cursor; anything else keeps the refusal.
                if task.kind != "free" or task.cursor_line is None or task.edit_format != "search_replace":
                    raise
                cursor_line = task.cursor_line
        target = task.insert_path or task.path
        code = _code_of(completion.text, target, task.symbol)
        current = reader(str(self.ws.root), target)
        if current.text is None:
            draft = Draft(ChangeKind.CREATE, target, None, code.rstrip("\n") + "\n", lang=language_for_path(target))
        else:
            lang = language_for_path(target) or task.lang
            if cursor_line is not None:
                new_text = _insert_at_line(current.text, cursor_line, code)
            else:
                at = insertion_for(lang, current.text.encode("utf-8"), task.target_class)
                new_text = insert(current.text, at, code)
            draft = Draft(
                ChangeKind.MODIFY,
                target,
                current.text,
                new_text,
                base_version=current.version,
                lang=lang,
                newline=current.newline,
                bom=current.bom,
            )
        proposal = build_proposal(
            title, [dataclasses.replace(draft, root=str(self.ws.root))], context=context, cost=cost
        )
        if not proposal.verification.parses:
            raise EditRefused("the generated code does not parse")
        return proposal

    async def run(
        self,
        task: Task,
        *,
        reader: Reader = disk_reader,
        verify: bool = False,
        trusted: bool = True,
        progress: Callable[[Progress], None] | None = None,
        on_round: Callable[[int, VerifyResult], None] | None = None,
    ) -> Result:
        """Model → proposal; with ``verify``, the sandboxed check and up to ``verify.maxRounds`` feedback rounds."""
        settings = self.ws.settings
        if not verify or not settings.verify_command:
            completion = await self.ask(task, progress=progress)
            try:
                proposal = self.to_proposal(task, completion, reader)
            except EditRefused as exc:
                await self.ws.gateway().reject(completion)  # a retry asks the model again
                return Result(None, f"No usable code in the answer: {exc}")
            await self.ws.gateway().keep(completion)
            return Result(await self._finish(task, proposal, None), "not verified")
        loop = asyncio.get_running_loop()
        cancel = threading.Event()
        history: list[Message] = []
        latest: list[Proposal] = []
        answers: list[str] = []

        def propose_round(feedback: str | None) -> dict[str, str | None] | None:
            if feedback is not None and latest:
                history.extend([Message("assistant", answers[-1] or "(previous answer)"), Message("user", feedback)])
            future = asyncio.run_coroutine_threadsafe(self.ask(task, tuple(history), progress), loop)
            completion = future.result()
            gateway = self.ws.gateway()
            try:
                proposal = self.to_proposal(task, completion, reader)
            except EditRefused:
                asyncio.run_coroutine_threadsafe(gateway.reject(completion), loop).result()
                return None
            asyncio.run_coroutine_threadsafe(gateway.keep(completion), loop).result()
            latest.append(proposal)
            answers.append(completion.text)
            return {c.new_path or c.path: c.new_text for c in proposal.changes}

        def check(changes: dict[str, str | None]) -> VerifyResult:
            result = verify_with_settings(
                self.ws.root, changes, settings, trusted=trusted, sandbox=self.sandbox, cancel=cancel
            )
            if on_round is not None:
                loop.call_soon_threadsafe(on_round, len(latest), result)
            return result

        try:
            outcome = await loop.run_in_executor(
                None,
                lambda: verify_loop(propose_round, check, settings.verify_max_rounds, cancel),  # type: ignore[arg-type]
            )
        except asyncio.CancelledError:
            cancel.set()
            raise
        except LLMError:
            raise
        if not latest:
            return Result(None, outcome.verdict)
        proposal = latest[-1]  # its rationale: the model's words around the code
        return Result(await self._finish(task, proposal, outcome.verdict), outcome.verdict, len(outcome.rounds))

    async def _finish(self, task: Task, proposal: Proposal, verdict: str | None) -> Proposal:
        """Attach the verify verdict, risky-line warnings and (optionally) the review agent's findings."""
        notes = list(proposal.notes)
        for change in proposal.changes:
            risks = risks_in(change.new_path or change.path, change.old_text, change.new_text)
            if risks:
                notes.append(f"risky lines: {risk_summary(risks)}")
        checks = proposal.verification.checks + ((f"verify: {verdict}",) if verdict else ())
        if self.ws.settings.review_agent:
            try:
                review = await self.ws.gateway().complete(
                    prompts.request("review", task.items, diff=proposal.diff(), intent=task.instruction)
                )
                await self.ws.gateway().keep(review)
                checks += (f"review agent: {review.text.strip()}",)
            except LLMError as exc:
                checks += (f"review agent unavailable: {exc.problem.message}",)
        verification = dataclasses.replace(proposal.verification, checks=checks)
        return dataclasses.replace(proposal, notes=tuple(notes), verification=verification)


def _slice(source: bytes, span: Span) -> str:
    """The text of ``span`` from the start of its first line when only indentation precedes it there: the prompt
    shows a method's ``def`` line indented like its body, as it is in the file."""
    start = span.start_byte
    line_start = source.rfind(b"\n", 0, start) + 1
    if not source[line_start:start].strip():
        start = line_start
    return source[start : span.end_byte].decode("utf-8", errors="replace")


def _insert_at_line(text: str, line: int, code: str) -> str:
    """``code`` as its own block before ``line`` (0-based), set off by blank lines from what surrounds it."""
    lines = text.splitlines(keepends=True)
    line = min(max(line, 0), len(lines))
    before, after = "".join(lines[:line]), "".join(lines[line:])
    if before and not before.endswith("\n"):
        before += "\n"
    block = code.strip("\n") + "\n"
    if before.strip() and not before.endswith("\n\n"):
        block = "\n" + block
    if after.strip() and not after.startswith("\n"):
        block += "\n"
    return before + block + after


AROUND_CURSOR = 30
"""Lines either side of a bare cursor shown as the current code of a free instruction."""


def _lines(text: str, first: int, last: int) -> str:
    return "\n".join(text.splitlines()[first : last + 1])


def _code_of(answer: str, target: str, symbol: str | None) -> str:
    for block in parse_answer(answer, target=target, symbol=symbol).blocks:
        if block.kind in (BlockKind.SYMBOL, BlockKind.WHOLE_FILE) and block.code.strip():
            return block.code
    raise EditRefused("the answer holds no code block")
