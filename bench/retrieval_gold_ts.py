"""Gold for the blanked-body benchmark on TypeScript (zod), independent of Splice's resolver: tree-sitter used
directly for syntax, and an import/export map written here (named and namespace imports, ``export *``,
``export * as ns``, ``export {…} from``)."""

from __future__ import annotations

import posixpath
import random
import re
from pathlib import Path

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser

from retrieval_gold import Def, Task, _doc_first

_LANG = Language(tree_sitter_typescript.language_typescript())
_DECLS = {
    "function_declaration": "function",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "interface_declaration": "type",
    "type_alias_declaration": "type",
    "enum_declaration": "type",
    "lexical_declaration": "constant",
}
Value = tuple[str, object]
"""("mod", path) for a module/namespace, ("def", Def) for a definition."""


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


class TsRepo:
    def __init__(self, root: Path, src_dir: str) -> None:
        self.root = root
        self.parser = Parser(_LANG)
        self.trees: dict[str, Node] = {}
        self.text: dict[str, str] = {}
        for p in sorted((root / src_dir).rglob("*.ts")):
            rel = p.relative_to(root).as_posix()
            if "/tests/" in rel or rel.endswith((".test.ts", ".d.ts")) or "/test/" in rel:
                continue
            data = p.read_bytes()
            self.trees[rel] = self.parser.parse(data).root_node
            self.text[rel] = data.decode("utf-8", "replace")
        self.defs: dict[str, dict[str, Def]] = {path: self._defs(path) for path in self.trees}

    # -- definitions -------------------------------------------------------------------------------------------

    def _top(self, path: str) -> list[tuple[Node, Node]]:
        """(statement, declaration) for each top-level declaration, unwrapping ``export``."""
        out = []
        for stmt in self.trees[path].children:
            decl = stmt
            if stmt.type == "export_statement":
                decl = stmt.child_by_field_name("declaration") or stmt
            if decl.type in _DECLS:
                out.append((stmt, decl))
        return out

    def _defs(self, path: str) -> dict[str, Def]:
        out: dict[str, Def] = {}
        for stmt, decl in self._top(path):
            kind = _DECLS[decl.type]
            doc = _leading_comment(stmt)
            if decl.type == "lexical_declaration":
                for d in decl.named_children:
                    if d.type == "variable_declarator":
                        name = _text(d.child_by_field_name("name"))
                        sig = " ".join(_text(decl).split("\n")[0].split())[:160]
                        out.setdefault(
                            name,
                            Def(path, name, name, kind, decl.start_point.row, decl.end_point.row, f"// {path}\n{sig}"),
                        )
                continue
            name = _text(decl.child_by_field_name("name"))
            if not name:
                continue
            sig = _signature(decl)
            card = f"// {path}\n" + (f"/** {doc} */\n" if doc else "") + sig
            if kind == "class":
                body = decl.child_by_field_name("body")
                members = [m for m in (body.named_children if body else []) if m.type == "method_definition"]
                card += "\n" + "\n".join("  " + _signature(m) for m in members)
                for m in members:
                    mname = _text(m.child_by_field_name("name"))
                    q = f"{name}.{mname}"
                    out[q] = Def(
                        path, q, mname, "method", m.start_point.row, m.end_point.row, f"// {path}\n{_signature(m)}"
                    )
            out.setdefault(name, Def(path, name, name, kind, decl.start_point.row, decl.end_point.row, card))
        return out

    # -- modules, imports, exports -----------------------------------------------------------------------------

    def module(self, importer: str, spec: str) -> str | None:
        if not spec.startswith("."):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
        stem = re.sub(r"\.(js|ts|mjs|cjs)$", "", joined)
        for candidate in (stem + ".ts", stem + "/index.ts"):
            if candidate in self.trees:
                return candidate
        return None

    def bindings(self, path: str, root: Node | None = None) -> dict[str, tuple[Value, Node]]:
        out: dict[str, tuple[Value, Node]] = {}
        for stmt in (root or self.trees[path]).children:
            if stmt.type != "import_statement":
                continue
            mod = self.module(path, _text(stmt.child_by_field_name("source")).strip("\"'"))
            if mod is None:
                continue
            for clause in stmt.named_children:
                if clause.type != "import_clause":
                    continue
                for part in clause.named_children:
                    if part.type == "namespace_import":
                        ident = next((c for c in part.named_children if c.type == "identifier"), None)
                        if ident is not None:
                            out[_text(ident)] = (("mod", mod), stmt)
                    elif part.type == "named_imports":
                        for spec in part.named_children:
                            if spec.type != "import_specifier":
                                continue
                            name = _text(spec.child_by_field_name("name"))
                            alias = _text(spec.child_by_field_name("alias")) or name
                            value = self.export(mod, name)
                            if value is not None:
                                out[alias] = (value, stmt)
        return out

    def export(self, mod: str, name: str, depth: int = 0) -> Value | None:
        """What module ``mod`` exports under ``name`` (own definition, re-export, namespace re-export)."""
        if depth > 10 or mod not in self.trees:
            return None
        own = self.defs[mod].get(name)
        if own is not None:
            return ("def", own)
        stars: list[str] = []
        for stmt in self.trees[mod].children:
            if stmt.type not in ("export_statement", "import_statement"):
                continue
            source = stmt.child_by_field_name("source")
            if source is None:
                continue
            target = self.module(mod, _text(source).strip("\"'"))
            if target is None:
                continue
            if stmt.type == "import_statement":
                continue
            ns = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            if ns is not None:
                if _text(ns).split()[-1] == name:
                    return ("mod", target)
            elif clause is not None:
                for spec in clause.named_children:
                    orig = _text(spec.child_by_field_name("name"))
                    alias = _text(spec.child_by_field_name("alias")) or orig
                    if alias == name:
                        return self.export(target, orig, depth + 1)
            elif "*" in _text(stmt).split("from")[0]:
                stars.append(target)
        for target in stars:
            found = self.export(target, name, depth + 1)
            if found is not None:
                return found
        return None

    def value(self, node: Node, binds: dict[str, tuple[Value, Node]], used: set[str]) -> Value | None:
        if node.type in ("identifier", "type_identifier"):
            entry = binds.get(_text(node))
            if entry is not None:
                used.add(_text(node))
                return entry[0]
            return None
        if node.type in ("member_expression", "nested_type_identifier", "nested_identifier"):
            parts = node.named_children
            if len(parts) < 2:
                return None
            owner = self.value(parts[0], binds, used)
            attr = _text(parts[-1])
            if owner is None:
                return None
            if owner[0] == "mod":
                return self.export(str(owner[1]), attr)
            d = owner[1]
            assert isinstance(d, Def)
            if d.kind == "class":
                member = self.defs[d.path].get(f"{d.qualname}.{attr}")
                return ("def", member) if member is not None else owner
            return owner
        return None

    # -- tasks -------------------------------------------------------------------------------------------------

    def functions(self, path: str) -> list[tuple[Node, Node, str]]:
        """(definition node, body block, qualname) of functions, methods and arrow-function constants."""
        out = []
        for _, decl in self._top(path):
            name = _text(decl.child_by_field_name("name"))
            if decl.type == "function_declaration":
                body = decl.child_by_field_name("body")
                if body is not None:
                    out.append((decl, body, name))
            elif decl.type in ("class_declaration", "abstract_class_declaration"):
                cbody = decl.child_by_field_name("body")
                for m in cbody.named_children if cbody else []:
                    body = m.child_by_field_name("body")
                    if m.type == "method_definition" and body is not None:
                        out.append((m, body, f"{name}.{_text(m.child_by_field_name('name'))}"))
            elif decl.type == "lexical_declaration":
                for d in decl.named_children:
                    val = d.child_by_field_name("value")
                    if val is not None and val.type in ("arrow_function", "function_expression"):
                        body = val.child_by_field_name("body")
                        if body is not None and body.type == "statement_block":
                            out.append((decl, body, _text(d.child_by_field_name("name"))))
        return out

    def tasks(self, limit: int, seed: int) -> list[Task]:
        found: list[Task] = []
        for path in self.trees:
            binds = self.bindings(path)
            for fn, body, q in self.functions(path):
                if len(body.named_children) < 2 or body.end_point.row - body.start_point.row < 2:
                    continue
                if body.named_children[0].start_point.row == body.start_point.row:
                    continue
                gold: dict[tuple[str, str], Def] = {}
                used: set[str] = set()
                for node in _walk(body):
                    v = self.value(node, binds, used)
                    if v is not None and v[0] == "def":
                        d = v[1]
                        assert isinstance(d, Def)
                        if d.path != path:
                            gold[(d.path, d.qualname)] = d
                if gold:
                    found.append(
                        self._task(
                            path, q, fn, body, sorted(gold.values(), key=lambda d: (d.path, d.line)), used, binds
                        )
                    )
        random.Random(seed).shuffle(found)
        return sorted(found[:limit], key=lambda t: (t.path, t.qualname))

    def _task(
        self,
        path: str,
        q: str,
        fn: Node,
        body: Node,
        gold: list[Def],
        used: set[str],
        binds: dict[str, tuple[Value, Node]],
    ) -> Task:
        lines = self.text[path].splitlines(keepends=True)
        first, last = body.start_point.row + 1, body.end_point.row - 1
        indent = re.match(r"\s*", lines[body.end_point.row]).group(0) + "  "  # type: ignore[union-attr]
        outside = {
            _text(n)
            for n in _walk(self.trees[path])
            if n.type in ("identifier", "type_identifier")
            and not (fn.start_byte <= n.start_byte < fn.end_byte)
            and not _inside_import(n)
        }
        only_body = {n for n in used if n not in outside}
        task = Task(path, q, gold)
        for setting in ("loose", "strict"):
            edits: list[tuple[int, int, list[str]]] = [(first, last, [f"{indent}// ...\n"])]
            if setting == "strict":
                stmts = {b[1].start_byte: b[1] for n, b in binds.items() if n in only_body}
                edits.extend(_drop_ts(stmt, only_body) for stmt in stmts.values())
            new = list(lines)
            shift = 0
            for a, b, repl in sorted(edits, key=lambda e: -e[0]):
                new[a : b + 1] = repl
                if a < first:
                    shift += len(repl) - (b - a + 1)
            task.buffers[setting] = "".join(new)
            task.cursor[setting] = (first + shift, len(indent))
            above = "".join(new[max(0, fn.start_point.row - 10 + shift) : first + shift])
            task.query[setting] = above
            task.imports_in_order[setting] = self._import_order(path, task.buffers[setting])
        return task

    def _import_order(self, path: str, text: str) -> list[Def]:
        root = self.parser.parse(text.encode()).root_node
        binds = self.bindings(path, root)
        counts: dict[str, int] = {}
        for n in _walk(root):
            if n.type in ("identifier", "type_identifier") and not _inside_import(n) and _text(n) in binds:
                counts[_text(n)] = counts.get(_text(n), 0) + 1
        direct: list[tuple[int, int, Def]] = []
        modules: list[Def] = []
        for order, (bound, (value, _)) in enumerate(binds.items()):
            if value[0] == "mod":
                modules.extend(d for d in self.defs.get(str(value[1]), {}).values() if "." not in d.qualname)
            else:
                d = value[1]
                assert isinstance(d, Def)
                direct.append((-counts.get(bound, 0), order, d))
        direct.sort(key=lambda t: (t[0], t[1]))
        out: list[Def] = []
        seen: set[tuple[str, str]] = set()
        for d in [t[2] for t in direct] + modules:
            if (d.path, d.qualname) not in seen and d.path != path:
                seen.add((d.path, d.qualname))
                out.append(d)
        return out

    def all_defs(self) -> list[Def]:
        return [d for defs in self.defs.values() for d in defs.values()]


def _walk(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(n.children)
    return out


def _inside_import(node: Node) -> bool:
    p = node.parent
    while p is not None:
        if p.type == "import_statement":
            return True
        p = p.parent
    return False


def _signature(decl: Node) -> str:
    body = decl.child_by_field_name("body")
    end = body.start_byte if body is not None else decl.end_byte
    raw = decl.text[: end - decl.start_byte].decode("utf-8", "replace") if decl.text else ""
    return " ".join(raw.split())[:300]


def _leading_comment(stmt: Node) -> str:
    prev = stmt.prev_sibling
    if prev is not None and prev.type == "comment" and prev.end_point.row >= stmt.start_point.row - 1:
        return _doc_first(_text(prev).strip("/*").replace("*", " "))
    return ""


def _drop_ts(stmt: Node, drop: set[str]) -> tuple[int, int, list[str]]:
    """Rewrite an import statement without the bindings in ``drop`` (deleting it when nothing is left)."""
    first, last = stmt.start_point.row, stmt.end_point.row
    source = _text(stmt.child_by_field_name("source"))
    is_type = _text(stmt).startswith("import type")
    kept: list[str] = []
    namespace: str | None = None
    for clause in stmt.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None and _text(ident) not in drop:
                    namespace = _text(ident)
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type == "import_specifier":
                        alias = _text(spec.child_by_field_name("alias")) or _text(spec.child_by_field_name("name"))
                        if alias not in drop:
                            kept.append(_text(spec))
            elif part.type == "identifier" and _text(part) not in drop:
                kept.insert(0, f"default as {_text(part)}")
    kw = "import type" if is_type else "import"
    if namespace:
        return first, last, [f"{kw} * as {namespace} from {source};\n"]
    if not kept:
        return first, last, []
    return first, last, [f"{kw} {{ {', '.join(kept)} }} from {source};\n"]
