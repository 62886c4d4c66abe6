"""Where a generated definition is inserted, and the text that results."""

from __future__ import annotations

import pytest

from splice.features.generate.insertion import InsertionError, insert, insertion_for
from splice.index.parser import error_count

CASES: list[tuple[str, str, str, str | None, str, str]] = [
    ("py-module-end", "python",
     "import os\n\n\ndef a():\n    return 1\n", None, "def b(x):\n    return x\n",
     "import os\n\n\ndef a():\n    return 1\n\n\ndef b(x):\n    return x\n"),
    ("py-before-main", "python",
     "def a():\n    pass\n\nif __name__ == '__main__':\n    a()\n", None, "def b():\n    pass",
     "def a():\n    pass\n\n\ndef b():\n    pass\n\n\nif __name__ == '__main__':\n    a()\n"),
    ("py-class-member", "python",
     "class A:\n    x = 1\n\n    def m(self):\n        return 1\n\n\ndef f():\n    pass\n", "A",
     "def helper(self, n: int) -> None:\n    pass\n",
     "class A:\n    x = 1\n\n    def m(self):\n        return 1\n\n"
     "    def helper(self, n: int) -> None:\n        pass\n\n\ndef f():\n    pass\n"),
    ("py-nested-class", "python",
     "class A:\n    class B:\n        def m(self):\n            pass\n", "A.B", "def n(self):\n    pass",
     "class A:\n    class B:\n        def m(self):\n            pass\n\n        def n(self):\n            pass\n"),
    ("py-decorated-class", "python",
     "@dataclass\nclass A:\n    x: int\n", "A", "def m(self):\n    pass",
     "@dataclass\nclass A:\n    x: int\n\n    def m(self):\n        pass\n"),
    ("py-new-file", "python", "", None, "def f():\n    pass\n", "def f():\n    pass\n"),
    ("ts-class-member", "typescript",
     "export class Cart {\n  items = [];\n\n  add(x) {\n    this.items.push(x);\n  }\n}\n", "Cart",
     "helper(n: number): void {\n  return;\n}",
     "export class Cart {\n  items = [];\n\n  add(x) {\n    this.items.push(x);\n  }\n\n  helper(n: number): void {\n"
     "    return;\n  }\n}\n"),
    ("ts-empty-class", "typescript", "export class E {}\n", "E", "m() {}", "export class E {\n  m() {}\n}\n"),
    ("ts-module-end", "typescript", "const a = 1;\n", None, "export function f() {}",
     "const a = 1;\n\nexport function f() {}\n"),
    ("js-no-trailing-newline", "javascript", "let a = 1", None, "function f() {}", "let a = 1\n\nfunction f() {}\n"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "source", "cls", "code", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_insert(lang: str, source: str, cls: str | None, code: str, expected: str) -> None:
    result = insert(source, insertion_for(lang, source.encode(), cls), code)
    assert result == expected
    assert error_count(lang, result.encode()) == 0


def test_missing_class_is_an_error() -> None:
    with pytest.raises(InsertionError, match="Nope"):
        insertion_for("python", b"class A:\n    pass\n", "Nope")
