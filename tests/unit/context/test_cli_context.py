"""``splice context``: position parsing, the JSON-lines batch (one result per line, in order, errors per line) and
the command end to end on a small workspace."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.unit.context.support import APP_PY, line_of

from splice.cli.context import answer_batch, parse_position, register
from splice.context.engine import ContextEngine

HANDLE = line_of(APP_PY, "name, value = parse_header") + 1  # 1-based, as typed


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_parse_position() -> None:
    assert parse_position("pkg/app.py:12") == ("pkg/app.py", 11, 0)
    assert parse_position("pkg/app.py:12:5") == ("pkg/app.py", 11, 4)
    assert parse_position("C:/w/app.py:3:1") == ("C:/w/app.py", 2, 0)
    for bad in ("pkg/app.py", "pkg/app.py:x", ":3", "pkg/app.py:0", "pkg/app.py:3:0"):
        with pytest.raises(ValueError):
            parse_position(bad)


def test_batch_answers_every_line_in_order(make_engine: Callable[..., ContextEngine]) -> None:
    lines = [
        json.dumps({"file": "pkg/app.py", "line": HANDLE, "col": 9, "budget": 800, "id": "a"}),
        "",
        "{not json",
        json.dumps(["not", "an", "object"]),
        json.dumps({"line": 3}),
        json.dumps({"file": "pkg/app.py", "line": "3"}),
        json.dumps({"file": "pkg/app.py", "line": 999}),
        json.dumps({"file": "pkg/app.py", "line": HANDLE, "budget": 0}),
        json.dumps({"file": "pkg/app.py", "line": HANDLE, "text": "def broken(:\n  pass\n" * 30}),
        json.dumps({"file": "../../etc/passwd", "line": 1}),
        json.dumps({"file": "pkg/app.py", "line": HANDLE, "pins": "nope"}),
    ]
    out = list(answer_batch(make_engine(), lines, 1000))
    assert [r["line"] for r in out] == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    first = out[0]
    assert first["id"] == "a" and first["error"] is None and first["used"] <= 800
    assert "pkg/util.py::parse_header" in [i["symbol"] for i in first["items"]]
    assert "not JSON" in out[1]["error"]
    assert "JSON object" in out[2]["error"]
    assert "'file'" in out[3]["error"]
    assert "'line'" in out[4]["error"]
    assert "outside" in out[5]["error"]
    assert out[6]["items"] == [] and out[6]["error"] is None
    assert out[7]["error"] is None and any("syntax error" in n for n in out[7]["notes"])
    assert "outside the workspace" in out[8]["error"]
    assert "'pins'" in out[9]["error"]


def test_command_single_and_batch(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["context", f"pkg/app.py:{HANDLE}:9", "--budget", "600", "--workspace", str(workspace), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["used"] <= 600
    assert result["items"][0]["kind"] == "target"

    requests = tmp_path_factory.mktemp("batch") / "requests.jsonl"
    buffer = APP_PY.replace("return DEFAULT_TIMEOUT", "return unrelated_helper()")
    requests.write_text(
        "\n".join(
            [
                json.dumps({"file": "pkg/app.py", "line": HANDLE, "budget": 500}),
                json.dumps({"file": "pkg/app.py", "line": HANDLE + 2, "text": buffer, "budget": 500}),
                "garbage",
            ]
        ),
        encoding="utf-8",
    )
    output = requests.with_suffix(".out")
    code = run(["context", "--batch", str(requests), "--output", str(output), "--workspace", str(workspace)])
    assert code == 0
    results = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(results) == 3
    assert all(r["used"] <= 500 for r in results[:2])
    # The buffer's text is the target's, and the helper it now calls is shown (own item or util.py outline line).
    assert "return unrelated_helper()" in results[1]["items"][0]["text"]
    assert "return unrelated_helper()" not in results[0]["items"][0]["text"]
    assert any("def unrelated_helper(x)" in i["text"] for i in results[1]["items"])
    assert results[2]["error"].startswith("not JSON")


def test_command_errors(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["context", "--workspace", str(workspace)]) == 2
    assert run(["context", "pkg/app.py", "--workspace", str(workspace)]) == 2
    assert run(["context", "pkg/app.py:1", "--budget", "-1", "--workspace", str(workspace)]) == 2
    assert run(["context", "pkg/app.py:1", "--workspace", str(workspace / "missing")]) == 2
    assert run(["context", "--batch", str(workspace / "none.jsonl"), "--workspace", str(workspace)]) == 2
    assert run(["context", "pkg/app.py:999", "--workspace", str(workspace)]) == 1
    err = capsys.readouterr()
    assert "FILE:LINE" in err.err and "outside" in err.out
