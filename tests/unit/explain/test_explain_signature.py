"""Error signatures: stable across machines and volatile values, distinct across errors and code locations."""

from __future__ import annotations

import pytest
from tests.unit.explain.explain_support import build_graph, fixture_text, read_workspace_text

from splice.features.explain.frames import FrameMapper
from splice.features.explain.model import ParsedTraces, Trace
from splice.features.explain.signature import error_signature, normalise_message
from splice.features.explain.traces import parse_traces

MAPPER = FrameMapper(build_graph(), read_text=read_workspace_text)


def primary(text: str) -> Trace:
    parsed = parse_traces(text)
    assert isinstance(parsed, ParsedTraces)
    return parsed.primary


def signature_of(text: str) -> str:
    trace = primary(text)
    return error_signature(trace, MAPPER.map_trace(trace)).key


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("index out of range [3] with length 1", "index out of range [<n>] with length <n>"),
        ("<Cart object at 0x7f3a2c1b9d90> failed", "<Cart object at <addr>> failed"),
        ("No such file: '/home/dev/shop/shop.cfg'", "No such file: '<path>'"),
        ("cannot open C:\\Users\\ci\\shop.cfg", "cannot open <path>"),
        ("fetch https://api.example.com/v1/items?id=4 failed", "fetch <url> failed"),
        ("request 123e4567-e89b-12d3-a456-426614174000 timed out", "request <uuid> timed out"),
        ("commit 9fceb02d0ae598e95dc970b74767f19372d61af8 missing", "commit <hex> missing"),
        ("unknown sku 'kiwi'", "unknown sku 'kiwi'"),
        ("  spread\n  over   lines ", "spread over lines"),
    ],
)
def test_normalise_message(message: str, expected: str) -> None:
    assert normalise_message(message) == expected


def test_same_error_on_another_machine_has_the_same_signature() -> None:
    here = fixture_text("python_plain")
    there = here.replace("/home/dev/shop/", "/builds/ci/4711/shop/")
    assert signature_of(here) == signature_of(there)


def test_drifted_lines_keep_the_signature() -> None:
    # python_drifted is python_plain's failure printed before five lines were inserted above the code
    assert signature_of(fixture_text("python_drifted")) == signature_of(fixture_text("python_plain"))


def test_signature_parts() -> None:
    trace = primary(fixture_text("python_cause"))
    sig = error_signature(trace, MAPPER.map_trace(trace))
    assert (sig.exception_type, sig.root_type, sig.message) == ("LookupError", "KeyError", "unknown sku 'kiwi'")
    assert sig.symbols == ("src/shop/prices.py::PriceBook.lookup",)
    assert len(sig.key) == 32


def test_different_location_or_type_changes_the_signature() -> None:
    base = (
        "Traceback (most recent call last):\n"
        "  File \"/w/src/shop/prices.py\", line 9, in price_of\n    return PRICES[sku]\nKeyError: 'kiwi'\n"
    )
    moved = base.replace('prices.py", line 9, in price_of', 'cart.py", line 19, in total').replace(
        "return PRICES[sku]", "amount += price_of(sku) * qty"
    )
    retyped = base.replace("KeyError", "LookupError")
    keys = {signature_of(base), signature_of(moved), signature_of(retyped)}
    assert len(keys) == 3


def test_signature_without_workspace_frames_uses_type_and_message() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/usr/lib/python3.12/json/decoder.py", line 355, in raw_decode\n    raise X\n'
        "json.decoder.JSONDecodeError: Expecting value: line 3 column 12 (char 41)\n"
    )
    trace = primary(text)
    sig = error_signature(trace, MAPPER.map_trace(trace))
    assert sig.symbols == ()
    assert sig.message == "Expecting value: line <n> column <n> (char <n>)"
