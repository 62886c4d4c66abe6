"""A seeded LSP fuzzer: real editor messages for the example workspace, mutated the ways hostile or buggy clients
send them (wrong types, missing and extra members, nested ``jsonrpc`` members, request-shaped params, odd ids,
batches, scalars, broken JSON, cut bodies, lying and huge ``Content-Length`` headers). Used by the fault test (2,000
messages) and ``bench/faults.py`` (10,000).

Accounting: every request sent in an intact frame with an id that is not null must be answered exactly once.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.faults.rawlsp import RawServer, id_key

FILES = ("inventory/pricing.py", "inventory/service.py", "inventory/models.py", "web/cart.ts")
METHODS_SKIPPED = ("shutdown", "exit")
"""Would end the session the fuzz runs in (their own behaviour is tested separately)."""


def _position(rng: random.Random) -> dict[str, Any]:
    return {"line": rng.choice([0, 1, 5, 18, 40, 10**6]), "character": rng.choice([0, 3, 8, 10**5])}


def templates(root: Path, rng: random.Random) -> list[tuple[str, dict[str, Any] | None, bool]]:
    """(method, params, is_request) as editors send them."""
    uri = (root / rng.choice(FILES)).as_uri()
    doc = {"uri": uri}
    rng_ = {"start": _position(rng), "end": _position(rng)}
    text = rng.choice(["def f(x):\n    return x\n", "", "x = 1\n" * 50, "é\u200b𝔘\r\n\tπ = 'ş'\n"])
    return [
        ("workspace/symbol", {"query": rng.choice(["", "Inv", "price", "a" * 200, "Ω"])}, True),
        ("textDocument/documentSymbol", {"textDocument": doc}, True),
        ("textDocument/definition", {"textDocument": doc, "position": _position(rng)}, True),
        ("textDocument/references", {"textDocument": doc, "position": _position(rng), "context": {}}, True),
        ("textDocument/prepareCallHierarchy", {"textDocument": doc, "position": _position(rng)}, True),
        ("textDocument/codeAction", {"textDocument": doc, "range": rng_, "context": {"diagnostics": []}}, True),
        ("workspace/executeCommand", {"command": "splice.usage", "arguments": []}, True),
        ("workspace/executeCommand", {"command": "splice.applyProposal", "arguments": [{"id": "nope"}]}, True),
        ("workspace/executeCommand", {"command": "splice.rejectProposal", "arguments": [{"id": "abc123"}]}, True),
        ("workspace/executeCommand", {"command": "splice.showContext", "arguments": [{"uri": uri}]}, True),
        ("workspace/executeCommand", {"command": "splice.proposeEdit", "arguments": [{"answer": text}]}, True),
        ("workspace/executeCommand", {"command": "no.such.command"}, True),
        ("splice/proposal", {"id": rng.choice(["", "x", "abc"])}, True),
        ("workspace/textDocumentContent", {"uri": f"splice-proposal:/{rng.choice(FILES)}?id=zz"}, True),
        ("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, True),
        ("$/unknownRequest", {}, True),
        ("textDocument/hover", {"textDocument": doc, "position": _position(rng)}, True),
        ("textDocument/didOpen", {"textDocument": {**doc, "languageId": "python", "version": 1, "text": text}}, False),
        (
            "textDocument/didChange",
            {
                "textDocument": {**doc, "version": rng.randrange(2, 99)},
                "contentChanges": [{"range": rng_, "text": "y"}],
            },
            False,
        ),
        ("textDocument/didSave", {"textDocument": doc}, False),
        ("textDocument/didClose", {"textDocument": doc}, False),
        ("$/cancelRequest", {"id": rng.randrange(1, 3000)}, False),
        ("$/setTrace", {"value": rng.choice(["off", "verbose", 7])}, False),
        ("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri, "type": rng.choice([1, 2, 3, 9])}]}, False),
    ]


_ODD_VALUES: list[Any] = [
    None,
    -1,
    2**63,
    1.5,
    True,
    "",
    "x" * 3000,
    [],
    {},
    [1, [2, [3]]],
    {"jsonrpc": "2.0"},
    {"jsonrpc": "2.0", "id": 999_999_999, "method": "workspace/symbol", "params": {"query": "x"}},
    {"jsonrpc": "2.0", "id": "inner", "result": {"applied": True}},
    "\u202e\u200b",
]


def mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """One random change somewhere inside ``value``."""
    if isinstance(value, dict) and value and depth < 6 and rng.random() < 0.7:
        key = rng.choice(sorted(value))
        out = dict(value)
        roll = rng.random()
        if roll < 0.2:
            del out[key]
        elif roll < 0.3:
            out[rng.choice(["jsonrpc", "id", "method", "extra", "params"])] = rng.choice(_ODD_VALUES)
        else:
            out[key] = mutate(value[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value and depth < 6 and rng.random() < 0.7:
        out_list = list(value)
        i = rng.randrange(len(out_list))
        out_list[i] = mutate(out_list[i], rng, depth + 1)
        return out_list
    return copy.deepcopy(rng.choice(_ODD_VALUES))


@dataclass
class Campaign:
    sent: int = 0
    expected: Counter[Any] = field(default_factory=Counter)
    """Ids (as the reader records them) → how many requests carried it: each must get exactly that many answers."""
    frames_broken: int = 0


def run(server: RawServer, count: int, seed: int) -> Campaign:
    rng = random.Random(seed)
    campaign = Campaign()
    next_id = 0
    while campaign.sent < count:
        method, params, is_request = rng.choice(templates(server.root, rng))
        if method in METHODS_SKIPPED:
            continue
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if is_request:
            next_id += 1
            message["id"] = next_id if rng.random() < 0.7 else f"s-{next_id}"
        if rng.random() < 0.6:
            for _ in range(rng.randint(1, 3)):
                message = mutate(message, rng)
        roll = rng.random()
        campaign.sent += 1
        if roll < 0.03:  # a body that is not JSON
            body = json.dumps(message).encode()[: rng.randrange(1, 40)]
            server.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            campaign.frames_broken += 1
            _expect_salvaged(campaign, body, message)
            continue
        if roll < 0.05:  # a header that lies short: the rest of the body is junk before the next header
            body = json.dumps(message).encode()
            cut = rng.randrange(1, max(2, len(body)))
            server.write(b"Content-Length: %d\r\n\r\n%s" % (cut, body))
            campaign.frames_broken += 1
            _expect_salvaged(campaign, body[:cut], message)
            continue
        if roll < 0.06:  # a huge or overflowing header
            server.write(b"Content-Length: %d\r\n\r\n{}" % rng.choice([10**9, 10**15, 2**63, 10**25]))
            campaign.frames_broken += 1
            continue
        if roll < 0.08:  # a batch or a scalar: batch members that are requests are refused one by one
            message = rng.choice([[message], [message, {"jsonrpc": "2.0"}], 42, "text", None])
        server.send(message)
        for item in message if isinstance(message, list) else [message]:  # batch members are refused one by one
            if _is_request(item):
                campaign.expected[id_key(item["id"])] += 1
    return campaign


def _is_request(message: Any) -> bool:
    return isinstance(message, dict) and "method" in message and "id" in message and message["id"] is not None


def _expect_salvaged(campaign: Campaign, body: bytes, message: Any) -> None:
    """A cut body is answered under its id only when the id is certain (see ``SpliceProtocol._salvage_id``)."""
    from splice.lsp.rpc import SpliceProtocol

    salvaged = SpliceProtocol._salvage_id(body)
    if salvaged is not None:
        campaign.expected[id_key(salvaged)] += 1


@dataclass(frozen=True)
class Result:
    sent: int
    requests: int
    unanswered: list[str]
    duplicated: list[str]
    """Ids answered more often than requests carried them."""
    stray: list[str]
    """Replies to ids no request carried (a reply to another id)."""
    alive: bool
    seconds: float


def check(server: RawServer, campaign: Campaign, started: float, wait: float = 120.0) -> Result:
    probe = server.request("workspace/symbol", {"query": "Inventory"}, timeout=wait)
    assert "result" in probe, probe
    expected = campaign.expected
    server.wait_for(lambda: all(len(server.replies.get(i, ())) >= n for i, n in expected.items()), timeout=wait)
    counts = server.counts()
    for own in range(1_000_001, server._next + 1):  # the harness's own requests (initialize, the probe)
        counts.pop(own, None)
    return Result(
        campaign.sent,
        sum(expected.values()),
        sorted(str(i) for i, n in expected.items() if counts.get(i, 0) < n),
        sorted(str(i) for i, n in counts.items() if i in expected and n > expected[i]),
        sorted(str(i) for i in counts if i not in expected),
        server.proc.poll() is None,
        time.monotonic() - started,
    )


def fuzz(root: Path, count: int, seed: int) -> tuple[Result, int]:
    """A fresh server, ``count`` messages, the books checked; returns the result and the exit code."""
    server = RawServer(root, env={"SPLICE_CLIENT_TIMEOUT": "2"}, capabilities={"window": {"showMessage": {}}})
    try:
        server.initialize()
        started = time.monotonic()
        campaign = run(server, count, seed)
        result = check(server, campaign, started)
        rc = server.close(timeout=60)
        return result, rc
    finally:
        server.kill()
