"""Proposals an agent made through ``splice mcp`` for this workspace, taken into this editor's review.

The channel is ``features/handoff.py``: while this server runs it holds the workspace's presence lock (so the MCP
server knows an editor is there) and polls the inbox; each proposal found goes through ``review.present`` — the
same review as a proposal the user asked for, so nothing is written until the user approves it here.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from splice.edits.proposal import Status
from splice.features import handoff
from splice.lsp import review
from splice.lsp.server import SpliceServer

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0


async def watch(ls: SpliceServer) -> None:
    """Run for the server's lifetime (spawned after ``initialized``)."""
    root = ls.require_ws().root
    presence = handoff.EditorPresence(root)
    if not presence.hold():
        log.info("another Splice language server reviews agent proposals for %s", root)
        return
    try:
        while not ls.closing:
            await asyncio.sleep(POLL_SECONDS)
            for pid in await ls.in_work_thread(handoff.take, root):
                proposal = review.store_of(ls).get(pid)
                if proposal is None or proposal.status is not Status.PENDING:
                    continue
                ls.window_show_message(
                    types.ShowMessageParams(
                        type=types.MessageType.Info, message=f"Splice: an agent proposes “{proposal.title}”"
                    )
                )
                try:  # one at a time: an agent cannot stack up dialogs faster than the user answers them
                    await review.present(ls, proposal)
                except Exception:
                    log.exception("reviewing the agent's proposal %s failed", pid)
    finally:
        presence.release()
