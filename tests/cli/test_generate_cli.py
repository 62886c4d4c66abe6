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


GO = (
    "package cart\n\ntype Cart struct {\n\tItems []int\n}\n\n// Total sums the items.\nfunc (c *Cart) Total() int {\n"
    '\tpanic("not implemented")\n}\n'
)
RS = (
    "pub struct Cart {\n    pub items: Vec<i64>,\n}\n\nimpl Cart {\n    /// Sum of the items.\n"
    "    pub fn total(&self) -> i64 {\n        todo!()\n    }\n}\n"
)
GO_ANSWER = (
    "Sum the items in a loop:\n\n```go\nfunc (c *Cart) Total() int {\n\tt := 0\n\tfor _, i := range c.Items {\n"
    "\t\tt += i\n\t}\n\treturn t\n}\n```\n"
)
RS_ANSWER = "The body only:\n\n```rust\n        self.items.iter().sum()\n```\n"


def test_go_receiver_and_rust_impl_method_stubs(tmp_path: Path) -> None:
    """`splice symbols` names them Cart.Total / Cart.total; generate places the answers there (it refused both)."""
    root = tmp_path / "ws"
    (root / "cart").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "cart/cart.go").write_text(GO)
    (root / "src/lib.rs").write_text(RS)
    with FakeLLM() as llm:
        llm.script(Reply(text=GO_ANSWER), Reply(text=RS_ANSWER))
        env = {"SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": llm.url}
        go = splice(["generate", "cart/cart.go:9", "--apply"], env, root)
        assert go.returncode == 0, go.stderr
        assert "why (the model's words):\n  Sum the items in a loop:" in go.stderr
        rs = splice(["generate", "src/lib.rs:8", "--apply"], env, root)
        assert rs.returncode == 0, rs.stderr
    assert (root / "cart/cart.go").read_text() == GO.replace(
        '\tpanic("not implemented")\n', "\tt := 0\n\tfor _, i := range c.Items {\n\t\tt += i\n\t}\n\treturn t\n"
    )
    assert (root / "src/lib.rs").read_text() == RS.replace("        todo!()\n", "        self.items.iter().sum()\n")
