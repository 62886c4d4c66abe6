"""MCP benchmark: what an agent gets from `splice mcp` versus grep-and-read, and how fast each tool answers.

Runs the real server (``python -m splice mcp``) over stdio with the SDK's own client, on the development corpora
(flask, requests, zod unpacked from ../shared/corpora into a temp dir).

1. Retrieval — the tasks of ``bench/retrieval.py`` (blanked function bodies, gold = the cross-file definitions the
   body uses, computed independently of Splice): the ``context`` tool at 2,000 tokens (the blanked file passed as
   the unsaved ``text``, as an agent passes the file it is writing) versus a grep-and-read agent at the same token
   count — for each identifier of the signature, docstring and the lines above (the retrieval benchmark's query,
   in order), grep the repository for its definition (``def``/``class``/``function``/``const``/``NAME =``), then
   read 40 lines from each hit, as an agent's Read tool with an offset does, until the budget is spent; a second
   variant greps the names the file imports first (what an agent that reads the imports would look up). A gold
   definition counts when an item (or read window) spans its line and shows its name, as in the retrieval
   benchmark.
2. Latency — client-side wall time of each tool (request → answer over stdio), p50/p95, on inputs drawn from the
   same tasks.

    make bench-mcp
    .venv/bin/python bench/mcp_bench.py [--repos flask,requests,zod] [--limit 60] [--setting strict]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import anyio  # noqa: E402
import mcp_types as types  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

import corpora  # noqa: E402
from retrieval import load_repo, pct, tokens_of  # noqa: E402
from retrieval_gold import Def, Task  # noqa: E402

BUDGET = 2000
WINDOW = 40
_FILE = re.compile(r"^### (?P<path>\S.*)$")
_ITEM = re.compile(r"^(?:#|//) (?P<start>\d+)(?:-(?P<end>\d+))? .* — why: ")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_STOP = """self cls def class return none true false import from str int float bool dict list tuple any the and for
    with not that this is are was be to of in on or an as by it if else elif const let var function export
    async await new string number boolean void null undefined type interface"""
_SKIP = frozenset(_STOP.split())


@dataclass
class Window:
    path: str
    start: int
    """0-based first line."""
    end: int
    text: str


def covers(w: Window, gold: Def) -> bool:
    if w.path != gold.path or not (w.start <= gold.line <= w.end):
        return False
    return re.search(rf"(?<![\w$]){re.escape(gold.name)}(?![\w$])", w.text) is not None


def recall(windows: list[Window], gold: list[Def]) -> float:
    return sum(1 for g in gold if any(covers(w, g) for w in windows)) / len(gold)


# -- the context tool's answer, read back as windows -------------------------------------------------------------


def parse_context(text: str) -> tuple[list[Window], int]:
    """Items of a ``context`` answer (a ``### path`` heading per file, a ``# first-last … — why:`` line per item,
    1-based) and the tokens used."""
    used = int(m.group(1)) if (m := re.search(r"— (\d+)/\d+ tokens", text)) else 0
    out: list[Window] = []
    path = ""
    body: list[str] = []
    for line in text.splitlines():
        if (f := _FILE.match(line)) is not None:
            path = f["path"]
        elif path and (item := _ITEM.match(line)) is not None:
            if out:
                out[-1].text = "\n".join(body)
            start = int(item["start"])
            out.append(Window(path, start - 1, int(item["end"] or start) - 1, ""))
            body = []
        elif out:
            body.append(line)
    if out:
        out[-1].text = "\n".join(body)
    return out, used


# -- the grep-and-read agent -------------------------------------------------------------------------------------


class GrepAgent:
    def __init__(self, root: Path, src: str) -> None:
        self.files: dict[str, list[str]] = {}
        for path in sorted((root / src).rglob("*")):
            if path.suffix in (".py", ".ts") and path.is_file():
                rel = path.relative_to(root).as_posix()
                self.files[rel] = path.read_text(encoding="utf-8", errors="replace").splitlines()

    def definitions(self, name: str) -> Iterator[tuple[str, int]]:
        pattern = re.compile(
            rf"^\s*(?:export\s+)?(?:(?:async\s+)?def|class|(?:async\s+)?function|const|let|type|interface)\s+"
            rf"{re.escape(name)}\b|^\s*{re.escape(name)}\s*(?::[^=]*)?=(?!=)"
        )
        for rel, lines in self.files.items():
            for n, line in enumerate(lines):
                if pattern.search(line):
                    yield rel, n

    def answer(self, task: Task, setting: str, budget: int, *, imports_first: bool) -> tuple[list[Window], int]:
        """``imports_first``: grep the names the file's import statements bring in before the query's words."""
        names = _IDENT.findall(task.query[setting])
        if imports_first:
            names = imported_names(task.buffers[setting]) + names
        seen: set[str] = set()
        read: set[tuple[str, int]] = set()
        out: list[Window] = []
        used = 0
        for name in names:
            if name in seen or len(name) < 3 or name.lower() in _SKIP:
                continue
            seen.add(name)
            for rel, n in self.definitions(name):
                if rel == task.path or (rel, n) in read:
                    continue
                read.add((rel, n))
                lines = self.files[rel][n : n + WINDOW]
                text = "\n".join(lines)
                cost = tokens_of(text)
                if used + cost > budget:  # the last read is cut to what is left
                    keep = max(0, (budget - used) * 4)
                    text = text[:keep]
                    lines = text.splitlines()
                    cost = tokens_of(text)
                if lines:
                    out.append(Window(rel, n, n + len(lines) - 1, text))
                    used += cost
                if used >= budget:
                    return out, used
        return out, used


_PY_FROM = re.compile(r"^\s*from\s+[\w.]+\s+import\s+\(?([^)#\n]+)", re.M)
_TS_IMPORT = re.compile(r"^\s*import\s+(?:type\s+)?\{([^}]*)\}", re.M)


def imported_names(text: str) -> list[str]:
    """Names a file imports (``from m import a, b as c`` / ``import { a, b as c } from``), in file order."""
    out: list[str] = []
    for m in sorted([*_PY_FROM.finditer(text), *_TS_IMPORT.finditer(text)], key=lambda m: m.start()):
        for part in m.group(1).split(","):
            name = part.strip().split(" as ")[0].strip()
            if name and name != "*" and _IDENT.fullmatch(name):
                out.append(name)
    return out


# -- driving the server ------------------------------------------------------------------------------------------


@contextmanager
def unpacked(name: str) -> Iterator[Path]:
    """The corpus unpacked in a temp folder (the evaluation set is fetched from its registry first)."""
    with tempfile.TemporaryDirectory(prefix="splice-bench-mcp-") as tmp:
        root = corpora.unpack(name, Path(tmp))
        if root is None:
            raise SystemExit(f"{name}: corpus unavailable (see the message above)")
        yield root


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


def tool_calls(task: Task, setting: str, root: Path) -> list[tuple[str, dict[str, Any]]]:
    """One call of each tool, with inputs an agent working on this task would send."""
    line = task.cursor[setting][0]
    gold = task.gold[0]
    gold_id = f"{gold.path}::{gold.qualname}"
    name = task.qualname.rsplit(".", 1)[-1]
    buffer_lines = task.buffers[setting].splitlines()
    trace = (
        "Traceback (most recent call last):\n"
        f'  File "{root / task.path}", line {line + 1}, in {name}\n'
        f"    {buffer_lines[line].strip() if line < len(buffer_lines) else ''}\n"
        f'  File "{root / gold.path}", line {gold.line + 1}, in {gold.name}\n'
        "    raise RuntimeError('boom')\nRuntimeError: boom\n"
    )
    return [
        ("search_symbols", {"query": name[:8]}),
        ("definition", {"symbol": gold_id}),
        ("references", {"symbol": gold_id}),
        ("callers", {"symbol": gold_id}),
        ("callees", {"symbol": f"{task.path}::{task.qualname}"}),
        ("outline", {"file": task.path}),
        ("explain_trace", {"trace": trace}),
    ]


async def run_repo(name: str, limit: int, setting: str) -> dict[str, Any]:
    src = corpora.SPEC[name].package
    with unpacked(name) as root:
        tasks, _ = load_repo(name, root, limit)
        grep = GrepAgent(root, src)
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "splice", "mcp", "--workspace", str(root)],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p and Path(p) != HERE)},
        )
        latency: dict[str, list[float]] = defaultdict(list)
        splice_recall: list[float] = []
        splice_tokens: list[int] = []
        grep_recall: dict[bool, list[float]] = {False: [], True: []}
        grep_tokens: dict[bool, list[int]] = {False: [], True: []}
        started = time.perf_counter()
        async with Client(params, read_timeout_seconds=300) as client:
            while True:  # the index: tools answer while it builds, but the benchmark measures the finished one
                status = await client.read_resource("splice://index/status")
                content = status.contents[0]
                if isinstance(content, types.TextResourceContents) and '"state": "ready"' in content.text:
                    break
                await anyio.sleep(0.2)
            ready = time.perf_counter() - started
            for task in tasks:
                line, col = task.cursor[setting]
                args = {"file": task.path, "line": line + 1, "column": col + 1, "budget": BUDGET}
                args["text"] = task.buffers[setting]
                t0 = time.perf_counter()
                result = await client.call_tool("context", args)
                latency["context"].append((time.perf_counter() - t0) * 1000)
                windows, used = parse_context(text_of(result))
                splice_recall.append(recall(windows, task.gold))
                splice_tokens.append(used)
                for imports_first in (False, True):
                    windows, used = grep.answer(task, setting, BUDGET, imports_first=imports_first)
                    grep_recall[imports_first].append(recall(windows, task.gold))
                    grep_tokens[imports_first].append(used)
                for tool, arguments in tool_calls(task, setting, root):
                    t0 = time.perf_counter()
                    await client.call_tool(tool, arguments)
                    latency[tool].append((time.perf_counter() - t0) * 1000)
            first = tasks[0]
            answer = (
                f"{first.path}\n```\n<<<<<<< SEARCH\n{first.buffers[setting].splitlines()[0]}\n=======\n"
                f"{first.buffers[setting].splitlines()[0]}  # touched\n>>>>>>> REPLACE\n```\n"
            )
            for _ in range(10):
                t0 = time.perf_counter()
                await client.call_tool("propose_edit", {"answer": answer})
                latency["propose_edit"].append((time.perf_counter() - t0) * 1000)
    return {
        "tasks": len(tasks),
        "ready_s": ready,
        "splice": (statistics.mean(splice_recall), statistics.mean(splice_tokens)),
        "grep": (statistics.mean(grep_recall[False]), statistics.mean(grep_tokens[False])),
        "grep-imports": (statistics.mean(grep_recall[True]), statistics.mean(grep_tokens[True])),
        "latency": latency,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", default="dev", help="dev, eval, all or names (bench/corpora.py)")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--setting", default="strict", choices=["loose", "strict"])
    args = parser.parse_args(argv)
    load = os.getloadavg()
    rows = ["| repo | tasks | method | recall@2k | tokens used |", "|---|---|---|---|---|"]
    lat_rows: dict[str, dict[str, str]] = defaultdict(dict)
    names = [n for n in corpora.names(args.repos) if corpora.archive(n) is not None]
    if not names:
        print("no corpus available (../shared/corpora or SPLICE_CORPORA, or the registries)", file=sys.stderr)
        return 2
    for name in names:
        out = anyio.run(run_repo, name, args.limit, args.setting)
        print(f"{name}: {out['tasks']} tasks, index ready after {out['ready_s']:.1f} s", file=sys.stderr)
        methods = (
            ("Splice `context` tool", "splice"),
            (f"grep the nearby words' definitions + read {WINDOW} lines", "grep"),
            ("same, the file's imported names first", "grep-imports"),
        )
        for method, key in methods:
            rows.append(f"| {name} | {out['tasks']} | {method} | {out[key][0]:.2f} | {out[key][1]:.0f} |")
        for tool, values in out["latency"].items():
            lat_rows[tool][name] = f"{pct(values, 0.5):.0f} / {pct(values, 0.95):.0f}"
    print(f"setting: {args.setting}; budget {BUDGET} tokens (≈ characters/4); load average before: {load[0]:.1f}\n")
    print("\n".join(rows))
    print("\n| tool | " + " | ".join(f"{n} p50 / p95 ms" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for tool, cells in lat_rows.items():
        print(f"| {tool} | " + " | ".join(cells.get(n, "–") for n in names) + " |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f} (2 cores shared)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
