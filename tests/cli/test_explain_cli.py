"""``splice explain`` as a user runs it: a real traceback from the example workspace, the fake model server through
litellm, the diff printed with --fix and written only with --apply; with no model, a preview of what would be sent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_explain import ANSWER
from tests.fake_llm import FakeLLM, Reply

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"


def workspace(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    done = subprocess.run([sys.executable, "-m", "inventory.app"], cwd=root, capture_output=True, text=True, timeout=60)
    trace = tmp_path / "trace.txt"
    trace.write_text(done.stderr)
    return root, trace


def splice(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPLICE_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "splice", *args], capture_output=True, text=True, timeout=300, env={**clean, **env}
    )


def test_fix_is_printed_and_written_only_with_apply(tmp_path: Path) -> None:
    root, trace = workspace(tmp_path)
    before = (root / "inventory/pricing.py").read_text()
    with FakeLLM() as llm:
        llm.script(Reply(text=ANSWER), Reply(text=ANSWER))
        env = {"SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": llm.url}
        shown = splice(["explain", "--workspace", str(root), "--traceback", str(trace), "--fix"], env)
        assert shown.returncode == 0, shown.stderr
        assert "+    discount = TIER_DISCOUNTS.get(tier, 0.0)" in shown.stdout
        assert "What happened" in shown.stdout
        assert (root / "inventory/pricing.py").read_text() == before  # --fix alone writes nothing
        prompt = "\n".join(m["content"] for m in llm.chat_requests()[0].body["messages"])
        assert "def price_with_discount" in prompt and "KeyError" in prompt
        applied = splice(["explain", "--workspace", str(root), "--traceback", str(trace), "--apply"], env)
        assert applied.returncode == 0, applied.stderr
        assert "TIER_DISCOUNTS.get(tier, 0.0)" in (root / "inventory/pricing.py").read_text()
    assert list((root / ".splice" / "explanations").glob("*.md"))


def test_without_a_model_it_previews_what_would_be_sent(tmp_path: Path) -> None:
    root, trace = workspace(tmp_path)
    out = splice(["explain", "--workspace", str(root), "--traceback", str(trace)], {})
    assert out.returncode == 0, out.stderr
    assert "No model is configured" in out.stdout
    assert "inventory/pricing.py" in out.stdout and "price_with_discount" in out.stdout
    assert "tokens" in out.stdout and "SPLICE_MODEL" in out.stdout


def test_unparseable_trace_exits_2(tmp_path: Path) -> None:
    root, _ = workspace(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_text("nothing to see here\n")
    out = splice(["explain", "--workspace", str(root), "--traceback", str(bad)], {})
    assert out.returncode == 2 and "trace" in out.stderr.lower()


REFUSED_FIX = """### What happened
The tier is unknown.

### Fix
inventory/pricing.py
```python
<<<<<<< SEARCH
    discount = TIER_DISCOUNTS[tier]  # not in the file
=======
    discount = TIER_DISCOUNTS.get(tier, 0.0)
>>>>>>> REPLACE
```
"""

ELSEWHERE_FIX = """### What happened
`quote` passes any tier through.

### Fix
Reject unknown tiers where the quote is made:

```python
def quote(self, skus: dict[str, int], tier: str) -> float:
    if tier not in ("standard", "gold"):
        raise ValueError(f"unknown tier {tier!r}")
    lines = [(self.repo.get(sku).item, qty) for sku, qty in skus.items()]
    return order_total(lines, tier)
```
"""


def test_refused_fix_exits_2_is_not_cached_and_a_fix_goes_to_the_frame_that_defines_it(tmp_path: Path) -> None:
    root, trace = workspace(tmp_path)
    # The gateway cache is off so the second run shows what explain itself keeps.
    (root / ".splice").mkdir(exist_ok=True)
    (root / ".splice" / "config.toml").write_text("[cache]\nenabled = false\n")
    before = (root / "inventory/service.py").read_text()
    with FakeLLM() as llm:
        llm.script(Reply(text=REFUSED_FIX), Reply(text=ELSEWHERE_FIX))
        env = {"SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": llm.url}
        refused = splice(["explain", "--workspace", str(root), "--traceback", str(trace), "--fix"], env)
        assert refused.returncode == 2, refused.stderr
        assert "No usable fix" in refused.stderr
        # Explain did not keep the refused answer: the same trace asks the model again, and this answer's function lives
        # in service.py (a frame of the trace), not in pricing.py where the error was raised.
        fixed = splice(["explain", "--workspace", str(root), "--traceback", str(trace), "--apply"], env)
        assert fixed.returncode == 0, fixed.stderr
        assert len(llm.chat_requests()) == 2
    assert "+++ b/inventory/service.py" in fixed.stdout
    after = (root / "inventory/service.py").read_text()
    assert after == before.replace(
        "    def quote(self, skus: dict[str, int], tier: str) -> float:\n",
        "    def quote(self, skus: dict[str, int], tier: str) -> float:\n"
        '        if tier not in ("standard", "gold"):\n'
        '            raise ValueError(f"unknown tier {tier!r}")\n',
    )
