"""The plan: ordered, typed steps built from an assessment (rules first, then the residue file by file, definitions
before their users), and ``plan.md``, the readable document the user may edit — rendered from the ledger and read
back (reorder, skip, un-skip, add) before every run."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from splice.features.migrate.model import STEP_KINDS, Migration, Site, Step
from splice.features.migrate.rules import Rule
from splice.index.graph import Graph
from splice.index.model import EdgeKind

_MARK = {"pending": " ", "done": "x", "skipped": "-", "failed": "!", "proposed": "~", "applying": "~"}
_LINE = re.compile(r"^\s*[-*]\s*\[(?P<mark>.)\]\s*(?:(?P<id>s\d+)\s+)?(?P<kind>[a-z]+)\b:?\s*(?P<rest>.*)$")
HELP = (
    "Edit the steps below: reorder the lines, mark a step `[-]` to skip it (or `[ ]` to take it back), delete a "
    "pending line to skip it, or add a line such as `- [ ] model: path/to/file.py — what to change`, "
    "`- [ ] command: pytest -q`, `- [ ] ask: a question for you`, `- [ ] delete: path`, "
    "`- [ ] rename: old/path.py -> new/path.py`. Splice re-reads this file before every step; state lives in "
    "ledger.json."
)


def file_order(graph: Graph, paths: Sequence[str]) -> list[str]:
    """``paths`` with each file after the files it imports (definitions first); cycles keep path order."""
    wanted = set(paths)
    needs: dict[str, set[str]] = defaultdict(set)
    with graph.lock:
        for path in paths:
            for edge in graph.edges_in_file(path):
                if edge.kind is EdgeKind.IMPORTS and edge.dst is not None:
                    dep = edge.dst.split("::", 1)[0]
                    if dep in wanted and dep != path:
                        needs[path].add(dep)
    order: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def visit(p: str) -> None:
        if p in placed or p in visiting:
            return
        visiting.add(p)
        for dep in sorted(needs[p]):
            visit(dep)
        visiting.discard(p)
        placed.add(p)
        order.append(p)

    for p in sorted(paths):
        visit(p)
    return order


def build_steps(
    sites: Sequence[Site], rules: Sequence[Rule], graph: Graph, target: str, verify_command: str | None
) -> list[Step]:
    steps: list[Step] = []
    rule_steps: dict[str, Step] = {}
    by_rule: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for s in sites:
        if s.fixable and s.rule:
            by_rule[s.rule].add(s.path)
            counts[s.rule] += 1
    for rule in rules:
        if rule.id not in by_rule:
            continue
        files = tuple(sorted(by_rule[rule.id]))
        step = Step(
            f"s{len(steps) + 1}",
            "rule",
            f"rule {rule.id}: {counts[rule.id]} site(s) in {len(files)} file(s)"
            + (f" — {rule.message}" if rule.message else ""),
            paths=files,
            rule=rule.id,
        )
        rule_steps[rule.id] = step
        steps.append(step)
    residue: dict[str, list[Site]] = defaultdict(list)
    for s in sites:
        if not s.fixable:
            residue[s.path].append(s)
    model_ids: dict[str, str] = {}
    ordered = file_order(graph, list(residue))
    for i, path in enumerate(ordered):
        found = residue[path]
        names = ", ".join(sorted({s.name.rsplit(".", 1)[-1] for s in found})[:6])
        before = tuple(st.id for st in rule_steps.values() if path in st.paths)
        imported = tuple(model_ids[d] for d in ordered[:i] if _imports(graph, path, d))
        step = Step(
            f"s{len(steps) + 1}",
            "model",
            f"model {path}: {len(found)} site(s) ({names})",
            paths=(path,),
            instruction=f"Migrate {path} to {target}. Sites found when the plan was made:\n"
            + "\n".join(f"- line {x.line + 1}: {x.kind} {x.name}" for x in found[:40]),
            depends=before + imported,
        )
        model_ids[path] = step.id
        steps.append(step)
    if verify_command and steps:
        steps.append(Step(f"s{len(steps) + 1}", "command", f"command: {verify_command}", command=verify_command))
    return steps


def _imports(graph: Graph, path: str, dep: str) -> bool:
    with graph.lock:
        return any(
            e.kind is EdgeKind.IMPORTS and e.dst is not None and e.dst.split("::", 1)[0] == dep
            for e in graph.edges_in_file(path)
        )


def render(m: Migration, *, residue: int | None = None) -> str:
    lines = [f"# Migration {m.id}: {m.target}", ""]
    lines.append(f"Scope: {m.scope.describe()}. Sites found: {m.sites_total}.")
    if m.old_api:
        lines.append(f"Old API: {', '.join(m.old_api)}.")
    if m.tools:
        lines.append("Tools this plan runs (`splice doctor` tries each): " + "; ".join(f"`{t}`" for t in m.tools))
    if residue is not None:
        lines.append(f"Sites left: {residue}.")
    lines += ["", f"<!-- {HELP} -->", "", "## Steps", ""]
    for s in m.steps:
        extra = ""
        if s.verdict:
            extra += f" [{s.verdict}]"
        if s.reason and s.status in ("pending", "failed"):
            extra += f" (why: {s.reason.splitlines()[0][:160]})"
        if s.answer is not None:
            extra += f" (answer: {s.answer})"
        lines.append(f"- [{_MARK[s.status]}] {s.id} {s.kind}: {_describe(s)}{extra}")
    return "\n".join(lines) + "\n"


def _describe(s: Step) -> str:
    if s.kind == "rule":
        return s.title.removeprefix("rule ")
    if s.kind == "model":
        return s.title.removeprefix("model ")
    if s.kind == "command":
        return s.command or ""
    if s.kind == "ask":
        return s.question or ""
    if s.kind == "rename":
        return f"{s.paths[0] if s.paths else ''} -> {s.new_path or ''}"
    return s.title.split(": ", 1)[-1] if ": " in s.title else s.title


@dataclass(frozen=True, slots=True)
class Reread:
    migration: Migration
    warnings: tuple[str, ...]
    changed: bool


def reread(m: Migration, text: str) -> Reread:
    """Merge the user's ``plan.md`` into the ledger: order, skips and added steps follow the document."""
    try:
        body = text.split("## Steps", 1)[1]
    except IndexError:
        return Reread(m, ("plan.md has no '## Steps' section; the plan was left as it is",), False)
    warnings: list[str] = []
    order: list[Step] = []
    seen: set[str] = set()
    next_n = max((int(s.id[1:]) for s in m.steps if s.id[1:].isdigit()), default=0) + 1
    for number, line in enumerate(body.splitlines(), 1):
        if not line.strip() or line.strip().startswith("<!--"):
            continue
        match = _LINE.match(line)
        if match is None:
            warnings.append(f"plan.md: step line {number} is not a step (`- [ ] kind: …`); ignored: {line.strip()}")
            continue
        mark, sid, kind, rest = match["mark"], match["id"], match["kind"], match["rest"].strip()
        if sid is not None:
            step = m.step(sid)
            if step is None:
                warnings.append(f"plan.md: no step {sid} in the ledger; ignored")
                continue
            if sid in seen:
                continue
            seen.add(sid)
            if mark == "-" and step.status == "pending":
                step = step.with_state(status="skipped", reason="skipped in plan.md")
            elif mark == " " and step.status == "skipped":
                step = step.with_state(status="pending", reason="")
            order.append(step)
            continue
        if kind not in STEP_KINDS or kind == "rule":
            warnings.append(f"plan.md: cannot add a {kind!r} step (add model, command, ask, create, delete, rename)")
            continue
        new = _new_step(f"s{next_n}", kind, rest)
        if new is None:
            warnings.append(f"plan.md: the added {kind} step needs more (see the help at the top): {line.strip()}")
            continue
        next_n += 1
        order.append(new)
    for step in m.steps:
        if step.id not in seen:
            if step.status == "pending":
                step = step.with_state(status="skipped", reason="removed from plan.md")
            order.append(step)
    changed = tuple(order) != m.steps
    return Reread(replace(m, steps=tuple(order)), tuple(warnings), changed)


def _new_step(sid: str, kind: str, rest: str) -> Step | None:
    rest = re.sub(r"\s*\[[^\]]*\]\s*$", "", rest)
    parts = re.split(r"\s+(?:—|--|-)\s+", rest, maxsplit=1)
    head = parts[0].strip()
    instruction = parts[1].strip() if len(parts) > 1 else ""
    if not head:
        return None
    if kind == "model":
        return Step(sid, "model", f"model {head}: added in plan.md", paths=(head,), instruction=instruction)
    if kind == "command":
        return Step(sid, "command", f"command: {rest}", command=rest)
    if kind == "ask":
        return Step(sid, "ask", f"ask: {rest}", question=rest)
    if kind == "rename":
        src, arrow, dst = rest.partition("->")
        if not arrow or not src.strip() or not dst.strip():
            return None
        return Step(
            sid, "rename", f"rename: {src.strip()} -> {dst.strip()}", paths=(src.strip(),), new_path=dst.strip()
        )
    return Step(sid, kind, f"{kind}: {head}", paths=(head,), instruction=instruction)
