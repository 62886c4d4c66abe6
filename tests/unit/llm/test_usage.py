"""Usage log: append-only JSON lines, torn lines, incremental daily spend, summaries, estimates, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from splice.cli import llm as cli_llm
from splice.llm import errors
from splice.llm.usage import UsageLog, UsageRecord, check_budget, estimate, now_iso, summarize, today


def rec(
    model: str = "m", feature: str = "generate", cost: float = 0.01, ts: str | None = None, **kw: object
) -> UsageRecord:
    fields = {"prompt_tokens": 100, "completion_tokens": 20, "latency_ms": 5.0, "cache_hit": False, "outcome": "ok"}
    fields.update(kw)
    return UsageRecord(ts or now_iso(), model, feature, cost=cost, **fields)  # type: ignore[arg-type]


def test_append_and_read_back(tmp_path: Path) -> None:
    log = UsageLog(tmp_path / ".splice" / "usage.jsonl")
    log.append(rec())
    log.append(rec(feature="explain", cache_hit=True, cost=0.0))
    records = list(log.records())
    assert [r.feature for r in records] == ["generate", "explain"]
    assert all(line.endswith("}") for line in log.path.read_text().splitlines())


def test_torn_last_line_is_skipped_and_fenced_off(tmp_path: Path) -> None:
    log = UsageLog(tmp_path / "usage.jsonl")
    log.append(rec(cost=0.5))
    with log.path.open("a") as f:
        f.write('{"ts": "2026-11-23T00:00:00", "model": "m", "feat')  # a crash mid-write
    assert log.spent_on(today()) == 0.5
    log.append(rec(cost=0.25))
    records = list(log.records())
    assert [r.cost for r in records] == [0.5, 0.25] and log.skipped == 1
    assert log.spent_on(today()) == 0.75


def test_spent_on_reads_only_new_lines_and_other_writers(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    server, cli = UsageLog(path), UsageLog(path)
    server.append(rec(cost=1.0))
    assert server.spent_on(today()) == 1.0
    cli.append(rec(cost=2.0))  # another process appends
    server.append(rec(cost=0.5, ts="2020-01-01T10:00:00+00:00"))
    assert server.spent_on(today()) == 3.0 and server.spent_on("2020-01-01") == 0.5
    path.write_text("")  # truncated by hand: start over
    assert server.spent_on(today()) == 0.0


def test_summaries_group_by_day_feature_model() -> None:
    records = [
        rec("a", "generate", 0.1),
        rec("a", "generate", 0.2, cache_hit=True),
        rec("b", "explain", 0.3, outcome="timeout"),
        rec("a", "generate", 0.4, ts="2026-01-01T00:00:00+00:00"),
    ]
    rows = summarize(records)
    assert [(r.day, r.feature, r.model, r.requests) for r in rows] == [
        ("2026-01-01", "generate", "a", 1),
        (today(), "explain", "b", 1),
        (today(), "generate", "a", 2),
    ]
    assert rows[1].errors == 1 and rows[2].cache_hits == 1
    by_model = summarize(records, by=("model",))
    assert [(r.model, r.requests, r.cost) for r in by_model] == [("a", 3, 0.7), ("b", 1, 0.3)]


def test_estimate_and_budget_messages() -> None:
    est = estimate("openai/gpt-4o-mini", 1000, 500, (0.15e-6, 0.6e-6))
    assert est.dollars == pytest.approx(1000 * 0.15e-6 + 500 * 0.6e-6) and est.priced
    assert not estimate("openai/local", 1000, 500, None).priced
    check_budget(est, per_request=1.0, daily=1.0, spent_today=0.5)
    with pytest.raises(errors.BudgetExceeded, match="perRequest") as info:
        check_budget(est, per_request=0.0001, daily=None, spent_today=0)
    assert "maxTokens" in info.value.problem.fix
    with pytest.raises(errors.BudgetExceeded, match=r"budget\.daily"):
        check_budget(est, per_request=None, daily=1.0, spent_today=0.9999)


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    import argparse

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    cli_llm.register(sub)
    args = parser.parse_args(argv)
    code = args.handler(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_usage_command_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["usage", "--workspace", str(tmp_path)], capsys)
    assert code == 0 and "no model requests" in out
    log = UsageLog(tmp_path / ".splice" / "usage.jsonl")
    log.append(rec("openai/gpt-4o-mini", "generate", 0.0123))
    log.append(rec("openai/gpt-4o-mini", "explain", 0.001))
    code, out, _ = run_cli(["usage", "--workspace", str(tmp_path)], capsys)
    assert code == 0 and "| generate" in out and "0.0123" in out and "total: 2 requests, $0.0133" in out
    code, out, _ = run_cli(["usage", "--workspace", str(tmp_path), "--json", "--by", "feature"], capsys)
    data = json.loads(out)
    assert data["total_requests"] == 2 and {r["feature"] for r in data["rows"]} == {"generate", "explain"}
    code, _, err = run_cli(["usage", "--workspace", str(tmp_path), "--by", "colour"], capsys)
    assert code == 2 and "--by" in err


def test_cache_command_stats_and_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from splice.llm.cache import DiskCache, answer_from

    disk = DiskCache(tmp_path / ".splice" / "cache")
    disk.put("ab" + "1" * 62, answer_from("x", "stop", 1, 1, "m"))
    disk.put("cd" + "2" * 62, answer_from("y", "stop", 1, 1, "m"))
    code, out, _ = run_cli(["cache", "stats", "--workspace", str(tmp_path), "--json"], capsys)
    assert code == 0 and json.loads(out)["disk_entries"] == 2
    code, out, _ = run_cli(["cache", "clear", "--workspace", str(tmp_path)], capsys)
    assert code == 0 and "removed 2" in out
    code, out, _ = run_cli(["cache", "stats", "--workspace", str(tmp_path)], capsys)
    assert "disk:  0 answers" in out
