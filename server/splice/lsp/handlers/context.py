"""``splice.showContext``: the context Splice would send for the cursor position, with the reason for each item —
returned as JSON and shown as a markdown document (works in every editor with ``window/showDocument``)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from splice import state
from splice.context.model import ContextRequest, ContextResult, PositionTarget
from splice.features.explain.service import md_escape
from splice.index.languages import language_for_path
from splice.lsp.protocol import Commands
from splice.lsp.server import SpliceServer


def markdown(result: ContextResult, where: str, root: Path | None = None) -> str:
    """A page to read in the Markdown preview: a summary table (what, where — a link, why, tokens), then each item's
    code. Scores are the ranking's internals and are left out; the target has none anyway."""
    lines = [f"# Context Splice would send for {md_escape(where)}", ""]
    if result.error:
        lines += [f"**Not available:** {md_escape(result.error)}", ""]
    lines.append(f"{len(result.items)} items, {result.used:,} of {result.budget:,} tokens.")
    lines += [f"- note: {md_escape(n)}" for n in result.notes]
    if result.items:
        lines += ["", "| # | what | where | why | tokens |", "| ---: | --- | --- | --- | ---: |"]
    for i, item in enumerate(result.items, 1):
        name = (item.symbol or item.path).split("::", 1)[-1] or item.path
        place = f"{item.path}:{item.range.start.line + 1}"
        link = f"[{md_escape(place)}]({(root / item.path).as_uri()}#L{item.range.start.line + 1})" if root else place
        why = md_escape(item.reason).replace("|", "\\|")
        what = f"`{name}`" + (" (the code at the cursor)" if item.kind == "target" else "")
        lines.append(f"| {i} | {what} | {link} | {why} | {item.tokens} |")
    for i, item in enumerate(result.items, 1):
        r = item.range
        lang = language_for_path(item.path) or ""
        lines += [
            "",
            f"## {i}. `{(item.symbol or item.path).split('::', 1)[-1] or item.path}` — {item.kind}",
            f"{md_escape(item.path)}:{r.start.line + 1}-{r.end.line + 1}, {item.tokens} tokens",
            "",
            f"````{lang}",
            item.text.rstrip("\n"),
            "````",
        ]
    return "\n".join(lines) + "\n"


def register(server: SpliceServer) -> None:
    @server.command(Commands.SHOW_CONTEXT)
    async def show_context(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args and isinstance(args[0], dict) else {}
        uri, pos = arg.get("uri"), arg.get("position")
        if not isinstance(uri, str) or not isinstance(pos, dict):
            raise ValueError("expected {uri, position: {line, character}, budget?, pins?, excludes?}")
        ws = ls.require_ws()
        rel = ls.rel_for(uri)
        if rel is None:
            return {"items": [], "error": f"{uri} is outside the workspace"}
        point = ls.lines_of(rel).from_client(
            types.Position(line=int(pos.get("line", 0)), character=int(pos.get("character", 0)))
        )
        doc = ls.workspace.text_documents.get(uri)
        budget = int(arg.get("budget") or ws.settings.context_budget)
        request = ContextRequest(
            target=PositionTarget(rel, point.line, point.col, str(doc.source) if doc is not None else None),
            budget=budget,
            pins=tuple(str(p) for p in arg.get("pins") or ()),
            excludes=tuple(str(p) for p in arg.get("excludes") or ()),
        )
        engine = ws.context_engine(read_file=ls.read_file)
        result = await ls.in_work_thread(engine.assemble, request)
        if (rules := ws.project_rules(rel).note()) is not None:  # what else the prompts carry
            result = dataclasses.replace(result, notes=(*result.notes, rules))
        out = result.to_json()
        window = ls.client_capabilities.window
        if arg.get("show", True) and window is not None and window.show_document and window.show_document.support:
            doc_path = ws.root / ".splice" / "context" / f"context-{time.strftime('%Y%m%d-%H%M%S')}.md"
            state.write_text(doc_path, markdown(result, f"{rel}:{point.line + 1}", ws.root))
            await ls.window_show_document_async(types.ShowDocumentParams(uri=doc_path.as_uri(), take_focus=True))
            out["document"] = doc_path.as_uri()
        return out
