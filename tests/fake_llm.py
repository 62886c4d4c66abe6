"""A fake OpenAI-compatible HTTP server for tests and benchmarks: scripted replies, recorded requests, faults.

Serves ``POST /v1/chat/completions`` (plain JSON or SSE with ``stream: true``, usage included) and
``POST /v1/embeddings`` on 127.0.0.1 with a free port. Replies come from a queue (``script(...)``) and, when the
queue is empty, from a function of the request (``responder``). Every request is recorded with its full JSON body,
so tests can assert on exactly what left the client. Faults on demand: any HTTP status with headers (429 +
Retry-After, 500, 401, 404, 400 context-length), ``hang`` (answer only after ``delay`` seconds — longer than the
client timeout — while watching for the client to disconnect), ``truncate`` (a stream cut mid-body), ``garbage``
(a 200 whose body is not JSON), ``cut`` (half the chunks, then a clean end of stream: no finish_reason, no [DONE]),
``no_finish`` (every chunk and [DONE], but never a finish_reason), ``null`` (content null, finish_reason stop) and
``huge`` (the text repeated to 5 MB, as a runaway model sends it).

In tests::

    with FakeLLM() as llm:
        llm.script(Reply(text="hello"))
        ... model="openai/fake", api_base=llm.url ...
        assert llm.requests[0].body["messages"]

As a subprocess (e2e tests of the language server)::

    python tests/fake_llm.py --port 0 --script replies.json   # prints the base URL (…/v1) on its first line
    GET <url>/stats → {"requests": n, "max_in_flight": n, "disconnects": n}
"""

from __future__ import annotations

import argparse
import hashlib
import json
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("hang", "truncate", "garbage", "cut", "no_finish", "null", "huge")


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``status`` ≠ 200 sends an OpenAI-style error body with ``error`` as its message."""

    text: str = "ok"
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str = ""
    error_code: str | None = None
    fault: str | None = None
    """``hang`` | ``truncate`` | ``garbage`` | ``cut`` | ``no_finish`` | ``null`` | ``huge`` (module docstring)."""
    delay: float = 0.0
    """Seconds to wait before answering (``hang`` waits this long, then answers normally if still connected)."""
    chunk_delay: float = 0.0
    """Seconds between streamed chunks (a slow or stalled stream); the client closing the connection ends it."""
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reply:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown reply fields: {sorted(unknown)}")
        return cls(**dict(data))


@dataclass(frozen=True)
class Recorded:
    """A request as the server received it."""

    path: str
    headers: dict[str, str]
    body: Any
    """The parsed JSON body (or the raw text when it was not JSON)."""
    at: float


Responder = Callable[[str, Any], Reply]


def _default_responder(path: str, body: Any) -> Reply:
    return Reply(text="ok")


def _text_of(reply: Reply) -> str:
    if reply.fault == "huge":
        return (reply.text or "x") * (5_000_000 // max(1, len(reply.text or "x")) + 1)
    return reply.text


def approx_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _embedding(text: str, dims: int = 8) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [round((b - 128) / 128, 4) for b in digest[:dims]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read records, not logs
        return

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle + delayed ACK add ~40 ms per reply.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        fake = self.server.fake
        if self.path.rstrip("/").endswith("/stats"):  # for a subprocess server: what tests read as attributes
            with fake._lock:
                stats = {"requests": len(fake.requests), "max_in_flight": fake.max_in_flight}
                stats["disconnects"] = fake.disconnects
            self._json(200, stats)
        elif self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        try:
            body: Any = json.loads(raw)
        except json.JSONDecodeError:
            body = raw
        fake = self.server.fake
        fake._record(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()))
        reply = fake._next_reply(self.path, body)
        fake._enter()
        try:
            self._reply(body, reply)
        finally:
            fake._leave()

    def _reply(self, body: Any, reply: Reply) -> None:
        fake = self.server.fake
        # ``hang`` without a delay never answers: it waits until the client gives up. With a delay it answers
        # normally afterwards if the client is still there (a slow model).
        wait = reply.delay or (3600.0 if reply.fault == "hang" else 0.0)
        if wait and not self._wait(wait):
            fake._disconnected()
            return
        if reply.status != 200:
            self._error(reply)
        elif reply.fault == "garbage":
            self._raw(200, b'{"id": "chatcmpl-garbage", "choices": [ {"message": nope', "application/json")
        elif self.path.endswith("/embeddings"):
            self._embeddings(body)
        elif self.path.endswith("/chat/completions"):
            if isinstance(body, dict) and body.get("stream"):
                self._stream(body, reply)
            else:
                self._completion(body, reply)
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    # -- replies ---------------------------------------------------------------------------------------------

    def _usage(self, body: Any, reply: Reply) -> dict[str, int]:
        messages = body.get("messages", []) if isinstance(body, dict) else []
        prompt = reply.prompt_tokens or approx_tokens(json.dumps(messages))
        completion = reply.completion_tokens or approx_tokens(reply.text)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _completion(self, body: Any, reply: Reply) -> None:
        self._json(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake") if isinstance(body, dict) else "fake",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": None if reply.fault == "null" else _text_of(reply)},
                        "finish_reason": reply.finish_reason,
                    }
                ],
                "usage": self._usage(body, reply),
            },
        )

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = body.get("model", "fake")
        text = _text_of(reply)
        size = 4 if len(text) < 100_000 else 65_536
        pieces: list[str | None] = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        if reply.fault == "null":
            pieces = [None]
        events = [
            {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": p}, "finish_reason": None}]}
            for p in pieces
        ]
        if reply.fault not in ("cut", "no_finish"):
            events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**base, "choices": [], "usage": self._usage(body, reply)})
        try:
            if reply.fault == "truncate":
                # Half the content, then the connection dies mid-chunk: no finish_reason, no [DONE].
                for event in events[: max(1, len(pieces) // 2)]:
                    self._chunk(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b'40\r\ndata: {"id": "chatc')
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if reply.fault == "cut":
                # Half the chunks, then the stream ends cleanly: the model died, the proxy closed the response.
                for event in events[: max(1, len(pieces) // 2)]:
                    self._chunk(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return
            for event in events:
                self._chunk(f"data: {json.dumps(event)}\n\n".encode())
                if reply.chunk_delay and not self._wait(reply.chunk_delay):
                    self.server.fake._disconnected()
                    self.close_connection = True
                    return
            self._chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.server.fake._disconnected()
            self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _embeddings(self, body: Any) -> None:
        inputs = body.get("input", []) if isinstance(body, dict) else []
        if isinstance(inputs, str):
            inputs = [inputs]
        data = [{"object": "embedding", "index": i, "embedding": _embedding(str(t))} for i, t in enumerate(inputs)]
        tokens = sum(approx_tokens(str(t)) for t in inputs)
        self._json(
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model", "fake") if isinstance(body, dict) else "fake",
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    def _error(self, reply: Reply) -> None:
        kinds = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error"}
        kinds |= {429: "rate_limit_error"}
        error = {
            "message": reply.error or f"fake error {reply.status}",
            "type": kinds.get(reply.status, "server_error"),
            "code": reply.error_code,
        }
        self._json(reply.status, {"error": error}, reply.headers)

    def _json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        self._raw(status, json.dumps(payload).encode(), "application/json", headers)

    def _raw(self, status: int, data: bytes, ctype: str, headers: Mapping[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.server.fake._disconnected()
            self.close_connection = True

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False as soon as the client closes the connection (it gave up or cancelled)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.server.fake._stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.02)
            if readable:
                try:
                    if self.connection.recv(1, socket.MSG_PEEK) == b"":
                        return False
                except OSError:
                    return False
        return not self.server.fake._stopping.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLM


class FakeLLM:
    """The server object: start/stop (or ``with``), ``url``, ``script()``, ``requests``, ``disconnects``."""

    def __init__(self, replies: list[Reply] | None = None, responder: Responder | None = None, port: int = 0):
        self._queue: deque[Reply] = deque(replies or [])
        self.responder = responder or _default_responder
        self.requests: list[Recorded] = []
        self.disconnects = 0
        self.in_flight = 0
        self.max_in_flight = 0
        """The most requests the server was answering at once (for concurrency-limit tests)."""
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fake = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def all_bodies_text(self) -> str:
        """Every recorded body as one string, for "this secret never left" assertions."""
        return "\n".join(json.dumps(r.body) if not isinstance(r.body, str) else r.body for r in self.requests)

    def start(self) -> FakeLLM:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _disconnected(self) -> None:
        with self._lock:
            self.disconnects += 1

    def _next_reply(self, path: str, body: Any) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.responder(path, body)


def iter_replies(path: str) -> Iterator[Reply]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of replies")
    for item in data:
        yield Reply.from_json(item)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = a free one)")
    parser.add_argument("--script", help="JSON list of replies served in order, then the default reply")
    parser.add_argument("--record", help="append every request received to this JSONL file")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds the default reply takes (model time)")
    args = parser.parse_args(argv)
    replies = list(iter_replies(args.script)) if args.script else []
    delay = args.delay
    fake = FakeLLM(replies, responder=(lambda path, body: Reply(delay=delay)) if delay else None, port=args.port)
    if args.record:
        record_path = args.record
        original = fake._record

        def record_to_file(recorded: Recorded) -> None:
            original(recorded)
            with open(record_path, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": recorded.path, "body": recorded.body}) + "\n")

        fake._record = record_to_file  # type: ignore[method-assign]
    print(fake.url, flush=True)
    try:
        fake._server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
