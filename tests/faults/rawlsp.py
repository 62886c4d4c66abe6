"""A byte-level LSP peer for fault tests: it must send what no well-behaved client library would (broken headers,
cut bodies, hostile ids), so it writes frames itself and records every message the server sends back.

Every reply is recorded by id, so a test can assert "answered exactly once" for each request it sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"}


def frame(message: Any) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class RawServer:
    """``python -m splice serve --stdio`` with a reader thread; ``replies[id]`` lists every answer to ``id``."""

    def __init__(self, root: Path, env: dict[str, str] | None = None, capabilities: dict[str, Any] | None = None):
        self.root = root
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "splice", "serve", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**ENV, **(env or {})},
            cwd=str(root),
        )
        self.capabilities = capabilities if capabilities is not None else {}
        self.replies: dict[Any, list[dict[str, Any]]] = {}
        self.requests_from_server: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.null_id_errors: list[dict[str, Any]] = []
        self.answer_server: Callable[[dict[str, Any]], Any] | None = None
        """Returns the result for a server→client request, or ``...`` (Ellipsis) to leave it unanswered."""
        self._lock = threading.Condition()
        self._stderr: list[bytes] = []
        self._next = 1_000_000
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # -- sending -----------------------------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: Any) -> None:
        self.write(frame(message))

    def request(self, method: str, params: Any = None, *, timeout: float = 30.0) -> dict[str, Any]:
        self._next += 1
        msg_id = self._next
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.wait_reply(msg_id, timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def initialize(self, options: dict[str, Any] | None = None) -> dict[str, Any]:
        params = {
            "processId": None,
            "rootUri": self.root.as_uri(),
            "capabilities": self.capabilities,
            "initializationOptions": options or {},
        }
        reply = self.request("initialize", params, timeout=60)
        self.notify("initialized", {})
        return reply

    # -- receiving ---------------------------------------------------------------------------------------------

    def wait_reply(self, msg_id: Any, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self.replies.get(msg_id):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"no reply to {msg_id!r}; server rc={self.proc.poll()}\n{self.stderr()[-3000:]}")
                self._lock.wait(min(left, 0.2))
            return self.replies[msg_id][0]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.2))
        return True

    def counts(self) -> Counter[Any]:
        with self._lock:
            return Counter({k: len(v) for k, v in self.replies.items()})

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    def close(self, timeout: float = 30.0) -> int:
        """shutdown + exit; returns the exit code (kills on timeout, then raises)."""
        if self.proc.poll() is None:
            try:
                self.request("shutdown", timeout=timeout)
                self.notify("exit")
            except (TimeoutError, OSError):
                pass
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    with self._lock:
                        self._lock.notify_all()
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            message = json.loads(stream.read(length))
            self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:
            self.requests_from_server.append(message)
            result: Any = None
            if self.answer_server is not None:
                result = self.answer_server(message)
            if result is not ...:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            return
        with self._lock:
            if "method" in message:
                self.notifications.append(message)
            elif message.get("id") is None:
                self.null_id_errors.append(message)
            else:
                key = message["id"]
                self.replies.setdefault(id_key(key), []).append(message)
            self._lock.notify_all()

    def _drain_stderr(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        for line in iter(stream.readline, b""):
            self._stderr.append(line)
            if len(self._stderr) > 5000:
                del self._stderr[:1000]


def id_key(value: Any) -> Any:
    """A dict key for a JSON-RPC id as sent: ints and strings as they are, anything else (true, 1.5, objects)
    as its JSON text, so ``true`` and ``1`` stay apart."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return json.dumps(value, sort_keys=True)


def rss_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0
