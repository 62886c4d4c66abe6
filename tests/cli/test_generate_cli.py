"""``splice generate FILE:LINE`` as a user runs it, against the fake model server through litellm."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_generate import GOOD_BODY
from tests.fake_llm import FakeLLM, Reply

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"


def splice(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPLICE_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "splice", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, **env},
        cwd=cwd,
    )


def test_generate_a_stub_then_apply(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    line = (root / "inventory/reports.py").read_text().splitlines().index("    raise NotImplementedError") + 1
    with FakeLLM() as llm:
        llm.script(Reply(text=GOOD_BODY), Reply(text=GOOD_BODY))
        env = {"SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": llm.url}
        shown = splice(["generate", f"inventory/reports.py:{line}"], env, root)
        assert shown.returncode == 0, shown.stderr
        assert "+    return sorted(level.item.sku" in shown.stdout
        assert "raise NotImplementedError" in (root / "inventory/reports.py").read_text()
        applied = splice(["generate", f"inventory/reports.py:{line}", "--apply"], env, root)
        assert applied.returncode == 0, applied.stderr
    assert "return sorted(level.item.sku" in (root / "inventory/reports.py").read_text()
    # an applied generation is recorded like any other edit: `splice edit --undo` reverts it after showing the diff
    undone = splice(["edit", "--undo", "--apply"], {}, root)
    assert undone.returncode == 0, undone.stderr
    assert (root / "inventory/reports.py").read_text() == (EXAMPLE / "inventory/reports.py").read_text()


def test_nothing_to_generate_exits_2(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    out = splice(["generate", "inventory/reports.py:3"], {}, root)
    assert out.returncode == 2 and "nothing to generate" in out.stderr
    bad = splice(["generate", "nowhere.py:1"], {}, root)
    assert bad.returncode == 2 and "not a file" in bad.stderr
