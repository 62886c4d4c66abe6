"""Generate: code actions from cheap local facts (stubs, ``splice:`` comments, missing symbols, tests), and
``splice.generate`` which runs the model with cancellable progress, optionally verifies in the sandbox, and sends
the result through the review flow. Batch: every stub in the file, one proposal per symbol."""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types

from splice.edits.errors import EditRefused
from splice.features.generate.offers import Offer, OfferKind
from splice.features.generate.service import Generate, Result, Task
from splice.features.generate.stubs import stubs_in
from splice.features.generate.verify import VerifyResult
from splice.index.languages import language_for_path
from splice.index.model import Point
from splice.llm.errors import LLMError
from splice.llm.model import Progress
from splice.lsp import review
from splice.lsp.handlers.usage import notify_usage
from splice.lsp.progress import WorkProgress
from splice.lsp.protocol import Commands
from splice.lsp.server import SpliceServer

_KINDS = {
    OfferKind.STUB: types.CodeActionKind.RefactorRewrite,
    OfferKind.INSTRUCTION: types.CodeActionKind.RefactorRewrite,
    OfferKind.MISSING: types.CodeActionKind.QuickFix,
    OfferKind.TESTS: types.CodeActionKind.Refactor,
}


def service(ls: SpliceServer) -> Generate:
    ws = ls.require_ws()
    return Generate(ws, read_file=ls.read_file, sandbox=ls.sandbox())


def generate_actions(ls: SpliceServer, uri: str, rng: types.Range) -> list[types.CodeAction]:
    rel = ls.rel_for(uri)
    if rel is None:
        return []
    lines = ls.lines_of(rel)
    start, end = lines.from_client(rng.start), lines.from_client(rng.end)
    gen = service(ls)
    actions = []
    for offer in gen.offers(rel, start, end):
        arg: dict[str, Any] = {"uri": uri, "kind": offer.kind.value, "symbol": offer.symbol}
        arg |= {"line": offer.span.start.line, "col": offer.span.start.col}
        actions.append(
            types.CodeAction(
                title=f"Splice: {offer.title}",
                kind=_KINDS[offer.kind],
                command=types.Command(title=offer.title, command=Commands.GENERATE, arguments=[arg]),
            )
        )
    lang = language_for_path(rel)
    data = ls.read_file(rel)
    if lang is not None and data is not None and len(stubs_in(rel, lang, data)) > 1:
        actions.append(
            types.CodeAction(
                title="Splice: Generate all stubs in this file",
                kind=types.CodeActionKind.Source,
                command=types.Command(
                    title="Generate all stubs", command=Commands.GENERATE, arguments=[{"uri": uri, "all": True}]
                ),
            )
        )
    return actions


def _offer(gen: Generate, rel: str, arg: dict[str, Any]) -> Offer:
    at = Point(int(arg.get("line", 0)), int(arg.get("col", 0)))
    for offer in gen.offers(rel, at):
        if offer.kind.value == arg.get("kind") and offer.symbol == arg.get("symbol"):
            return offer
    raise EditRefused("that generation is no longer offered here (the code changed)")


def _tasks(ls: SpliceServer, gen: Generate, arg: dict[str, Any]) -> list[Task]:
    uri = arg.get("uri")
    rel = ls.rel_for(uri) if isinstance(uri, str) else None
    if rel is None:
        raise EditRefused("splice.generate needs the uri of a workspace file")
    if arg.get("all"):
        if language_for_path(rel) is None or ls.read_file(rel) is None:
            raise EditRefused(f"cannot read {rel}")
        return [gen.task(o) for o in gen.stub_offers(rel)]
    if isinstance(arg.get("kind"), str):
        return [gen.task(_offer(gen, rel, arg), arg.get("instruction"))]
    instruction = arg.get("instruction")
    rng = arg.get("range") or {}
    if not isinstance(instruction, str) or not instruction.strip():
        raise EditRefused("tell Splice what to generate (an instruction)")
    lines = ls.lines_of(rel)
    start = lines.from_client(types.Position(**(rng.get("start") or {"line": 0, "character": 0})))
    end = lines.from_client(types.Position(**(rng.get("end") or rng.get("start") or {"line": 0, "character": 0})))
    return [gen.free_task(rel, start, end, instruction)]


def register(server: SpliceServer) -> None:
    @server.command(Commands.GENERATE)
    async def generate(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args and isinstance(args[0], dict) else {}
        gen = service(ls)
        try:
            tasks = await ls.in_work_thread(_tasks, ls, gen, arg)
        except EditRefused as exc:
            return _tell(ls, {"error": str(exc)})
        if not tasks:
            return _tell(ls, {"error": "nothing to generate here"})
        ws = ls.require_ws()
        verify = bool(ws.settings.verify_command) and arg.get("verify", True) is not False
        if verify and not ls.trusted:
            ls.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning,
                    message="Splice: the workspace is not trusted, so the verify command will not run.",
                )
            )
        try:
            async with WorkProgress(ls, f"Splice: {tasks[0].title if len(tasks) == 1 else f'{len(tasks)} stubs'}") as p:

                def on_progress(prog: Progress) -> None:
                    p.report(prog.waiting or f"receiving code: {prog.tokens} tokens")

                def on_round(number: int, result: VerifyResult) -> None:
                    p.report(f"verify round {number}: {result.status.value}")

                results: list[Result] = await asyncio.gather(
                    *(
                        gen.run(
                            t,
                            reader=review.reader_for(ls),
                            verify=verify,
                            trusted=ls.trusted,
                            progress=on_progress,
                            on_round=on_round,
                        )
                        for t in tasks
                    )
                )
        except LLMError as exc:
            notify_usage(ls)
            return _tell(ls, {"error": f"{exc.problem.message} — {exc.problem.fix}"})
        notify_usage(ls)
        outcomes = []
        for result in results:
            if result.proposal is None:
                outcomes.append({"applied": False, "status": "none", "message": result.note})
                continue
            outcome = (await review.present(ls, result.proposal)).to_json()
            outcome["verify"] = result.note
            outcome["rounds"] = result.rounds
            outcomes.append(outcome)
        if len(outcomes) == 1:
            if outcomes[0]["status"] == "none":
                return _tell(ls, {"error": outcomes[0]["message"]})
            return outcomes[0]
        return {"proposals": outcomes}


def _tell(ls: SpliceServer, out: dict[str, Any]) -> dict[str, Any]:
    if "error" in out:
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"Splice: {out['error']}")
        )
    return out
