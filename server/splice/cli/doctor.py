"""``splice doctor``: run a real test of each dependency and print pass/fail with the fix for each failure."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from splice.cli.common import add_common, settings_from, workspace_of
from splice.config import Settings

SAMPLES = {
    "python": b"def f(x):\n    return x + 1\n",
    "javascript": b"function f(x) { return x + 1; }\n",
    "typescript": b"function f(x: number): number { return x + 1; }\n",
    "tsx": b"const A = () => <div>{1}</div>;\n",
    "go": b"package main\nfunc f(x int) int { return x + 1 }\n",
    "rust": b"fn f(x: i32) -> i32 { x + 1 }\n",
    "java": b"class A { int f(int x) { return x + 1; } }\n",
    "c": b"int f(int x) { return x + 1; }\n",
    "cpp": b"int f(int x) { return x + 1; }\n",
    "c_sharp": b"class A { int F(int x) { return x + 1; } }\n",
    "ruby": b"def f(x)\n  x + 1\nend\n",
    "php": b"<?php function f($x) { return $x + 1; }\n",
}


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    """pass | fail | skip"""
    detail: str
    fix: str = ""


def check_python(settings: Settings, root: Path) -> list[Check]:
    ok = sys.version_info >= (3, 11)
    version = ".".join(map(str, sys.version_info[:3]))
    return [Check("python", "pass" if ok else "fail", version, "" if ok else "install Python 3.11 or newer")]


def check_grammars(settings: Settings, root: Path) -> list[Check]:
    from splice.index import parser

    out = []
    for lang, sample in SAMPLES.items():
        try:
            errors = parser.error_count(lang, sample)
            has_tags = parser.query(lang, "tags") is not None or lang == "c_sharp"
        except Exception as exc:
            out.append(Check(f"grammar {lang}", "fail", str(exc), "reinstall: pip install -e . (grammar wheels)"))
            continue
        ok = errors == 0 and has_tags
        detail = "parses" if ok else f"{errors} syntax errors in a valid sample"
        out.append(Check(f"grammar {lang}", "pass" if ok else "fail", detail, "" if ok else "reinstall the grammar"))
    return out


def check_settings(settings: Settings, root: Path, problems: list[str]) -> list[Check]:
    if not problems:
        return [Check("settings", "pass", "no problems")]
    return [Check("settings", "fail", p, "correct the setting named in the message") for p in problems]


def check_trust(root: Path, trusted: bool, notices: list[str]) -> list[Check]:
    """Whether the workspace's own files may set model, apiBase, verify.command, ... and what was ignored."""
    if trusted:
        return [Check("trust", "pass", "trusted: the workspace's own settings apply")]
    checks = [Check("trust", "pass", "not trusted: the workspace's files cannot redirect models, keys or commands")]
    checks += [Check("trust", "skip", n, f"splice trust {root}  (only if you trust this repository)") for n in notices]
    return checks


def check_sandbox(settings: Settings, root: Path) -> list[Check]:
    from splice.features.generate.sandbox import Sandbox

    problem = Sandbox(forbidden_roots=(root,)).problem()  # a real bwrap run: no network, read-only system
    if problem is None:
        return [Check("sandbox", "pass", "bubblewrap runs commands with no network and only a copy writable")]
    why, _, fix = problem.partition(" — ")
    return [Check("sandbox", "fail", why, fix or "apt-get install bubblewrap")]


def check_index_store(settings: Settings, root: Path) -> list[Check]:
    from splice.index.store import Store

    with tempfile.TemporaryDirectory(prefix="splice-doctor-") as tmp:
        try:
            store = Store(Path(tmp), Settings())
            store.count("files")
            store.close()
        except Exception as exc:
            return [Check("LanceDB", "fail", f"cannot create an index: {exc}", "pip install -e . (lancedb, pyarrow)")]
    return [Check("LanceDB", "pass", "creates and opens an index on disk")]


def check_model(settings: Settings, root: Path) -> list[Check]:
    if not settings.model:
        return [
            Check("model", "skip", "no model configured", "set SPLICE_MODEL or splice.model to use generate/explain")
        ]
    import asyncio

    from splice.llm.errors import LLMError
    from splice.llm.gateway import Gateway
    from splice.llm.model import Message, Request

    request = Request("doctor", (Message("user", "Reply with the word OK."),), max_tokens=5, use_cache=False)
    started = time.perf_counter()
    try:
        answer = asyncio.run(Gateway(settings, root).complete(request))
    except LLMError as exc:
        return [Check("model", "fail", f"{settings.model}: {exc.problem.message}", exc.problem.fix)]
    took = time.perf_counter() - started
    return [Check("model", "pass", f"{settings.model} answered in {took:.1f} s ({answer.text.strip()[:20]!r})")]


def check_index_writable(settings: Settings, root: Path) -> list[Check]:
    from splice import state

    target = root / state.STATE
    try:
        probe = target / "doctor-probe"
        state.write_bytes(probe, b"ok")  # the same no-link write every state writer uses
        (target / "doctor-probe").unlink()
    except OSError as exc:
        return [Check("index folder", "fail", f"{target}: {exc}", "make the workspace writable or set index.uri")]
    return [Check("index folder", "pass", f"{target} is writable")]


def check_mcp(settings: Settings, root: Path) -> list[Check]:
    from splice.mcp.probe import list_tools

    try:
        tools = list_tools(root)
    except Exception as exc:
        return [Check("MCP server", "fail", f"`splice mcp` did not start or answer: {exc}", "pip install -e . (mcp)")]
    if not tools:
        return [Check("MCP server", "fail", "`splice mcp` started but lists no tools", "reinstall Splice")]
    return [Check("MCP server", "pass", f"`splice mcp` starts and lists {len(tools)} tools: {', '.join(tools)}")]


def check_migration_tools(settings: Settings, root: Path, trusted: bool) -> list[Check]:
    """Each command an active migration's plan lists (its verify command, codemods) run once in the sandbox."""
    from splice.features.generate.sandbox import Limits
    from splice.features.generate.verify import VerifyStatus, verify
    from splice.features.migrate.store import MigrationStore

    out = []
    for listed in MigrationStore(root).list():
        m = listed.migration
        if m is None or m.state != "active":
            continue
        for tool in m.tools:
            name = f"migration {m.id} tool"
            if not trusted:
                out.append(
                    Check(name, "skip", f"`{tool}` not run: the workspace is not trusted", f"splice trust {root}")
                )
                continue
            result = verify(root, {}, tool, trusted=True, limits=Limits(timeout=settings.verify_timeout))
            ok = result.status is VerifyStatus.PASSED
            detail = f"`{tool}` {result.status.value}" + ("" if ok else f": {result.reason}")
            out.append(Check(name, "pass" if ok else "fail", detail, "" if ok else "fix the tool or edit the plan"))
    return out


CHECKS: list[Callable[[Settings, Path], list[Check]]] = [
    check_python,
    check_grammars,
    check_index_writable,
    check_index_store,
    check_sandbox,
    check_mcp,
    check_model,
]


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("doctor", help="check every dependency and print fixes")
    add_common(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    loaded = settings_from(args, quiet=True)
    root = workspace_of(args)
    started = time.perf_counter()
    results = check_settings(loaded.settings, root, loaded.problems)
    results += check_trust(root, loaded.trusted, loaded.notices)
    results += check_migration_tools(loaded.settings, root, loaded.trusted)
    for check in CHECKS:
        try:
            results.extend(check(loaded.settings, root))
        except Exception as exc:  # one broken check must not hide the others
            results.append(Check(check.__name__.removeprefix("check_"), "fail", f"check crashed: {exc}", ""))
    failed = sum(r.status == "fail" for r in results)
    if args.json:
        print(json.dumps({"checks": [asdict(r) for r in results], "failed": failed}, indent=2))
        return 1 if failed else 0
    from splice.cli.output import is_terminal, plain_rows, table_width, terminal_width

    passed = sum(r.status == "pass" for r in results)
    skipped = len(results) - passed - failed
    summary = f"{passed} passed, {failed} failed, {skipped} skipped in {time.perf_counter() - started:.1f} s"
    cells = [(r.name, r.status, r.detail, r.fix) for r in results]
    if not is_terminal() or table_width(("check", "result", "detail", "fix"), cells) > terminal_width():
        # A pipe, a file or a narrow terminal: whole lines, nothing cut; a failure's fix on the line below it.
        lines = plain_rows([(r.status.upper(), r.name, r.detail) for r in results])
        for r, line in zip(results, lines, strict=True):
            print(line)
            if r.fix:
                print(f"      fix: {r.fix}")
        print(summary)
        return 1 if failed else 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"splice doctor — {root}")
    for col in ("check", "result", "detail", "fix"):
        table.add_column(col, overflow="fold")
    colour = {"pass": "green", "fail": "red", "skip": "yellow"}
    for r in results:
        table.add_row(Text(r.name), Text(r.status, style=colour[r.status]), Text(r.detail), Text(r.fix))
    console = Console()
    console.print(table)
    console.print(summary)
    return 1 if failed else 0
