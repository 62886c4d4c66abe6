"""Where tests for a symbol go and which framework writes them, read from the project's existing tests.

"Generate tests for `symbol`" must follow the project: the same folder layout as the tests that already exist
(a ``tests/`` tree, mirrored or flat; tests beside the code; ``__tests__``; ``src/test/java``), the same naming
(``test_x.py`` / ``x_test.py``, ``x.test.ts`` / ``x.spec.ts``), and the framework the project already uses. An
existing test file for the module wins over creating a new one. Pure: file names plus the text of a few config files.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True, slots=True)
class Placement:
    path: str
    """Workspace-relative file the tests go into."""
    exists: bool
    """True: append to this file; False: create it."""
    framework: str
    """``pytest``, ``unittest``, ``vitest``, ``jest``, ``mocha``, ``node:test``, ``go test``, ``cargo test``,
    ``junit5`` or ``junit4``."""
    examples: tuple[str, ...]
    """Up to three existing test files to show the model as the house style."""


def placement_for(
    source_path: str, lang: str, files: Collection[str], read: Callable[[str], bytes | None]
) -> Placement | None:
    """Where tests for code in ``source_path`` belong; None for languages without a convention here."""
    existing = related_tests([source_path], files)
    if lang == "python":
        return _python(source_path, files, read, existing)
    if lang in ("javascript", "typescript", "tsx"):
        return _ecma(source_path, files, read, existing)
    if lang == "go":
        path = source_path[: -len(".go")] + "_test.go"
        return Placement(path, path in files, "go test", _examples(files, r"_test\.go$", path))
    if lang == "rust":
        # Unit tests live in the file itself (`#[cfg(test)] mod tests`), the Rust convention.
        return Placement(source_path, True, "cargo test", _examples(files, r"(^|/)tests/[^/]+\.rs$", source_path))
    if lang == "java":
        return _java(source_path, files, read, existing)
    return None


def related_tests(changed: Sequence[str], files: Collection[str]) -> list[str]:
    """Test files for the changed files: changed tests themselves, then ``test_<stem>.py``, ``<stem>_test.go``,
    ``<stem>.test.ts``, ``<stem>.spec.js`` … anywhere in the copy. Empty when none exist (the command then runs
    without paths, which for most runners means the whole suite)."""
    found: list[str] = []
    stems = set()
    for path in changed:
        name = PurePosixPath(path).name
        if _is_test(name):
            found.append(path)
        else:
            stems.add(name.split(".", 1)[0])
    for path in sorted(files):
        name = PurePosixPath(path).name
        if path in found or not _is_test(name):
            continue
        stem = name.split(".", 1)[0]
        cores = {stem.removeprefix("test_").removesuffix("_test"), stem.removesuffix("Tests").removesuffix("Test")}
        if cores & stems:
            found.append(path)
    return found


def _is_test(name: str) -> bool:
    stem, _, rest = name.partition(".")
    return (
        stem.startswith("test_")
        or stem.endswith("_test")
        or rest.startswith(("test.", "spec."))
        or (stem.endswith("Test") and rest == "java")
    )


def _python(source: str, files: Collection[str], read: Callable[[str], bytes | None], existing: list[str]) -> Placement:
    tests = sorted(f for f in files if re.search(r"(^|/)(test_[^/]+|[^/]+_test)\.py$", f))
    framework = _python_framework(files, read, tests)
    stem = posixpath.splitext(posixpath.basename(source))[0]
    if existing:
        return Placement(existing[0], True, framework, _pick(tests, existing[0]))
    suffix_style = sum(f.endswith("_test.py") for f in tests) > len(tests) / 2
    name = f"{stem}_test.py" if suffix_style else f"test_{stem}.py"
    roots = [f.split("/", 1)[0] for f in tests if "/" in f and f.split("/", 1)[0] in ("tests", "test")]
    if roots:
        root = max(set(roots), key=roots.count)
        mirrored = any(f.count("/") >= 2 for f in tests if f.startswith(root + "/"))
        package = _python_package_dir(source)
        folder = posixpath.join(root, package) if mirrored and package else root
        path = posixpath.join(folder, name)
    elif tests:
        path = posixpath.join(posixpath.dirname(source), name)  # tests live beside the code
    else:
        path = posixpath.join("tests", name)
    return Placement(path, path in files, framework, _pick(tests, path))


def _python_package_dir(source: str) -> str:
    """``src/pkg/sub/mod.py`` → ``pkg/sub``: the folders a mirrored test tree repeats (no ``src/``)."""
    parts = source.split("/")[:-1]
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    return "/".join(parts)


def _python_framework(files: Collection[str], read: Callable[[str], bytes | None], tests: list[str]) -> str:
    if any(posixpath.basename(f) == "conftest.py" for f in files):
        return "pytest"
    for config in ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "requirements-dev.txt", "requirements.txt"):
        if config in files and b"pytest" in (read(config) or b""):
            return "pytest"
    samples = [read(t) or b"" for t in tests[:5]]
    if samples and all(b"unittest" in s for s in samples):
        return "unittest"
    return "pytest"


def _ecma(source: str, files: Collection[str], read: Callable[[str], bytes | None], existing: list[str]) -> Placement:
    framework = _ecma_framework(files, read)
    tests = sorted(f for f in files if re.search(r"\.(test|spec)\.[cm]?[jt]sx?$", f) or "/__tests__/" in f)
    if existing:
        return Placement(existing[0], True, framework, _pick(tests, existing[0]))
    base, ext = posixpath.splitext(source)
    ext = ".ts" if ext == ".tsx" else ".js" if ext == ".jsx" else ext
    stem = posixpath.basename(base)
    kind = "spec" if sum(".spec." in f for f in tests) > len(tests) / 2 else "test"
    folder = posixpath.dirname(source)
    if tests and sum("/__tests__/" in f for f in tests) > len(tests) / 2:
        folder = posixpath.join(folder, "__tests__")
    path = posixpath.join(folder, f"{stem}.{kind}{ext}")
    return Placement(path, path in files, framework, _pick(tests, path))


def _ecma_framework(files: Collection[str], read: Callable[[str], bytes | None]) -> str:
    manifest = (read("package.json") or b"") if "package.json" in files else b""
    for name in ("vitest", "jest", "mocha"):
        if f'"{name}"'.encode() in manifest:
            return name
    return "node:test"


def _java(source: str, files: Collection[str], read: Callable[[str], bytes | None], existing: list[str]) -> Placement:
    build = b"".join(read(f) or b"" for f in ("pom.xml", "build.gradle", "build.gradle.kts") if f in files)
    framework = "junit4" if b"junit:junit" in build or (b"junit" in build and b"jupiter" not in build) else "junit5"
    tests = sorted(f for f in files if f.endswith("Test.java"))
    if existing:
        return Placement(existing[0], True, framework, _pick(tests, existing[0]))
    base = source[: -len(".java")] + "Test.java"
    path = base.replace("src/main/java/", "src/test/java/", 1) if "src/main/java/" in base else base
    return Placement(path, path in files, framework, _pick(tests, path))


def _examples(files: Collection[str], pattern: str, target: str) -> tuple[str, ...]:
    return _pick(sorted(f for f in files if re.search(pattern, f)), target)


def _pick(tests: list[str], target: str) -> tuple[str, ...]:
    """Up to three example tests, nearest to the target's folder first."""
    folder = posixpath.dirname(target)
    ranked = sorted((t for t in tests if t != target), key=lambda t: (posixpath.dirname(t) != folder, t))
    return tuple(ranked[:3])
