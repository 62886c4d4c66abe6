"""Where generated tests go and which framework writes them, from the project's existing layout."""

from __future__ import annotations

import pytest

from splice.features.generate.testplace import placement_for


def reader(contents: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda path: contents[path].encode() if path in contents else None


CASES: list[tuple[str, str, str, dict[str, str], tuple[str, bool, str]]] = [
    # (id, source, lang, files → contents, expected (path, exists, framework))
    ("py-existing-test-wins", "pkg/http.py", "python",
     {"pkg/http.py": "", "tests/test_http.py": "", "tests/test_other.py": ""},
     ("tests/test_http.py", True, "pytest")),
    ("py-flat-tests-dir", "pkg/http.py", "python",
     {"pkg/http.py": "", "tests/test_other.py": "", "tests/conftest.py": ""},
     ("tests/test_http.py", False, "pytest")),
    ("py-mirrored-tests-dir", "src/pkg/sub/http.py", "python",
     {"src/pkg/sub/http.py": "", "tests/pkg/other/test_other.py": ""},
     ("tests/pkg/sub/test_http.py", False, "pytest")),
    ("py-beside-the-code", "pkg/http.py", "python",
     {"pkg/http.py": "", "pkg/other_test.py": "", "pkg/more_test.py": ""},
     ("pkg/http_test.py", False, "pytest")),
    ("py-no-tests-yet", "app.py", "python", {"app.py": ""}, ("tests/test_app.py", False, "pytest")),
    ("py-unittest", "pkg/http.py", "python",
     {"pkg/http.py": "", "tests/test_a.py": "import unittest\n", "tests/test_b.py": "from unittest import TestCase\n"},
     ("tests/test_http.py", False, "unittest")),
    ("py-pytest-from-pyproject", "m.py", "python",
     {"m.py": "", "pyproject.toml": "[tool.pytest.ini_options]\n", "tests/test_a.py": "import unittest\n"},
     ("tests/test_m.py", False, "pytest")),
    ("ts-vitest-beside", "src/cart.tsx", "tsx",
     {"src/cart.tsx": "", "src/item.test.ts": "", "package.json": '{"devDependencies": {"vitest": "1"}}'},
     ("src/cart.test.ts", False, "vitest")),
    ("ts-jest-spec-dunder", "src/cart.ts", "typescript",
     {"src/cart.ts": "", "src/__tests__/item.spec.ts": "", "package.json": '{"devDependencies": {"jest": "29"}}'},
     ("src/__tests__/cart.spec.ts", False, "jest")),
    ("js-existing", "lib/a.js", "javascript", {"lib/a.js": "", "test/a.test.js": ""},
     ("test/a.test.js", True, "node:test")),
    ("go", "store/store.go", "go", {"store/store.go": "", "store/store_test.go": ""},
     ("store/store_test.go", True, "go test")),
    ("go-new", "store/kv.go", "go", {"store/kv.go": ""}, ("store/kv_test.go", False, "go test")),
    ("rust-inline", "src/queue.rs", "rust", {"src/queue.rs": ""}, ("src/queue.rs", True, "cargo test")),
    ("java-junit5", "src/main/java/bank/Account.java", "java",
     {"src/main/java/bank/Account.java": "", "pom.xml": "<artifactId>junit-jupiter</artifactId>"},
     ("src/test/java/bank/AccountTest.java", False, "junit5")),
    ("java-junit4-existing", "src/main/java/bank/Account.java", "java",
     {"src/main/java/bank/Account.java": "", "src/test/java/bank/AccountTest.java": "",
      "build.gradle": "testImplementation 'junit:junit:4.13'"},
     ("src/test/java/bank/AccountTest.java", True, "junit4")),
]  # fmt: skip


@pytest.mark.parametrize(("source", "lang", "files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_placement(source: str, lang: str, files: dict[str, str], expected: tuple[str, bool, str]) -> None:
    place = placement_for(source, lang, files.keys(), reader(files))
    assert place is not None
    assert (place.path, place.exists, place.framework) == expected


def test_examples_prefer_the_same_folder() -> None:
    files = {
        "pkg/http.py": "",
        "tests/test_a.py": "",
        "tests/test_b.py": "",
        "other/test_c.py": "",
        "tests/test_d.py": "",
    }
    place = placement_for("pkg/http.py", "python", files.keys(), reader(files))
    assert place is not None
    assert place.examples == ("tests/test_a.py", "tests/test_b.py", "tests/test_d.py")


def test_unknown_language() -> None:
    assert placement_for("a.rb", "ruby", {"a.rb"}, reader({})) is None
