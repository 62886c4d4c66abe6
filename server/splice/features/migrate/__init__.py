"""Migrate: planned, tracked, resumable migrations — rule steps first, the model for the residue, every step a
reviewed proposal. The API other front ends (CLI, LSP, MCP) use: ``Migrator`` (plan, prepare, complete, abort),
``list_migrations`` and ``status``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from splice.features.migrate.model import Migration, Scope, Site, Step
from splice.features.migrate.store import MigrationError, MigrationStore

__all__ = ["Migration", "MigrationError", "Scope", "Site", "Status", "Step", "list_migrations", "status"]


@dataclass(frozen=True, slots=True)
class Status:
    id: str
    target: str
    state: str
    done: int
    total: int
    """Steps done (or skipped) out of all steps."""
    current: str | None
    """Title of the step a run continues with."""
    dollars: float
    problem: str | None = None
    """Set when the migration folder cannot be read (edited by hand, left incomplete)."""


def _status(m: Migration) -> Status:
    counts = m.counts()
    nxt = m.next_step()
    return Status(
        m.id,
        m.target,
        m.state,
        counts["done"] + counts["skipped"],
        len(m.steps),
        f"{nxt.id} {nxt.title}" if nxt else None,
        m.cost(),
    )


def status(m: Migration) -> Status:
    return _status(m)


def list_migrations(root: Path) -> list[Status]:
    """Every migration under ``<root>/.splice/migrations``; unreadable ones carry their problem instead of raising."""
    out = []
    for listed in MigrationStore(root).list():
        if listed.migration is not None:
            out.append(_status(listed.migration))
        else:
            out.append(Status(listed.id, "", "unreadable", 0, 0, None, 0.0, listed.problem))
    return out
