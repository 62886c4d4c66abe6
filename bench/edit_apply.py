"""Edit-application benchmark: realistic model answers through ``splice edit --apply``, in three corpora —
``generated`` (answers built from flask, requests and zod functions), ``shapes`` (hand-written answer shapes in
Python, TypeScript, Go, Rust and Java: the tuning set) and ``heldout`` (written before tuning, never tuned on).

Run: ``.venv/bin/python bench/edit_apply.py [--corpus all|generated|shapes|heldout] [--per-repo N]
[--show-failures]``. Each case gets its own small
workspace (the target file plus ``.vscode/settings.json``) and a sentinel folder beside it; the answer goes
through the same code path as ``splice edit --apply`` (``splice.cli.edit.run``). Outcomes: a correct apply (exit 0
and every expected file byte-identical), a correct refusal (exit 2 and the workspace untouched), a missed apply
(refused although the answer was safe to apply) or a wrong apply (anything written that is not the expected
result — must be 0). The sentinel folder outside the workspace must never change.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import edit_heldout
import edit_shapes
from edit_corpus import SETTINGS, Case, generate
from splice.cli.edit import run

CORPORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"
OUTCOMES = ("correct apply", "correct refusal", "missed apply", "wrong apply")
"""correct / correctly refused / wrongly refused / silently wrong (anything written that differs, whitespace too)."""


def _tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for dirpath, _dirs, files in sorted(os.walk(folder)):
        for name in sorted(files):
            p = Path(dirpath) / name
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def run_case(case: Case, work: Path) -> tuple[str, str]:
    """(outcome, detail) for one case."""
    base = work / case.id
    ws, sentinel = base / "ws", base / "ws-sentinel"
    for rel, data in case.files.items():
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_bytes(data)
    sentinel.mkdir(parents=True)
    (sentinel / "keep.txt").write_text("outside the workspace\n")
    answer = base / "answer.md"
    answer.write_bytes(case.answer.encode())
    before_ws, before_out = _tree_hash(ws), _tree_hash(sentinel)
    out, err = io.StringIO(), io.StringIO()
    code = run(["--workspace", str(ws), "--answer", str(answer), *case.args, "--apply"], out, err)
    if _tree_hash(sentinel) != before_out:
        return "wrong apply", "bytes written outside the workspace"
    if case.expected is None:
        if code == 2 and _tree_hash(ws) == before_ws:
            return "correct refusal", err.getvalue().strip().splitlines()[-1] if err.getvalue() else ""
        return "wrong apply", f"exit {code}, expected a refusal; {err.getvalue().strip()[:300]}"
    if code != 0:
        if _tree_hash(ws) != before_ws:
            return "wrong apply", "refused but the workspace changed"
        return "missed apply", err.getvalue().strip()[:400]
    for rel, data in case.expected.items():
        path = ws / rel
        if not path.exists() or path.read_bytes() != data:
            return "wrong apply", f"{rel} differs from the expected result"
    return "correct apply", ""


def table(results: list[tuple[Case, str, str]]) -> str:
    by_cat: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for case, outcome, _ in results:
        by_cat[case.category][outcome] += 1
    rows = [
        "| category | cases | correct | correctly refused | wrongly refused | silently wrong | correct or correctly "
        "refused |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    total = dict.fromkeys(OUTCOMES, 0)
    for cat in sorted(by_cat):
        counts = by_cat[cat]
        n = sum(counts.values())
        for k in OUTCOMES:
            total[k] += counts[k]
        good = counts["correct apply"] + counts["correct refusal"]
        rows.append(
            f"| {cat} | {n} | {counts['correct apply']} | {counts['correct refusal']} | {counts['missed apply']} | "
            f"{counts['wrong apply']} | {100 * good / n:.1f}% |"
        )
    n = sum(total.values())
    good = total["correct apply"] + total["correct refusal"]
    rows.append(
        f"| **all** | **{n}** | **{total['correct apply']}** | **{total['correct refusal']}** | "
        f"**{total['missed apply']}** | **{total['wrong apply']}** | **{100 * good / max(n, 1):.1f}%** |"
    )
    return "\n".join(rows)


def shape_cases(shapes: list[edit_shapes.Shape]) -> list[Case]:
    out = []
    for s in shapes:
        lang = s.path.rsplit(".", 1)[-1]
        files = {s.path: s.original.encode(), SETTINGS: b"{}\n"}
        expected = None if s.expected is None else {s.path: s.expected.encode()}
        out.append(Case(s.id, "shapes", lang, files, s.answer, s.args, expected))
    return out


def _generated(args: argparse.Namespace, tmp: str) -> list[Case]:
    if not (args.corpora / "flask.tar.gz").exists():
        print(f"corpora not found under {args.corpora}; skipping the generated corpus", file=sys.stderr)
        return []
    root = Path(tmp) / "corpora"
    for name in ("flask", "requests", "zod"):
        with tarfile.open(args.corpora / f"{name}.tar.gz") as tar:
            tar.extractall(root, filter="data")
    return generate(root, per_repo=args.per_repo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=("all", "generated", "shapes", "heldout"), default="all")
    parser.add_argument("--per-repo", type=int, default=3, help="target definitions per repository")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)
    wrong = 0
    with tempfile.TemporaryDirectory(prefix="splice-edit-bench-") as tmp:
        corpora = {
            "generated": lambda: _generated(args, tmp),
            "shapes": lambda: shape_cases(edit_shapes.CASES),
            "heldout": lambda: shape_cases(edit_heldout.CASES),
        }
        for name, build in corpora.items():
            if args.corpus not in ("all", name):
                continue
            cases = build()
            if not cases:
                continue
            results = [(case, *run_case(case, Path(tmp) / name)) for case in cases]
            print(f"\n## {name} ({len(cases)} answers)\n")
            print(table(results))
            wrong += sum(1 for r in results if r[1] == "wrong apply")
            if args.show_failures:
                for case, outcome, detail in results:
                    if outcome in ("missed apply", "wrong apply"):
                        print(f"\n### {case.id} [{case.category}] {outcome}: {detail}\n{case.answer[:1500]}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
