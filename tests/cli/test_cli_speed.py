"""The CLI's speed contract (what each process imports, not wall clock) and what it shows while the model works."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fake_llm import FakeLLM, Reply

from splice.cli.progress import ModelWait
from splice.llm.model import Progress

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"

# Runs the CLI in-process and reports on stderr which heavy libraries the command imported.
PROBE = (
    "import sys\n"
    "from splice.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('IMPORTED:' + ','.join(m for m in ('litellm', 'lancedb') if m in sys.modules), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def probe(args: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPLICE_", "OPENAI_"))}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, **env},
        cwd=cwd,
    )
    marker = [line for line in done.stderr.splitlines() if line.startswith("IMPORTED:")]
    assert marker, done.stderr
    return done, {name for name in marker[-1].removeprefix("IMPORTED:").split(",") if name}


RENDER_TABLE = """```python
def render_table(skus: list[str], title: str) -> str:
    return title + ": " + ", ".join(skus)
```
"""


def test_a_model_call_shows_progress_and_its_cached_answer_does_not_import_the_model_library(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    # FILE:LINE without a column on a line that calls a function nobody wrote yet: that function is generated
    lines = (root / "inventory/reports.py").read_text().splitlines()
    place = f"inventory/reports.py:{next(n for n, t in enumerate(lines, 1) if 'return render_table(' in t)}"
    with FakeLLM() as llm:
        llm.script(Reply(text=RENDER_TABLE, delay=1.5))
        env = {"SPLICE_MODEL": "openai/gpt-4o-mini", "SPLICE_API_BASE": llm.url}
        first, first_imports = probe(["generate", place], env, root)
        assert first.returncode == 0, first.stderr
        assert "litellm" in first_imports  # the model call itself needs it
        # piped: plain lines on stderr that say what it waits for; the diff alone on stdout
        assert "splice: openai/gpt-4o-mini: waiting for the first token" in first.stderr
        assert "splice: openai/gpt-4o-mini answered in" in first.stderr
        assert first.stdout.startswith("--- /dev/null\n+++ b/inventory/formatting.py")
        again, again_imports = probe(["generate", place], env, root)
        assert again.returncode == 0, again.stderr
        assert again.stdout == first.stdout and "+def render_table(" in again.stdout
        assert len(llm.chat_requests()) == 1  # the second answer came from the cache …
        assert "litellm" not in again_imports  # … and counting the prompt's tokens did not need litellm
        assert "answered in" not in again.stderr  # nothing to wait for, nothing shown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_spinner_shows_elapsed_time_and_tokens_on_a_terminal() -> None:
    out, clock = io.StringIO(), Clock()
    wait = ModelWait("openai/gpt-4o-mini", stream=out, tty=True, clock=clock)
    wait.started = clock.now
    wait.tick()
    assert out.getvalue() == ""  # an answer within the quiet period (a cache hit) shows nothing
    clock.now += 2.0
    wait.tick()
    assert "waiting for the first token — 2.0 s" in out.getvalue() and "Ctrl+C" in out.getvalue()
    wait.update(Progress(3, 42, "partial"))
    clock.now += 1.5
    wait.tick()
    assert out.getvalue().rsplit("\r", 1)[-1].endswith("receiving the answer — 3.5 s, 42 tokens  (Ctrl+C cancels)")
    wait.finish()
    assert out.getvalue().endswith("splice: openai/gpt-4o-mini answered in 3.5 s, 42 tokens\n")


def test_concurrent_requests_add_up_and_piped_lines_are_spaced() -> None:
    out, clock = io.StringIO(), Clock()
    wait = ModelWait("m", stream=out, tty=False, clock=clock)
    wait.started = clock.now
    one, two = wait.feed(), wait.feed()
    one(Progress(1, 10, ""))
    two(Progress(1, 5, ""))
    one(Progress(2, 30, ""))
    assert wait.tokens == 35
    for _ in range(30):  # 3 s of ticks: one line only when piped
        clock.now += 0.1
        wait.tick()
    assert out.getvalue().count("\n") == 1 and "\r" not in out.getvalue()
    clock.now += 5.0
    wait.tick()
    assert out.getvalue().count("\n") == 2 and "35 tokens" in out.getvalue()
