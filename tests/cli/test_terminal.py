"""The CLI in a terminal and in pipes: whole paths, no tracebacks when the reader stops early, caches that really
clear, undo that walks back, frames that keep `__init__`."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from splice import state
from splice.cli import main
from splice.cli.edit import run as edit_run
from splice.cli.output import plain_rows, print_table
from splice.features.explain.service import md_escape

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"

APP = "class App:\n    def run(self, x):\n        y = x + 1\n        return y\n"


def answer(before: str, after: str) -> str:
    return f"app.py\n```python\n<<<<<<< SEARCH\n{before}\n=======\n{after}\n>>>>>>> REPLACE\n```\n"


def edit(ws: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = edit_run(["--workspace", str(ws), *args], out, err)
    return code, out.getvalue(), err.getvalue()


def test_undo_twice_walks_back_two_edits_instead_of_redoing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "app.py").write_text(APP)
    for n, (before, after) in enumerate((("y = x + 1", "y = x + 2"), ("return y", "return y * 10"))):
        (tmp_path / f"a{n}.md").write_text(answer(f"        {before}", f"        {after}"))
        code, _, err = edit(ws, "--answer", str(tmp_path / f"a{n}.md"), "--apply")
        assert code == 0, err
    assert "y = x + 2" in (ws / "app.py").read_text() and "return y * 10" in (ws / "app.py").read_text()
    code, diff, err = edit(ws, "--undo", "--apply")
    assert code == 0, err
    assert "-        return y * 10" in diff and (ws / "app.py").read_text() == APP.replace("x + 1", "x + 2")
    code, diff, err = edit(ws, "--undo", "--apply")  # the second undo reverts the first edit, not the undo
    assert code == 0, err
    assert "-        y = x + 2" in diff and (ws / "app.py").read_text() == APP
    code, _, err = edit(ws, "--undo")
    assert code == 2 and "nothing to undo" in err


def test_piped_tables_keep_whole_locations() -> None:
    long_path = "src/httpx/_transports/default_with_a_really_long_module_name.py"
    rows = [(f"{long_path}:1234:5", "calls", "Client.__init__"), ("a.py:1:1", "imports", "<module>")]
    out = io.StringIO()  # not a terminal: plain aligned rows, nothing cut
    print_table("references", ("location", "kind", "from"), rows, stream=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{long_path}:1234:5  calls") and lines[0].endswith("Client.__init__")
    assert lines[1].split() == ["a.py:1:1", "imports", "<module>"]
    assert plain_rows([("x", "y")]) == ["x  y"]


def test_refs_and_symbols_print_path_line_into_a_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    assert main(["refs", "Repository", "--workspace", str(root)]) == 0
    refs = capsys.readouterr().out.splitlines()
    assert refs and all(line.split()[0].count(":") == 2 for line in refs)  # path:line:column, whole
    assert any(line.startswith("inventory/reports.py:5:") for line in refs)
    assert main(["symbols", "low_stock", "--workspace", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:2] == ["inventory/reports.py:8", "function"]


@pytest.mark.parametrize("extra", [["--json"]])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path, extra: list[str]) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head` that has already exited: every write meets a closed pipe
    try:
        done = subprocess.run(
            [sys.executable, "-m", "splice", "symbols", "o", *extra, "--workspace", str(root)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 141


def test_cache_clear_also_clears_cached_explanations(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    cached = root / ".splice" / "explanations" / "cache"
    root.mkdir()
    state.write_text(cached / "0123abcd.json", '{"answer": "stale", "model": "m", "at": 0}')  # as explain writes it
    out = subprocess.run(
        [sys.executable, "-m", "splice", "cache", "clear", "--workspace", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "1 cached explanation" in out.stdout
    assert not list(cached.glob("*.json"))


def test_readme_example_points_at_the_stub() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    lines = (EXAMPLE / "inventory/reports.py").read_text().splitlines()
    places = {
        int(part.split(":")[1].split()[0]) for part in readme.split("inventory/reports.py")[1:] if part[:1] == ":"
    }
    assert places and all("raise NotImplementedError" in lines[n - 1] for n in places)


def test_frames_keep_dunder_names_and_module_in_markdown() -> None:
    from markdown_it import MarkdownIt

    rendered = MarkdownIt().render(md_escape("requests/models.py:12 in Request.__init__ ← <module> [x](y) *z*"))
    assert "Request.__init__" in rendered and "&lt;module&gt;" in rendered
    assert "<a " not in rendered and "<em>" not in rendered and "<strong>" not in rendered


def test_workspace_frames_link_to_their_line_and_library_frames_stay_text() -> None:
    from splice.features.explain.service import frame_markdown

    def link(rel: str, line: int) -> str | None:
        return f"[{rel}:{line + 1}](file:///w/{rel}#L{line + 1})" if rel.startswith("src/") else None

    own = frame_markdown("Request.__init__ at src/requests/models.py:12", link)
    assert own == r"Request.\_\_init\_\_ at [src/requests/models.py:12](file:///w/src/requests/models.py#L12)"
    assert frame_markdown("<module> at lib/site.py:3 (excluded: source not shared)", link) == (
        r"\<module\> at lib/site.py:3 \(excluded: source not shared\)"
    )
    assert frame_markdown("3 frames in urllib3", link) == "3 frames in urllib3"
