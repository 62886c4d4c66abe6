"""Which workspace file(s) an import names: Python dotted modules, JS/TS specifiers, Go packages, Java classes.

Pure path arithmetic over the set of indexed files (no disk access except tsconfig.json and go.mod, read once).
An import that names nothing in the workspace (the standard library, a dependency) yields None.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splice.index.languages import ECMASCRIPT

_PY_SUFFIXES = (".py", ".pyi")
_JS_EXTS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
# ESM TypeScript writes the emitted name (``./x.js``) for a source file ``x.ts``.
_JS_SWAPS = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """A resolved module: one file (Python, JS/TS, Java) or every file of a package folder (Go)."""

    paths: tuple[str, ...]
    package_dir: str | None = None
    """For a Python package (``__init__.py`` or namespace folder): the folder, so submodules can be found."""


def python_module_names(path: str, files: Collection[str]) -> list[str]:
    """Dotted names ``path`` can be imported as: rooted at its outermost package folder, and by its full path."""
    stem = path.rsplit(".", 1)[0]
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts:
        return []
    # Walk up while the folder is a package; the first non-package folder is the import root (``src/`` layouts).
    folders = path.split("/")[:-1]
    root = len(folders)
    while root > 0 and _is_package("/".join(folders[:root]), files):
        root -= 1
    names = [".".join(parts[root:])] if parts[root:] else []
    full = ".".join(parts)
    if full not in names:
        names.append(full)
    return names


def _is_package(folder: str, files: Collection[str]) -> bool:
    return f"{folder}/__init__.py" in files or f"{folder}/__init__.pyi" in files


class ModuleTable:
    """Module lookups for one snapshot of the workspace's file set; rebuilt when files are added or removed."""

    def __init__(self, workspace: Path | None, files: Collection[str]) -> None:
        self.files = frozenset(files)
        self._python: dict[str, list[str]] = defaultdict(list)
        self._by_dir: dict[str, list[str]] = defaultdict(list)
        self._java: dict[str, list[str]] = defaultdict(list)
        for path in sorted(self.files):
            folder = posixpath.dirname(path)
            self._by_dir[folder].append(path)
            if path.endswith(_PY_SUFFIXES):
                for name in python_module_names(path, self.files):
                    self._python[name].append(path)
            elif path.endswith(".java"):
                self._java[posixpath.basename(path)[:-5]].append(path)
        self._memo: dict[tuple[str, str, str, int], ModuleRef | None] = {}
        self.workspace = workspace
        self._packages: dict[str, tuple[str, dict[str, Any]]] | None = None
        self._ts_paths = _read_tsconfig_paths(workspace) if workspace else []
        self._go_module = _read_go_module(workspace) if workspace else None

    # -- Python ------------------------------------------------------------------------------------------------

    def python(self, importer: str, module: str, level: int) -> ModuleRef | None:
        if level > 0:
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            target = posixpath.join(base, *module.split(".")) if module else base
            return self._python_at(target)
        candidates = self._python.get(module)
        if candidates:
            return self._python_file(_closest(importer, candidates))
        # A namespace package (no __init__.py) imported by name: any folder whose path ends with it.
        folder = module.replace(".", "/")
        for known in self._by_dir:
            if known == folder or known.endswith("/" + folder):
                return ModuleRef((), known)
        return None

    def python_submodule(self, package_dir: str, name: str) -> ModuleRef | None:
        return self._python_at(posixpath.join(package_dir, name) if package_dir else name)

    def _python_at(self, target: str) -> ModuleRef | None:
        for suffix in _PY_SUFFIXES:
            if target + suffix in self.files:
                return ModuleRef((target + suffix,))
        for suffix in _PY_SUFFIXES:
            init = f"{target}/__init__{suffix}"
            if init in self.files:
                return ModuleRef((init,), target)
        if target in self._by_dir or any(d.startswith(target + "/") for d in self._by_dir):
            return ModuleRef((), target)
        return None

    def _python_file(self, path: str) -> ModuleRef:
        is_init = posixpath.basename(path).startswith("__init__.")
        return ModuleRef((path,), posixpath.dirname(path) if is_init else None)

    # -- JavaScript / TypeScript -------------------------------------------------------------------------------

    def javascript(self, importer: str, spec: str) -> ModuleRef | None:
        if spec.startswith("."):
            return self._js_probe(posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec)))
        if spec.startswith("/"):
            return self._js_probe(spec.lstrip("/"))
        for pattern, targets in self._ts_paths:
            if pattern.endswith("*"):
                prefix = pattern[:-1]
                if not spec.startswith(prefix):
                    continue
                rest = spec[len(prefix) :]
            elif spec == pattern:
                rest = ""
            else:
                continue
            for target in targets:
                found = self._js_probe(posixpath.normpath(target.replace("*", rest)))
                if found:
                    return found
        return self._js_package(spec)

    def _js_package(self, spec: str) -> ModuleRef | None:
        """A bare specifier naming a package of this workspace (a monorepo): its ``exports``, else the usual files."""
        if self._packages is None:
            self._packages = _read_packages(self.workspace, self._by_dir) if self.workspace else {}
        parts = spec.split("/")
        n = 2 if spec.startswith("@") else 1
        entry = self._packages.get("/".join(parts[:n]))
        if entry is None:
            return None
        folder, manifest = entry
        sub = "/".join(parts[n:])
        key = f"./{sub}" if sub else "."
        exports = manifest.get("exports")
        targets: list[str] = []
        if isinstance(exports, str) and key == ".":
            targets.append(exports)
        elif isinstance(exports, dict):
            if key in exports:
                targets.extend(_strings(exports[key]))
            for pattern, value in exports.items():
                if pattern.endswith("*") and key.startswith(pattern[:-1]):
                    rest = key[len(pattern) - 1 :]
                    targets.extend(t.replace("*", rest) for t in _strings(value))
        if not sub:
            targets.extend(v for f in ("source", "module", "main", "types") if isinstance(v := manifest.get(f), str))
        targets.extend([f"./src/{sub or 'index'}", f"./{sub or 'index'}"])
        for target in targets:
            found = self._js_probe(posixpath.normpath(posixpath.join(folder, target)))
            if found:
                return found
        return None

    def _js_probe(self, base: str) -> ModuleRef | None:
        if base in self.files:
            return ModuleRef((base,))
        stem, ext = posixpath.splitext(base)
        for swapped in _JS_SWAPS.get(ext, ()):
            if stem + swapped in self.files:
                return ModuleRef((stem + swapped,))
        for candidate in [base + e for e in _JS_EXTS] + [f"{base}/index{e}" for e in _JS_EXTS]:
            if candidate in self.files:
                return ModuleRef((candidate,))
        return None

    # -- Go and Java -------------------------------------------------------------------------------------------

    def go(self, spec: str) -> ModuleRef | None:
        folder: str | None = None
        if self._go_module and (spec == self._go_module or spec.startswith(self._go_module + "/")):
            folder = spec[len(self._go_module) :].strip("/")
        else:
            # No go.mod (or another module): the longest folder suffix of the import path that exists.
            parts = spec.split("/")
            for i in range(len(parts)):
                tail = "/".join(parts[i:])
                if any(d == tail or d.endswith("/" + tail) for d in self._by_dir):
                    folder = next(d for d in sorted(self._by_dir) if d == tail or d.endswith("/" + tail))
                    break
        if folder is None:
            return None
        paths = tuple(p for p in self._by_dir.get(folder, ()) if p.endswith(".go") and not p.endswith("_test.go"))
        return ModuleRef(paths, folder) if paths else None

    def java(self, importer: str, spec: str) -> ModuleRef | None:
        """``a.b.C`` → the file ``…/a/b/C.java``; ``a.b`` (package or star import) → the folder's files."""
        parts = spec.split(".")
        suffix = "/".join(parts) + ".java"
        candidates = [p for p in self._java.get(parts[-1], ()) if p == suffix or p.endswith("/" + suffix)]
        if candidates:
            return ModuleRef((_closest(importer, candidates),))
        folder = "/".join(parts)
        for known, paths in self._by_dir.items():
            if known == folder or known.endswith("/" + folder):
                java = tuple(p for p in paths if p.endswith(".java"))
                if java:
                    return ModuleRef(java, known)
        return None

    def resolve(self, lang: str, importer: str, module: str, level: int) -> ModuleRef | None:
        """The module an import statement names, or None when it is outside the workspace."""
        key = (lang, posixpath.dirname(importer), module, level)
        if key not in self._memo:
            self._memo[key] = self._resolve(lang, importer, module, level)
        return self._memo[key]

    def _resolve(self, lang: str, importer: str, module: str, level: int) -> ModuleRef | None:
        if lang == "python":
            return self.python(importer, module, level)
        if lang in ECMASCRIPT:
            return self.javascript(importer, module)
        if lang == "go":
            return self.go(module)
        if lang == "java":
            return self.java(importer, module)
        return None


def _closest(importer: str, candidates: list[str]) -> str:
    """The candidate sharing the longest folder prefix with the importer (ties: shortest path, then name)."""

    def shared(path: str) -> int:
        return len(posixpath.commonpath([posixpath.dirname(importer) or ".", posixpath.dirname(path) or "."]))

    return min(candidates, key=lambda p: (-shared(p), len(p), p))


_JSONC = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)


def _read_tsconfig_paths(workspace: Path) -> list[tuple[str, list[str]]]:
    """``compilerOptions.paths`` of the root tsconfig.json/jsconfig.json, targets made workspace-relative."""
    for name in ("tsconfig.json", "jsconfig.json"):
        try:
            text = (workspace / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        text = _JSONC.sub(lambda m: m.group(1) or "", text)
        text = re.sub(r",(\s*[}\]])", r"\1", text)
        try:
            options = json.loads(text).get("compilerOptions", {})
        except (ValueError, AttributeError):
            return []
        base = str(options.get("baseUrl") or ".")
        paths = options.get("paths") or {}
        if not isinstance(paths, dict):
            return []
        out = [
            (str(pattern), [posixpath.normpath(posixpath.join(base, str(t))) for t in targets])
            for pattern, targets in paths.items()
            if isinstance(targets, list)
        ]
        # Longest pattern first so ``@app/core/*`` wins over ``@app/*``.
        return sorted(out, key=lambda item: -len(item[0]))
    return []


def _strings(value: object) -> list[str]:
    """Every string in a (nested) package.json ``exports`` value, in order: conditions are tried one by one."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _read_packages(workspace: Path, folders: Collection[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """npm packages of the workspace: ``name`` → (folder, package.json), from the folders of indexed files up."""
    candidates: set[str] = set()
    for folder in folders:
        parts = folder.split("/") if folder else []
        candidates.update("/".join(parts[:i]) for i in range(len(parts) + 1))
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for folder in sorted(candidates, key=lambda f: (f.count("/"), f)):
        try:
            manifest = json.loads((workspace / folder / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        name = manifest.get("name") if isinstance(manifest, dict) else None
        if isinstance(name, str) and name not in found:
            found[name] = (folder, manifest)
    return found


def _read_go_module(workspace: Path) -> str | None:
    try:
        text = (workspace / "go.mod").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^module\s+(\S+)", text, re.MULTILINE)
    return match.group(1) if match else None
