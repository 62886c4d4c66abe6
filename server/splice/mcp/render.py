"""Feature values → the compact text an agent reads: one line per symbol or use, code in fences, 1-based lines,
every context item with its reason. Plain text costs agents fewer tokens than JSON for the same facts."""

from __future__ import annotations

from splice.context.model import ContextResult
from splice.edits.proposal import Proposal
from splice.features.migrate.model import Migration, Site
from splice.features.navigate import Use
from splice.features.trace_view import TraceView
from splice.index.model import Symbol
from splice.llm.prompts import context_section, fence_for


def code_block(text: str) -> str:
    f = fence_for(text)
    return f"{f}\n{text.rstrip()}\n{f}"


def where(sym: Symbol) -> str:
    return f"{sym.path}:{sym.selection.start.line + 1}"


def symbol_line(sym: Symbol) -> str:
    signature = " ".join(sym.signature.split()) if sym.signature else sym.qualname
    return f"{sym.id}  [{sym.kind.value}]  {where(sym)}  {signature[:160]}"


def context(result: ContextResult, title: str) -> str:
    """The items as the prompts carry them (one heading and fence per file), so the ``used`` count in the first line
    is what the text costs."""
    if result.error:
        return f"error: {result.error}"
    lines = [f"{title} — {result.used}/{result.budget} tokens, {len(result.items)} items"]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines) + "\n\n" + context_section(result.items)


def symbols(found: list[Symbol], query: str) -> str:
    if not found:
        return f"no symbols match {query!r}"
    return "\n".join(
        [f"{len(found)} symbols match {query!r} (id  [kind]  file:line  signature):"] + [symbol_line(s) for s in found]
    )


def definition(sym: Symbol, source: str, cut: bool) -> str:
    lines = [symbol_line(sym)]
    if sym.doc:
        lines.append(f"doc: {' '.join(sym.doc.split())[:300]}")
    start, end = sym.span.start.line + 1, sym.span.end.line + 1
    lines.append(f"{sym.path}:{start}-{end}" + (" (cut: ask for a larger max_lines to see all)" if cut else ""))
    lines.append(code_block(source))
    return "\n".join(lines)


def uses(sym: Symbol, found: list[Use], limit: int, label: str) -> str:
    if not found:
        return f"no {label} of {sym.id} in the index"
    lines = [f"{len(found)} {label} of {sym.id}" + (f" (first {limit} shown)" if len(found) > limit else "") + ":"]
    for use in found[:limit]:
        by = use.by.qualname if use.by is not None and use.by.qualname else "<module>"
        lines.append(f"{use.path}:{use.line + 1}  in {by}  [{use.kind}]  {use.text[:160]}")
    return "\n".join(lines)


def callers(sym: Symbol, groups: dict[str, list[Use]], limit: int) -> str:
    if not groups:
        return f"no callers of {sym.id} in the index"
    lines = [f"{len(groups)} callers of {sym.id}:"]
    for caller, sites in list(groups.items())[:limit]:
        head = caller or f"{sites[0].path} (module level)"
        lines.append(f"{head}")
        lines += [f"  {u.path}:{u.line + 1}  {u.text[:160]}" for u in sites[:5]]
    if len(groups) > limit:
        lines.append(f"… {len(groups) - limit} more callers")
    return "\n".join(lines)


def callees(sym: Symbol, found: list[tuple[Symbol, int]], limit: int) -> str:
    if not found:
        return f"{sym.id} calls nothing the index resolved"
    lines = [f"{sym.id} calls {len(found)} resolved symbols (first call line, callee):"]
    lines += [f"{sym.path}:{line + 1}  {symbol_line(callee)}" for callee, line in found[:limit]]
    return "\n".join(lines)


def outline(rel: str, syms: list[Symbol], limit: int) -> str:
    if not syms:
        return f"{rel}: no definitions"
    depth: dict[str, int] = {}
    lines = [f"{rel}: {len(syms)} definitions (line  [kind]  signature)"]
    for sym in syms[:limit]:
        parent = depth.get(sym.parent) if sym.parent else None
        d = depth[sym.id] = parent + 1 if parent is not None else 0
        signature = " ".join(sym.signature.split()) if sym.signature else sym.name
        doc = f"  — {' '.join(sym.doc.split())[:80]}" if sym.doc else ""
        lines.append(f"{'  ' * d}{sym.selection.start.line + 1}  [{sym.kind.value}]  {signature[:160]}{doc}")
    if len(syms) > limit:
        lines.append(f"… {len(syms) - limit} more definitions")
    return "\n".join(lines)


def trace(view: TraceView, max_chars: int) -> str:
    out: list[str] = []
    node: TraceView | None = view
    first = True
    while node is not None:
        out.append(("" if first else "\nwhich was caused by / raised while handling:\n") + node.title)
        out.append("frames, innermost first:")
        for i, frame in enumerate(node.frames, 1):
            sym = f"  → {frame.symbol}" if frame.symbol else ""
            out.append(f"{i}. [{frame.status}] {frame.describe}{sym}")
            if frame.code:
                out.append(code_block(frame.code))
        node, first = node.cause, False
    out += [f"note: {n}" for n in view.notes]
    text = "\n".join(out)
    if len(text) > max_chars:
        text = text[:max_chars].rsplit("\n", 1)[0] + f"\n… cut at {max_chars} characters (raise max_chars for more)"
    return text


def proposal(p: Proposal, diff: str, handoff: str) -> str:
    lines = [f"proposal {p.id}: {p.title}", f"status: {p.status.value}"]
    if not p.verification.parses:
        lines.append("warning: the edited code does not parse (new syntax errors)")
    lines += [f"{'warning' if f.needs_confirmation else 'note'}: {f.message}" for f in p.flags]
    lines += [f"note: {n}" for n in p.notes]
    lines += [f"review: {handoff}", "", code_block(diff)]
    return "\n".join(lines)


def migration(m: Migration, sites: list[Site], limit: int) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in m.counts().items() if n)
    nxt = m.next_step()
    lines = [f"migration {m.id}: {m.target} — {m.state}; steps: {counts}"]
    lines.append(f"next step: {nxt.id} {nxt.title}" if nxt else "next step: none")
    for step in m.steps:
        why = f" — {step.reason}" if step.reason else ""
        lines.append(f"  {step.id} [{step.status}] {step.title}{why}")
    lines.append(f"{len(sites)} sites still use the old API" + (f" (first {limit}):" if len(sites) > limit else ":"))
    lines += [f"  {site.label()}" for site in sites[:limit]]
    return "\n".join(lines)
