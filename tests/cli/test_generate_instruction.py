"""An instruction at a bare cursor (VS Code's *Generate…* from the palette, ``splice generate --instruction``): the
model sees the code around the cursor and where the cursor is, and a plain fenced definition in reply is inserted
there instead of refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.fake_llm import FakeLLM, Reply

from splice.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"

PLAIN_ANSWER = '''Here is the new error class:

```python
class DuplicateSku(ValueError):
    """Raised when an item is added twice."""
```
'''


def test_instruction_at_a_bare_cursor_sends_the_code_around_it_and_takes_a_plain_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    lines = (root / "inventory/repository.py").read_text().splitlines()
    blank = lines.index("class Repository:") - 1  # 0-based: the blank line just above the class
    assert lines[blank] == ""
    monkeypatch.chdir(root)
    with FakeLLM() as llm:
        llm.script(Reply(text=PLAIN_ANSWER))
        monkeypatch.setenv("SPLICE_MODEL", "openai/fake-model")
        monkeypatch.setenv("SPLICE_API_BASE", llm.url)
        code = main(["generate", f"inventory/repository.py:{blank + 1}", "--instruction", "add a DuplicateSku error"])
        prompt = "\n".join(m["content"] for m in llm.chat_requests()[-1].body["messages"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert f"Cursor: line {blank + 1}" in prompt
    assert "class NotFound(LookupError):" in prompt and "def add(self, item: Item, quantity: int)" in prompt
    assert "+class DuplicateSku(ValueError):" in out.out
    diff_lines = [line for line in out.out.splitlines() if line.startswith(("+", "-")) and line[1:2] not in "+-"]
    assert all(line.startswith("+") for line in diff_lines)  # only added lines: nothing else touched
