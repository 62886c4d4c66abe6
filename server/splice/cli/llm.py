"""``splice usage`` (requests, tokens and dollars by day, feature and model) and ``splice cache stats|clear``.

Neither command imports litellm: usage is read from ``.splice/usage.jsonl`` and the cache is plain files (plus
Redis when ``splice.cache.redisUrl`` is set).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from splice.cli.common import add_common, settings_from, workspace_of

BY_CHOICES = ("day", "feature", "model")


def register(sub: Any) -> None:
    usage = sub.add_parser("usage", help="model requests, tokens and cost by day, feature and model")
    add_common(usage)
    usage.add_argument("--since", metavar="YYYY-MM-DD", help="only days on or after this one (UTC)")
    usage.add_argument(
        "--by", default="day,feature,model", help="grouping, a comma list of day, feature, model (default: all three)"
    )
    usage.set_defaults(handler=run_usage)

    cache = sub.add_parser("cache", help="the model answer cache: stats or clear")
    add_common(cache)
    cache.add_argument("action", choices=("stats", "clear"))
    cache.set_defaults(handler=run_cache)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def run_usage(args: argparse.Namespace) -> int:
    from splice.llm.usage import report

    by = tuple(part.strip() for part in args.by.split(",") if part.strip())
    unknown = [b for b in by if b not in BY_CHOICES]
    if unknown or not by:
        print(f"splice usage: --by takes a comma list of {', '.join(BY_CHOICES)} (got {args.by!r})", file=sys.stderr)
        return 2
    data = report(workspace_of(args), since=args.since, by=by)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    rows = data["rows"]
    if not rows:
        print(f"no model requests recorded yet in {data['file']}")
        return 0
    keep = [h for h in BY_CHOICES if h in by]
    headers = [*keep, "requests", "cache hits", "errors", "prompt tok", "compl. tok", "cost $"]
    table_rows = [
        [
            *(r[h] for h in keep),
            r["requests"],
            r["cache_hits"],
            r["errors"],
            r["prompt_tokens"],
            r["completion_tokens"],
            f"{r['cost']:.4f}",
        ]
        for r in rows
    ]
    print(_table(headers, table_rows))
    print(f"\ntotal: {data['total_requests']} requests, ${data['total_cost']:.4f}  ({data['file']})")
    if data["unreadable_lines"]:
        print(
            f"note: {data['unreadable_lines']} unreadable line(s) skipped (a torn write after a crash, or a hand edit)"
        )
    return 0


def _clear_explanations(root: Path) -> int:
    """Explain keeps its own answers (one per error signature) under ``.splice/explanations/cache``: a cleared
    cache must not leave a stale explanation behind. Links are not followed."""
    folder = root / ".splice" / "explanations" / "cache"
    if folder.is_symlink() or folder.parent.is_symlink() or not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        if entry.suffix == ".json" and (entry.is_symlink() or entry.is_file()):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
    return removed


def run_cache(args: argparse.Namespace) -> int:
    from splice.llm.cache import AnswerCache

    settings = settings_from(args).settings
    cache = AnswerCache(workspace_of(args) / ".splice" / "cache", settings.cache_redis_url)

    async def act() -> dict[str, Any]:
        try:
            if args.action == "clear":
                removed = await cache.clear()
                explained = _clear_explanations(workspace_of(args))
                return {"removed": removed, "explanations": explained, "warnings": list(cache.warnings())}
            return asdict(await cache.stats())
        finally:
            await cache.close()

    result = asyncio.run(act())
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.action == "clear":
        print(f"removed {result['removed']} cached answer(s) and {result['explanations']} cached explanation(s)")
    else:
        print(
            f"disk:  {result['disk_entries']} answers, {result['disk_bytes'] / 1024:.1f} KiB in {result['disk_path']}"
        )
        if settings.cache_redis_url:
            print(f"redis: {result['redis_entries']} answers at {settings.cache_redis_url}")
    for warning in result.get("warnings") or ():
        print(f"warning: {warning}", file=sys.stderr)
    return 0
