"""The protocol edge against hostile bytes: the reproducers of issue 15, each against the real ``splice serve``.

One server per module (a start costs seconds); every case ends with a health probe, and the module ends with the
books balanced: every request id sent was answered exactly once, and the process exits with the LSP exit code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from splice.lsp.stream import MAX_MESSAGE_BYTES, FrameParser, Oversize
from tests.e2e.lsp_session import copy_example
from tests.e2e.test_review import PRICING_FIX
from tests.faults.rawlsp import RawServer, frame


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawServer]:
    root = copy_example(tmp_path_factory.mktemp("protocol"))
    srv = RawServer(root, capabilities={"window": {"showMessage": {}}})
    assert "capabilities" in srv.initialize()["result"]
    yield srv
    rc = srv.close()
    assert rc == 0, srv.stderr()[-3000:]
    duplicates = {k: v for k, v in srv.counts().items() if v > 1}
    assert duplicates == {}


def healthy(server: RawServer) -> None:
    reply = server.request("workspace/symbol", {"query": "Inventory"}, timeout=20)
    assert isinstance(reply.get("result"), list), reply


# -- framing (pure) --------------------------------------------------------------------------------------------


def test_parser_resynchronises_after_a_short_content_length() -> None:
    parser = FrameParser()
    good = frame({"jsonrpc": "2.0", "id": 2, "method": "x"})
    frames = parser.feed(b'Content-Length: 5\r\n\r\n{"jsonrpc": "2.0", "id": 1}' + good)
    assert frames == [b'{"jso', good.split(b"\r\n\r\n", 1)[1]]


@pytest.mark.parametrize("length", [MAX_MESSAGE_BYTES + 1, 10**15, 2**63, 10**29])
def test_parser_refuses_huge_lengths_without_buffering(length: int) -> None:
    parser = FrameParser()
    good = frame({"jsonrpc": "2.0", "id": 2, "method": "x"})
    frames = parser.feed(b"Content-Length: %d\r\n\r\n" % length)
    frames += parser.feed(b"x" * 100_000)  # part of the announced body: skipped, not kept
    frames += parser.feed(good)
    assert frames[0] == Oversize(length) and frames[1:] == [good.split(b"\r\n\r\n", 1)[1]]
    assert len(parser._buf) == 0


def test_parser_accepts_header_case_and_other_headers() -> None:
    body = b'{"jsonrpc":"2.0","method":"x"}'
    data = b"content-length:%d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n%s" % (len(body), body)
    assert FrameParser().feed(data) == [body]


# -- the reproducers, through the real server ------------------------------------------------------------------


@pytest.mark.parametrize("length", [b"1000000000000000", b"9223372036854775808"])
def test_a_huge_content_length_is_refused_and_the_server_lives(server: RawServer, length: bytes) -> None:
    server.write(b"Content-Length: " + length + b"\r\n\r\n{}")
    healthy(server)
    assert any(length.decode() in e["error"]["message"] for e in server.null_id_errors)


def test_nested_jsonrpc_member_in_params_is_answered(server: RawServer) -> None:
    server.send({"jsonrpc": "2.0", "id": "n1", "method": "workspace/symbol", "params": {"query": "x", "jsonrpc": 1}})
    assert "result" in server.wait_reply("n1")


def test_request_shaped_params_get_one_answer_for_the_outer_id_only(server: RawServer) -> None:
    inner = {"jsonrpc": "2.0", "id": "inner-1", "method": "workspace/symbol", "params": {"query": 5}}
    server.send({"jsonrpc": "2.0", "id": "outer-1", "method": "workspace/symbol", "params": {"query": "x", "d": inner}})
    server.wait_reply("outer-1")
    healthy(server)
    assert "inner-1" not in server.replies and len(server.replies["outer-1"]) == 1


def test_unparseable_body_gets_a_parse_error(server: RawServer) -> None:
    before = len(server.null_id_errors)
    server.write(b"Content-Length: 12\r\n\r\n{not json!!}")
    healthy(server)
    assert [e["error"]["code"] for e in server.null_id_errors[before:]] == [-32700]


def test_a_request_cut_short_is_answered_with_its_own_id(server: RawServer) -> None:
    body = b'{"jsonrpc": "2.0", "id": "cut-1", "method": "workspace/symbol", "params": {"que'
    server.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    assert server.wait_reply("cut-1")["error"]["code"] == -32700


def test_invalid_params_are_minus_32602_with_a_message_and_no_traceback(server: RawServer) -> None:
    bad_position = {"textDocument": {"uri": (server.root / "x.py").as_uri()}, "position": "nope"}
    reply = server.request("textDocument/definition", bad_position)
    assert reply["error"]["code"] == -32602 and "position" in reply["error"]["message"]
    assert "data" not in reply["error"]
    reply = server.request("workspace/executeCommand", {"command": "splice.applyProposal", "arguments": [5]})
    assert reply["error"]["code"] == -32602 and "expected" in reply["error"]["message"]
    assert "data" not in reply["error"] and "Traceback" not in str(reply)


def test_invalid_ids_and_shapes_are_answered(server: RawServer) -> None:
    server.send({"jsonrpc": "2.0", "id": {"no": 1}, "method": "workspace/symbol", "params": {"query": ""}})
    server.send({"jsonrpc": "1.0", "id": "v1", "method": "workspace/symbol", "params": {"query": ""}})
    server.send([{"jsonrpc": "2.0", "id": "b1", "method": "workspace/symbol", "params": {"query": ""}}])
    server.send({"jsonrpc": "2.0", "id": "m1", "method": 42})
    for msg_id in ('{"no": 1}', "v1", "b1", "m1"):
        assert server.wait_reply(msg_id)["error"]["code"] == -32600
    healthy(server)


def test_a_second_initialize_is_refused(server: RawServer) -> None:
    reply = server.request("initialize", {"processId": None, "rootUri": "file:///tmp", "capabilities": {}})
    assert reply["error"]["code"] == -32600
    reply = server.request("workspace/symbol", {"query": "Inventory"})
    assert reply["result"], "the workspace was re-rooted"


def test_a_huge_workspace_symbol_query_is_refused_quickly(server: RawServer) -> None:
    reply = server.request("workspace/symbol", {"query": "x" * 1_000_000}, timeout=20)
    assert reply["error"]["code"] == -32602 and "at most" in reply["error"]["message"]


def test_a_response_to_an_unknown_id_is_ignored(server: RawServer) -> None:
    server.send({"jsonrpc": "2.0", "id": 1_000_001, "result": {"applied": True}})
    healthy(server)


def test_requests_before_initialize_and_after_shutdown_are_answered(tmp_path: Path) -> None:
    srv = RawServer(copy_example(tmp_path))
    try:
        reply = srv.request("workspace/symbol", {"query": "x"})
        assert reply["error"]["code"] == -32002
        srv.initialize()
        assert "result" in srv.request("shutdown")
        reply = srv.request("workspace/symbol", {"query": "x"})
        assert reply["error"]["code"] == -32600
        srv.notify("exit")
        assert srv.proc.wait(timeout=30) == 0
    finally:
        srv.kill()


# -- requests to the client ------------------------------------------------------------------------------------

MESSAGE_CLIENT = {
    "window": {"showMessage": {}},
    "workspace": {"workspaceEdit": {"documentChanges": True}, "didChangeWatchedFiles": {"dynamicRegistration": True}},
}


@pytest.fixture
def review_server(tmp_path: Path) -> Iterator[RawServer]:
    srv = RawServer(copy_example(tmp_path), env={"SPLICE_CLIENT_TIMEOUT": "2"}, capabilities=MESSAGE_CLIENT)
    yield srv
    srv.kill()


def propose(srv: RawServer, timeout: float = 30) -> dict[str, object]:
    params = {"command": "splice.proposeEdit", "arguments": [{"answer": PRICING_FIX}]}
    reply = srv.request("workspace/executeCommand", params, timeout=timeout)
    assert "result" in reply, reply
    result = reply["result"]
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        ({"window/showMessageRequest": {"title": {"not": "a string"}}}, "not one of"),
        ({"window/showMessageRequest": {"title": 7}}, "not one of"),
        ({"window/showMessageRequest": [1, 2]}, "malformed"),
        ({"window/showMessageRequest": {"title": "Apply"}, "workspace/applyEdit": {}}, "malformed"),
        ({"window/showMessageRequest": ...}, "did not answer"),
        ({"window/showMessageRequest": {"title": "Apply"}, "workspace/applyEdit": ...}, "did not answer"),
    ],
)
def test_client_answers_that_are_malformed_or_missing_leave_the_proposal_pending(
    review_server: RawServer, answers: dict[str, object], why: str
) -> None:
    review_server.answer_server = lambda message: answers.get(str(message["method"]))
    review_server.initialize()
    result = propose(review_server)
    assert result["status"] == "pending" and why in str(result["message"]), result
    original = (review_server.root / "inventory" / "pricing.py").read_text()
    assert "TIER_DISCOUNTS[tier]" in original
    assert review_server.close() == 0


def test_indexing_does_not_wait_for_an_unanswered_register_capability(review_server: RawServer) -> None:
    review_server.answer_server = lambda message: ... if message["method"] == "client/registerCapability" else None
    review_server.initialize()
    ready = review_server.wait_for(
        lambda: any(n.get("params", {}).get("state") == "ready" for n in review_server.notifications), timeout=60
    )
    assert ready
    assert review_server.close() == 0


def test_shutdown_and_exit_with_a_prompt_open(review_server: RawServer) -> None:
    review_server.answer_server = lambda message: ...  # the user never answers the Apply/Discard prompt
    review_server.initialize()
    params = {"command": "splice.proposeEdit", "arguments": [{"answer": PRICING_FIX}]}
    review_server.send({"jsonrpc": "2.0", "id": "cmd-1", "method": "workspace/executeCommand", "params": params})
    assert review_server.wait_for(
        lambda: any(r["method"] == "window/showMessageRequest" for r in review_server.requests_from_server)
    )
    assert review_server.close() == 0, review_server.stderr()[-3000:]
    assert "dictionary changed size" not in review_server.stderr()
    assert review_server.counts()["cmd-1"] == 1
