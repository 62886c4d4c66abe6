"""The fault campaign of issue 15 at full size (``make bench-fuzz``): 10,000 fuzzed LSP messages, kill -9 at random
moments of cold and warm indexing and of 40-file applies (20 each by default), and a dead model through the CLI.

Prints one line per figure and exits non-zero when a target is missed: 0 process deaths, 0 unanswered requests,
0 duplicate or stray replies, 0 divergent indexes, 0 partial applies (and every completed apply recorded), 0 temp
files left, a dead model reported within 15 s. ``--quick`` runs a small version (for trying the bench itself).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.e2e.lsp_session import copy_example
from tests.faults import kill_apply, kill_index
from tests.faults.fuzz import fuzz


def run_fuzz(tmp: Path, count: int, seed: int) -> bool:
    result, rc = fuzz(copy_example(tmp / "fuzz"), count, seed)
    print(
        f"fuzz: {result.sent} messages, {result.requests} requests in {result.seconds:.1f} s — "
        f"deaths {0 if result.alive else 1}, unanswered {len(result.unanswered)}, duplicates {len(result.duplicated)}, "
        f"stray {len(result.stray)}, exit code {rc}"
    )
    return result.alive and rc == 0 and not (result.unanswered or result.duplicated or result.stray)


def run_index_kills(tmp: Path, trials: int, warm: bool, seed: int) -> bool:
    root = kill_index.make_workspace(tmp / f"index-{warm}")
    assert kill_index.index(root).returncode == 0
    window = kill_index.full_run_seconds(root) * 1.2
    rng = random.Random(seed)
    killed = divergent = 0
    for _ in range(trials):
        result = kill_index.trial(root, tmp / "clean", rng, warm=warm, window=window)
        killed += result.killed
        divergent += bool(result.divergent)
        if result.divergent:
            print(f"  divergent after a kill at {result.delay:.2f} s: {result.divergent[:5]}")
    kind = "warm" if warm else "cold"
    print(f"index kill -9 ({kind}): {trials} trials, {killed} killed mid-run, {divergent} divergent after repair")
    return divergent == 0


def run_apply_kills(tmp: Path, trials: int, seed: int) -> bool:
    root = kill_apply.make_workspace(tmp / "apply")
    rng = random.Random(seed)
    mid = partial = unrecorded = temps = 0
    outcomes = {"old": 0, "new": 0, "partial": 0}
    for i in range(trials):
        sig = signal.SIGKILL if i % 4 else signal.SIGINT
        result = kill_apply.trial(root, rng, sig)
        mid += result.killed_mid_write
        outcomes[result.outcome] += 1
        partial += result.outcome == "partial"
        unrecorded += result.outcome == "new" and not result.recorded
        temps += result.temps
        if result.outcome != "partial":
            kill_apply.reset(root)
        else:
            break
    print(
        f"apply kill (-9 and Ctrl-C): {trials} trials, {mid} landed inside the apply; rolled back {outcomes['old']}, "
        f"completed {outcomes['new']}, partial {partial}, completed but unrecorded {unrecorded}, temp files {temps}"
    )
    return partial == 0 and unrecorded == 0 and temps == 0


def run_dead_model(tmp: Path) -> bool:
    from tests.cli.test_explain_cli import workspace
    from tests.fake_llm import FakeLLM, Reply
    from tests.faults.test_model_faults import report_time

    root, trace = workspace(tmp / "model")
    with FakeLLM() as llm:
        llm.script(Reply(fault="hang"))
        told = report_time(root, trace, llm.url, "sent nothing")
        waited = told - llm.chat_requests()[0].at
    print(f"dead model (CLI explain, default settings): reported {waited:.1f} s after the request was sent")
    return waited <= 15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="2,000 messages and 2 trials each")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.trials = 2000, 2
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    tmp = Path(tempfile.mkdtemp(prefix="splice-faults-"))
    try:
        results = [
            run_fuzz(tmp, args.messages, args.seed),
            run_index_kills(tmp, args.trials, warm=False, seed=args.seed),
            run_index_kills(tmp, args.trials, warm=True, seed=args.seed),
            run_apply_kills(tmp, args.trials, args.seed),
            run_dead_model(tmp),
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("all targets met" if all(results) else "TARGETS MISSED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
