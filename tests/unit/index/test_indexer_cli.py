"""``splice index``, ``splice symbols`` and ``splice refs`` (JSON and table output) on a small workspace."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from splice.cli import index as cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="splice")
    cli.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    code = args.handler(args)
    return code, capsys.readouterr().out


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "core.py").write_text("class Engine:\n    def run_engine(self):\n        pass\n")
    (tmp_path / "pkg" / "app.py").write_text("from pkg.core import Engine\n\ndef main():\n    Engine().run_engine()\n")
    (tmp_path / "notes.md").write_text("# notes\n")
    return tmp_path


def test_index_json_then_table(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "index", str(ws), "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["files"], data["reparsed"], data["cancelled"]) == (3, 3, False)
    assert data["edges"] >= 3 and 0 < data["resolvedPct"] <= 100
    assert data["skipped"] == [{"path": "notes.md", "reason": "no grammar", "detail": ""}]
    code, out = run(capsys, "index", str(ws), "--verbose")
    assert code == 0
    assert "3 unchanged" in out and "no grammar" in out and "notes.md" in out


def test_symbols_and_refs(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "symbols", "runeng", "--workspace", str(ws), "--json")
    assert code == 0
    assert json.loads(out)[0] == {
        "id": "pkg/core.py::Engine.run_engine",
        "name": "run_engine",
        "qualname": "Engine.run_engine",
        "kind": "method",
        "path": "pkg/core.py",
        "line": 2,
        "signature": "def run_engine(self):",
    }
    code, out = run(capsys, "refs", "Engine", "--workspace", str(ws), "--json")
    refs = json.loads(out)
    assert refs["definitions"] == ["pkg/core.py::Engine"]
    assert {(r["path"], r["line"], r["kind"], r["confidence"]) for r in refs["references"]} == {
        ("pkg/app.py", 1, "imports", 1.0),
        ("pkg/app.py", 4, "calls", 1.0),
    }
    code, out = run(capsys, "refs", "nothing_here", "--workspace", str(ws))
    assert code == 1 and "no symbol named" in out
