"""``splice mcp``: the Model Context Protocol front end, built on the official SDK's ``MCPServer``.

Each tool parses its arguments (the SDK validates them against the JSON schema its signature produces), calls a
feature, and turns the result into compact text (``render.py``); every result passes through the session's secret
redactor. Failures an agent can act on (a name that matches nothing, a path outside the workspace, an edit the
edit layer refuses) come back as tool errors with the reason, never as a crash.
"""

# No `from __future__ import annotations`: the SDK reads the tools' signatures with get_type_hints, and the
# approval resolver named in `Resolve(...)` is local to `build`, so annotations must be evaluated where written.
import json
import logging
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, MCPServer, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from splice import __version__
from splice.context.model import ContextRequest, PositionTarget, SymbolTarget, Target, TextTarget
from splice.edits.errors import EditRefused
from splice.edits.store import ProposalStore
from splice.features import handoff
from splice.features.explain.model import ParseError
from splice.features.migrate.service import Migrator
from splice.features.migrate.store import MigrationError
from splice.features.navigate import Navigator, NotFound
from splice.features.trace_view import view_trace
from splice.index.model import Symbol
from splice.llm import usage
from splice.mcp import render
from splice.mcp.session import SpliceSession

log = logging.getLogger(__name__)
T = TypeVar("T")

INSTRUCTIONS = """Splice serves this workspace's symbol graph. Prefer `context` over grep and whole-file reads: it
returns the definitions a place or symbol needs, ranked, within a token budget, each with the reason it is there.
Lines are 1-based. Edits: `propose_edit` validates an edit and returns its diff; nothing is written until the user
approves it (in the editor's review, or through `apply_proposal`, which asks the user)."""

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
MAX_DIFF_IN_PROMPT = 20_000

File = Annotated[str | None, Field(description="file path, workspace-relative or absolute", max_length=1000)]
Line = Annotated[int | None, Field(description="1-based line number", ge=1, le=10_000_000)]
Column = Annotated[int | None, Field(description="1-based column (UTF-8 bytes); optional", ge=1, le=100_000)]
SymbolName = Annotated[
    str | None,
    Field(
        description="a symbol: its id ('pkg/mod.py::Class.method', as other tools print), a qualified name "
        "('Class.method') or a bare name",
        max_length=500,
    ),
]
Limit = Annotated[int, Field(description="most results to list", ge=1, le=500)]
Shown = Callable[[Navigator, Symbol], str]


class Approval(BaseModel):
    """What the user answers when asked to approve a proposal's diff."""

    apply: bool = Field(description="Write exactly this change to the files")
    confirm_warnings: bool = Field(
        default=False, description="Also confirm the warnings listed (protected files, invisible characters)"
    )


class Unasked(BaseModel):
    """Approval was not asked for: the reason (the client cannot ask its user) or headless mode."""

    reason: str


def build(session: SpliceSession) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer(
        "splice", title="Splice", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    ws = session.ws

    def reply(text: str) -> str:
        """Every tool result: the index note when it is incomplete, then the text with secrets masked."""
        note = session.index.note()
        return session.redact(f"{note}\n{text}" if note else text)

    def guarded(fn: Callable[[Navigator], str]) -> str:
        session.refresh()
        nav = session.navigator()
        try:
            with ws.graph.lock:
                return reply(fn(nav))
        except NotFound as exc:
            raise ToolError(reply(str(exc))) from None

    def pick(nav: Navigator, symbol: str | None, file: str | None, line: int | None, column: int | None) -> Symbol:
        if symbol:
            return nav.resolve(symbol)
        if file and line:
            return nav.at(file, line - 1, column - 1 if column else None)
        raise NotFound("give `symbol`, or `file` and `line`")

    @server.tool(annotations=READ_ONLY)
    def context(
        file: File = None,
        line: Line = None,
        column: Column = None,
        symbol: SymbolName = None,
        task: Annotated[
            str | None, Field(description="what you are about to do, in words (sharpens the ranking)", max_length=4000)
        ] = None,
        budget: Annotated[int, Field(description="token budget for all items together", ge=100, le=32_000)] = 2000,
        text: Annotated[
            str | None,
            Field(description="the file's current text, if you changed it and have not saved it", max_length=2_000_000),
        ] = None,
    ) -> str:
        """The code a place or symbol needs from elsewhere in the workspace, ranked and cut to a token budget: what
        it calls and uses, its callers, bases, module constants, outlines of modules it picks names from — each item
        with the reason it is included. Give `file`+`line` (a place; the code there is not repeated), or `symbol`
        (its own definition comes first), or only `task` (free text). Cheaper and more precise than grep plus
        whole-file reads."""
        session.refresh()
        target: Target
        if file and line:
            target = PositionTarget(file, line - 1, (column or 1) - 1, text=text, instruction=task or "")
            title = f"context for {file}:{line}"
        elif symbol:
            try:
                with ws.graph.lock:
                    sym = session.navigator().resolve(symbol)
            except NotFound as exc:
                raise ToolError(reply(str(exc))) from None
            target, title = SymbolTarget(sym.id), f"context for {sym.id}"
        elif task:
            target, title = TextTarget(task), "context for the task"
        else:
            raise ToolError("give `file` and `line`, or `symbol`, or `task`")
        # the place itself is not repeated: the agent has that code (and `definition` shows it)
        result = ws.context_engine().assemble(
            ContextRequest(target, budget=budget, include_target=not isinstance(target, PositionTarget))
        )
        if result.error:
            raise ToolError(reply(result.error))
        return reply(render.context(result, title))

    @server.tool(annotations=READ_ONLY)
    def search_symbols(
        query: Annotated[
            str,
            Field(
                description="name or part of a name (fuzzy: 'UsrSvc' finds UserService)", min_length=1, max_length=200
            ),
        ],
        limit: Limit = 30,
    ) -> str:
        """Find definitions (functions, classes, methods, constants …) by name across the workspace. Each line:
        symbol id, kind, file:line, signature. Use the id with the other tools."""
        return guarded(lambda nav: render.symbols(nav.search(query, limit), query))

    @server.tool(annotations=READ_ONLY)
    def definition(
        symbol: SymbolName = None,
        file: File = None,
        line: Line = None,
        column: Column = None,
        max_lines: Annotated[int, Field(description="most source lines to show", ge=1, le=2000)] = 80,
    ) -> str:
        """Where a symbol is defined, with its signature, docstring and source. Give `symbol`, or `file`+`line`
        (+`column` to follow the name under it to its definition)."""

        return about((symbol, file, line, column), lambda nav, s: render.definition(s, *nav.source(s, max_lines)))

    def about(where: tuple[str | None, str | None, int | None, int | None], show: Shown) -> str:
        """A tool about one symbol: resolve it (by name or place), then render what ``show`` says about it."""
        return guarded(lambda nav: show(nav, pick(nav, *where)))

    @server.tool(annotations=READ_ONLY)
    def references(
        symbol: SymbolName = None, file: File = None, line: Line = None, column: Column = None, limit: Limit = 50
    ) -> str:
        """Every place the index links to a symbol (calls, references, imports, subclassing): file:line, the
        enclosing definition and the source line. Give `symbol`, or `file`+`line`(+`column`)."""
        return about((symbol, file, line, column), lambda nav, s: render.uses(s, nav.uses(s), limit, "references"))

    @server.tool(annotations=READ_ONLY)
    def callers(
        symbol: SymbolName = None, file: File = None, line: Line = None, column: Column = None, limit: Limit = 30
    ) -> str:
        """Who calls a function or method: each calling definition with its call lines."""
        return about((symbol, file, line, column), lambda nav, s: render.callers(s, nav.callers(s), limit))

    @server.tool(annotations=READ_ONLY)
    def callees(
        symbol: SymbolName = None, file: File = None, line: Line = None, column: Column = None, limit: Limit = 50
    ) -> str:
        """What a function or method calls (resolved workspace symbols), in order of first call."""
        return about((symbol, file, line, column), lambda nav, s: render.callees(s, nav.callees(s), limit))

    @server.tool(annotations=READ_ONLY)
    def outline(
        file: Annotated[str, Field(description="file path, workspace-relative or absolute", max_length=1000)],
        limit: Limit = 200,
    ) -> str:
        """A module's definitions in source order, nested by class: line, kind, signature, first docstring words.
        Much cheaper than reading the file."""
        return guarded(lambda nav: render.outline(*nav.outline(file), limit))

    @server.tool(annotations=READ_ONLY)
    def explain_trace(
        trace: Annotated[
            str,
            Field(description="the stack trace as printed (Python, pytest, JS/TS, Go, Rust, Java)", max_length=200_000),
        ],
        max_chars: Annotated[int, Field(description="most characters to return", ge=500, le=100_000)] = 12_000,
    ) -> str:
        """Map a stack trace onto this workspace: each frame resolved to its file, line and enclosing symbol, with
        the code around every workspace frame (the failing line marked '>'), library frames folded, the cause
        chain followed. No model is called; reason over it yourself."""
        session.refresh()
        with ws.graph.lock:
            view = view_trace(ws, trace)
        if isinstance(view, ParseError):
            raise ToolError(reply(view.message))
        return reply(render.trace(view, max_chars))

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False))
    def propose_edit(
        answer: Annotated[
            str,
            Field(
                description="the edit, as a model writes one: SEARCH/REPLACE blocks under a path line, a unified "
                "diff, a whole new definition in one fenced block (with `symbol`), or a path line plus a whole file",
                max_length=500_000,
            ),
        ],
        target_file: Annotated[
            str | None, Field(description="file that path-less blocks apply to", max_length=1000)
        ] = None,
        symbol: Annotated[
            str | None, Field(description="qualified name a whole-definition block replaces", max_length=500)
        ] = None,
    ) -> str:
        """Turn an edit into a Splice proposal: validated exactly like `splice edit --answer` (every block must
        place unambiguously, paths stay in the workspace, the result must parse) and returned as a unified diff
        with a proposal id — or refused with the reason. Nothing is written: the user approves it in the editor's
        review (when Splice runs there) or when you call `apply_proposal`."""
        excluded = session.navigator().paths.excluded
        try:
            handed = handoff.propose_for_review(
                ws.root, session.restore(answer), target=target_file, symbol=symbol, is_excluded=excluded
            )
        except EditRefused as exc:
            raise ToolError(reply(f"refused: {exc}")) from None
        where = (
            "sent to the review in the user's editor (a Splice language server runs for this workspace); nothing "
            "is written until the user approves there — `proposal_status` tells the outcome"
            if handed.to_editor
            else "pending; call `apply_proposal` to ask the user to approve this diff"
        )
        return reply(render.proposal(handed.proposal, handed.proposal.diff(), where))

    async def ask_user(proposal_id: str, ctx: Context[Any, Any]) -> Elicit[Approval] | Approval | Unasked:
        proposal = ProposalStore.for_workspace(ws.root).get(proposal_id)
        if proposal is None or proposal.status.value != "pending":
            return Unasked(reason="not pending")  # the tool body says why
        if session.headless_apply:
            return Approval(apply=True, confirm_warnings=False)
        caps = ctx.client_capabilities
        if caps is None or caps.elicitation is None:
            return Unasked(reason="this MCP client cannot ask its user (no elicitation support)")
        diff = proposal.diff()
        shown = diff if len(diff) <= MAX_DIFF_IN_PROMPT else diff[:MAX_DIFF_IN_PROMPT] + "\n… (diff cut here)"
        warnings = [f.message for f in proposal.needs_confirmation()]
        message = "\n".join(
            [f"An agent asks to apply Splice proposal {proposal.id}: {proposal.title}", ""]
            + [f"WARNING: {w}" for w in warnings]
            + ([f"Full diff: {ProposalStore.for_workspace(ws.root).diff_path(proposal.id)}"] if shown != diff else [])
            + ["", session.redact(shown)]
        )
        return Elicit(message, Approval)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False))
    def apply_proposal(
        proposal_id: Annotated[str, Field(description="the id `propose_edit` returned", min_length=1, max_length=64)],
        approval: Annotated[ElicitationResult[Approval], Resolve(ask_user)],
    ) -> str:
        """Ask the user to approve a pending proposal: the client shows them its diff, and only their "apply"
        writes the files (exactly the diff shown; a file changed meanwhile is rebased or the apply is refused).
        Needs a client that supports elicitation; otherwise the user reviews it in the editor."""
        store = ProposalStore.for_workspace(ws.root)
        try:
            proposal = store.require(proposal_id)
        except EditRefused as exc:
            raise ToolError(str(exc)) from None
        if proposal.status.value != "pending":
            raise ToolError(f"proposal {proposal_id} is {proposal.status.value}; only pending proposals can be applied")
        if not isinstance(approval, AcceptedElicitation):
            return reply(f"not applied: the user chose to {approval.action}; proposal {proposal_id} stays pending")
        data = approval.data
        if isinstance(data, Unasked):
            raise ToolError(
                f"not applied: {data.reason}. The proposal stays pending in .splice/proposals/{proposal_id}.diff; "
                "the user can review it in the editor (Splice language server) or apply it from a client that "
                "supports elicitation"
            )
        if not isinstance(data, Approval) or not data.apply:
            return reply(f"not applied: the user did not approve; proposal {proposal_id} stays pending")
        if proposal.needs_confirmation() and not data.confirm_warnings:
            raise ToolError(
                "not applied: the proposal carries warnings the user did not confirm: "
                + "; ".join(f.message for f in proposal.needs_confirmation())
            )
        try:
            applied = handoff.apply_reviewed(
                ws.root, proposal, digest=proposal.digest(), confirm_flags=data.confirm_warnings
            )
        except EditRefused as exc:
            raise ToolError(reply(f"refused: {exc}")) from None
        text = f"applied proposal {applied.proposal_id}: {applied.files} file(s) changed"
        return reply(text + (f"\nwarning: {applied.warning}" if applied.warning else ""))

    @server.tool(annotations=READ_ONLY)
    def proposal_status(
        proposal_id: Annotated[str, Field(description="the id `propose_edit` returned", min_length=1, max_length=64)],
    ) -> str:
        """Whether a proposal is still pending, was applied (and which files) or was rejected by the user."""
        try:
            proposal = ProposalStore.for_workspace(ws.root).require(proposal_id)
        except EditRefused as exc:
            raise ToolError(str(exc)) from None
        files = ", ".join(a.new_path or a.path for a in proposal.applied)
        return reply(f"proposal {proposal.id}: {proposal.status.value}" + (f" ({files})" if files else ""))

    @server.tool(annotations=READ_ONLY)
    def migration_status(
        migration_id: Annotated[
            str | None, Field(description="a migration id (default: the one active migration)", max_length=200)
        ] = None,
        limit: Limit = 100,
    ) -> str:
        """The state of a migration plan (`splice migrate`): its target, every step with its status, the next step,
        and the sites that still use the old API (re-scanned now: file:line:col, what, and whether a rule or the
        model migrates it)."""
        migrator = Migrator(ws)
        try:
            m, _ = migrator.open(migration_id)
        except MigrationError as exc:
            raise ToolError(reply(str(exc))) from None
        excluded = session.navigator().paths.excluded
        sites = [s for s in migrator.sites(m) if not excluded(s.path)]
        return reply(render.migration(m, sites, limit))

    @server.resource("splice://index/status", name="index status", mime_type="application/json")
    def index_status() -> str:
        """Whether the index is ready, its progress, and what it holds."""
        state = session.index
        with ws.graph.lock:
            stats = ws.graph.stats()
        return json.dumps(
            {"state": state.state, "done": state.done, "total": state.total, "message": state.message, **stats}
        )

    @server.resource("splice://usage", name="usage and cost", mime_type="application/json")
    def usage_report() -> str:
        """Model requests, tokens and dollars Splice spent for this workspace, by day, feature and model."""
        return json.dumps(usage.report(ws.root))

    return server
