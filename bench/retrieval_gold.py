"""Gold for the blanked-body retrieval benchmark, computed independently of Splice's own resolver.

Python: the standard ``ast`` module plus an import map written here (absolute and relative imports, package
re-exports in ``__init__.py``, ``module.X`` and ``ImportedClass.method``). TypeScript: tree-sitter used directly
plus an import map written here (named and namespace imports, ``export *`` / ``export * as ns`` / ``export {…}
from`` chains). Each task records the blanked buffer in both settings (loose: imports kept; strict: import names
used only by the blanked body removed).
"""

from __future__ import annotations

import ast
import posixpath
import random
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Def:
    path: str
    qualname: str
    name: str
    kind: str
    """function, class, method, constant, type"""
    line: int
    """0-based first line of the definition (the ``def``/``class`` line; decorators excluded)."""
    end: int
    card: str
    """Path + signature + docstring: what the baselines rank and pay for."""


@dataclass
class Task:
    path: str
    qualname: str
    gold: list[Def]
    buffers: dict[str, str] = field(default_factory=dict)
    """Setting (``loose``/``strict``) → blanked file text."""
    cursor: dict[str, tuple[int, int]] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    """BM25 baseline query: signature + docstring + 10 lines above, per setting."""
    imports_in_order: dict[str, list[Def]] = field(default_factory=dict)
    """Import-order baseline ranking, per setting."""


def _doc_first(doc: str | None) -> str:
    if not doc:
        return ""
    para = doc.strip().split("\n\n")[0]
    return " ".join(para.split())[:240]


# ---------------------------------------------------------------------------------------------------------------
# Python
# ---------------------------------------------------------------------------------------------------------------


class PyRepo:
    def __init__(self, root: Path, package_dir: str) -> None:
        self.root = root
        self.package_dir = package_dir.strip("/")
        self.files: dict[str, ast.Module] = {}
        self.text: dict[str, str] = {}
        for p in sorted((root / self.package_dir).rglob("*.py")):
            rel = p.relative_to(root).as_posix()
            try:
                src = p.read_text(encoding="utf-8")
                self.files[rel] = ast.parse(src)
                self.text[rel] = src
            except (SyntaxError, UnicodeDecodeError):
                continue
        self.defs: dict[str, dict[str, Def]] = {path: self._defs(path) for path in self.files}

    # -- module names ------------------------------------------------------------------------------------------

    def module_path(self, dotted: str) -> str | None:
        base = posixpath.dirname(self.package_dir)
        rel = posixpath.join(base, dotted.replace(".", "/")) if base else dotted.replace(".", "/")
        for candidate in (rel + ".py", rel + "/__init__.py"):
            if candidate in self.files:
                return candidate
        return None

    def relative(self, importer: str, level: int, module: str | None) -> str | None:
        base = posixpath.dirname(importer)
        for _ in range(level - 1):
            base = posixpath.dirname(base)
        rel = posixpath.join(base, module.replace(".", "/")) if module else base
        for candidate in (rel + ".py", rel + "/__init__.py"):
            if candidate in self.files:
                return candidate
        return None

    # -- definitions -------------------------------------------------------------------------------------------

    def _defs(self, path: str) -> dict[str, Def]:
        out: dict[str, Def] = {}
        lines = self.text[path].splitlines()
        tree = self.files[path]
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out[node.name] = self._fn(path, node, node.name, "function", lines)
            elif isinstance(node, ast.ClassDef):
                methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
                sigs = [self._signature(m, lines).strip() for m in methods]
                header = self._signature(node, lines)
                card = "\n".join([f"# {path}", header, *(f"    {s}" for s in sigs)])
                out[node.name] = Def(path, node.name, node.name, "class", node.lineno - 1, node.end_lineno or 0, card)
                for m in methods:
                    q = f"{node.name}.{m.name}"
                    out[q] = self._fn(path, m, q, "method", lines)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        text = lines[node.lineno - 1].strip()[:160]
                        out[t.id] = Def(
                            path, t.id, t.id, "constant", node.lineno - 1, node.end_lineno or 0, f"# {path}\n{text}"
                        )
        return out

    @staticmethod
    def _signature(node: ast.AST, lines: list[str]) -> str:
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        first = node.lineno - 1
        body_first = node.body[0].lineno - 1 if node.body else first
        sig = " ".join(ln.strip() for ln in lines[first : max(first + 1, body_first)])
        return sig.split(":  ")[0][:300]

    def _fn(self, path: str, node: ast.FunctionDef | ast.AsyncFunctionDef, q: str, kind: str, lines: list[str]) -> Def:
        sig = self._signature(node, lines)
        doc = _doc_first(ast.get_docstring(node))
        card = f"# {path}\n{sig}" + (f'\n    """{doc}"""' if doc else "")
        return Def(path, q, node.name, kind, node.lineno - 1, node.end_lineno or 0, card)

    # -- bindings ----------------------------------------------------------------------------------------------

    def bindings(self, path: str) -> dict[str, tuple[str, str | None, ast.stmt]]:
        """Bound name → (module path, name in module or None for a module binding, import statement)."""
        out: dict[str, tuple[str, str | None, ast.stmt]] = {}
        for node in self.files[path].body:
            if isinstance(node, ast.ImportFrom):
                mod = (
                    self.relative(path, node.level, node.module) if node.level else self.module_path(node.module or "")
                )
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if mod is None:
                        sub = self.relative(path, node.level, alias.name) if node.level and not node.module else None
                        if sub is not None:
                            out[bound] = (sub, None, node)
                        continue
                    sub_mod = None
                    if mod.endswith("__init__.py") and alias.name not in self.defs.get(mod, {}):
                        sub_mod = self.relative(mod, 1, alias.name)
                    if sub_mod is not None and self.resolve_name(mod, alias.name) is None:
                        out[bound] = (sub_mod, None, node)
                    else:
                        out[bound] = (mod, alias.name, node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    mod = self.module_path(alias.name)
                    if mod is not None:
                        out[alias.asname or alias.name.split(".")[0]] = (
                            mod if alias.asname else self.module_path(alias.name.split(".")[0]) or mod,
                            None,
                            node,
                        )
        return out

    def resolve_name(self, mod: str, name: str, depth: int = 0) -> Def | None:
        """Definition of ``name`` in module ``mod``, following re-exports."""
        if depth > 8 or mod not in self.files:
            return None
        found = self.defs[mod].get(name)
        if found is not None:
            return found
        for node in self.files[mod].body:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        target = (
                            self.relative(mod, node.level, node.module)
                            if node.level
                            else self.module_path(node.module or "")
                        )
                        if target is not None:
                            return self.resolve_name(target, alias.name, depth + 1)
        return None

    # -- tasks -------------------------------------------------------------------------------------------------

    def tasks(self, limit: int, seed: int) -> list[Task]:
        found: list[Task] = []
        for path, tree in self.files.items():
            binds = self.bindings(path)
            for fn, cls in _functions(tree):
                body = fn.body
                if ast.get_docstring(fn) is not None:
                    body = body[1:]
                if len(body) < 2:
                    continue
                gold, used = self._gold(path, binds, body)
                if gold:
                    q = f"{cls.name}.{fn.name}" if cls else fn.name
                    found.append(self._task(path, q, fn, gold, used, binds))
        random.Random(seed).shuffle(found)
        return sorted(found[:limit], key=lambda t: (t.path, t.qualname))

    def _gold(
        self, path: str, binds: dict[str, tuple[str, str | None, ast.stmt]], body: list[ast.stmt]
    ) -> tuple[list[Def], set[str]]:
        gold: dict[tuple[str, str], Def] = {}
        used: set[str] = set()
        for stmt in body:
            for node in ast.walk(stmt):
                target: Def | None = None
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in binds:
                    mod, name, _ = binds[node.value.id]
                    used.add(node.value.id)
                    if name is None:
                        target = self.resolve_name(mod, node.attr)
                    else:
                        owner = self.resolve_name(mod, name)
                        if owner is not None and owner.kind == "class":
                            target = self.defs[owner.path].get(f"{owner.qualname}.{node.attr}") or owner
                        else:
                            target = owner
                elif isinstance(node, ast.Name) and node.id in binds:
                    mod, name, _ = binds[node.id]
                    used.add(node.id)
                    if name is not None:
                        target = self.resolve_name(mod, name)
                if target is not None and target.path != path:
                    gold[(target.path, target.qualname)] = target
        return sorted(gold.values(), key=lambda d: (d.path, d.line)), used

    def _task(
        self,
        path: str,
        qualname: str,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        gold: list[Def],
        used: set[str],
        binds: dict[str, tuple[str, str | None, ast.stmt]],
    ) -> Task:
        lines = self.text[path].splitlines(keepends=True)
        task = Task(path, qualname, gold)
        body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
        first, last = body[0].lineno - 1, (fn.end_lineno or body[-1].end_lineno or 0) - 1
        indent = re.match(r"\s*", lines[first]).group(0) if first < len(lines) else "    "  # type: ignore[union-attr]
        # Names the rest of the file still uses keep their imports in strict mode.
        outside = _names_outside(self.files[path], fn)
        only_body = {n for n in used if n not in outside}
        for setting in ("loose", "strict"):
            edits: list[tuple[int, int, list[str]]] = [(first, last, [f"{indent}...\n"])]
            if setting == "strict":
                for stmt in {id(b[2]): b[2] for n, b in binds.items() if n in only_body}.values():
                    edits.append(_drop_names(stmt, only_body, lines))
            new = list(lines)
            shift = 0
            for a, b, repl in sorted(edits, key=lambda e: -e[0]):
                new[a : b + 1] = repl
                if a < first:
                    shift += len(repl) - (b - a + 1)
            task.buffers[setting] = "".join(new)
            task.cursor[setting] = (first + shift, len(indent))
            above = "".join(new[max(0, fn.lineno - 11 + shift) : first + shift])
            doc = ast.get_docstring(fn) or ""
            task.query[setting] = f"{above}\n{doc}"
            task.imports_in_order[setting] = self._import_order(path, task.buffers[setting])
        return task

    def _import_order(self, path: str, text: str) -> list[Def]:
        """Definitions reachable from the visible imports, most-used names first."""
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return []
        saved = self.files[path]
        self.files[path] = tree
        try:
            binds = self.bindings(path)
        finally:
            self.files[path] = saved
        counts: dict[str, int] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in binds:
                counts[node.id] = counts.get(node.id, 0) + 1
        direct: list[tuple[int, int, Def]] = []
        modules: list[Def] = []
        for order, (bound, (mod, name, _)) in enumerate(binds.items()):
            if name is None:
                modules.extend(d for d in self.defs.get(mod, {}).values() if "." not in d.qualname)
                continue
            d = self.resolve_name(mod, name)
            if d is not None and d.path != path:
                direct.append((-counts.get(bound, 0), order, d))
        direct.sort(key=lambda t: (t[0], t[1]))
        seen: set[tuple[str, str]] = set()
        out: list[Def] = []
        for d in [t[2] for t in direct] + modules:
            if (d.path, d.qualname) not in seen and d.path != path:
                seen.add((d.path, d.qualname))
                out.append(d)
        return out

    def all_defs(self) -> list[Def]:
        return [d for defs in self.defs.values() for d in defs.values()]


def _functions(tree: ast.Module) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None]]:
    out: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.append((node, None))
        elif isinstance(node, ast.ClassDef):
            out.extend((n, node) for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return out


def _names_outside(tree: ast.Module, fn: ast.AST) -> set[str]:
    inside = {id(n) for n in ast.walk(fn)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in inside or isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Name):
            out.add(node.id)
    # Names listed in __all__ are used by the module's interface.
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            for elt in getattr(node.value, "elts", []):
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    out.add(elt.value)
    return out


def _drop_names(stmt: ast.stmt, drop: set[str], lines: list[str]) -> tuple[int, int, list[str]]:
    """Rewrite an import statement without the names in ``drop`` (deleting it when nothing is left)."""
    assert isinstance(stmt, ast.Import | ast.ImportFrom)
    first, last = stmt.lineno - 1, (stmt.end_lineno or stmt.lineno) - 1
    kept = [a for a in stmt.names if (a.asname or a.name.split(".")[0]) not in drop]
    if not kept:
        return first, last, []
    indent = re.match(r"\s*", lines[first]).group(0)  # type: ignore[union-attr]
    clone: ast.stmt
    if isinstance(stmt, ast.ImportFrom):
        clone = ast.ImportFrom(module=stmt.module, names=kept, level=stmt.level)
    else:
        clone = ast.Import(names=kept)
    return first, last, [indent + ast.unparse(clone) + "\n"]
