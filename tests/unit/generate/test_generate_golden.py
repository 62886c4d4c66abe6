"""Golden check of stubs and instructions over realistic files in tests/fixtures/generate/sources.

``UPDATE_GOLDEN=1 pytest tests/unit/generate/test_generate_golden.py`` rewrites the golden file; review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from splice.features.generate.instructions import instructions_in
from splice.features.generate.stubs import stubs_in
from splice.index.languages import language_for_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "generate"
SOURCES = sorted((FIXTURES / "sources").iterdir())
GOLDEN = FIXTURES / "stubs_and_instructions.golden.json"


def describe(path: Path) -> dict[str, Any]:
    lang = language_for_path(path.name)
    assert lang is not None
    source = path.read_bytes()
    stubs = [
        {
            "qualname": s.qualname,
            "kind": s.kind.value,
            "pattern": s.pattern.value,
            "marker": s.marker,
            "signature": s.signature,
            "doc": s.doc,
            "notes": list(s.notes),
            "lines": [s.span.start.line, s.span.end.line],
            "body": source[s.body.start_byte : s.body.end_byte].decode(),
        }
        for s in stubs_in(path.name, lang, source)
    ]
    instructions = [
        {"text": i.text, "anchor": i.anchor.value, "target": i.target_name, "line": i.span.start.line}
        for i in instructions_in(path.name, lang, source)
    ]
    return {"stubs": stubs, "instructions": instructions}


def test_golden() -> None:
    actual = {path.name: describe(path) for path in SOURCES}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not GOLDEN.exists():
        pytest.fail(f"{GOLDEN} is missing: run with UPDATE_GOLDEN=1 and review it")
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))
