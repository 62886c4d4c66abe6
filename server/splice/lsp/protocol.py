"""Splice's custom LSP surface, declared once (mirrored by client-vscode/src/protocol.ts). The JSON-RPC fixes
(``SpliceProtocol``) live in ``lsp/rpc.py``, the framing in ``lsp/stream.py``.
"""

from __future__ import annotations


class Commands:
    """workspace/executeCommand names (package.json contributes the palette entries)."""

    GENERATE = "splice.generate"
    EXPLAIN_ERROR = "splice.explainError"
    SHOW_CONTEXT = "splice.showContext"
    APPLY_PROPOSAL = "splice.applyProposal"
    REJECT_PROPOSAL = "splice.rejectProposal"
    UNDO = "splice.undo"
    REINDEX = "splice.reindex"
    USAGE = "splice.usage"
    PROPOSE_EDIT = "splice.proposeEdit"
    """Turn a model answer the user pasted (from any chat) into a reviewed proposal, like ``splice edit``."""
    MIGRATE = "splice.migrate"
    """``{target, uri?, range?, scope?, rules?, old?}``: assess and plan a migration (nothing sent to a model)."""
    MIGRATE_CONTINUE = "splice.migrateContinue"
    """``{id?, steps?, path?}``: the next step(s) — or the open step on ``path`` — through the review."""
    MIGRATE_ABORT = "splice.migrateAbort"
    """``{id?}``: the inverse of every applied step as one reviewed proposal."""


class Methods:
    """Custom requests and notifications (all under ``splice/``)."""

    PROPOSAL = "splice/proposal"
    """Request ``{id}`` → the proposal with per-hunk ids and original/proposed text."""
    PROPOSAL_READY = "splice/proposalReady"
    """Notification ``{id, title, review}``: a proposal is waiting for the client's inline review."""
    INDEX_STATUS = "splice/indexStatus"
    """Notification ``{state, done, total, message}``; state ∈ starting | indexing | ready | error."""
    USAGE = "splice/usage"
    """Notification ``{todayCost, model}`` after each model call."""
    MIGRATION_STATUS = "splice/migrationStatus"
    """Notification ``{id, target, state, done, total, sitesLeft, sitesTotal, current, dollars, plan, steps}``."""


PROPOSAL_SCHEME = "splice-proposal"
"""Virtual documents ``splice-proposal:/<path>?id=<proposal id>`` hold proposed text for diff views."""
