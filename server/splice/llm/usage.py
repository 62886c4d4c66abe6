"""Usage and cost: one JSON line per model request in ``<workspace>/.splice/usage.jsonl``, summaries, budgets.

The file is append-only. Each record is written with a single ``write`` on an ``O_APPEND`` descriptor, so lines
from the server and the CLI never interleave; a torn last line (a crash mid-write) is skipped when reading and
fenced off with a newline before the next append. Today's spend is kept incrementally (only bytes appended since
the last read are parsed), so the daily budget check stays cheap as the file grows.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from splice import state
from splice.llm.errors import BudgetExceeded

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UsageRecord:
    ts: str
    """UTC time of the request, ISO 8601."""
    model: str
    feature: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    """Dollars; 0 for cache hits and for models missing from litellm's cost map (``note`` says so)."""
    latency_ms: float
    cache_hit: bool
    outcome: str
    """``ok`` or an error kind (``rate_limited``, ``timeout``, ``budget`` …)."""
    note: str = ""

    @property
    def day(self) -> str:
        return self.ts[:10]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def today() -> str:
    return datetime.now(UTC).date().isoformat()


_FIELDS = {f.name for f in fields(UsageRecord)}


def _parse(line: bytes) -> UsageRecord | None:
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            return None
        return UsageRecord(**{k: v for k, v in data.items() if k in _FIELDS})
    except (ValueError, TypeError):
        return None


class UsageLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None
        self.skipped = 0
        """Unreadable lines seen so far (a torn last line after a crash, hand edits)."""
        self._lock = threading.Lock()
        self._offset = 0
        self._spent: dict[str, float] = {}

    def append(self, record: UsageRecord) -> None:
        line = json.dumps(asdict(record), separators=(",", ":")).encode() + b"\n"
        with self._lock:
            try:
                fd = state.open_append(self.path)  # refuses a planted link or hard link (e.g. to a shell rc)
                try:
                    if not self._ends_with_newline(fd):
                        line = b"\n" + line
                    os.write(fd, line)
                finally:
                    os.close(fd)
            except OSError as exc:
                if self.problem is None:
                    self.problem = f"cannot write usage to {self.path} ({exc.strerror or exc})"
                    log.warning(self.problem)

    @staticmethod
    def _ends_with_newline(fd: int) -> bool:
        size = os.fstat(fd).st_size
        return size == 0 or os.pread(fd, 1, size - 1) == b"\n"

    def records(self) -> Iterator[UsageRecord]:
        try:
            with self.path.open("rb") as f:
                for line in f:
                    if not line.strip():
                        continue
                    record = _parse(line)
                    if record is None:
                        self.skipped += 1
                        continue
                    yield record
        except FileNotFoundError:
            return

    def spent_on(self, day: str) -> float:
        """Dollars spent on ``day`` (UTC), reading only what was appended since the last call."""
        with self._lock:
            try:
                with self.path.open("rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    if size < self._offset:  # truncated or replaced: start over
                        self._offset, self._spent = 0, {}
                    f.seek(self._offset)
                    for line in f:
                        if not line.endswith(b"\n"):
                            break  # a line still being written, or torn: read it next time
                        self._offset += len(line)
                        record = _parse(line)
                        if record is not None:
                            self._spent[record.day] = self._spent.get(record.day, 0.0) + record.cost
            except FileNotFoundError:
                pass
            return self._spent.get(day, 0.0)


@dataclass(frozen=True)
class UsageRow:
    day: str
    feature: str
    model: str
    requests: int
    cache_hits: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    latency_ms_p50: float


def summarize(records: Iterable[UsageRecord], by: Sequence[str] = ("day", "feature", "model")) -> list[UsageRow]:
    groups: dict[tuple[str, str, str], list[UsageRecord]] = {}
    for r in records:
        key = (r.day if "day" in by else "*", r.feature if "feature" in by else "*", r.model if "model" in by else "*")
        groups.setdefault(key, []).append(r)
    rows = []
    for (day, feature, model), items in sorted(groups.items()):
        latencies = sorted(r.latency_ms for r in items if not r.cache_hit) or [0.0]
        rows.append(
            UsageRow(
                day,
                feature,
                model,
                len(items),
                sum(r.cache_hit for r in items),
                sum(r.outcome != "ok" for r in items),
                sum(r.prompt_tokens for r in items),
                sum(r.completion_tokens for r in items),
                round(sum(r.cost for r in items), 6),
                latencies[len(latencies) // 2],
            )
        )
    return rows


def usage_path(workspace: Path) -> Path:
    return workspace / ".splice" / "usage.jsonl"


def report(
    workspace: Path, *, since: str | None = None, by: Sequence[str] = ("day", "feature", "model")
) -> dict[str, Any]:
    """The JSON both ``splice usage --json`` and the editor's ``splice.usage`` command return."""
    log = UsageLog(usage_path(workspace))
    records = [r for r in log.records() if since is None or r.day >= since]
    rows = summarize(records, by)
    return {
        "file": str(log.path),
        "rows": [asdict(r) for r in rows],
        "total_requests": sum(r.requests for r in rows),
        "total_cost": round(sum(r.cost for r in rows), 6),
        "today_cost": round(sum(r.cost for r in records if r.day == today()), 6),
        "unreadable_lines": log.skipped,
    }


@dataclass(frozen=True)
class Estimate:
    """Cost of a request before sending: the prompt as counted, the completion at its ``max_tokens`` ceiling."""

    model: str
    prompt_tokens: int
    max_completion_tokens: int
    dollars: float
    priced: bool
    """False when the model is not in litellm's cost map (dollars is then 0)."""


def estimate(
    model: str, prompt_tokens: int, max_completion_tokens: int, prices: tuple[float, float] | None
) -> Estimate:
    if prices is None:
        return Estimate(model, prompt_tokens, max_completion_tokens, 0.0, False)
    dollars = prompt_tokens * prices[0] + max_completion_tokens * prices[1]
    return Estimate(model, prompt_tokens, max_completion_tokens, dollars, True)


def check_budget(est: Estimate, per_request: float | None, daily: float | None, spent_today: float) -> None:
    """Raise ``BudgetExceeded`` when the estimate breaks either cap."""
    if per_request is not None and est.dollars > per_request:
        raise BudgetExceeded(
            f"this request could cost up to ${est.dollars:.4f} ({est.prompt_tokens} prompt tokens + up to "
            f"{est.max_completion_tokens} completion tokens on {est.model}), over splice.budget.perRequest "
            f"${per_request:.4f}",
            "raise splice.budget.perRequest, lower splice.maxTokens or splice.context.budget, or use a cheaper model",
        )
    if daily is not None and spent_today + est.dollars > daily:
        raise BudgetExceeded(
            f"today's spend ${spent_today:.4f} plus this request (up to ${est.dollars:.4f}) would pass "
            f"splice.budget.daily ${daily:.4f}",
            "raise splice.budget.daily, wait until tomorrow (UTC), or use a cheaper or local model",
        )


def record(
    model: str,
    feature: str,
    *,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost: float = 0.0,
    started: float,
    cache_hit: bool = False,
    outcome: str = "ok",
    note: str = "",
) -> UsageRecord:
    latency = (time.perf_counter() - started) * 1000
    return UsageRecord(
        now_iso(), model, feature, prompt_tokens, completion_tokens, cost, round(latency, 2), cache_hit, outcome, note
    )
