"""Migrate benchmark: real migrations whose before and after both come from PyPI, run through ``splice migrate``
with a scripted model that replays the real after-state.

Cases (sdists fetched at run time into bench/.cache/migrate, never committed):
- ``isodate`` 0.6.1 → 0.7.0, target "unittest to pytest", pack ``unittest-to-pytest``, scope the test folder:
  0.7.0 rewrote its unittest suite as plain pytest functions with asserts (and moved it to ``tests/``).
- ``patsy`` 0.5.6 → 1.0.0, target "six to python 3", pack ``six-to-python3``: 1.0.0 dropped Python 2 and six.

Measures per case:
- *sites*: Splice's assessment against the gold sites — lines of the before-state that use the old API (the
  case's regex, comments left out) and are gone from the after-state's matching file; recall and precision by line.
- *rules vs model*: changed lines (removed + added, from the applied hunks) per step kind; residue = sites left
  after the rule steps; steps; prompt tokens and dollars of the model steps, the scripted model's prompts counted
  and priced with litellm's tokenizer and cost map for ``--price-model`` (default gpt-4o-mini).
- *plan time* on a sqlalchemy-size workspace (SQLAlchemy 2.0.36's sdist): assess + plan, against the time to index
  the same workspace in the same run (the ratio is the figure; seconds are printed for context).
- *resume*: ``splice migrate run --apply`` as a subprocess killed with SIGKILL at a random moment, then ``resume
  --apply``; the final files must equal an uninterrupted run's (``--trials`` in total, split over the cases).

The scripted model answers each model step with SEARCH/REPLACE blocks turning the file as it is now into the real
after-state's file, leaving out the hunks that would rewrite lines earlier steps wrote (the model may not touch
rule hunks; those lines stay as the rule wrote them).

    .venv/bin/python bench/migrate.py [--cases isodate,patsy] [--trials 24] [--seed 7] [--no-sqlalchemy]
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "server"))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.fake_llm import FakeLLM, Reply  # noqa: E402

CACHE = HERE / ".cache" / "migrate"
TASK = re.compile(r"^# Task: migrate (\S+)", re.M)


@dataclass(frozen=True)
class Case:
    name: str
    package: str
    before: str
    after: str
    target: str
    pack: str
    scope: str
    old: str
    """Regex of an old-API use in a line (the gold sites)."""
    trial_scope: str
    """The part the resume trials migrate (smaller than ``scope``, so 20+ kill/resume runs fit in minutes)."""
    moved: tuple[tuple[str, str], ...] = ()
    """(before prefix, after prefix) of folders the release moved."""


CASES = {
    "isodate": Case(
        "isodate",
        "isodate",
        "0.6.1",
        "0.7.0",
        "unittest to pytest",
        "unittest-to-pytest",
        "src/isodate/tests",
        r"\bunittest\b|self\.(assert\w*|fail\w*)\(|\bTestCase\b|def (setUp|tearDown)\b|\bsix\b",
        "src/isodate/tests/test_strf.py",
        (("src/isodate/tests/", "tests/"),),
    ),
    "patsy": Case(
        "patsy", "patsy", "0.5.6", "1.0.0", "six to python 3", "six-to-python3", "patsy", r"\bsix\b", "patsy/eval.py"
    ),
}


def fetch(package: str, version: str) -> Path:
    """The unpacked sdist (downloaded once into the cache)."""
    folder = CACHE / f"{package}-{version}"
    if folder.is_dir():
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "-q",
            "-d",
            str(CACHE),
            f"{package}=={version}",
        ],
        check=True,
    )
    archive = next(p for p in CACHE.glob("*.tar.gz") if p.name.lower().startswith(f"{package}-{version}".lower()))
    with tarfile.open(archive) as tar:
        tar.extractall(CACHE, filter="data")
    unpacked = next(p for p in CACHE.iterdir() if p.is_dir() and p.name.lower() == f"{package}-{version}".lower())
    if unpacked != folder:
        unpacked.rename(folder)
    return folder


def after_path(case: Case, rel: str) -> str:
    for old, new in case.moved:
        if rel.startswith(old):
            return new + rel[len(old) :]
    return rel


def py_files(root: Path, scope: str) -> list[str]:
    base = root / scope
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*.py"))


def gold_sites(case: Case, before: Path, after: Path) -> set[tuple[str, int]]:
    old = re.compile(case.old)
    gold = set()
    for rel in py_files(before, case.scope):
        other = after / after_path(case, rel)
        kept = {line.strip() for line in other.read_text().splitlines()} if other.exists() else set()
        for n, line in enumerate((before / rel).read_text().splitlines()):
            code = line.split("#", 1)[0]
            if old.search(code) and line.strip() not in kept:
                gold.add((rel, n))
    return gold


# -- the scripted model ------------------------------------------------------------------------------------------


class Replayer:
    """Answers each migrate prompt with the edits that turn the file into the real after-state."""

    def __init__(self, case: Case, before: Path, after: Path) -> None:
        self.case, self.before, self.after = case, before, after
        self.root: Path | None = None
        self.answers: list[str] = []

    def __call__(self, path: str, body: Any) -> Reply:
        prompt = body["messages"][-1]["content"] if isinstance(body, dict) else ""
        m = TASK.search(prompt)
        if self.root is None or m is None:
            return Reply(text="No change.")
        rel = m.group(1)
        current = (self.root / rel).read_text()
        target = self.after / after_path(self.case, rel)
        original = (self.before / rel).read_text().splitlines()
        if not target.exists():
            return Reply(text="This file has no counterpart after the migration; no change.")
        answer = replay(rel, current, target.read_text(), set(original))
        self.answers.append(answer)
        return Reply(text=answer)


def replay(rel: str, current: str, after: str, original: set[str]) -> str:
    a, b = current.splitlines(), after.splitlines()
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    # hunks that would rewrite a line an earlier (rule) step wrote are left out
    ops = [op for op in ops if all(line in original or not line.strip() for line in a[op[1] : op[2]])]
    regions: list[list[tuple[str, int, int, int, int]]] = []
    for op in ops:
        if regions and op[1] - regions[-1][-1][2] < 8:
            regions[-1].append(op)
        else:
            regions.append([op])
    blocks = []
    for region in regions:
        for ctx in range(1, 12):
            start, end = max(0, region[0][1] - ctx), min(len(a), region[-1][2] + ctx)
            search = a[start:end]
            text = "\n".join(search)
            if search and current.count(text) == 1:
                break
        new: list[str] = a[start : region[0][1]]
        for i, op in enumerate(region):
            new += b[op[3] : op[4]]
            upto = region[i + 1][1] if i + 1 < len(region) else op[2]
            new += a[op[2] : upto]
        new += a[region[-1][2] : end]
        blocks.append(
            f"{rel}\n```python\n<<<<<<< SEARCH\n{text}\n=======\n" + "\n".join(new) + "\n>>>>>>> REPLACE\n```\n"
        )
    return "Migrated as the project did.\n\n" + "\n".join(blocks) if blocks else "No change is needed here."


# -- running -----------------------------------------------------------------------------------------------------


def splice(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "splice", "migrate", *args, "--workspace", str(root)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=900,
    )


def fresh(case: Case, before: Path, tmp: Path, name: str) -> Path:
    root = tmp / name
    shutil.copytree(before, root, ignore=shutil.ignore_patterns("*.egg-info", "PKG-INFO"))
    # the scripted model diffs whole files; on a loaded machine its first token can take longer than the default
    (root / ".splice").mkdir()
    (root / ".splice" / "config.toml").write_text("firstTokenTimeout = 600\n")
    return root


def state_of(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(errors="replace")
        for p in sorted(root.rglob("*.py"))
        if ".splice" not in p.parts
    }


def run_case(
    case: Case, llm: FakeLLM, replayer: Replayer, tmp: Path, env: dict[str, str], price_model: str
) -> dict[str, Any]:
    from splice.config import load_settings
    from splice.features.migrate.model import Scope
    from splice.features.migrate.service import Migrator
    from splice.features.workspace import SpliceWorkspace
    from splice.llm import client

    before, after = fetch(case.package, case.before), fetch(case.package, case.after)
    root = fresh(case, before, tmp, f"{case.name}-main")
    replayer.root = root
    ws = SpliceWorkspace(root, load_settings(root).settings)
    started = time.perf_counter()
    ws.indexer.index_all()
    index_s = time.perf_counter() - started
    mig = Migrator(ws)
    started = time.perf_counter()
    planned = mig.plan(case.target, Scope(case.scope), mig.resolve_packs([case.pack]))
    plan_s = time.perf_counter() - started
    ws.close()
    m = planned.migration
    found = {(s.path, line) for s in planned.assessment.sites for line in range(s.line, s.end_line + 1)}
    found_lines = {(s.path, s.line) for s in planned.assessment.sites}
    gold = gold_sites(case, before, after)
    hit = {g for g in gold if g in found}
    correct = {f for f in found_lines if any((f[0], n) in gold for n in range(f[1], f[1] + 1))}
    rule_steps = sum(1 for s in m.steps if s.kind == "rule")
    run_started = time.perf_counter()
    asked = len(llm.chat_requests())
    replayer.answers.clear()
    out = splice(root, env, "run", m.id, "--apply", "--allow-test-changes", "--steps", str(rule_steps))
    assert out.returncode == 0, out.stderr[-2000:]
    status = json.loads(splice(root, env, "status", m.id, "--json").stdout)
    residue = len(status["sites"])
    out = splice(root, env, "run", m.id, "--apply", "--allow-test-changes")
    run_s = time.perf_counter() - run_started
    status = json.loads(splice(root, env, "status", m.id, "--json").stdout)
    steps = status["steps"]
    prompts = [r.body["messages"] for r in llm.chat_requests()[asked:]]
    tokens = sum(client.count_tokens(price_model, msgs) for msgs in prompts)
    prices = client.prices(price_model) or (0.0, 0.0)
    answers = sum(client.token_counter(price_model)(text) for text in replayer.answers)
    lines = {k: sum(s["lines_changed"] for s in steps if s["kind"] == k) for k in ("rule", "model")}
    total = sum(lines.values()) or 1
    return {
        "case": f"{case.package} {case.before}→{case.after}",
        "target": case.target,
        "gold": len(gold),
        "found": len(found_lines),
        "recall": len(hit) / len(gold) if gold else 1.0,
        "precision": len(correct) / len(found_lines) if found_lines else 1.0,
        "rule_share": lines["rule"] / total,
        "model_share": lines["model"] / total,
        "residue_after_rules": residue,
        "steps": len(steps),
        "steps_done": sum(1 for s in steps if s["status"] == "done"),
        "sites_left": len(status["sites"]),
        "prompt_tokens": tokens,
        "dollars": tokens * prices[0] + answers * prices[1],
        "index_s": index_s,
        "plan_s": plan_s,
        "final": state_of(root),
        "id": m.id,
        "run_rc": out.returncode,
        "run_s": run_s,
    }


def resume_trials(
    case: Case, replayer: Replayer, tmp: Path, env: dict[str, str], n: int, rng: random.Random
) -> list[dict[str, Any]]:
    """An uninterrupted run of ``trial_scope``, then ``n`` runs killed at a random moment and resumed."""
    before = fetch(case.package, case.before)

    def start(name: str) -> tuple[Path, str]:
        root = fresh(case, before, tmp, name)
        replayer.root = root
        planned = splice(
            root, env, "plan", "--to", case.target, "--scope", case.trial_scope, "--rules", case.pack, "--json"
        )
        return root, json.loads(planned.stdout)["id"]

    root, mid = start(f"{case.name}-reference")
    started = time.perf_counter()
    splice(root, env, "run", mid, "--apply", "--allow-test-changes")
    run_s = time.perf_counter() - started
    reference = state_of(root)
    results = []
    for trial in range(n):
        root, mid = start(f"{case.name}-trial{trial}")
        delay = rng.uniform(0.05, 1.0) * run_s  # anywhere in an uninterrupted run's duration
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "splice",
                "migrate",
                "run",
                mid,
                "--apply",
                "--allow-test-changes",
                "--workspace",
                str(root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=root,
        )
        try:
            proc.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed = True
        ledger = json.loads((root / ".splice/migrations" / mid / "ledger.json").read_text())
        at = next((f"{s['id']}:{s['status']}" for s in ledger["steps"] if s["status"] != "done"), "end")
        resumed = splice(root, env, "resume", mid, "--apply", "--allow-test-changes")
        final = state_of(root)
        equal = final == reference
        results.append(
            {
                "case": case.name,
                "delay": round(delay, 2),
                "killed": killed,
                "at": at,
                "rc": resumed.returncode,
                "equal": equal,
            }
        )
        print(
            f"  trial {trial}: kill after {delay:.1f}s of {run_s:.1f}s ({'killed' if killed else 'finished first'}) "
            f"at {at} → {'equal' if equal else 'DIFFERENT'}",
            flush=True,
        )
        if not equal:
            keep = CACHE.parent / "migrate-failed" / f"{case.name}-trial{trial}"
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(root, keep)
            for rel in sorted(set(final) | set(reference)):
                if final.get(rel) != reference.get(rel):
                    print(f"    differs: {rel} (kept in {keep})", flush=True)
        shutil.rmtree(root, ignore_errors=True)
    return results


def sqlalchemy_plan(tmp: Path) -> dict[str, float]:
    from splice.config import load_settings
    from splice.features.migrate.model import Scope
    from splice.features.migrate.service import Migrator
    from splice.features.workspace import SpliceWorkspace

    source = fetch("SQLAlchemy", "2.0.36")
    root = tmp / "sqlalchemy"
    shutil.copytree(source, root)
    ws = SpliceWorkspace(root, load_settings(root).settings)
    started = time.perf_counter()
    summary = ws.indexer.index_all()
    index_s = time.perf_counter() - started
    mig = Migrator(ws)
    started = time.perf_counter()
    planned = mig.plan("unittest to pytest", Scope(), mig.resolve_packs(["unittest-to-pytest"]))
    plan_s = time.perf_counter() - started
    ws.close()
    return {
        "files": float(len(ws.graph.files)),
        "index_s": index_s,
        "plan_s": plan_s,
        "sites": float(len(planned.assessment.sites)),
        "steps": float(len(planned.migration.steps)),
        "ratio": plan_s / index_s,
        "summary": 0.0 if summary is None else 1.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="isodate,patsy")
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--price-model", default="gpt-4o-mini")
    parser.add_argument("--no-sqlalchemy", action="store_true")
    args = parser.parse_args()
    cases = [CASES[c] for c in args.cases.split(",")]
    rng = random.Random(args.seed)
    rows = []
    trials: list[dict[str, Any]] = []
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="splice-bench-migrate-") as tmp_name:
        tmp = Path(tmp_name)
        for case in cases:
            before, after = fetch(case.package, case.before), fetch(case.package, case.after)
            replayer = Replayer(case, before, after)
            with FakeLLM(responder=replayer) as llm:
                env = {
                    **os.environ,
                    "SPLICE_MODEL": "openai/gpt-4o-mini",
                    "SPLICE_API_BASE": llm.url,
                    "OPENAI_API_KEY": "sk-bench",
                }
                row = run_case(case, llm, replayer, tmp, env, args.price_model)
                rows.append(row)
                print(f"{row['case']}: {json.dumps({k: v for k, v in row.items() if k != 'final'})}", flush=True)
                trials += resume_trials(case, replayer, tmp, env, args.trials // len(cases), rng)
        big = None if args.no_sqlalchemy else sqlalchemy_plan(tmp)
    print(
        f"\nmachine load (1/5/15 min) at start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, {os.cpu_count()} cores"
    )
    print(
        "\n| case | target | gold sites | found | recall | precision | lines by rules | by model | residue after rules "
        "| steps (done) | sites left | prompt tokens | est. $ |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['case']} | {r['target']} | {r['gold']} | {r['found']} | {r['recall']:.2f} | {r['precision']:.2f} | "
            f"{r['rule_share']:.0%} | {r['model_share']:.0%} | {r['residue_after_rules']} | {r['steps']} "
            f"({r['steps_done']}) | {r['sites_left']} | {r['prompt_tokens']} | {r['dollars']:.4f} |"
        )
    equal = sum(1 for t in trials if t["equal"])
    killed = sum(1 for t in trials if t["killed"])
    print(
        f"\nresume after kill -9: {equal}/{len(trials)} final states equal to the uninterrupted run "
        f"({killed} killed mid-run, the rest finished before the kill)"
    )
    if big is not None:
        print(
            f"plan on SQLAlchemy 2.0.36 ({big['files']:.0f} files): assess+plan {big['plan_s']:.1f}s = "
            f"{big['ratio']:.2f}× the index time ({big['index_s']:.1f}s); {big['sites']:.0f} sites, "
            f"{big['steps']:.0f} steps"
        )
    return 0 if equal == len(trials) else 1


if __name__ == "__main__":
    sys.exit(main())
