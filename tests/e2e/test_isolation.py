"""The workspace's own packages never shadow Splice's: a repository that *is* pydantic, rich, httpx, lancedb… (or
vendors a package of that name at its root) is indexed by the server and the CLI started there, as editors and
users start them (the workspace as the working directory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import pytest

HOSTILE = (
    "pydantic",
    "rich",
    "httpx",
    "attrs",
    "numpy",
    "lancedb",
    "pygls",
    "pyarrow",
    "lsprotocol",
    "typing_extensions",
)
"""Packages Splice imports (directly or through its dependencies), planted in the workspace."""

ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    for name in HOSTILE:
        (ws / name).mkdir(parents=True)
        (ws / name / "__init__.py").write_text(
            f"raise RuntimeError('Splice imported the workspace package {name}')\n\ndef {name}_api():\n    pass\n"
        )
    (ws / "app").mkdir()
    (ws / "app" / "__init__.py").write_text("")
    (ws / "app" / "main.py").write_text("from pydantic import pydantic_api\n\ndef run():\n    pydantic_api()\n")
    return ws


def _send(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    stream.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    stream.flush()


def _read(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b"\n"):
        if not line:
            raise EOFError("the server closed its output")
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    message: dict[str, Any] = json.loads(stream.read(length))
    return message


def _index_is_persisted(ws: Path) -> bool:
    index = ws / ".splice" / "index"
    return (index / "files.lance").is_dir() and any((index / "files.lance").rglob("*.lance"))


@pytest.mark.parametrize("launch", ["python -m", "python -P -m"])
def test_server_started_in_a_hostile_workspace_indexes_and_persists(hostile: Path, launch: str) -> None:
    flags = ["-P"] if "-P" in launch else []
    server = subprocess.Popen(
        [sys.executable, *flags, "-m", "splice", "serve", "--stdio"],
        cwd=hostile,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    states: list[dict[str, Any]] = []
    try:
        init = {"processId": None, "rootUri": hostile.as_uri(), "capabilities": {}}
        _send(server.stdin, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})
        _send(server.stdin, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            message = _read(server.stdout)
            if message.get("method") == "splice/indexStatus":
                states.append(message["params"])
                if message["params"]["state"] in ("ready", "error"):
                    break
        assert states and states[-1]["state"] == "ready", states[-1:]
        _send(server.stdin, {"jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": {"query": "run"}})
        while (answer := _read(server.stdout)).get("id") != 2:
            pass
        assert any(s["name"] == "run" for s in answer["result"])
        _send(server.stdin, {"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
        while _read(server.stdout).get("id") != 3:
            pass
        _send(server.stdin, {"jsonrpc": "2.0", "method": "exit"})
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    stderr = server.stderr.read().decode()
    assert "Splice imported the workspace package" not in stderr, stderr[-3000:]
    assert _index_is_persisted(hostile)


def test_cli_started_in_a_hostile_workspace(hostile: Path) -> None:
    splice_script = Path(sys.executable).parent / "splice"
    runs = [
        ([sys.executable, "-m", "splice", "index", ".", "--json"], ENV),
        # The console script with the workspace on PYTHONPATH (a common shell setup for working on a library).
        ([str(splice_script), "context", "app/main.py:4", "--json"], {**ENV, "PYTHONPATH": f".{os.pathsep}{hostile}"}),
    ]
    for argv, env in runs:
        done = subprocess.run(argv, cwd=hostile, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (argv, done.stderr[-3000:])
        assert "Splice imported the workspace package" not in done.stderr
    summary = json.loads(subprocess.run(runs[0][0], cwd=hostile, env=ENV, capture_output=True, text=True).stdout)
    assert summary["files"] == len(HOSTILE) + 2  # the hostile packages are the workspace's code: indexed
    assert summary["reused"] == summary["files"] and _index_is_persisted(hostile)
