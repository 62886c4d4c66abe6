"""Explain benchmark: real faults injected into real functions, real tracebacks from the projects' own tests, and
what of the trace's code reaches the explain prompt.

Protocol. For each corpus (dev: flask and requests from ../shared/corpora; evaluation, never tuned on: click and
itsdangerous, fetched at run time as PyPI sdists into the cache), unpacked into a temporary folder:

1. Pick functions of the package (fixed seed) that the project's tests name, and mutate one at a time with one of
   three *kinds* of fault, as small text edits:
   ``return_none`` — every ``return <value>`` returns None (the error surfaces in a caller: the culprit is often
   not the innermost frame, or only called on a frame's line); ``bad_attr`` — the first attribute read gets a
   wrong name (AttributeError inside the culprit); ``none_arg`` — the first argument of a call to another
   workspace function becomes None (the error surfaces in the callee: the culprit is an outer frame).
2. Run the test files that name the function (``pytest --tb=native``) and keep the first failing test that passed
   before the mutation and whose traceback reaches the package's code.
3. Index the mutated workspace (incrementally), ``ExplainError.prepare_trace`` the failure text at the default
   budget, render the prompt (no model involved) and score it.

Scores per corpus: *culprit* — the mutated function's code (a body, an excerpt or the target) is in the prompt,
counted over the faults where the culprit is on the stack or called by name on a workspace frame's line (the
target's population), with the split per kind; *frames* — the share of workspace frames whose function's code is
in it; *tokens* — median tokens of the whole prompt (system + user, ⌈chars/4⌉); *precision* — the share of the
prompt's tokens that are items showing a frame's function, the culprit, or a definition they use (graph edges of
the unmutated index). The *baseline* sends the trace's own functions, innermost first, whole, up to the same
token count as Splice's prompt, through the same template.

    .venv/bin/python bench/explain.py [--corpora flask,requests,click,itsdangerous] [--faults 30] [--seed N]
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("RUST_LOG", "error")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(HERE.parent / "server"))

from splice.config import Settings  # noqa: E402
from splice.context.budget import approx_tokens  # noqa: E402
from splice.context.model import ContextItem  # noqa: E402
from splice.features.explain.model import ParseError  # noqa: E402
from splice.features.explain.service import ExplainError, Prepared  # noqa: E402
from splice.features.workspace import SpliceWorkspace  # noqa: E402
from splice.index.model import EdgeKind, Symbol, SymbolKind  # noqa: E402
from splice.llm.gateway import Gateway  # noqa: E402

CORPORA = Path(os.environ.get("SPLICE_CORPORA") or HERE.parent / ".." / "shared" / "corpora")
CACHE = HERE / ".cache" / "explain"
SEED = 20261207
KINDS = ("return_none", "bad_attr", "none_arg")
CODE_KINDS = ("target", "body", "excerpt")


@dataclass(frozen=True)
class Corpus:
    name: str
    package: str
    """The package folder, relative to the unpacked root."""
    tests: str
    source: str
    """``corpora:<archive>`` or ``pypi:<name>==<version>``."""
    deps: tuple[str, ...] = ()
    """Wheels the tests need besides what the bench's own environment has."""
    evaluation: bool = False


CORPUS_LIST = (
    # flask's conftest uses ``_pytest.monkeypatch.notset``, gone from the pytest this project pins: its tests run
    # under the pytest 8 they were written for
    Corpus(
        "flask",
        "src/flask",
        "tests",
        "corpora:flask",
        (
            "werkzeug==3.1.3",
            "itsdangerous==2.2.0",
            "blinker==1.9.0",
            "pytest==8.3.5",
            "pluggy==1.5.0",
            "iniconfig==2.0.0",
        ),
    ),
    Corpus("requests", "src/requests", "tests", "corpora:requests"),
    Corpus("click", "src/click", "tests", "pypi:click==8.1.8", evaluation=True),
    Corpus("itsdangerous", "src/itsdangerous", "tests", "pypi:itsdangerous==2.2.0", evaluation=True),
)


@dataclass
class Fault:
    corpus: str
    kind: str
    path: str
    qualname: str
    culprit_on_stack: bool = False
    culprit_on_line: bool = False
    splice_culprit: bool = False
    base_culprit: bool = False
    frames: int = 0
    splice_frames: int = 0
    base_frames: int = 0
    splice_tokens: int = 0
    base_tokens: int = 0
    splice_precision: float = 0.0
    base_precision: float = 0.0

    @property
    def targeted(self) -> bool:
        return self.culprit_on_stack or self.culprit_on_line


@dataclass
class Run:
    faults: list[Fault] = field(default_factory=list)
    tried: int = 0
    seconds: float = 0.0


# -- corpora ---------------------------------------------------------------------------------------------------


def unpack(corpus: Corpus, into: Path) -> Path:
    kind, _, spec = corpus.source.partition(":")
    if kind == "corpora":
        archive = CORPORA / f"{spec}.tar.gz"
    else:
        folder = CACHE / "sdists"
        folder.mkdir(parents=True, exist_ok=True)
        name, _, version = spec.partition("==")
        found = list(folder.glob(f"{name}-{version}.tar.gz"))
        if not found:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", spec, "-d", str(folder)],
                check=True,
                capture_output=True,
                timeout=300,
            )
            found = list(folder.glob(f"{name}-{version}.tar.gz"))
        archive = found[0]
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    roots = [p for p in into.iterdir() if p.is_dir()]
    return roots[0]


def deps_path(corpus: Corpus) -> str:
    """A folder holding the wheels' packages the corpus's tests import (installed once into the cache)."""
    if not corpus.deps:
        return ""
    target = CACHE / ("deps-" + "-".join(d.replace("==", "") for d in corpus.deps))
    if not target.is_dir():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), *corpus.deps],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return str(target)


# -- faults ----------------------------------------------------------------------------------------------------


def functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef]]:
    out: list[tuple[str, ast.FunctionDef]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef):
                out.append((prefix + child.name, child))
                walk(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, prefix + child.name + ".")

    walk(tree, "")
    return out


def offsets(text: str) -> list[int]:
    starts = [0]
    for line in text.encode().split(b"\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


def byte_range(starts: list[int], node: ast.expr) -> tuple[int, int]:
    assert node.end_lineno is not None and node.end_col_offset is not None
    return starts[node.lineno - 1] + node.col_offset, starts[node.end_lineno - 1] + node.end_col_offset


def own_nodes(fn: ast.FunctionDef) -> list[ast.AST]:
    """The function's nodes outside nested functions, classes and lambdas, in source order."""
    out: list[ast.AST] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
                continue
            out.append(child)
            walk(child)

    for stmt in fn.body:
        out.append(stmt)
        walk(stmt)
    return sorted(
        (n for n in out if hasattr(n, "lineno")), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
    )


def mutate(text: str, fn: ast.FunctionDef, kind: str, workspace_names: set[str]) -> str | None:
    """The file's text with one fault in ``fn``; None when the function offers no place for this kind."""
    data = text.encode()
    starts = offsets(text)
    edits: list[tuple[int, int, bytes]] = []
    nodes = own_nodes(fn)
    if kind == "return_none":
        for node in nodes:
            if isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value):
                edits.append((*byte_range(starts, node.value), b"None"))
    elif kind == "bad_attr":
        for node in nodes:
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and not node.attr.startswith("__"):
                _, end = byte_range(starts, node)
                edits.append((end - len(node.attr.encode()), end, (node.attr + "_x").encode()))
                break
    elif kind == "none_arg":
        for node in nodes:
            if isinstance(node, ast.Call) and node.args and not isinstance(node.args[0], ast.Starred):
                callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if callee in workspace_names and not _is_none(node.args[0]):
                    edits.append((*byte_range(starts, node.args[0]), b"None"))
                    break
    if not edits:
        return None
    for start, end, new in sorted(edits, reverse=True):
        data = data[:start] + new + data[end:]
    return data.decode()


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


# -- running tests ---------------------------------------------------------------------------------------------

_SECTION = re.compile(r"^_{3,} (.+?) _{3,}$", re.M)


def run_tests(root: Path, tests: list[str], pythonpath: str) -> dict[str, str]:
    """Failing test → its section of pytest's output (native tracebacks)."""
    # the bench's own pytest plugins (asyncio, lsp) must not judge another project's configuration
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "--tb=native", "-p", "no:cacheprovider", *tests],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return {}
    out = done.stdout
    marks = list(_SECTION.finditer(out))
    failures: dict[str, str] = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(out)
        body = out[m.end() : end]
        cut = body.find("=====")
        failures[m.group(1).strip()] = body[:cut] if cut >= 0 else body
    return failures


# -- scoring ---------------------------------------------------------------------------------------------------


def prompt_tokens(prepared: Prepared, items: tuple[object, ...] | None = None) -> int:
    from splice.llm import prompts

    messages = prompts.render(
        "explain",
        items if items is not None else prepared.items,  # type: ignore[arg-type]
        error=prepared.error,
        frames=prepared.frames,
        location=prepared.location,
        path=prepared.focus_path or "",
    )
    return sum(approx_tokens(m.content) for m in messages)


def code_symbols(items: tuple[ContextItem, ...] | list[ContextItem], graph_symbol: dict[str, Symbol]) -> set[str]:
    """Symbols whose code the items show: shown as code themselves, or inside an item's code span."""
    shown: set[str] = set()
    for item in items:
        if item.kind not in CODE_KINDS:
            continue
        if item.symbol:
            shown.add(item.symbol)
        for sid, sym in graph_symbol.items():
            if (
                sym.path == item.path
                and item.range.start.line <= sym.span.start.line
                and (sym.span.end.line <= item.range.end.line)
            ):
                shown.add(sid)
    return shown


def score(
    ws: SpliceWorkspace, service: ExplainError, trace: str, fault: Fault, uses: dict[str, set[str]]
) -> Fault | None:
    prepared = service.prepare_trace(trace)
    if isinstance(prepared, ParseError) or not prepared.items:
        return None
    from splice.features.explain.resolve import resolve_text

    resolved = resolve_text(
        trace, ws.graph, read_text=lambda rel: (ws.root / rel).read_text(errors="replace"), root=str(ws.root)
    )
    if isinstance(resolved, ParseError):
        return None
    frame_syms: list[str] = []  # innermost first
    frame_lines: list[str] = []
    for node in resolved.primary.chain():
        for mapped in node.frames:
            sym = mapped.symbol if mapped.sendable else None
            if sym is not None and sym.kind is not SymbolKind.MODULE and sym.id not in frame_syms:
                frame_syms.append(sym.id)
            if mapped.sendable and mapped.path and mapped.line is not None:
                lines = (ws.root / mapped.path).read_text(errors="replace").splitlines()
                if 0 <= mapped.line < len(lines):
                    frame_lines.append(lines[mapped.line])
    if not frame_syms:
        return None
    culprit = f"{fault.path}::{fault.qualname}"
    name = fault.qualname.rsplit(".", 1)[-1]
    fault.culprit_on_stack = culprit in frame_syms
    fault.culprit_on_line = any(re.search(rf"\b{re.escape(name)}\s*\(", line) for line in frame_lines)
    fault.frames = len(frame_syms)
    symbols = {sid: s for sid in set(frame_syms) | {culprit} if (s := ws.graph.symbol(sid)) is not None}
    for sid in [*frame_syms, culprit]:
        for dst in uses.get(sid, ()):
            if (s := ws.graph.symbol(dst)) is not None:
                symbols.setdefault(dst, s)
    shown = code_symbols(prepared.items, {k: v for k, v in symbols.items() if k in frame_syms or k == culprit})
    fault.splice_culprit = culprit in shown
    fault.splice_frames = sum(1 for s in frame_syms if s in shown)
    fault.splice_tokens = prompt_tokens(prepared)
    relevant = set(frame_syms) | {culprit} | {d for s in [*frame_syms, culprit] for d in uses.get(s, ())}
    good = sum(
        approx_tokens(i.text)
        for i in prepared.items
        if (i.symbol in relevant) or (i.symbol is None and i.kind == "excerpt")
    )
    fault.splice_precision = good / max(fault.splice_tokens, 1)
    # the baseline: the trace's functions, innermost first, whole, up to Splice's prompt size
    base: list[ContextItem] = []
    for sid in frame_syms:
        sym = ws.graph.symbol(sid)
        if sym is None:
            continue
        text = (ws.root / sym.path).read_bytes()
        start = sym.span.start_byte - sym.span.start.col
        code = text[start : sym.span.end_byte].decode(errors="replace")
        item = ContextItem(
            sym.path, sym.span, sid, "body", code, "a frame of the stack trace", 0.0, approx_tokens(code)
        )
        if prompt_tokens(prepared, (*base, item)) > fault.splice_tokens:
            continue
        base.append(item)
    fault.base_tokens = prompt_tokens(prepared, tuple(base))
    base_shown = {i.symbol for i in base}
    fault.base_culprit = culprit in base_shown
    fault.base_frames = sum(1 for s in frame_syms if s in base_shown)
    fault.base_precision = sum(approx_tokens(i.text) for i in base) / max(fault.base_tokens, 1)
    return fault


# -- the run ---------------------------------------------------------------------------------------------------


def run_corpus(corpus: Corpus, limit: int, seed: int, deadline: float) -> Run:
    run = Run()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"bench-explain-{corpus.name}-") as tmp:
        root = unpack(corpus, Path(tmp))
        for cache in root.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        package = root / corpus.package
        pythonpath = os.pathsep.join(p for p in (str(package.parent), deps_path(corpus)) if p)
        test_files = sorted((root / corpus.tests).rglob("test_*.py"))
        test_text = {t: t.read_text(errors="replace") for t in test_files}
        ws = SpliceWorkspace(root, Settings())
        ws.indexer.index_all()
        service = ExplainError(ws, Gateway(ws.settings))
        uses: dict[str, set[str]] = {}
        for sid in list(ws.graph.symbols):
            uses[sid] = {
                e.dst for e in ws.graph.outgoing(sid) if e.dst and e.kind in (EdgeKind.CALLS, EdgeKind.REFERENCES)
            }
        workspace_names = {s.name for s in ws.graph.symbols.values()}
        candidates: list[tuple[Path, str, ast.FunctionDef]] = []
        for path in sorted(package.rglob("*.py")):
            tree = ast.parse(path.read_text(errors="replace"))
            for qual, fn in functions(tree):
                name = fn.name
                if name.startswith("__") or len(name) < 4:
                    continue
                if any(re.search(rf"\b{re.escape(name)}\b", t) for t in test_text.values()):
                    candidates.append((path, qual, fn))
        rng = random.Random(f"{seed}:{corpus.name}")
        rng.shuffle(candidates)
        failing_before: dict[tuple[str, ...], set[str]] = {}
        per_kind = {k: 0 for k in KINDS}
        for index, (path, qual, fn) in enumerate(candidates):
            if len(run.faults) >= limit or time.perf_counter() > deadline:
                break
            kind = min(KINDS, key=lambda k: (per_kind[k], (index + KINDS.index(k)) % 3))
            original = path.read_text(errors="replace")
            mutated = mutate(original, fn, kind, workspace_names)
            if mutated is None:
                continue
            name = fn.name
            tests = tuple(
                str(t.relative_to(root)) for t, text in test_text.items() if re.search(rf"\b{re.escape(name)}\b", text)
            )[:3]
            if tests not in failing_before:
                failing_before[tests] = set(run_tests(root, list(tests), pythonpath)) | {"<none>"}
            run.tried += 1
            rel = path.relative_to(root).as_posix()
            try:
                path.write_text(mutated)
                ws.indexer.update_from_disk(rel)
                ws.indexer.settle()
                failures = run_tests(root, list(tests), pythonpath)
                trace = next(
                    (text for test, text in failures.items() if test not in failing_before[tests] and rel in text), None
                )
                if trace is None:
                    continue
                fault = score(ws, service, trace, Fault(corpus.name, kind, rel, qual), uses)
                if fault is not None:
                    run.faults.append(fault)
                    per_kind[kind] += 1
            finally:
                path.write_text(original)
                ws.indexer.update_from_disk(rel)
                ws.indexer.settle()
        ws.indexer.close()
    run.seconds = time.perf_counter() - started
    return run


def pct(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):.0f} %" if values else "–"


def report(corpus: Corpus, run: Run) -> list[str]:
    faults = run.faults
    targeted = [f for f in faults if f.targeted]
    rows = [
        f"### {corpus.name} ({'evaluation' if corpus.evaluation else 'development'}): {len(faults)} faults "
        f"({len(targeted)} with the culprit on the stack or called on a frame's line) from {run.tried} mutations, "
        f"{run.seconds:.0f} s",
        "",
        "| | Splice | baseline |",
        "|---|---|---|",
    ]
    rows.append(
        f"| culprit's code in prompt (targeted) | {pct([f.splice_culprit for f in targeted])} | "
        f"{pct([f.base_culprit for f in targeted])} |"
    )
    rows.append(
        f"| culprit's code in prompt (all faults) | {pct([f.splice_culprit for f in faults])} | "
        f"{pct([f.base_culprit for f in faults])} |"
    )
    for kind in KINDS:
        some = [f for f in targeted if f.kind == kind]
        rows.append(
            f"| — {kind} ({len(some)}) | {pct([f.splice_culprit for f in some])} | "
            f"{pct([f.base_culprit for f in some])} |"
        )
    frames = sum(f.frames for f in faults) or 1
    rows.append(
        f"| workspace frames whose code is in prompt | {100 * sum(f.splice_frames for f in faults) / frames:.0f} % | "
        f"{100 * sum(f.base_frames for f in faults) / frames:.0f} % |"
    )
    if faults:
        rows.append(
            f"| median prompt tokens | {statistics.median(f.splice_tokens for f in faults):.0f} | "
            f"{statistics.median(f.base_tokens for f in faults):.0f} |"
        )
        rows.append(
            f"| precision (median) | {100 * statistics.median(f.splice_precision for f in faults):.0f} % | "
            f"{100 * statistics.median(f.base_precision for f in faults):.0f} % |"
        )
    rows.append("")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default=",".join(c.name for c in CORPUS_LIST))
    parser.add_argument("--faults", type=int, default=30, help="faults per corpus")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--minutes", type=float, default=8.0, help="time cap per corpus")
    args = parser.parse_args()
    wanted = args.corpora.split(",")
    if not CORPORA.is_dir() and any(c.source.startswith("corpora:") for c in CORPUS_LIST if c.name in wanted):
        print(f"corpora not found at {CORPORA} (set SPLICE_CORPORA)", file=sys.stderr)
        return 1
    lines = ["## Explain benchmark", ""]
    for corpus in CORPUS_LIST:
        if corpus.name not in wanted:
            continue
        run = run_corpus(corpus, args.faults, args.seed, time.perf_counter() + 60 * args.minutes)
        section = report(corpus, run)
        print("\n".join(section), flush=True)
        lines += section
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
