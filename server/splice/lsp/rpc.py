"""``SpliceProtocol``: the JSON-RPC edge, fixed once for every handler.

pygls 2.1.1 leaves requests unanswered or answers them wrongly in several ways (each is worked around here and
described for an upstream report in ``lsp/README.md``):

- its reader passes ``structure_message`` to ``json.loads`` as the ``object_hook``, so *every nested object* that
  carries a ``"jsonrpc"`` member is turned into a message — a request whose params contain one is never answered,
  and a request-shaped object inside params gets replies sent to *its* id;
- a body that is not JSON, a batch, a scalar, a wrong ``jsonrpc`` version or an invalid id is logged and dropped;
- params that fail to deserialize are logged and dropped (the client waits forever);
- handler exceptions are answered with the Python traceback in ``data``; a result that cannot be serialized is
  never answered;
- ``shutdown`` cancels in-flight futures while iterating the dict their callbacks remove them from ("dictionary
  changed size during iteration"); requests after ``shutdown`` are dropped without an answer;
- a second ``initialize`` re-roots the running server;
- server→client requests wait forever: a client that never answers, or answers with a malformed result, leaves
  the awaiting command hanging.

Here: frames come from ``lsp/stream.py``; ``receive`` parses each body once, structures only the top-level message
and guarantees exactly one answer per request id (``-32700`` unparseable, ``-32600`` invalid request, ``-32602``
invalid params with a readable message, ``-32002`` before ``initialize``, ``-32603`` internal errors — logged with
the traceback, answered without it). Outgoing requests get a timeout (``ClientRequestFailed``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
import traceback
import uuid
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any

import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol, lsp_method

from splice.lsp.protocol import PROPOSAL_SCHEME
from splice.lsp.stream import Frame, Oversize

log = logging.getLogger(__name__)

PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32602, -32603
SERVER_NOT_INITIALIZED, REQUEST_CANCELLED = -32002, -32800

MAX_QUERY_CHARS = 1000
"""``workspace/symbol`` queries longer than this are refused (names are short; a 1 MB query is a mistake)."""

CLIENT_TIMEOUTS = {
    types.WINDOW_SHOW_MESSAGE_REQUEST: 600.0,
    types.WORKSPACE_APPLY_EDIT: 600.0,
    types.WINDOW_SHOW_DOCUMENT: 30.0,
}
"""Seconds a server→client request may take: the user decides in the first two (a review can take minutes)."""
DEFAULT_CLIENT_TIMEOUT = 10.0
"""Everything else the client answers by itself (registerCapability, workDoneProgress/create, configuration)."""
TIMEOUT_ENV = "SPLICE_CLIENT_TIMEOUT"
"""Seconds overriding every timeout above (fault tests; a debugging session that must not expire)."""

# The leading simple members of a request, in the order editors write them: enough to find the id of a request
# whose body is cut short, without mistaking an id nested in params for the request's.
_LEADING_ID = re.compile(
    rb'^\s*\{(?:\s*"(?:jsonrpc|method)"\s*:\s*"[^"\\]*"\s*,)*\s*"id"\s*:\s*(-?\d{1,15}|"[^"\\]{0,200}")\s*[,}]'
)
_LEADING_METHOD = re.compile(rb'^\s*\{(?:\s*"(?:jsonrpc|id)"\s*:\s*(?:"[^"\\]*"|-?\d{1,15})\s*,)*\s*"method"\s*:')


class ClientRequestFailed(Exception):
    """A server→client request ended without a usable result; the message says why, in the user's words."""


class InvalidParams(JsonRpcException):
    """Raised by handlers for arguments they cannot use: answered ``-32602`` with the message."""

    CODE = INVALID_PARAMS


def _valid_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)


def _describe(exc: BaseException) -> str:
    """A short human account of a deserialization failure (cattrs knows which field was wrong)."""
    cause = exc.__cause__ or exc
    if isinstance(cause, cattrs.ClassValidationError | cattrs.IterableValidationError):
        try:
            return "; ".join(cattrs.transform_error(cause, path="message")[:3])
        except Exception:  # transform_error is best-effort on unusual nestings
            pass
    return str(cause) or type(cause).__name__


class SpliceProtocol(LanguageServerProtocol):
    on_message: Callable[[], None] | None = None
    """Called for every message from the client (the server's idle tracking)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outgoing: dict[Any, str] = {}
        """Ids of our requests to the client still waiting → their method (responses for others are ignored)."""
        self._initialized = False
        self._write_lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pending_writes: set[asyncio.Future[Any]] = set()

    # -- receiving ---------------------------------------------------------------------------------------------

    def receive(self, frame: Frame) -> None:
        """One frame from the reader: answered or dispatched, never dropped silently when it carries an id."""
        if self.on_message is not None:
            self.on_message()
        if isinstance(frame, Oversize):
            self._error(None, INVALID_REQUEST, f"message of {frame.length} bytes is larger than the limit; skipped")
            return
        try:
            data = json.loads(frame)
        except (ValueError, RecursionError) as exc:
            msg_id = self._salvage_id(frame)
            log.warning("unparseable message (%d bytes): %s", len(frame), str(exc)[:200])
            self._error(msg_id, PARSE_ERROR, f"Parse error: the message is not valid JSON ({str(exc)[:120]})")
            return
        try:
            self._dispatch(data)
        except (SystemExit, KeyboardInterrupt):
            raise
        except Exception:  # a bug here must not take the reader down
            log.exception("failed to dispatch a message")
            if isinstance(data, dict) and "method" in data and _valid_id(data.get("id")):
                self._error(data["id"], INTERNAL_ERROR, "Internal error while receiving the request")

    @staticmethod
    def _salvage_id(body: bytes) -> Any:
        """The id of a request cut short, when it is certain (a leading member, and a method follows or precedes)."""
        match = _LEADING_ID.match(body[:4096])
        if match is None or b'"method"' not in body[:4096]:
            return None
        if not _LEADING_METHOD.match(body[:4096]):
            return None
        raw = match.group(1)
        return raw[1:-1].decode("utf-8", "replace") if raw.startswith(b'"') else int(raw)

    def _dispatch(self, data: Any) -> None:
        if isinstance(data, list):
            answered = False
            for item in data:
                if isinstance(item, dict) and "method" in item and "id" in item:
                    self._error(item["id"], INVALID_REQUEST, "JSON-RPC batches are not supported by LSP")
                    answered = True
            if not answered:
                self._error(None, INVALID_REQUEST, "JSON-RPC batches are not supported by LSP")
            return
        if not isinstance(data, dict):
            self._error(None, INVALID_REQUEST, "a message must be a JSON object")
            return
        has_id = "id" in data
        method = data.get("method")
        if "method" in data:
            if not has_id:
                self._notification(data, method)
            else:
                self._request(data, method)
            return
        if has_id:
            self._response(data)
            return
        log.warning("ignored a message that is neither a request, a notification nor a response")

    def _request(self, data: dict[str, Any], method: Any) -> None:
        msg_id = data["id"]
        if not _valid_id(msg_id):
            self._error(msg_id, INVALID_REQUEST, "a request id must be an integer or a string")
            return
        if not isinstance(method, str) or data.get("jsonrpc") != "2.0":
            self._error(msg_id, INVALID_REQUEST, 'a request needs "jsonrpc": "2.0" and a string "method"')
            return
        if self._shutdown:
            self._error(msg_id, INVALID_REQUEST, "the server is shutting down")
            return
        if method == types.INITIALIZE:
            if self._initialized:
                self._error(msg_id, INVALID_REQUEST, "the server is already initialized")
                return
        elif not self._initialized:
            self._error(msg_id, SERVER_NOT_INITIALIZED, "the server has not been initialized yet")
            return
        if msg_id in self._request_futures:
            self._error(msg_id, INVALID_REQUEST, f"a request with id {msg_id!r} is still running")
            return
        problem = self._out_of_bounds(method, data.get("params"))
        if problem is not None:
            self._error(msg_id, INVALID_PARAMS, problem)
            return
        try:
            message = super().structure_message(data)
        except JsonRpcException as exc:
            text = _describe(exc)
            log.warning("request %r (%s) has invalid params: %s", msg_id, method, text)
            self._error(msg_id, INVALID_PARAMS, f"Invalid params for {method}: {text}")
            return
        if getattr(message, "id", msg_id) != msg_id or type(message.id) is not type(msg_id):
            message.id = msg_id  # cattrs may coerce "5" → 5: the answer must carry the id exactly as sent
        if method == types.INITIALIZE:
            self._initialized = True
        self.handle_message(message)

    def _notification(self, data: dict[str, Any], method: Any) -> None:
        if not isinstance(method, str) or data.get("jsonrpc") != "2.0":
            log.warning("ignored a malformed notification")
            return
        if not self._initialized and method != types.EXIT:
            log.warning("ignored notification %r before initialize", method)
            return
        try:
            message = super().structure_message(data)
        except JsonRpcException as exc:
            log.warning("ignored notification %r with invalid params: %s", method, _describe(exc))
            return
        self.handle_message(message)

    def _response(self, data: dict[str, Any]) -> None:
        msg_id = data.get("id")
        if not _valid_id(msg_id) or msg_id not in self._outgoing:
            log.warning("ignored a response to %r, which is not a request of ours", msg_id)
            return
        method = self._outgoing[msg_id]
        try:
            message = super().structure_message(data)
        except JsonRpcException as exc:
            self._fail_outgoing(msg_id, f"the editor's answer to {method} is malformed ({_describe(exc)})")
            return
        self.handle_message(message)

    def _out_of_bounds(self, method: str, params: Any) -> str | None:
        """Refuse requests whose work grows with an input no editor sends that large."""
        if method == types.WORKSPACE_SYMBOL and isinstance(params, dict):
            query = params.get("query")
            if isinstance(query, str) and len(query) > MAX_QUERY_CHARS:
                return f"the workspace/symbol query is {len(query)} characters long; at most {MAX_QUERY_CHARS}"
        return None

    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls's own readers (TCP) call this for every nested object: structuring happens in ``_dispatch``."""
        return data

    def handle_message(self, message: Any) -> None:
        """Plain JSON from pygls's readers goes through ``_dispatch``; structured messages to pygls."""
        if isinstance(message, dict | list):
            self._dispatch(message)
            return
        super().handle_message(message)

    # -- answering ---------------------------------------------------------------------------------------------

    def _error(self, msg_id: Any, code: int, message: str) -> None:
        self._write({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    def _send_handler_result(self, future: Future[Any], *, msg_id: Any) -> None:
        """Exactly one answer per request; errors carry a message, never a traceback (that goes to the log)."""
        self._request_futures.pop(msg_id, None)
        if future.cancelled():
            self._error(msg_id, REQUEST_CANCELLED, f'Request with id "{msg_id}" is canceled')
            return
        exc = future.exception()
        if exc is None:
            self._send_response(msg_id, result=future.result())
            return
        if isinstance(exc, JsonRpcException):
            log.warning("request %r failed: %s", msg_id, exc.message)
            self._error(msg_id, exc.code, exc.message or type(exc).__name__)
            return
        if isinstance(exc, asyncio.CancelledError):
            self._error(msg_id, REQUEST_CANCELLED, f'Request with id "{msg_id}" is canceled')
            return
        log.error("request %r failed", msg_id, exc_info=(type(exc), exc, exc.__traceback__))
        if _raised_by_handler(exc) and isinstance(exc, ValueError | TypeError | KeyError):
            self._error(msg_id, INVALID_PARAMS, f"Invalid params: {str(exc) or _plain(exc)}")
        else:
            self._error(msg_id, INTERNAL_ERROR, f"Internal error: {_plain(exc)} (details in the server log)")

    def _send_response(self, msg_id: Any, result: Any | None = None, error: types.ResponseError | None = None) -> None:
        if error is not None:
            self._error(msg_id, error.code, error.message)
            return
        response_type = self._result_types.pop(msg_id, None)
        try:
            if response_type is not None:
                payload = self._converter.unstructure(response_type(id=msg_id, result=result, jsonrpc="2.0"))
            else:
                payload = {"jsonrpc": "2.0", "id": msg_id, "result": self._unstructure(result)}
            body = json.dumps(payload, default=self._serialize_message)
        except Exception:
            log.exception("the result of request %r cannot be serialized", msg_id)
            self._error(msg_id, INTERNAL_ERROR, "Internal error: the result could not be serialized")
            return
        self._write_body(body)

    def _unstructure(self, value: Any) -> Any:
        return self._converter.unstructure(value) if hasattr(value, "__attrs_attrs__") else value

    def _send_data(self, data: Any) -> None:
        if not data:
            return
        try:
            body = json.dumps(data, default=self._serialize_message)
        except Exception:
            log.exception("a message to the client cannot be serialized")
            return
        self._write_body(body)

    def _write(self, payload: dict[str, Any]) -> None:
        self._write_body(json.dumps(payload, default=str))

    def _write_body(self, body: str) -> None:
        if self.writer is None:
            log.error("no transport: a message was not sent")
            return
        raw = body.encode("utf-8")
        data = raw
        if self._include_headers:
            data = b"Content-Length: %d\r\n\r\n%s" % (len(raw), raw)
        try:
            with self._write_lock:  # handlers on threads send too; frames must not interleave
                res = self.writer.write(data)
            if asyncio.iscoroutine(res) or isinstance(res, asyncio.Future):  # websocket writers (unused by Splice)
                self._pending_writes.add(asyncio.ensure_future(res))
                self._pending_writes = {w for w in self._pending_writes if not w.done()}
        except (OSError, ValueError) as exc:  # the editor went away, or stdout is closed after exit
            log.error("could not send a message to the client: %s", exc)

    # -- requests to the client --------------------------------------------------------------------------------

    def send_request(
        self,
        method: str,
        params: Any | None = None,
        callback: Callable[[Any], None] | None = None,
        msg_id: Any | None = None,
    ) -> Future[Any]:
        """pygls's request, plus a timeout: the future fails with ``ClientRequestFailed`` when the client takes
        longer than ``CLIENT_TIMEOUTS`` allows, answers with something malformed, or the server shuts down."""
        msg_id = msg_id if msg_id is not None else str(uuid.uuid4())
        self._outgoing[msg_id] = method
        future = super().send_request(method, params, callback, msg_id)
        timeout = client_timeout(method)
        loop = self.loop
        handles: list[asyncio.TimerHandle] = []

        def arm() -> None:
            if not future.done():
                handles.append(asyncio.get_running_loop().call_later(timeout, self._expire, msg_id, timeout))

        def done(_: Future[Any]) -> None:
            self._outgoing.pop(msg_id, None)
            for handle in handles:
                handle.cancel()

        future.add_done_callback(done)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            arm()
        elif loop is not None:
            loop.call_soon_threadsafe(arm)
        return future

    def _expire(self, msg_id: Any, timeout: float) -> None:
        method = self._outgoing.get(msg_id, "the request")
        self._fail_outgoing(msg_id, f"the editor did not answer {method} within {timeout:g} s")

    def _fail_outgoing(self, msg_id: Any, reason: str) -> None:
        self._outgoing.pop(msg_id, None)
        self._result_types.pop(msg_id, None)
        future = self._request_futures.pop(msg_id, None)
        log.warning("%s", reason)
        if future is not None and not future.done():
            future.set_exception(ClientRequestFailed(reason))

    # -- lifecycle ---------------------------------------------------------------------------------------------

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        """pygls computes capabilities without ``workspace.textDocumentContent``; add it for proposal documents."""
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        workspace = result.capabilities.workspace or types.WorkspaceOptions()
        workspace.text_document_content = types.TextDocumentContentOptions(schemes=[PROPOSAL_SCHEME])
        result.capabilities.workspace = workspace
        return result

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """pygls cancels in-flight futures while iterating the dict their callbacks shrink; iterate a copy, and
        fail our own requests to the client with a reason instead of a bare cancellation."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current = self.msg_id
        for msg_id in list(self._outgoing):
            self._fail_outgoing(msg_id, "the editor is shutting the server down")
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._shutdown = True
        return None


def client_timeout(method: str) -> float:
    override = os.environ.get(TIMEOUT_ENV)
    if override:
        try:
            return max(0.01, float(override))
        except ValueError:
            log.warning("%s=%r is not a number of seconds; ignored", TIMEOUT_ENV, override)
    return CLIENT_TIMEOUTS.get(method, DEFAULT_CLIENT_TIMEOUT)


def _raised_by_handler(exc: BaseException) -> bool:
    """The exception was raised in a handler module itself — an argument check, not a failure deeper down."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    return last is not None and "/splice/lsp/handlers/" in last.tb_frame.f_code.co_filename.replace("\\", "/")


def _plain(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    return (text[-1] if text else type(exc).__name__)[:500]
