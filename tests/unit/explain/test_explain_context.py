"""The context explain sends comes from the trace's data flow: a POST through a 302 crashes in ``Request.__init__``
on ``method.upper()`` because ``_build_redirect_request`` passed what the stubbed ``_redirect_method`` returned
(None). The prompt must hold the code of that outer frame and of ``_redirect_method``, not the word matches
(``get/delete/head/put`` "because url, query, param"), and stay within the budget it was given, headers included.
The workspace is our own small copy of the shape of httpx's client (tests/fixtures/redirect)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from splice.config import Settings
from splice.features.explain.model import ParseError
from splice.features.explain.service import ExplainError, Prepared
from splice.features.workspace import SpliceWorkspace
from splice.llm.gateway import Gateway

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "redirect"


@pytest.fixture(scope="module")
def redirect(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExplainError, str]:
    root = tmp_path_factory.mktemp("redirect") / "ws"
    shutil.copytree(FIXTURE, root)
    done = subprocess.run([sys.executable, "main.py"], cwd=root, capture_output=True, text=True, timeout=60)
    assert "AttributeError: 'NoneType' object has no attribute 'upper'" in done.stderr
    ws = SpliceWorkspace(root, Settings())
    ws.indexer.index_all()
    return ExplainError(ws, Gateway(ws.settings)), done.stderr


def prepare(redirect: tuple[ExplainError, str], budget: int | None = None) -> Prepared:
    service, trace = redirect
    prepared = service.prepare_trace(trace, budget)
    assert not isinstance(prepared, ParseError)
    return prepared


def prompt_of(prepared: Prepared) -> str:
    return "\n".join(m.content for m in prepared.request(fix=False).messages)


def test_the_stub_that_returned_none_and_the_frame_that_passed_it_reach_the_prompt(
    redirect: tuple[ExplainError, str],
) -> None:
    prepared = prepare(redirect)
    prompt = prompt_of(prepared)
    # the outer frame's whole code, with the line that passed None and the line that produced it
    assert "    def _build_redirect_request(self, request: Request, response: Response) -> Request:" in prompt
    assert "        method = self._redirect_method(request, response)" in prompt
    # the stub itself, as code
    assert "        # TODO: port the redirect rules" in prompt
    # the innermost frame, where it crashed
    assert "        self.method = method.upper()" in prompt
    by_symbol = {i.symbol: i for i in prepared.items if i.symbol}
    stub = by_symbol["minihttp/_client.py::Client._redirect_method"]
    assert "produces method" in stub.reason and stub.kind == "body"
    # every workspace frame's function is there as code (body or excerpt), never as a bare card
    for qual in ("Request.__init__", "Client._build_redirect_request", "Client.send", "Client.post", "main"):
        item = next(i for i in prepared.items if i.symbol and i.symbol.endswith("::" + qual))
        assert item.kind in ("target", "body", "excerpt"), (qual, item.kind)


def test_word_matches_and_type_aliases_stay_out(redirect: tuple[ExplainError, str]) -> None:
    prepared = prepare(redirect)
    shown = {i.symbol for i in prepared.items}
    for noise in ("get", "delete", "head", "put", "ContentDecoder", "GZipDecoder", "QueryParamTypes"):
        assert not any(s and s.endswith("::" + noise) for s in shown), noise
    # what is there for another reason may also match words, but nothing is there *because* words match
    assert all("words match" not in i.reason.split("; ")[0] for i in prepared.items)


def test_the_budget_covers_the_whole_prompt(redirect: tuple[ExplainError, str]) -> None:
    service, _ = redirect
    count = service.ws.context_engine().count
    for budget in (800, 1500, 3000):
        prepared = prepare(redirect, budget)
        sent = sum(count(m.content) for m in prepared.request(fix=True).messages)
        assert sent <= budget, (budget, sent)
    roomy = prepare(redirect, 8000)
    sent = sum(count(m.content) for m in roomy.request(fix=True).messages)
    assert sent < 3000  # a five-frame trace needs far less than a roomy budget allows: nothing pads it
    tight = prepare(redirect, 1200)
    assert any(i.kind in ("target", "excerpt", "body") and "method.upper()" in i.text for i in tight.items)


def test_a_diagnostic_gets_what_its_line_uses_and_what_produced_it(redirect: tuple[ExplainError, str]) -> None:
    service, _ = redirect
    text = (service.ws.root / "minihttp/_client.py").read_text()
    line = next(i for i, s in enumerate(text.splitlines()) if "return Request(method=method" in s)
    prepared = service.prepare_diagnostic(
        "minihttp/_client.py",
        line,
        23,
        line,
        'Argument of type "str | None" cannot be assigned to parameter "method" of type "str"',
        source="pyright",
    )
    by_symbol = {i.symbol: i for i in prepared.items if i.symbol}
    assert by_symbol["minihttp/_client.py::Client._build_redirect_request"].kind == "target"
    stub = by_symbol["minihttp/_client.py::Client._redirect_method"]
    assert stub.kind == "body" and "produces method" in stub.reason
    assert "minihttp/_models.py::Request" in by_symbol  # what the line calls
    count = service.ws.context_engine().count
    assert sum(count(m.content) for m in prepared.request(fix=True).messages) <= service.ws.settings.context_budget
