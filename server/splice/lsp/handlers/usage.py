"""``splice.usage`` (requests, tokens and dollars by day, feature and model) and the ``splice/usage`` notification
the status bar shows after every model call."""

from __future__ import annotations

from typing import Any

from splice.llm import usage
from splice.lsp.protocol import Commands, Methods
from splice.lsp.server import SpliceServer


def usage_report(ls: SpliceServer) -> dict[str, Any]:
    root = ls.require_ws().root
    report = usage.report(root)
    today = usage.report(root, since=usage.today(), by=("day",))
    report["today"] = {"cost": today["total_cost"], "requests": today["total_requests"]}
    return report


def notify_usage(ls: SpliceServer) -> None:
    """After a model call: today's spend and the active model, for the client's status bar."""
    ws = ls.require_ws()
    try:
        today = usage.report(ws.root, since=usage.today(), by=("day",))
    except OSError:
        return
    ls.protocol.notify(Methods.USAGE, {"todayCost": today["total_cost"], "model": ws.settings.model})


def register(server: SpliceServer) -> None:
    @server.command(Commands.USAGE)
    def usage_command(ls: SpliceServer, *args: Any) -> dict[str, Any]:
        return usage_report(ls)
