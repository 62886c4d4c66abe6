"""CLI speed as a user meets it: process wall time (and CPU time) of ``splice`` commands on the development
corpora, against ``python -c pass`` measured in the same run.

Rows, per corpus (flask, requests, zod), each a fresh process on an already-built index:

- ``symbols`` / ``refs``: a name search and a reference list (targets ≤ 1 s);
- ``context``: the context for a position in a central module (target ≤ 1.5 s on a requests-size repository);
- ``generate (cache hit)``: ``splice generate FILE:LINE`` on a planted stub whose answer is already cached
  (target ≤ 1 s), and ``generate (model call)``: the first, uncached run against the fake model server
  (``tests/fake_llm.py`` on 127.0.0.1, through litellm), which pays the model library's import;
- whether the process imported litellm / lancedb (``-X importtime`` of one extra run).

The figures are wall seconds (median of ``--repeat`` runs) and CPU seconds (user+sys of the child); the ratio
column divides by the ``python -c pass`` baseline. Load average is printed: on a busy machine read CPU seconds.

Run: ``make bench-cli`` or ``.venv/bin/python bench/cli_speed.py [--repeat N] [corpus ...]``. The corpora are the
tarballs in ``../shared/corpora`` (or ``$SPLICE_CORPORA``), unpacked into a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_llm import FakeLLM, Reply  # noqa: E402

CORPORA_CANDIDATES = (
    Path(os.environ.get("SPLICE_CORPORA", "")),
    ROOT.parent / "shared" / "corpora",
    ROOT.parent.parent / "shared" / "corpora",
)

# Per corpus: a symbol query, a name for refs, a position for context, and the module the stub is planted in.
PLANS: dict[str, dict[str, str]] = {
    "requests": {
        "symbols": "Session",
        "refs": "Session",
        "context": "src/requests/sessions.py:500",
        "stub_in": "src/requests/utils.py",
    },
    "flask": {
        "symbols": "Flask",
        "refs": "Blueprint",
        "context": "src/flask/app.py:400",
        "stub_in": "src/flask/helpers.py",
    },
    "zod": {
        "symbols": "ZodType",
        "refs": "ZodError",
        "context": "packages/zod/src/v4/classic/schemas.ts:200",
        "stub_in": "",
    },
}

STUB = '''

def retry_after_seconds(value: str) -> float:
    """Seconds to wait from a Retry-After header value (seconds or an HTTP date); 0 when unparseable."""
    raise NotImplementedError
'''

ANSWER = '''```python
def retry_after_seconds(value: str) -> float:
    """Seconds to wait from a Retry-After header value (seconds or an HTTP date); 0 when unparseable."""
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0
```
'''

TARGETS = {"symbols": 1.0, "refs": 1.0, "context": 1.5, "generate (cache hit)": 1.0}


@dataclass
class Timing:
    wall: float
    cpu: float
    code: int


def corpora_dir() -> Path | None:
    for candidate in CORPORA_CANDIDATES:
        if str(candidate) not in ("", ".") and candidate.is_dir():
            return candidate
    return None


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        tail = done.stderr.decode(errors="replace")[-400:]
        print(f"  ! {' '.join(argv[2:])} exited {done.returncode}: {tail}", file=sys.stderr)
    return Timing(wall, cpu, done.returncode)


def measure(argv: list[str], cwd: Path, env: dict[str, str], repeat: int) -> Timing:
    runs = [run(argv, cwd, env) for _ in range(repeat)]
    return Timing(
        statistics.median(t.wall for t in runs), statistics.median(t.cpu for t in runs), max(t.code for t in runs)
    )


def imported(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Which heavy libraries one run of the command imports, from ``-X importtime``."""
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")}
    heavy = [lib for lib in ("litellm", "lancedb", "tiktoken") if lib in names]
    return ",".join(heavy) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", default=["requests", "flask", "zod"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = corpora_dir()
    if source is None:
        print("corpora not found (set SPLICE_CORPORA); nothing to measure", file=sys.stderr)
        return 1
    py = sys.executable
    splice = [py, "-m", "splice"]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; median of {args.repeat}")
    header = f"{'corpus':9} {'command':22} {'wall s':>7} {'cpu s':>6} {'x pass':>7} {'target':>7} {'imports':>16}"
    print(header)
    with tempfile.TemporaryDirectory(prefix="splice-cli-bench-") as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPLICE_", "OPENAI_"))}
        env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        env["COLUMNS"] = "200"
        baseline = measure([py, "-c", "pass"], home, env, max(args.repeat, 5))
        print(f"{'-':9} {'python -c pass':22} {baseline.wall:7.3f} {baseline.cpu:6.2f} {1.0:7.1f} {'':>7} {'-':>16}")
        with FakeLLM() as llm:
            llm.script(*[Reply(text=ANSWER)] * 20)
            model_env = {**env, "SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": llm.url}
            for name in args.corpora:
                plan = PLANS.get(name)
                archive = source / f"{name}.tar.gz"
                if plan is None or not archive.is_file():
                    print(f"{name}: no plan or archive; skipped", file=sys.stderr)
                    continue
                with tarfile.open(archive) as tar:
                    tar.extractall(home, filter="data")
                root = home / name
                rows: list[tuple[str, list[str], dict[str, str]]] = []
                if plan["stub_in"]:
                    stub_file = root / plan["stub_in"]
                    stub_file.write_text(stub_file.read_text(encoding="utf-8") + STUB, encoding="utf-8")
                    line = stub_file.read_text(encoding="utf-8").splitlines().index("    raise NotImplementedError")
                    place = f"{plan['stub_in']}:{line + 1}"
                cold = run([*splice, "index"], root, env)
                print(f"{name:9} {'index (cold)':22} {cold.wall:7.3f} {cold.cpu:6.2f} {cold.wall / baseline.wall:7.1f}")
                rows.append(("symbols", [*splice, "symbols", plan["symbols"]], env))
                rows.append(("refs", [*splice, "refs", plan["refs"]], env))
                rows.append(("context", [*splice, "context", plan["context"]], model_env))
                if plan["stub_in"]:
                    first = run([*splice, "generate", place], root, model_env)
                    print(
                        f"{name:9} {'generate (model call)':22} {first.wall:7.3f} {first.cpu:6.2f} "
                        f"{first.wall / baseline.wall:7.1f} {'':>7} {'litellm':>16}"
                    )
                    rows.append(("generate (cache hit)", [*splice, "generate", place], model_env))
                for label, argv, row_env in rows:
                    t = measure(argv, root, row_env, args.repeat)
                    target = TARGETS.get(label)
                    mark = "" if target is None else f"{target:.1f}{'' if t.wall <= target else '!'}"
                    libs = imported(argv, root, row_env)
                    print(
                        f"{name:9} {label:22} {t.wall:7.3f} {t.cpu:6.2f} {t.wall / baseline.wall:7.1f} {mark:>7} "
                        f"{libs:>16}"
                    )
    print("'!' marks a wall time over its target (at idle); 'imports' lists heavy libraries the process loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
