"""Golden files: every ``tests/fixtures/golden/<lang>/<case>.<ext>`` renders to its reviewed ``.expected.txt``."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.index.golden import check_golden, golden_cases


@pytest.mark.parametrize(("lang", "source"), golden_cases(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_golden(lang: str, source: Path) -> None:
    check_golden(lang, source)


def test_every_fully_supported_language_has_golden_cases() -> None:
    langs = {lang for lang, _ in golden_cases()}
    assert {"python", "javascript", "typescript", "tsx"} <= langs
