"""``.splice/migrations/<id>/``: the ledger (JSON, written atomically), ``plan.md``, and the rule packs as used.

Every write goes through ``splice.state`` (no link followed under ``.splice``; a temp file fsynced and renamed
over the old one), so ``kill -9`` at any moment leaves either the old or the new ledger, never half of one. A
folder edited by hand or left incomplete is reported with what is wrong — it never crashes a listing or another
migration.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from splice import state
from splice.features.migrate.model import Migration
from splice.features.migrate.plan import render, reread

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class MigrationError(ValueError):
    """A migration that cannot be opened or changed as asked; the message says what and what to do."""


def migrations_dir(root: Path) -> Path:
    return root / ".splice" / "migrations"


def new_id(target: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-")[:32].strip("-") or "migration"
    return f"{slug}-{uuid.uuid4().hex[:6]}"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(path: Path, text: str) -> None:
    state.write_text(path, text, fsync=True)


@dataclass(frozen=True, slots=True)
class Listed:
    id: str
    migration: Migration | None
    problem: str | None = None


class MigrationStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = migrations_dir(root)

    def path(self, mid: str) -> Path:
        if not _ID.match(mid):
            raise MigrationError(f"invalid migration id {mid!r}")
        return self.folder / mid

    def save(self, m: Migration, *, residue: int | None = None) -> Migration:
        """Write the ledger, then re-render ``plan.md`` from it (the ledger is what a resume trusts)."""
        folder = self.path(m.id)
        _write(folder / "ledger.json", json.dumps(m.to_json(), indent=1, ensure_ascii=False))
        _write(folder / "plan.md", render(m, residue=residue))
        return m

    def save_rules(self, mid: str, packs: list[tuple[str, str]]) -> tuple[str, ...]:
        """Copy rule packs (name, text) into the migration folder; returns their paths relative to it."""
        out = []
        for i, (_, text) in enumerate(packs, 1):
            rel = f"rules/{i}.yml"
            _write(self.path(mid) / rel, text)
            out.append(rel)
        return tuple(out)

    def load(self, mid: str) -> tuple[Migration, tuple[str, ...]]:
        """The migration with the user's ``plan.md`` edits merged in; also the warnings about that document."""
        folder = self.path(mid)
        ledger = folder / "ledger.json"
        if not folder.is_dir():
            raise MigrationError(f"no migration {mid} under {self.folder}")
        try:
            m = Migration.from_json(json.loads(state.read_text(ledger)))
        except FileNotFoundError as exc:
            raise MigrationError(
                f"migration {mid} has no ledger.json (the folder was left incomplete or edited); nothing was "
                f"changed — delete {folder} to discard it"
            ) from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise MigrationError(
                f"migration {mid}: ledger.json cannot be read ({type(exc).__name__}: {exc}); it was left as it is — "
                f"restore it or delete {folder}"
            ) from exc
        warnings: tuple[str, ...] = ()
        plan = folder / "plan.md"
        try:
            text = state.read_text(plan)
        except (OSError, UnicodeDecodeError):
            text = None
            warnings = ("plan.md was missing or unreadable; it was written again from the ledger",)
        if text is not None and text != render(m):
            merged = reread(m, text)
            warnings = merged.warnings
            if merged.changed:
                m = merged.migration
                self.save(m)
        elif text is None:
            self.save(m)
        return m, warnings

    def list(self) -> list[Listed]:
        if not self.folder.is_dir():
            return []
        out = []
        for child in sorted(self.folder.iterdir()):
            if not child.is_dir() or not _ID.match(child.name):
                continue
            try:
                m, _ = self.load(child.name)
                out.append(Listed(child.name, m))
            except MigrationError as exc:
                out.append(Listed(child.name, None, str(exc)))
        return out

    def conflict(self, files: set[str], *, other_than: str | None = None) -> Listed | None:
        """An active migration that claims one of ``files`` (two migrations on the same files are refused)."""
        for listed in self.list():
            m = listed.migration
            if m is None or m.id == other_than or m.state != "active":
                continue
            if files & set(m.files):
                return listed
        return None

    def finish(self, m: Migration, state: str) -> Migration:
        return self.save(replace(m, state=state))
