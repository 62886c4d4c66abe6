"""Builds the server: one SpliceServer with every handler module registered."""

from __future__ import annotations

from splice.lsp.handlers import (
    code_actions,
    commands,
    context,
    explain,
    generate,
    lifecycle,
    migrate,
    navigation,
    proposals,
    sync,
    usage,
)
from splice.lsp.server import SpliceServer

HANDLER_MODULES = (
    lifecycle,
    sync,
    navigation,
    commands,
    proposals,
    context,
    explain,
    generate,
    migrate,
    code_actions,
    usage,
)


def create_server() -> SpliceServer:
    server = SpliceServer()
    for module in HANDLER_MODULES:
        module.register(server)
    return server
