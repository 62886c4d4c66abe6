"""Migrate end to end, free of any front end: assess → plan → one step at a time as a Proposal → after it is
applied, the completion check (files parse, the step's sites gone by a re-scan) → the ledger; and ``abort``.

Nothing here writes a user file. ``prepare`` leaves a proposal in ``.splice/proposals/`` and the step ``proposed``;
the front end shows it and applies it through the edit layer, calling ``mark_applying`` before it writes and
``complete`` after. A restart finds the step ``proposed`` or ``applying`` and ``reconcile`` decides from the files'
hashes which side of the write they are on, so ``resume`` continues exactly where the run stopped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from splice.context.model import ContextItem, ContextRequest, PositionTarget
from splice.edits.build import Draft, build_proposal
from splice.edits.errors import EditRefused
from splice.edits.paths import Workspace
from splice.edits.proposal import AppliedFile, ChangeKind, Cost, Proposal, Status
from splice.edits.propose import disk_reader, propose
from splice.edits.review import Reader
from splice.edits.store import ProposalStore
from splice.edits.text import sha256_text
from splice.edits.validate import new_parse_errors
from splice.features.migrate.checks import added_lines, touches_rule_lines, weakened_tests
from splice.features.migrate.model import Migration, Scope, Site, Step
from splice.features.migrate.plan import build_steps
from splice.features.migrate.rules import (
    Match,
    Rule,
    RuleError,
    apply_matches,
    packs_for_target,
    parse_pack,
    rules_for,
    run_rule,
    shipped_packs,
)
from splice.features.migrate.sites import Assessment, assess, scan_file
from splice.features.migrate.store import MigrationError, MigrationStore, new_id, now
from splice.features.session import Session, SessionError
from splice.features.workspace import SpliceWorkspace
from splice.index.languages import language_for_path
from splice.llm import prompts
from splice.llm.errors import LLMError
from splice.llm.model import Progress, Request

_SPLIT = re.compile(r"\s+(?:to|->|→|=>)\s+", re.I)


class _Unplaced(EditRefused):
    """A model answer that did not become a proposal; ``step`` carries what the call cost."""

    def __init__(self, message: str, step: Step) -> None:
        super().__init__(message)
        self.step = step


class NothingToMigrate(MigrationError):
    """No site matched: the message says what was searched."""


@dataclass(frozen=True, slots=True)
class Estimate:
    model_steps: int
    prompt_tokens: int
    dollars: float
    priced: bool
    model: str | None
    budget: str
    """The budget check in words."""
    over_budget: bool = False


@dataclass(frozen=True, slots=True)
class Planned:
    migration: Migration
    assessment: Assessment
    estimate: Estimate


@dataclass(frozen=True, slots=True)
class Prepared:
    migration: Migration
    step: Step
    proposal: Proposal | None
    note: str
    """Why there is no proposal (the step stays pending), or what the proposal needs (test changes)."""
    test_changes: tuple[str, ...] = ()


def old_api_from_target(target: str, imported: set[str]) -> tuple[str, ...]:
    """``requests to httpx`` → ``requests`` when the workspace imports it; a module named on both sides (``pydantic
    v1 to v2``) is not old API as a whole — its rules say which names are."""
    parts = _SPLIT.split(target, maxsplit=1)
    if len(parts) != 2:
        return ()
    before, after = ({w.lower() for w in re.findall(r"[A-Za-z_][\w.\-/@]*", p)} for p in parts)
    return tuple(sorted(w for w in before if w in imported and w not in after))


class Migrator:
    def __init__(
        self,
        ws: SpliceWorkspace,
        *,
        read_file: Callable[[str], bytes | None] | None = None,
        reader: Reader = disk_reader,
        trusted: bool = False,
    ) -> None:
        self.ws = ws
        self.trusted = trusted
        """Whether the workspace's configured commands (verify, command steps) may run in the sandbox."""
        self.read_file = read_file
        self.reader = reader
        self.store = MigrationStore(ws.root)
        self._texts: dict[str, str | None] = {}
        """Texts known to be the files' current state (what the editor just applied), read before buffers."""
        self.proposals = ProposalStore.for_workspace(ws.root)

    # -- reading -----------------------------------------------------------------------------------------------

    def read(self, rel: str) -> str | None:
        if rel in self._texts:
            return self._texts[rel]
        if self.read_file is not None:
            data = self.read_file(rel)
            if data is not None:
                return data.decode("utf-8", errors="replace")
        state = self.reader(str(self.ws.root), rel)
        return state.text

    def _imported_modules(self) -> set[str]:
        names: set[str] = set()
        with self.ws.graph.lock:
            for fx in self.ws.graph.extracts.values():
                for imp in fx.imports:
                    if not imp.level and imp.module:
                        names.add(imp.module.split(".")[0].split("/")[0].lower())
                        names.add(imp.module.lower())
        return names

    # -- rules -------------------------------------------------------------------------------------------------

    def resolve_packs(self, names: Sequence[str]) -> list[tuple[str, str]]:
        """(name, YAML text) of each pack: a shipped pack's name or a file path."""
        shipped = shipped_packs()
        out = []
        for name in names:
            path = Path(name)
            if not path.is_absolute() and not path.exists():
                path = self.ws.root / name
            if not path.exists() and name in shipped:
                path = shipped[name]
            try:
                out.append((str(name), path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                known = ", ".join(shipped) or "none"
                raise MigrationError(f"cannot read rule pack {name!r} ({exc}); shipped packs: {known}") from exc
        return out

    @staticmethod
    def parse_rules(packs: Sequence[tuple[str, str]]) -> list[Rule]:
        rules: list[Rule] = []
        for name, text in packs:
            try:
                rules.extend(parse_pack(text, name))
            except RuleError as exc:
                raise MigrationError(str(exc)) from exc
        ids = [r.id for r in rules]
        dup = next((i for i in ids if ids.count(i) > 1), None)
        if dup:
            raise MigrationError(f"rule id {dup!r} appears in more than one pack; rename one")
        return rules

    def rules(self, m: Migration) -> list[Rule]:
        folder = self.store.path(m.id)
        packs = []
        for rel in m.rule_files:
            try:
                packs.append((f"{m.id}/{rel}", (folder / rel).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise MigrationError(f"migration {m.id}: its rule pack {rel} is missing or unreadable ({exc})") from exc
        return self.parse_rules(packs)

    # -- assessing and planning --------------------------------------------------------------------------------

    def assess(self, target: str, scope: Scope, rules: Sequence[Rule], old: Sequence[str] = ()) -> Assessment:
        old_api = tuple(
            dict.fromkeys(
                [*old, *(a for r in rules for a in r.old_api), *old_api_from_target(target, self._imported_modules())]
            )
        )
        return assess(self.ws.graph, rules, old_api, scope, self.read)

    def plan(
        self, target: str, scope: Scope, packs: Sequence[tuple[str, str]] = (), old: Sequence[str] = ()
    ) -> Planned:
        if not target.strip():
            raise MigrationError("say what to migrate to (--to TEXT), e.g. 'requests to httpx'")
        if scope.path and not (self.ws.root / scope.path).exists():
            raise MigrationError(f"the scope {scope.path} does not exist in {self.ws.root}")
        if not packs:  # a target a shipped pack names (``unittest to pytest``) gets that pack's rules
            packs = self.resolve_packs(packs_for_target(target))
        rules = self.parse_rules(packs)
        found = self.assess(target, scope, rules, old)
        if not found.sites:
            parts = _SPLIT.split(target, maxsplit=1)
            named = re.findall(r"[A-Za-z_][\w.\-]*", parts[0]) if len(parts) == 2 else []
            unimported = named and not rules and not old and not self._target_old_api(target)
            absent = f"; the workspace imports none of: {', '.join(named)}" if unimported else ""
            raise NothingToMigrate(
                f"nothing to migrate: searched {found.searched}; no site matched{absent}"
                + ("" if rules or old else ". Name the old API (--old NAME) or give rules")
            )
        other = self.store.conflict(set(found.files()))
        if other is not None:
            raise MigrationError(
                f"migration {other.id} is already working on some of these files "
                f"({', '.join(sorted(set(found.files()) & set(other.migration.files if other.migration else ()))[:3])}"
                "); "
                f"finish or abort it first (splice migrate abort {other.id})"
            )
        steps = build_steps(found.sites, rules, self.ws.graph, target, self.ws.settings.verify_command)
        mid = new_id(target)
        old_api = tuple(dict.fromkeys([*old, *(a for r in rules for a in r.old_api)]))
        m = Migration(
            id=mid,
            target=target,
            scope=scope,
            old_api=old_api or self._target_old_api(target),
            rule_files=(),
            steps=tuple(steps),
            created=now(),
            files=found.files(),
            sites_total=len(found.sites),
            tools=(self.ws.settings.verify_command,) if self.ws.settings.verify_command else (),
        )
        m = replace(m, rule_files=self.store.save_rules(mid, list(packs)))
        self.store.save(m, residue=len(found.residue()))
        session = Session(f"Migrate to {target}", id=mid)
        session.plan([(s.title, s.instruction) for s in steps])
        session.save(self.ws.root)
        return Planned(m, found, self.estimate(m, found))

    def _target_old_api(self, target: str) -> tuple[str, ...]:
        return old_api_from_target(target, self._imported_modules())

    def estimate(self, m: Migration, found: Assessment) -> Estimate:
        """Tokens and dollars of the model steps (their prompts as they would be sent now; answers at the
        ``maxTokens`` ceiling), and the budget check — computed, nothing sent."""
        settings = self.ws.settings
        model = settings.model_for("migrate")
        steps = [s for s in m.steps if s.kind == "model"]
        tokens = 0
        dollars = 0.0
        priced = bool(model)
        over: list[str] = []
        for step in steps:
            request = self._request(m, step, [x for x in found.sites if x.path in step.paths], items=())
            if model:
                try:
                    est = self.ws.gateway().estimate(request)
                except LLMError:
                    est = None
                if est is not None:
                    tokens += est.prompt_tokens + settings.context_budget
                    dollars += est.dollars
                    priced = priced and est.priced
                    if settings.budget_per_request is not None and est.dollars > settings.budget_per_request:
                        over.append(f"{step.id} (${est.dollars:.4f})")
                    continue
            tokens += sum((len(msg.content) + 3) // 4 for msg in request.messages) + settings.context_budget
        if not model:
            budget = "no model configured: dollars not estimated (set splice.model or models.migrate)"
        elif not priced:
            budget = f"{model} has no price in litellm's cost map: dollars not estimated"
        else:
            budget = "within budget"
            if over:
                budget = f"over splice.budget.perRequest in {', '.join(over)}: those steps will pause"
            if settings.budget_daily is not None and dollars > settings.budget_daily:
                budget = f"the residue could cost ${dollars:.4f}, over splice.budget.daily ${settings.budget_daily:.4f}"
                over.append("daily")
        return Estimate(len(steps), tokens, dollars, priced, model, budget, bool(over))

    # -- opening -----------------------------------------------------------------------------------------------

    def open(self, mid: str | None = None) -> tuple[Migration, tuple[str, ...]]:
        """A migration by id, or the one active migration when ``mid`` is None."""
        if mid is not None:
            return self.store.load(mid)
        active = [x for x in self.store.list() if x.migration is not None and x.migration.state == "active"]
        if not active:
            raise MigrationError("no active migration; start one with `splice migrate plan --to TEXT`")
        if len(active) > 1:
            raise MigrationError("several active migrations: name one (" + ", ".join(x.id for x in active) + ")")
        return self.store.load(active[0].id)

    def sites(self, m: Migration, paths: Sequence[str] | None = None) -> list[Site]:
        """The sites left now, by a re-scan of the graph and the rules (open buffers first)."""
        rules = self.rules(m)
        wanted = [p for p in (paths if paths is not None else m.files)]
        out: list[Site] = []
        for path in wanted:
            lang = language_for_path(path)
            if lang is None:
                continue
            with self.ws.graph.lock:
                extract = self.ws.graph.extracts.get(path)
            text = self.read(path)
            try:
                found = scan_file(extract, path, lang, text, rules, m.old_api)
            except RuleError:
                continue
            out.extend(s for s in found if m.scope.covers(s.path, s.line))
        return out

    # -- preparing a step --------------------------------------------------------------------------------------

    def save_step(self, m: Migration, step: Step) -> Migration:
        m = m.replace_step(step)
        self.store.save(m)
        return m

    def reconcile(self, m: Migration, step: Step) -> tuple[Migration, Step]:
        """A step left ``proposed`` or ``applying`` by a stopped run: done, re-applicable, or to recompute."""
        if step.status not in ("proposed", "applying"):
            return m, step
        current = {p: self._hash(p) for p in step.after}
        proposal = self.proposals.get(step.proposal or "")
        written = step.after and current == step.after and current != {p: step.seen.get(p) for p in step.after}
        if written or (proposal is not None and proposal.status is Status.APPLIED):
            # written by this run before it stopped, or applied through another route (the editor's inline review)
            return self._finish_applied(m, step, proposal)
        if current == {p: step.seen.get(p) for p in step.after} or not step.after:
            proposal = self.proposals.get(step.proposal or "")
            if proposal is not None and proposal.status is Status.PENDING:
                step = step.with_state(status="proposed")
                return self.save_step(m, step), step
        step = step.with_state(
            status="pending", proposal=None, reason="the files changed since the proposal; recomputed"
        )
        return self.save_step(m, step), step

    def _hash(self, rel: str) -> str | None:
        text = self.read(rel)
        return sha256_text(text) if text is not None else None

    async def prepare(self, m: Migration, step: Step, progress: Callable[[Progress], None] | None = None) -> Prepared:
        """The proposal for ``step`` (reusing a still-valid one), or the reason there is none."""
        m, step = self.reconcile(m, step)
        if step.status == "done":
            return Prepared(m, step, None, "already applied")
        if step.status == "proposed" and step.proposal:
            existing = self.proposals.get(step.proposal)
            if existing is not None and existing.status is Status.PENDING:
                return Prepared(m, step, existing, "", tuple(weakened_tests(existing)))
        try:
            if step.kind == "rule":
                proposal = self._rule_proposal(m, step)
            elif step.kind == "model":
                proposal = await self._model_proposal(m, step, progress)
            elif step.kind in ("create", "delete", "rename"):
                proposal = await self._file_proposal(m, step, progress)
            elif step.kind == "ask":
                if step.answer is None:
                    return Prepared(m, step, None, f"needs your answer: {step.question}")
                step = step.with_state(status="done", verdict="answered")
                return Prepared(self.save_step(m, step), step, None, "answered")
            else:
                return Prepared(m, step, None, "a command step runs, it does not propose")
        except EditRefused as exc:
            step = exc.step if isinstance(exc, _Unplaced) else step
            # the refusal goes back to the model on the next attempt; after verify.maxRounds the step fails
            status = "failed" if step.attempts + 1 >= max(1, self.ws.settings.verify_max_rounds) else "pending"
            step = step.with_state(status=status, attempts=step.attempts + 1, reason=str(exc))
            return Prepared(self.save_step(m, step), step, None, str(exc))
        except LLMError as exc:
            reason = f"paused: {exc.problem.message}" + (f" ({exc.problem.fix})" if exc.problem.fix else "")
            step = step.with_state(reason=reason)
            return Prepared(self.save_step(m, step), step, None, reason)
        self.proposals.put(proposal)
        seen = {c.path: c.base_hash for c in proposal.changes if c.base_hash is not None}
        after = {
            (c.new_path or c.path): (sha256_text(c.new_text) if c.new_text is not None else None)
            for c in proposal.changes
        }
        if any(c.kind is ChangeKind.RENAME for c in proposal.changes):
            after.update({c.path: None for c in proposal.changes if c.kind is ChangeKind.RENAME})
        step = step.with_state(
            status="proposed",
            proposal=proposal.id,
            seen=seen,
            after=after,
            reason="",
            prompt_tokens=step.prompt_tokens + proposal.cost.prompt_tokens,
            completion_tokens=step.completion_tokens + proposal.cost.completion_tokens,
            dollars=step.dollars + proposal.cost.dollars,
        )
        changes = tuple(weakened_tests(proposal))
        return Prepared(self.save_step(m, step), step, proposal, "; ".join(changes), changes)

    def _rule_proposal(self, m: Migration, step: Step) -> Proposal:
        rules = {r.id: r for r in self.rules(m)}
        rule = rules.get(step.rule or "")
        if rule is None:
            raise EditRefused(f"rule {step.rule} is not in the migration's packs")
        drafts = []
        skipped: list[str] = []
        for path in step.paths:
            state = self.reader(str(self.ws.root), path)
            text = self.read(path) if self.read_file is not None else state.text
            lang = language_for_path(path)
            if text is None or lang is None or not rules_for([rule], lang):
                continue
            new_text, unsafe = rewrite(rule, m.scope, path, lang, text)
            skipped.extend(f"{path}:{x.start_line + 1} `{x.text.splitlines()[0][:60]}`" for x in unsafe)
            if new_text != text:
                drafts.append(
                    Draft(
                        ChangeKind.MODIFY,
                        path,
                        text,
                        new_text,
                        base_version=state.version,
                        lang=lang,
                        newline=state.newline,
                        bom=state.bom,
                        root=str(self.ws.root),
                    )
                )
        if not drafts:
            raise EditRefused(f"rule {rule.id} has nothing left to rewrite")
        notes = [f"origin: rule:{rule.id}"]
        if skipped:
            notes.append(
                f"left for a model step ({len(skipped)}): the rewrite would not parse at " + "; ".join(skipped[:5])
            )
        return build_proposal(
            f"Migrate ({m.id} {step.id}): rule {rule.id}",
            drafts,
            rationale=f"rule:{rule.id} — {rule.message}".rstrip(" —"),
            notes=tuple(notes),
        )

    def _memory(self, m: Migration) -> str:
        try:
            session = Session.load(self.ws.root, m.id)
        except SessionError:
            return ""
        parts = []
        if session.summary:
            parts.append(f"Summary of older steps:\n{session.summary}")
        recent = [t for t in session.recent() if t.role == "assistant"]
        if recent:
            parts.append("Recent steps (brief):\n" + "\n".join(f"- {t.content.splitlines()[0][:300]}" for t in recent))
        return "\n\n".join(parts)

    def _request(self, m: Migration, step: Step, sites: Sequence[Site], items: Sequence[ContextItem]) -> Request:
        path = step.paths[0] if step.paths else ""
        text = self.read(path) or ""
        lines = text.split("\n")
        listed = [
            f"line {s.line + 1}: `{lines[s.line].strip() if s.line < len(lines) else ''}` — {s.kind} of {s.name}"
            + (f" (found by rule {s.rule})" if s.rule else "")
            for s in sites[:60]
        ]
        detail = [step.instruction or f"Migrate {path} to {m.target}."]
        if listed:
            detail.append("Sites in this file that still use the old API:\n" + "\n".join(listed))
        if step.reason:
            detail.append(f"The previous attempt did not finish the step: {step.reason}")
        detail.append("Lines written by rule steps are already migrated; leave them as they are.")
        return prompts.request(
            "migrate",
            items,
            project_rules=self.ws.project_rules(path).text,
            edit_format="search_replace",
            path=path,
            target=m.target,
            plan=[f"{s.id} [{s.status}] {s.title}" for s in m.steps],
            step="\n\n".join(detail),
            current=text,
            memory=self._memory(m),
        )

    def _context(self, path: str, site: Site | None, text: str) -> tuple[ContextItem, ...]:
        engine = self.ws.context_engine(read_file=self.read_file)
        line, col = (site.line, site.col) if site is not None else (0, 0)
        request = ContextRequest(
            PositionTarget(path, line, col, text), self.ws.settings.context_budget, include_target=False
        )
        return engine.assemble(request).items

    def _rule_lines(self, m: Migration) -> dict[str, set[str]]:
        applied = []
        for s in m.steps:
            if s.kind == "rule" and s.status == "done" and s.proposal:
                p = self.proposals.get(s.proposal)
                if p is not None:
                    applied.append(p)
        return added_lines(applied)

    async def _model_proposal(self, m: Migration, step: Step, progress: Callable[[Progress], None] | None) -> Proposal:
        path = step.paths[0] if step.paths else ""
        text = self.read(path)
        if text is None:
            raise EditRefused(f"{path} cannot be read")
        sites = [s for s in self.sites(m, [path]) if not s.fixable]
        items = self._context(path, sites[0] if sites else None, text)
        request = self._request(m, step, sites, items)
        completion = await self.ws.gateway().complete(request, progress=progress)
        cost = Cost(completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.cost)
        step_cost = step.with_state(
            prompt_tokens=step.prompt_tokens + cost.prompt_tokens,
            completion_tokens=step.completion_tokens + cost.completion_tokens,
            dollars=step.dollars + cost.dollars,
        )
        try:
            proposal = propose(
                completion.text,
                Workspace.of(self.ws.root),
                reader=self.reader,
                target=path,
                title=f"Migrate ({m.id} {step.id}): {path}",
                context=tuple(i.symbol or i.path for i in items),
                cost=cost,
            )
        except EditRefused as exc:  # the tokens were spent even though the answer did not place
            raise _Unplaced(f"the model's answer did not place: {exc}", step_cost) from exc
        clash = touches_rule_lines(proposal, self._rule_lines(m))
        if clash:
            raise _Unplaced("the model's answer changes lines a rule step wrote: " + "; ".join(clash[:3]), step_cost)
        await self._remember(m, step, proposal)
        return dataclasses.replace(proposal, notes=(*proposal.notes, "origin: model"))

    async def _file_proposal(self, m: Migration, step: Step, progress: Callable[[Progress], None] | None) -> Proposal:
        path = step.paths[0] if step.paths else ""
        state = self.reader(str(self.ws.root), path)
        if step.kind == "delete":
            if state.text is None:
                raise EditRefused(f"{path} does not exist")
            draft = Draft(
                ChangeKind.DELETE, path, state.text, None, lang=language_for_path(path), root=str(self.ws.root)
            )
        elif step.kind == "rename":
            if state.text is None or not step.new_path:
                raise EditRefused(f"{path} does not exist or the step names no destination")
            draft = Draft(
                ChangeKind.RENAME,
                path,
                state.text,
                state.text,
                new_path=step.new_path,
                lang=language_for_path(step.new_path),
                root=str(self.ws.root),
            )
        else:
            if state.text is not None:
                raise EditRefused(f"{path} already exists")
            request = prompts.request(
                "migrate",
                (),
                project_rules=self.ws.project_rules(path).text,
                edit_format="new_file",
                path=path,
                target=m.target,
                plan=[f"{s.id} [{s.status}] {s.title}" for s in m.steps],
                step=step.instruction or f"Create {path} for the migration to {m.target}.",
                current=None,
                memory=self._memory(m),
            )
            completion = await self.ws.gateway().complete(request, progress=progress)
            cost = Cost(completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.cost)
            return propose(
                completion.text,
                Workspace.of(self.ws.root),
                reader=self.reader,
                cost=cost,
                title=f"Migrate ({m.id} {step.id}): create {path}",
            )
        return build_proposal(
            f"Migrate ({m.id} {step.id}): {step.kind} {path}", [draft], notes=(f"origin: {step.kind}",)
        )

    async def _remember(self, m: Migration, step: Step, proposal: Proposal) -> None:
        try:
            session = Session.load(self.ws.root, m.id)
        except SessionError:
            session = Session(f"Migrate to {m.target}", id=m.id)
        signatures = sorted(
            {
                line[1:].strip()
                for c in proposal.changes
                for line in c.diff().splitlines()
                if line.startswith("+") and re.match(r"\+\s*(async\s+def|def|class|function|export)\b", line)
            }
        )
        session.add_turn("user", f"{step.id}: {step.title}")
        brief = f"{step.id} changed {', '.join(c.path for c in proposal.changes)}"
        if signatures:
            brief += "; new signatures: " + "; ".join(signatures[:8])
        session.add_turn("assistant", brief)
        await session.compact()
        session.save(self.ws.root)

    # -- applying and completing -------------------------------------------------------------------------------

    def mark_applying(self, m: Migration, step: Step) -> Migration:
        """Recorded (durably) right before the proposal's files are written."""
        return self.save_step(m, step.with_state(status="applying"))

    def reject(self, m: Migration, step: Step, reason: str = "the proposal was discarded") -> Migration:
        return self.save_step(m, step.with_state(status="pending", proposal=None, reason=reason))

    def complete(
        self, m: Migration, step: Step, texts: Mapping[str, str | None] | None = None
    ) -> tuple[Migration, Step]:
        """After the proposal was written: re-index its files, then done only if they parse and its sites are gone.
        ``texts`` are the files as the editor now holds them (an editor's buffers may not be saved yet); without
        them the files are read from disk. Runs on the index's writer thread in the server."""
        proposal = self.proposals.get(step.proposal or "")
        # kept for this Migrator's later reads too (the server makes one per command): the editor's didChange for
        # these files may arrive after the command has re-scanned and published the sites
        self._texts.update(texts or {})
        for path in step.after:
            text = self._texts.get(path)
            if text is not None:
                self.ws.indexer.update_text(self.ws.abspath(path), text.encode("utf-8"))
            elif self.ws.abspath(path).exists() and path not in self._texts:
                self.ws.indexer.update_from_disk(self.ws.abspath(path))
            else:
                self.ws.indexer.remove(self.ws.abspath(path))
        return self._finish_applied(m, step, proposal)

    def _finish_applied(self, m: Migration, step: Step, proposal: Proposal | None) -> tuple[Migration, Step]:
        if proposal is not None and proposal.status is Status.PENDING:
            # the files were written but the run stopped before the proposal was recorded as applied: record it
            # now (from its own texts), so abort can still invert it
            proposal = dataclasses.replace(
                proposal,
                status=Status.APPLIED,
                applied=tuple(
                    AppliedFile(c.kind, c.path, c.new_path, c.old_text, c.new_text, c.lang, c.newline, c.bom, c.root)
                    for c in proposal.changes
                ),
            )
            self.proposals.put(proposal)
        applied = m.applied if step.proposal in m.applied or step.proposal is None else (*m.applied, step.proposal)
        m = replace(m, applied=applied)
        problems: list[str] = []
        if proposal is not None:
            for c in proposal.changes:
                after = self.read(c.new_path or c.path)
                if after is not None and new_parse_errors(c.lang, c.old_text, after):
                    problems.append(f"{c.new_path or c.path} does not parse")
        left = self._left(m, step)
        if left:
            problems.append(f"{len(left)} site(s) left: " + "; ".join(left[:3]))
        lines = sum(
            len(h.old_text.splitlines()) + len(h.new_text.splitlines())
            for c in (proposal.changes if proposal else ())
            for h in c.hunks
        )
        if problems:
            status = "failed" if step.attempts + 1 >= max(1, self.ws.settings.verify_max_rounds) else "pending"
            step = step.with_state(
                status=status,
                attempts=step.attempts + 1,
                proposal=None,
                reason="; ".join(problems),
                lines_changed=step.lines_changed + lines,
            )
        else:
            step = step.with_state(
                status="done",
                attempts=step.attempts + 1,
                verdict="sites gone",
                reason="",
                lines_changed=step.lines_changed + lines,
            )
        m = m.replace_step(step)
        if m.next_step() is None and all(s.status in ("done", "skipped") for s in m.steps):
            m = replace(m, state="finished")
        self.store.save(m, residue=len(self.sites(m)))
        return m, step

    def _left(self, m: Migration, step: Step) -> list[str]:
        """What the step should have migrated and is still there: for a rule step, rewrites it could still make
        (ones that would not parse belong to the model); for a model step, every site left in its file."""
        paths = [p for p in step.paths if p in step.after]
        if step.kind == "model":
            return [s.label() for s in self.sites(m, paths)]
        rule = next((r for r in self.rules(m) if r.id == step.rule), None)
        left: list[str] = []
        for path in paths if rule is not None else ():
            text, lang = self.read(path), language_for_path(path)
            if text is None or lang is None or rule is None or not rules_for([rule], lang):
                continue
            new_text, _ = rewrite(rule, m.scope, path, lang, text)
            if new_text != text:
                left.append(f"{path}: rule {rule.id} still rewrites it")
        return left

    # -- abort -------------------------------------------------------------------------------------------------

    def abort_proposal(self, m: Migration) -> Proposal | None:
        """The inverse of every applied step as one proposal (None when nothing was applied)."""
        first: dict[str, str | None] = {}
        last: dict[str, str | None] = {}
        meta: dict[str, tuple[str | None, str, bool, str]] = {}
        for pid in m.applied:
            p = self.proposals.get(pid)
            if p is None:
                raise MigrationError(f"the applied proposal {pid} of {m.id} is missing from .splice/proposals")
            for f in p.applied:
                for path, before, after in _sides(f):
                    first.setdefault(path, before)
                    last[path] = after
                    meta[path] = (f.lang, f.newline, f.bom, f.root)
        drafts = []
        for path, before in first.items():
            after = last[path]
            if before == after:
                continue
            lang, newline, bom, root = meta[path]
            if before is None:
                kind = ChangeKind.DELETE
            elif after is None:
                kind = ChangeKind.CREATE
            else:
                kind = ChangeKind.MODIFY
            drafts.append(Draft(kind, path, after, before, lang=lang, newline=newline, bom=bom, root=root))
        if not drafts:
            return None
        proposal = build_proposal(
            f"Abort migration {m.id}: undo {len(m.applied)} applied step(s)",
            drafts,
            rationale=f"Reverts every applied step of migration {m.id}.",
            notes=("origin: abort",),
        )
        self.proposals.put(proposal)
        return proposal

    def aborted(self, m: Migration) -> Migration:
        return self.store.finish(m, "aborted")


def rewrite(rule: Rule, scope: Scope, path: str, lang: str, text: str) -> tuple[str, list[Match]]:
    """``text`` with the rule's fixes in ``scope`` applied, leaving out each rewrite that would not parse (a fix
    template does not add the parentheses an operand may need: ``assert a == not b``); those are returned."""
    matches = [x for x in run_rule(rule, text) if scope.covers(path, x.start_line) and x.replacement is not None]
    new_text, _ = apply_matches(text, matches)
    if not new_parse_errors(lang, text, new_text):
        return new_text, []
    unsafe = [x for x in matches if new_parse_errors(lang, text, apply_matches(text, [x])[0])]
    new_text, _ = apply_matches(text, [x for x in matches if x not in unsafe])
    if new_parse_errors(lang, text, new_text):  # together they still break it: rewrite nothing in this file
        return text, matches
    return new_text, unsafe


def _sides(f: object) -> list[tuple[str, str | None, str | None]]:
    kind = f.kind  # type: ignore[attr-defined]
    if kind is ChangeKind.RENAME:
        return [(f.path, f.before, None), (f.new_path or f.path, None, f.after)]  # type: ignore[attr-defined]
    return [(f.path, f.before, f.after)]  # type: ignore[attr-defined]
