"""kill -9 at a random moment of ``splice index`` (cold, or warm after deletions and renames), then let the next run
repair it, and compare the stored index with a clean rebuild of the same files. Used by the fault tests (a few
trials) and ``bench/faults.py`` (many)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin", "SPLICE_EMBEDDINGS_MODEL": "none"}
MODULES = 420
"""More than ``persist.BATCH`` (150) files, so a run commits several batches and a kill can land between them."""


def make_workspace(root: Path, modules: int = MODULES) -> Path:
    """A chain of modules, each importing and calling the previous one (import edges everywhere)."""
    pkg = root / "chain"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "m0000.py").write_text("def f0000(x):\n    return x\n")
    for i in range(1, modules):
        prev = f"{i - 1:04d}"
        (pkg / f"m{i:04d}.py").write_text(
            f"from chain.m{prev} import f{prev}\n\n\ndef f{i:04d}(x):\n    return f{prev}(x) + 1\n"
        )
    return root


def mutate(root: Path, rng: random.Random) -> None:
    """What happens between two editor sessions: files deleted (their importers keep importing them), functions
    renamed (their callers' edges must move), a file added."""
    pkg = root / "chain"
    names = sorted(p.name for p in pkg.glob("m*.py"))
    for name in rng.sample(names[1:], 12):
        (pkg / name).unlink()
    for name in rng.sample(sorted(p.name for p in pkg.glob("m*.py")), 12):
        path = pkg / name
        text = path.read_text()
        stem = name[1:5]
        path.write_text(text.replace(f"def f{stem}(", f"def g{stem}("))
    (pkg / f"extra{rng.randrange(10**6)}.py").write_text("from chain.m0000 import f0000\n\nVALUE = f0000(1)\n")


def index(root: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "splice", "index", str(root)]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=timeout)


def snapshot(root: Path) -> dict[str, Any]:
    """What the store holds, comparable across workspaces: per file its hash and its edges."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from splice.config import Settings\n"
        "from splice.index.store import Store\n"
        "store = Store(Path(sys.argv[1]), Settings(embeddings_model='none'))\n"
        "rows = store.load_files()\n"
        "out = {p: [r.record.hash, sorted([e.src, e.dst, e.name, str(e.kind), e.span.start_byte, e.span.end_byte]"
        " for e in r.edges)] for p, r in rows.items()}\n"
        "store.close()\n"
        "print(json.dumps(out, sort_keys=True, default=str))\n"
    )
    import json

    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def clean_rebuild(root: Path, scratch: Path) -> dict[str, Any]:
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns(".splice"))
    done = index(scratch)
    assert done.returncode == 0, done.stderr[-2000:]
    return snapshot(scratch)


@dataclass(frozen=True)
class Trial:
    killed: bool
    """The process was still running when the signal was sent."""
    delay: float
    divergent: list[str]
    """Files whose stored hash or edges differ from a clean rebuild after the repairing run."""


def trial(root: Path, scratch: Path, rng: random.Random, *, warm: bool, window: float) -> Trial:
    """One killed run (after ``mutate`` when warm), one repairing run, one comparison."""
    if warm:
        mutate(root, rng)
    else:
        shutil.rmtree(root / ".splice", ignore_errors=True)
    cmd = [sys.executable, "-m", "splice", "index", str(root)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    delay = rng.uniform(0.2, window)
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    repaired = index(root)
    assert repaired.returncode == 0, repaired.stderr[-2000:]
    got, want = snapshot(root), clean_rebuild(root, scratch)
    divergent = sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p))
    return Trial(killed, delay, divergent)


def full_run_seconds(root: Path) -> float:
    """How long an uninterrupted warm run takes here (kills are spread over it)."""
    started = time.monotonic()
    done = index(root)
    assert done.returncode == 0, done.stderr[-2000:]
    return time.monotonic() - started
