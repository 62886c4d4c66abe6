"""Buffer extracts for requests: incremental from the file's last text, always equal to a full extraction."""

from __future__ import annotations

from splice.context.overlay import OverlayExtractor
from splice.index.extract import extract

BASE = "".join(f"def f{i}(x):\n    return helper(x) + {i}\n\n\n" for i in range(40))


def test_each_buffer_equals_a_full_extraction_and_later_ones_are_incremental() -> None:
    overlay = OverlayExtractor()
    texts = [
        BASE,
        BASE.replace("return helper(x) + 7", "raise NotImplementedError"),  # a body blanked
        BASE.replace("return helper(x) + 30", "raise NotImplementedError"),  # another one (and the first restored)
        BASE.replace("def f12(x):", "def renamed(x, y):"),
        BASE + "class Added:\n    def m(self):\n        return f1(1)\n",
        "",
        BASE,
    ]
    for text in texts:
        data = text.encode()
        assert overlay("pkg/mod.py", "python", data) == extract("pkg/mod.py", "python", data)
    assert overlay.incremental == len(texts) - 1


def test_states_are_kept_per_file_and_bounded() -> None:
    overlay = OverlayExtractor(kept=2)
    for path in ("a.py", "b.py", "c.py"):
        overlay(path, "python", BASE.encode())
    overlay("a.py", "python", BASE.encode())  # evicted: starts over
    assert overlay.incremental == 0
    overlay("c.py", "python", b"x = 1\n")
    assert overlay.incremental == 1
    ts = b"export function f(x: number): number {\n  return x;\n}\n"
    assert overlay("c.py", "typescript", ts) == extract("c.py", "typescript", ts)  # another language: fresh start
    assert overlay.incremental == 1
