"""The server process ends when the editor says so, with the exit code LSP asks for — also while background
threads (indexing, embeddings, the lazy litellm import) are still busy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest

from tests.e2e.lsp_session import copy_example

ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin", "SPLICE_MODEL": "openai/x"}
"""A model is configured, so litellm is being imported on a worker thread right after ``initialized``."""


def _send(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    stream.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    stream.flush()


def _response(stream: IO[bytes], wanted: int) -> dict[str, Any]:
    while True:
        length = 0
        while (line := stream.readline().strip()) != b"":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        message: dict[str, Any] = json.loads(stream.read(length))
        if message.get("id") == wanted and "method" not in message:
            return message


@pytest.mark.parametrize(("shutdown", "code"), [(True, 0), (False, 1)])
def test_exit_ends_the_process_with_the_lsp_exit_code(tmp_path: Path, shutdown: bool, code: int) -> None:
    root = copy_example(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "splice", "serve", "--stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        init = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        _send(server.stdin, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})
        assert "capabilities" in _response(server.stdout, 1)["result"]
        _send(server.stdin, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        if shutdown:  # as editors do: exit only once shutdown was answered
            _send(server.stdin, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
            assert _response(server.stdout, 2).get("result") is None
        _send(server.stdin, {"jsonrpc": "2.0", "method": "exit"})
        assert server.wait(timeout=60) == code, server.stderr.read().decode()[-2000:] if server.stderr else ""
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
