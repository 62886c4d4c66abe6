"""Retrieval benchmark: blanked function bodies, recall of the cross-file definitions the body uses.

Protocol (research/perf_anchors.md §4.3): on the development set (flask, requests, zod from ../shared/corpora)
and the evaluation set (starlette, attrs, @trpc/server, sqlalchemy: real releases fetched from PyPI/npm at run time
by ``corpora.py``; measured only, never tuned on), each unpacked into a temp dir, sample functions whose bodies
use definitions from other files (fixed seed, ≤ --limit per repo); blank the body (signature and docstring kept);
in *strict* mode also delete the import names only that body used. Gold is
computed independently of Splice (``retrieval_gold*.py``). Splice is asked through its engine API with the blanked
text as an unsaved buffer — the index holds the original files, so nothing of the real body can leak in — at each
budget; two baselines run on the same tasks: BM25 over symbol cards and "imports of the file in usage order".

    .venv/bin/python bench/retrieval.py [--repos dev,eval | flask,sqlalchemy,…] [--limit 300] [--budgets 1000,2000,4000]
                                        [--misses] [--indexed]

Prints a markdown table: recall of gold, recall at 2k without what only module outlines cover (a gold definition
counts when an item covering it shows its name; an outline line is a signature without docstring), all-gold rate,
MRR of the first gold item, tokens used, latency p50/p95, then how often and how large module outlines are;
``--misses`` first lists every gold definition Splice leaves out at 2k, with its rank in a 60k-token answer;
``--indexed`` adds a Splice row where each blanked buffer is indexed first (the server's path after didChange; the
unsaved-buffer path stays the headline, since the index then holds nothing of the real body).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("RUST_LOG", "error")  # LanceDB prints a deprecation warning per FTS query otherwise
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "server"))

import corpora  # noqa: E402
from retrieval_gold import Def, PyRepo, Task  # noqa: E402
from splice.config import Settings  # noqa: E402
from splice.context.engine import ContextEngine  # noqa: E402
from splice.context.model import ContextItem, ContextRequest, PositionTarget  # noqa: E402
from splice.features.collector import Collector  # noqa: E402
from splice.index.indexer import Indexer  # noqa: E402

SEED = 20261123


@dataclass
class Score:
    recall: list[float] = field(default_factory=list)
    all_gold: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)


@dataclass
class MethodResult:
    by_budget: dict[int, Score] = field(default_factory=dict)
    rr: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    """CPU time of context assembly, excluding the parse of the request's buffer text."""
    with_parse_ms: list[float] = field(default_factory=list)
    """CPU time including the buffer parse (the indexer's work when the editor sends the text)."""
    wall_ms: list[float] = field(default_factory=list)
    without_outlines: list[float] = field(default_factory=list)
    """Recall at 2k counting every item but module outlines (whose lines are signatures without docstrings)."""
    outline_tokens: list[int] = field(default_factory=list)
    """Per task, the tokens module outlines take at 2k (0 when there is none)."""


def tokens_of(text: str) -> int:
    return math.ceil(len(text) / 4)


# -- coverage --------------------------------------------------------------------------------------------------


def item_covers(item: ContextItem, gold: Def) -> bool:
    if item.path != gold.path or not (item.range.start.line <= gold.line <= item.range.end.line):
        return False
    return re.search(rf"(?<![\w$]){re.escape(gold.name)}(?![\w$])", item.text) is not None


def card_covers(card: Def, gold: Def) -> bool:
    if card.path != gold.path:
        return False
    if card.qualname == gold.qualname:
        return True
    return (
        card.kind == "class"
        and gold.qualname.startswith(card.qualname + ".")
        and re.search(rf"(?<![\w$]){re.escape(gold.name)}\(", card.card) is not None
    )


def score_list(hits: Sequence[set[int]], gold: list[Def]) -> tuple[float, float, float]:
    """(recall, all-gold, reciprocal rank of the first gold item) for a list of per-item covered-gold sets."""
    covered: set[int] = set()
    rr = 0.0
    for pos, h in enumerate(hits, 1):
        if h and rr == 0.0:
            rr = 1.0 / pos
        covered |= h
    recall = len(covered) / len(gold)
    return recall, float(len(covered) == len(gold)), rr


# -- baselines -------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if len(w) > 1]


class BM25:
    def __init__(self, docs: list[Def], k1: float = 1.2, b: float = 0.75) -> None:
        self.docs = docs
        self.tf = [Counter(words(d.card)) for d in docs]
        self.len = [sum(t.values()) for t in self.tf]
        self.avg = sum(self.len) / max(len(self.len), 1)
        df: Counter[str] = Counter()
        for t in self.tf:
            df.update(t.keys())
        n = len(docs)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.k1, self.b = k1, b

    def rank(self, query: str, exclude_path: str) -> list[Def]:
        q = set(words(query))
        scored = []
        for i, d in enumerate(self.docs):
            if d.path == exclude_path:
                continue
            tf = self.tf[i]
            s = 0.0
            for w in q:
                f = tf.get(w)
                if f:
                    s += (
                        self.idf[w] * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self.len[i] / self.avg))
                    )
            if s > 0:
                scored.append((-s, i))
        scored.sort()
        return [self.docs[i] for _, i in scored]


def prefix_within(cards: list[Def], budget: int) -> list[Def]:
    out, used = [], 0
    for c in cards:
        t = tokens_of(c.card)
        if used + t > budget:
            break
        out.append(c)
        used += t
    return out


def run_baseline(
    name: str,
    tasks: list[Task],
    setting: str,
    budgets: list[int],
    ranking: Callable[[Task], list[Def]],
) -> MethodResult:
    res = MethodResult()
    for task in tasks:
        t0 = time.thread_time()
        ranked = ranking(task)
        res.latency_ms.append((time.thread_time() - t0) * 1000)
        for budget in budgets:
            cards = prefix_within(ranked, budget)
            hits = [{i for i, g in enumerate(task.gold) if card_covers(c, g)} for c in cards]
            recall, all_gold, rr = score_list(hits, task.gold)
            sc = res.by_budget.setdefault(budget, Score())
            sc.recall.append(recall)
            sc.all_gold.append(all_gold)
            sc.tokens.append(sum(tokens_of(c.card) for c in cards))
            if budget == max(budgets):
                res.rr.append(rr)
    return res


# -- Splice ----------------------------------------------------------------------------------------------------


def run_splice(
    engine: ContextEngine,
    tasks: list[Task],
    setting: str,
    budgets: list[int],
    collector: Collector,
    indexer: Indexer | None = None,
) -> MethodResult:
    """``indexer``: index each blanked buffer first, as the server does on didChange (restored afterwards), so the
    request finds the buffer in the index instead of parsing it as unsaved text."""
    res = MethodResult()
    errors = 0
    for task in tasks:
        # A user pauses between two requests: the server's idle collection runs there, never inside a request.
        collector.idle(now=time.monotonic() + collector.quiet)
        line, col = task.cursor[setting]
        original = (engine.workspace / task.path).read_bytes() if indexer is not None else b""
        if indexer is not None:
            indexer.update_text(task.path, task.buffers[setting].encode())
        for budget in budgets:
            req = ContextRequest(
                PositionTarget(task.path, line, col, text=task.buffers[setting]), budget=budget, include_target=False
            )
            t0 = time.perf_counter()
            result = engine.assemble(req)
            res.wall_ms.append((time.perf_counter() - t0) * 1000)
            cpu = result.timings.get("cpu_ms", 0.0)
            res.with_parse_ms.append(cpu)
            res.latency_ms.append(cpu - result.timings.get("parse_cpu_ms", 0.0))
            if result.error:
                errors += 1
            assert result.used <= budget, "budget exceeded"
            items = [i for i in result.items if i.kind != "target"]
            hits = [{k for k, g in enumerate(task.gold) if item_covers(i, g)} for i in items]
            recall, all_gold, rr = score_list(hits, task.gold)
            sc = res.by_budget.setdefault(budget, Score())
            sc.recall.append(recall)
            sc.all_gold.append(all_gold)
            sc.tokens.append(result.used)
            if budget == 2000:
                shown = [h for h, i in zip(hits, items, strict=True) if i.kind != "outline"]
                res.without_outlines.append(score_list(shown, task.gold)[0])
                res.outline_tokens.append(sum(i.tokens for i in items if i.kind == "outline"))
            if budget == max(budgets):
                res.rr.append(rr)
        if indexer is not None:
            indexer.update_text(task.path, original)
    if errors:
        print(f"  warning: {errors} requests returned an error", file=sys.stderr)
    return res


def print_misses(engine: ContextEngine, tasks: list[Task], setting: str, budget: int) -> None:
    """Each gold definition Splice leaves out at ``budget``, with its place in a 60k-token answer (``-``: not
    among the candidates offered at all) and the reason given there: where Splice falls short, and why."""
    for task in tasks:
        line, col = task.cursor[setting]

        def ask(tokens: int, task: Task = task, line: int = line, col: int = col) -> list[ContextItem]:
            target = PositionTarget(task.path, line, col, text=task.buffers[setting])
            req = ContextRequest(target, budget=tokens, include_target=False)
            return [i for i in engine.assemble(req).items if i.kind != "target"]

        shown = ask(budget)
        missed = [g for g in task.gold if not any(item_covers(i, g) for i in shown)]
        if not missed:
            continue
        everything = ask(60_000)
        for gold in missed:
            rank = next((k for k, i in enumerate(everything, 1) if item_covers(i, gold)), None)
            why = everything[rank - 1].reason if rank is not None else ""
            print(
                f"  miss {setting} {task.path}:{task.qualname} → {gold.qualname} ({gold.path}) rank {rank or '-'} {why}"
            )


# -- driver ----------------------------------------------------------------------------------------------------


def load_repo(name: str, root: Path, limit: int) -> tuple[list[Task], list[Def]]:
    lang, src = corpora.SPEC[name].lang, corpora.SPEC[name].package
    if lang == "python":
        repo = PyRepo(root, src)
        return repo.tasks(limit, SEED), repo.all_defs()
    from retrieval_gold_ts import TsRepo

    ts = TsRepo(root, src)
    return ts.tasks(limit, SEED), ts.all_defs()


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(repo: str, setting: str, method: str, res: MethodResult, budgets: list[int], n: int) -> str:
    mid = 2000 if 2000 in budgets else budgets[len(budgets) // 2]
    cells = [repo, setting, method, str(n)]
    cells += [f"{statistics.mean(res.by_budget[b].recall):.2f}" for b in budgets]
    cells.append(f"{statistics.mean(res.without_outlines):.2f}" if res.without_outlines else "–")
    cells.append(f"{statistics.mean(res.by_budget[mid].all_gold):.2f}")
    cells.append(f"{statistics.mean(res.rr):.2f}")
    cells.append(f"{statistics.mean(res.by_budget[mid].tokens):.0f}")
    cells.append(f"{pct(res.latency_ms, 0.5):.1f}")
    cells.append(f"{pct(res.latency_ms, 0.95):.1f}")
    cells.append(f"{pct(res.with_parse_ms, 0.95):.1f}" if res.with_parse_ms else "–")
    cells.append(f"{pct(res.wall_ms, 0.95):.1f}" if res.wall_ms else "–")
    return "| " + " | ".join(cells) + " |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", default="dev,eval", help="dev, eval, all or names (bench/corpora.py)")
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--budgets", default="1000,2000,4000")
    parser.add_argument("--settings", default="loose,strict")
    parser.add_argument("--no-store", action="store_true", help="skip LanceDB (no full-text search)")
    parser.add_argument("--misses", action="store_true", help="list the gold definitions Splice misses at 2k")
    parser.add_argument(
        "--indexed", action="store_true", help="also ask with each blanked buffer indexed first, as the server does"
    )
    args = parser.parse_args(argv)
    budgets = [int(b) for b in args.budgets.split(",")]
    settings_list = args.settings.split(",")
    header = ["repo", "setting", "method", "tasks", *(f"R@{b // 1000}k" for b in budgets), "R@2k w/o outlines"]
    header += ["all@2k", "MRR@4k", "tokens@2k", "p50 ms", "p95 ms", "p95 +parse", "p95 wall"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="splice-bench-") as tmp:
        for name in corpora.names(args.repos):
            unpacked = corpora.unpack(name, Path(tmp))
            if unpacked is None:
                print(f"skipping {name}: unavailable", file=sys.stderr)
                continue
            root = unpacked
            tasks, defs = load_repo(name, root, args.limit)
            t0 = time.perf_counter()
            indexer = Indexer(root, Settings(), persist=not args.no_store)
            summary = indexer.index_all()
            fts = None
            if indexer.store is not None:
                store = indexer.store.get()
                fts = store.fts_search if store is not None else None
            engine = ContextEngine(indexer.graph, root, is_ignored=indexer.rules.is_excluded, fts=fts)
            # What the server does once the initial index is built: warm the engine's caches, freeze the graph and
            # run full collections only between requests (splice.features.collector).
            engine.warm()
            collector = Collector()
            collector.settle()
            print(
                f"{name}: {len(tasks)} tasks, {len(defs)} gold-side definitions, indexed in "
                f"{time.perf_counter() - t0:.1f}s ({summary.describe()})",
                file=sys.stderr,
            )
            bm25 = BM25(defs)
            results: dict[tuple[str, str], MethodResult] = {}
            for setting in settings_list:
                rank_bm25 = bm25.rank
                results[setting, "Splice"] = run_splice(engine, tasks, setting, budgets, collector)
                results[setting, "BM25 cards"] = run_baseline(
                    "bm25", tasks, setting, budgets, lambda t, s=setting, r=rank_bm25: r(t.query[s], t.path)
                )
                results[setting, "imports, usage order"] = run_baseline(
                    "imports", tasks, setting, budgets, lambda t, s=setting: t.imports_in_order[s]
                )
                if args.misses:
                    print_misses(engine, tasks, setting, 2000)
            # Last: indexing the buffers and restoring the files re-resolves references, so the graph afterwards
            # need not be the one the rows above were measured on.
            for setting in settings_list if args.indexed else []:
                results[setting, "Splice, buffer indexed"] = run_splice(
                    engine, tasks, setting, budgets, collector, indexer
                )
            for (setting, method), res in sorted(results.items(), key=lambda kv: settings_list.index(kv[0][0])):
                label = f"{name} ({'eval' if name in corpora.EVAL else 'dev'})"
                lines.append(row(label, setting, method, res, budgets, len(tasks)))
                if res.outline_tokens:
                    with_outline = sum(1 for t in res.outline_tokens if t)
                    notes.append(
                        f"{name} {setting} {method}: module outlines in {with_outline}/{len(tasks)} answers at 2k, "
                        f"{statistics.mean(res.outline_tokens):.0f} tokens on average over all tasks"
                    )
            indexer.close()
            collector.restore()
    print("\n".join(lines))
    print("\n".join(["", *notes]))
    load = os.getloadavg()
    print(
        f"\nLoad average (1/5/15 min) at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"on {os.cpu_count()} CPUs."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
