"""Generate benchmark: blanked function bodies regenerated through the real feature, with a fake model replaying them.

Protocol (issue 7): on flask, requests and zod (unpacked from ../shared/corpora into a temp dir), index the
workspace once, then for ``--per-repo`` functions (fixed seed; named functions/methods that start their line, with
≥ 2 statements in the body besides a docstring, outside test files) blank the body — signature and docstring kept,
the body replaced by a stub the feature recognises (Python ``raise NotImplementedError``, JS/TS
``throw new Error("not implemented")``) — write it to disk and into the index, take the STUB code action offered at
the ``def``/``function`` line and run ``Generate.run`` against the fake OpenAI-compatible server (tests/fake_llm.py,
real HTTP through litellm, instant answers). The server replays the original definition in the format the
generate prompt asks for (one fenced block holding the complete definition), so a correct round trip reproduces the
original file byte for byte. The file and its index entry are restored afterwards.

Timed per function (``time.perf_counter``, warm: one unmeasured run per repo first):
  context     ``Generate.task`` — stub detection, context assembly from the graph, callers;
  prompt      ``Task.request`` — prompt rendering (inside ``Generate.ask``);
  gateway     the gateway call to the instant fake model (litellm, HTTP, usage log): reported, not in the overhead;
  parse       ``Generate.to_proposal`` — answer parsing, symbol placement, proposal validation (re-parse, diff);
  finish      the rest of ``Generate.run`` (risky-line scan, verdict attached).
Overhead = context + prompt + parse + finish (target p95 ≤ 100 ms). Prompt tokens are counted by the gateway's
tokenizer for the model (``Gateway.estimate``). Re-indexing the blanked buffer (the editor's didChange) is shown
separately; it happens before the user asks.

Memory management is the server's (``splice.features.collector``): the graph is frozen after indexing, full
collections run only in the pause between two requests (simulated after each function) — so their time is never
inside a measured stage, exactly as in the server. ``--cpython-gc`` leaves CPython's collector alone instead.

    .venv/bin/python bench/generate.py [--corpora ../shared/corpora] [--repos flask,requests,zod] [--per-repo 50]
                                       [--seed N] [--cpython-gc] [--show-failures]

Prints a markdown table per repo and overall, then every failed round trip with its reason.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("RUST_LOG", "error")  # LanceDB prints a deprecation warning per FTS query otherwise
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "server"))

from tests.fake_llm import FakeLLM, Reply  # noqa: E402

from splice.config import Settings  # noqa: E402
from splice.edits.errors import EditRefused  # noqa: E402
from splice.edits.propose import disk_reader  # noqa: E402
from splice.edits.review import Reader  # noqa: E402
from splice.features.collector import Collector  # noqa: E402
from splice.features.generate.functions import Function, functions, parse_source  # noqa: E402
from splice.features.generate.offers import OfferKind  # noqa: E402
from splice.features.generate.service import Generate, Task  # noqa: E402
from splice.features.workspace import SpliceWorkspace  # noqa: E402
from splice.index.model import Point  # noqa: E402
from splice.llm.errors import LLMError  # noqa: E402
from splice.llm.model import Completion, Message, Progress  # noqa: E402

CORPORA = ROOT / ".." / "shared" / "corpora"
SEED = 20261123
LANGS = {"python": "python", "javascript": "javascript", "typescript": "typescript", "tsx": "tsx"}
PY_STUB = b"raise NotImplementedError"
TS_STUB = b'throw new Error("not implemented");'
TEST_DIRS = {"test", "tests", "__tests__", "testing"}


# -- sampling and blanking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    path: str
    lang: str
    qualname: str
    at: Point
    """The ``def``/``function`` keyword: where a user asks for the code action."""
    blanked: bytes
    answer: str
    """The model's reply: the original definition in one fenced block."""


def is_test_path(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    name = parts[-1]
    return (
        any(p in TEST_DIRS for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith(("_test.py", "conftest.py"))
        or ".test." in name
        or ".spec." in name
    )


def _statements(fn: Function, lang: str) -> list[Any]:
    """The body's statements, without comments and (Python) the docstring; empty when the body is no block."""
    body = fn.body
    if body is None or body.type not in ("block", "statement_block"):
        return []
    stmts = [c for c in body.named_children if "comment" not in c.type]
    if lang == "python" and stmts and _is_docstring(stmts[0]):
        stmts = stmts[1:]
    return stmts


def _is_docstring(node: Any) -> bool:
    return bool(
        node.type == "expression_statement" and node.named_child_count == 1 and node.named_children[0].type == "string"
    )


def _line_start(source: bytes, byte: int) -> int:
    return source.rfind(b"\n", 0, byte) + 1


def _indent(source: bytes, byte: int) -> bytes:
    start = _line_start(source, byte)
    line = source[start:byte]
    return line[: len(line) - len(line.lstrip(b" \t"))]


def blank(source: bytes, fn: Function, lang: str) -> bytes:
    """``source`` with ``fn``'s body replaced by the language's not-implemented stub (docstring kept)."""
    body = fn.body
    assert body is not None
    if lang == "python":
        stmts = [c for c in body.named_children if c.type != "comment"]
        if stmts and _is_docstring(stmts[0]):
            doc = stmts[0]
            return source[: doc.end_byte] + b"\n" + _indent(source, doc.start_byte) + PY_STUB + source[body.end_byte :]
        return source[: body.start_byte] + PY_STUB + source[body.end_byte :]
    first = next(c for c in body.named_children if "comment" not in c.type)
    inner, outer = _indent(source, first.start_byte), _indent(source, body.end_byte - 1)
    stub = b"{\n" + inner + TS_STUB + b"\n" + outer + b"}"
    return source[: body.start_byte] + stub + source[body.end_byte :]


def candidates(rel: str, lang: str, source: bytes) -> list[tuple[Function, str]]:
    """Functions worth blanking in one file, each with the reply that restores it (the definition, fenced)."""
    found = []
    for fn in functions(lang, parse_source(lang, source)):
        start = fn.span.start_byte
        line_start = _line_start(source, start)
        if source[line_start:start].strip() or len(_statements(fn, lang)) < 2:
            continue  # something else precedes it on its line (`key: function …`): not a definition to replace
        definition = source[line_start : fn.span.end_byte].decode("utf-8")
        fence = "python" if lang == "python" else lang
        found.append((fn, f"Here is the implementation.\n\n```{fence}\n{definition}\n```\n"))
    return found


def sample(ws: SpliceWorkspace, count: int, seed: int) -> list[Case]:
    pool: list[tuple[str, str, Function, str, bytes]] = []
    for rel, record in sorted(ws.graph.files.items()):
        lang = LANGS.get(record.lang)
        if lang is None or is_test_path(rel) or rel.endswith((".pyi", ".d.ts")):
            continue
        source = ws.abspath(rel).read_bytes()
        pool.extend((rel, lang, fn, answer, source) for fn, answer in candidates(rel, lang, source))
    chosen = random.Random(seed).sample(pool, min(count, len(pool)))
    cases = []
    for rel, lang, fn, answer, source in chosen:
        at = Point(fn.node.start_point[0], fn.node.start_point[1])
        cases.append(Case(rel, lang, fn.qualname, at, blank(source, fn, lang), answer))
    return cases


# -- measuring ---------------------------------------------------------------------------------------------------


@dataclass
class Timings:
    """Seconds per stage, wall clock and CPU time of this thread (the machine may be shared: CPU is the steadier
    figure, wall is what a user waits)."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, wall: float, cpu: float) -> None:
        self.wall[stage] = self.wall.get(stage, 0.0) + wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu


class Clock:
    """Wall and thread CPU time since the last ``lap``."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.thread_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.thread_time()
        elapsed = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return elapsed


class TimedGenerate(Generate):
    """Generate with its stages timed: prompt rendering and the gateway call inside ``ask``, and ``to_proposal``."""

    def __init__(self, ws: SpliceWorkspace) -> None:
        super().__init__(ws)
        self.timings = Timings()

    async def ask(
        self, task: Task, extra: tuple[Message, ...] = (), progress: Callable[[Progress], None] | None = None
    ) -> Completion:
        clock = Clock()
        request = task.request(extra)
        self.timings.add("prompt", *clock.lap())
        completion = await self.ws.gateway().complete(request, progress=progress)
        self.timings.add("gateway", *clock.lap())
        return completion

    def to_proposal(self, task: Task, completion: Completion, reader: Reader) -> Any:
        clock = Clock()
        try:
            return super().to_proposal(task, completion, reader)
        finally:
            self.timings.add("parse", *clock.lap())


@dataclass
class RepoResult:
    name: str
    cases: int = 0
    offered: int = 0
    proposals: int = 0
    exact: int = 0
    overhead: list[float] = field(default_factory=list)
    overhead_cpu: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    """Stage → wall ms per case; ``<stage> cpu`` → CPU ms."""
    tokens: list[float] = field(default_factory=list)
    item_tokens: list[float] = field(default_factory=list)
    items: list[float] = field(default_factory=list)
    reindex: list[float] = field(default_factory=list)
    idle_collections: int = 0
    warm_s: float = 0.0
    """The context engine's warm-up after indexing (not in any request)."""
    failures: list[str] = field(default_factory=list)

    def merge(self, other: RepoResult) -> None:
        self.cases += other.cases
        self.offered += other.offered
        self.proposals += other.proposals
        self.exact += other.exact
        self.idle_collections += other.idle_collections
        for name in ("overhead", "overhead_cpu", "tokens", "item_tokens", "items", "reindex"):
            getattr(self, name).extend(getattr(other, name))
        for stage, values in other.stages.items():
            self.stages.setdefault(stage, []).extend(values)


OVERHEAD_STAGES = ("context", "prompt", "parse", "finish")


async def run_case(gen: TimedGenerate, fake_answer: list[str], case: Case, result: RepoResult | None) -> None:
    """Blank, regenerate, compare, restore. ``result`` None = a warm-up run (nothing recorded)."""
    ws = gen.ws
    target = ws.abspath(case.path)
    original = target.read_bytes()
    where = f"{case.path}:{case.at.line + 1} {case.qualname}"
    record = result if result is not None else RepoResult("warm-up")
    try:
        target.write_bytes(case.blanked)
        clock = Clock()
        ws.indexer.update_text(case.path, case.blanked)
        record.reindex.append(clock.lap()[0] * 1000)
        ws.indexer.settle()  # resolve dependants and flush the store now, not in the background while we time
        record.cases += 1
        stubs = [o for o in gen.offers(case.path, case.at) if o.kind is OfferKind.STUB]
        offer = next((o for o in stubs if o.symbol == case.qualname), stubs[0] if stubs else None)
        if offer is None:
            record.failures.append(f"{where}: no STUB offer at the definition")
            return
        record.offered += 1
        fake_answer[0] = case.answer
        gen.timings = timings = Timings()
        clock = Clock()
        try:
            task = gen.task(offer)
        except EditRefused as exc:
            record.failures.append(f"{where}: task refused: {exc}")
            return
        timings.add("context", *clock.lap())
        try:
            outcome = await gen.run(task, reader=disk_reader)
        except LLMError as exc:
            record.failures.append(f"{where}: model call failed: {exc.problem.message}")
            return
        run_wall, run_cpu = clock.lap()
        others = ("prompt", "gateway", "parse")
        timings.add(
            "finish",
            run_wall - sum(timings.wall.get(s, 0.0) for s in others),
            run_cpu - sum(timings.cpu.get(s, 0.0) for s in others),
        )
        record.overhead.append(sum(timings.wall.get(s, 0.0) for s in OVERHEAD_STAGES) * 1000)
        record.overhead_cpu.append(sum(timings.cpu.get(s, 0.0) for s in OVERHEAD_STAGES) * 1000)
        for stage in (*OVERHEAD_STAGES, "gateway"):
            record.stages.setdefault(stage, []).append(timings.wall.get(stage, 0.0) * 1000)
            record.stages.setdefault(f"{stage} cpu", []).append(timings.cpu.get(stage, 0.0) * 1000)
        gateway = ws.gateway()
        record.tokens.append(gateway.estimate(task.request()).prompt_tokens)
        count = gateway.token_counter()
        record.item_tokens.append(sum(count(item.text) for item in task.items))
        record.items.append(len(task.items))
        if outcome.proposal is None:
            record.failures.append(f"{where}: no proposal: {outcome.note}")
            return
        record.proposals += 1
        changes = outcome.proposal.changes
        expected = original.decode("utf-8").replace("\r\n", "\n")
        if len(changes) == 1 and changes[0].path == case.path and changes[0].new_text == expected:
            record.exact += 1
        else:
            record.failures.append(f"{where}: proposal differs from the original\n{outcome.proposal.diff()}")
    finally:
        target.write_bytes(original)
        ws.indexer.update_from_disk(case.path)
        ws.indexer.settle()


async def bench_repo(
    name: str, root: Path, fake: FakeLLM, fake_answer: list[str], count: int, seed: int, server_gc: bool
) -> RepoResult:
    settings = Settings(model="openai/fake-model", api_base=fake.url, cache_enabled=False)
    ws = SpliceWorkspace(root, settings)
    clock = Clock()
    ws.indexer.index_all()
    print(f"{name}: indexed {len(ws.graph.files)} files in {clock.lap()[0]:.1f} s", file=sys.stderr)
    gen = TimedGenerate(ws)
    clock.lap()
    ws.context_engine(read_file=gen.read_file).warm()  # what the server does once the initial index is built…
    result = RepoResult(name)
    result.warm_s = clock.lap()[0]
    collector = Collector()
    if server_gc:
        collector.settle()  # …and this
    cases = sample(ws, count + 1, seed)
    if cases:
        await run_case(gen, fake_answer, cases[0], None)  # warm-up: imports, tokenizer, context engine, store
    for case in cases[1:]:
        collector.touch()  # the editor's request arrives
        await run_case(gen, fake_answer, case, result)
        # The user reads the proposal before asking again: the server's idle collection runs in that pause.
        result.idle_collections += collector.idle(now=time.monotonic() + collector.quiet)
    ws.indexer.close()
    collector.restore()
    print(f"{name}: {result.cases} functions in {clock.lap()[0]:.1f} s", file=sys.stderr)
    return result


async def bench_all(corpora: Path, names: list[str], count: int, seed: int, server_gc: bool) -> list[RepoResult]:
    """Every repo in one event loop (litellm's HTTP clients outlive a loop)."""
    fake_answer = ["ok"]
    results = []
    with FakeLLM(responder=lambda path, body: Reply(text=fake_answer[0])) as fake, tempfile.TemporaryDirectory() as tmp:
        for name in names:
            with tarfile.open(corpora / f"{name}.tar.gz") as tar:
                tar.extractall(tmp, filter="data")
            results.append(await bench_repo(name, Path(tmp) / name, fake, fake_answer, count, seed, server_gc))
    return results


# -- reporting ---------------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def _pair(values: list[float], digits: int = 1) -> str:
    return f"{pct(values, 50):.{digits}f} / {pct(values, 95):.{digits}f}"


def with_overall(results: list[RepoResult]) -> list[RepoResult]:
    if len(results) < 2:
        return results
    total = RepoResult("**overall**")
    for r in results:
        total.merge(r)
    return [*results, total]


def summary_table(rows: list[RepoResult]) -> str:
    lines = [
        "| repo | functions | offered | proposals | exact round trip | overhead wall ms p50 / p95 "
        "| overhead CPU ms p50 / p95 | ≤ 100 ms (p95 wall) | prompt tokens p50 / p95 | context items' code, tokens "
        "| context items (count) |",
        "|---|---:|---:|---:|---:|---:|---:|:-:|---:|---:|---:|",
    ]
    for r in rows:
        verdict = "yes" if r.overhead and pct(r.overhead, 95) <= 100 else "no"
        lines.append(
            f"| {r.name} | {r.cases} | {r.offered} | {r.proposals} | {r.exact} | {_pair(r.overhead)} "
            f"| {_pair(r.overhead_cpu)} | {verdict} | {_pair(r.tokens, 0)} | {_pair(r.item_tokens, 0)} "
            f"| {_pair(r.items, 0)} |"
        )
    return "\n".join(lines)


def stage_table(rows: list[RepoResult]) -> str:
    names = {"context": "context (task)", "prompt": "prompt render", "parse": "parse+place+validate"}
    names |= {"finish": "finish (risk scan)", "gateway": "gateway+HTTP, instant model (excluded)"}
    lines = [
        "| repo | " + " | ".join(names[s] for s in (*OVERHEAD_STAGES, "gateway")) + " | re-index buffer (excluded) |",
        "|---|" + "---:|" * 6,
    ]
    for r in rows:
        cells = [f"{_pair(r.stages.get(s, []))} ({_pair(r.stages.get(f'{s} cpu', []))})" for s in names]
        lines.append(f"| {r.name} | " + " | ".join(cells) + f" | {_pair(r.reindex)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--repos", default="flask,requests,zod")
    parser.add_argument("--per-repo", type=int, default=50)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--cpython-gc",
        action="store_true",
        help="leave CPython's collector alone (default: the server's policy, splice.features.collector)",
    )
    parser.add_argument("--show-failures", action="store_true", help="print each differing proposal's diff")
    args = parser.parse_args(argv)
    if args.per_repo < 1:
        parser.error("--per-repo must be at least 1")
    names = [n for n in args.repos.split(",") if n]
    missing = [n for n in names if not (args.corpora / f"{n}.tar.gz").is_file()]
    if missing:
        print(f"skipped: no corpus archive for {', '.join(missing)} in {args.corpora}", file=sys.stderr)
        return 0 if len(missing) == len(names) else 1
    load_before = os.getloadavg()[0]
    clock = Clock()
    results = asyncio.run(bench_all(args.corpora, names, args.per_repo, args.seed, not args.cpython_gc))
    wall = clock.lap()[0]
    rows = with_overall(results)
    print(
        f"### Generate round trip: {args.per_repo} blanked functions per repo (seed {args.seed}"
        f"{', CPython GC policy' if args.cpython_gc else ', the server GC policy'}); wall {wall:.0f} s, "
        f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n"
    )
    print(summary_table(rows))
    print("\nStages, ms p50 / p95 wall (CPU of the server thread in parentheses):\n")
    print(stage_table(rows))
    print(
        "\nOverhead = context + prompt + parse+validate + finish (target p95 ≤ 100 ms); the gateway call to the "
        "instant fake model and the re-index of the edited buffer are measured but not included. Prompt tokens: "
        "the whole request as the gateway counts it (context budget: 4000); context items' code: the items' text "
        "alone, without their headers and fences. Full garbage collections run between requests: "
        + ", ".join(f"{r.name} {r.idle_collections}" for r in results)
        + ". Context engine warm-up after indexing (as the server does it, before any request): "
        + ", ".join(f"{r.name} {r.warm_s:.2f} s" for r in results)
        + "."
    )
    failures = [(r.name, f) for r in results for f in r.failures]
    if failures:
        print(f"\nFailed round trips ({len(failures)}):")
    for name, failure in failures:
        head, _, diff = failure.partition("\n")
        print(f"- {name}: {head}")
        if diff and args.show_failures:
            print("```diff\n" + diff.rstrip() + "\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
