"""Resolution rules, data-driven: a small workspace → the edges (source scope, name) must point at these targets.

Each case lists ``(src, name, kind) → (dst, confidence)``; ``dst`` None means the edge must stay unresolved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from splice.config import Settings
from splice.index.extract import supported
from splice.index.graph import Graph
from splice.index.indexer import Indexer
from splice.index.model import (
    Assignment,
    Edge,
    EdgeKind,
    FileExtract,
    FileRecord,
    Import,
    ImportedName,
    Point,
    Reference,
    Span,
    Symbol,
    SymbolKind,
    module_id,
    symbol_id,
)
from splice.index.resolve import Resolver

Expect = dict[tuple[str, str, str], tuple[str | None, float]]


def build(root: Path, files: dict[str, str]) -> Indexer:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    indexer = Indexer(root, Settings(), persist=False)
    indexer.index_all()
    return indexer


def check(graph: Graph, expect: Expect) -> None:
    edges: dict[tuple[str, str, str], list[Edge]] = {}
    for path in graph.files:
        for e in graph.edges_in_file(path):
            edges.setdefault((e.src, e.name, e.kind.value), []).append(e)
    for key, (dst, confidence) in expect.items():
        found = edges.get(key)
        assert found, f"no edge {key}; have {sorted(k for k in edges if k[0] == key[0])}"
        assert any(e.dst == dst and e.confidence == pytest.approx(confidence) for e in found), (
            f"{key}: expected {dst} @ {confidence}, got {[(e.dst, e.confidence) for e in found]}"
        )


PYTHON = {
    "pkg/__init__.py": "from .core import Engine\nfrom . import helpers\n",
    "pkg/core.py": (
        "class Base:\n    def start(self):\n        pass\n\nclass Engine(Base):\n    def run(self):\n        return 1\n"
    ),
    "pkg/helpers.py": "def assist():\n    return 2\n\nLIMIT = 3\n",
    "pkg/sub/__init__.py": "",
    "pkg/sub/session.py": (
        "from ..core import Engine\n"
        "import pkg.helpers as h\n"
        "from pkg import helpers\n"
        "from pkg.helpers import LIMIT as CAP\n\n\n"
        "class Session:\n"
        "    def __init__(self):\n"
        "        self.engine = Engine()\n\n"
        "    def go(self):\n"
        "        self.engine.run()\n"
        "        self.engine.start()\n"
        "        h.assist()\n"
        "        helpers.assist()\n"
        "        e = Engine()\n"
        "        e.run()\n"
        "        print(CAP)\n"
        "        return unknown_thing()\n"
    ),
    "app.py": (
        "import os\n"
        "import pkg\n"
        "import pkg.sub.session\n"
        "from pkg import Engine as E\n\n"
        "def main():\n"
        "    E().run()\n"
        "    pkg.sub.session.Session().go()\n"
        "    pkg.helpers.assist()\n"
        "    os.path.join('a')\n"
    ),
}


def test_python_imports_attributes_and_inheritance(tmp_path: Path) -> None:
    ix = build(tmp_path, PYTHON)
    s = "pkg/sub/session.py::"
    check(
        ix.graph,
        {
            # imports: relative with levels, package re-export, aliases, module imports
            (s, "Engine", "imports"): ("pkg/core.py::Engine", 1.0),
            (s, "pkg.helpers", "imports"): ("pkg/helpers.py::", 1.0),
            (s, "helpers", "imports"): ("pkg/helpers.py::", 1.0),
            (s, "LIMIT", "imports"): ("pkg/helpers.py::LIMIT", 1.0),
            ("app.py::", "Engine", "imports"): ("pkg/core.py::Engine", 1.0),
            ("app.py::", "pkg", "imports"): ("pkg/__init__.py::", 1.0),
            ("app.py::", "os", "imports"): (None, 0.0),
            # self.attr typed by self.x = Cls(), methods through bases (class step → 0.8)
            (s + "Session.go", "run", "calls"): ("pkg/core.py::Engine.run", 0.8),
            (s + "Session.go", "start", "calls"): ("pkg/core.py::Base.start", 0.8),
            (s + "Session.go", "assist", "calls"): ("pkg/helpers.py::assist", 1.0),
            (s + "Session.__init__", "Engine", "calls"): ("pkg/core.py::Engine", 1.0),
            (s + "Session.go", "CAP", "references"): ("pkg/helpers.py::LIMIT", 1.0),
            (s + "Session.go", "unknown_thing", "calls"): (None, 0.0),
            ("pkg/core.py::Engine", "Base", "inherits"): ("pkg/core.py::Base", 1.0),
            # dotted chains through modules; an aliased class; a call result's method
            ("app.py::main", "assist", "calls"): ("pkg/helpers.py::assist", 1.0),
            ("app.py::main", "Session", "calls"): ("pkg/sub/session.py::Session", 1.0),
            ("app.py::main", "go", "calls"): ("pkg/sub/session.py::Session.go", 0.8),
            ("app.py::main", "E", "calls"): ("pkg/core.py::Engine", 1.0),
            # an external module's members never fall back to a same-named workspace symbol
            ("app.py::main", "join", "calls"): (None, 0.0),
        },
    )
    # the local ``e = Engine(); e.run()`` resolves too (two ``run`` edges from go, both to Engine.run)
    runs = [e for e in ix.graph.edges_in_file("pkg/sub/session.py") if e.name == "run"]
    assert len(runs) == 2 and {e.dst for e in runs} == {"pkg/core.py::Engine.run"}
    incoming = {e.src for e in ix.graph.incoming("pkg/core.py::Engine.run")}
    assert incoming == {s + "Session.go", "app.py::main"}


def test_python_src_layout_and_name_fallback(tmp_path: Path) -> None:
    ix = build(
        tmp_path,
        {
            "src/lib/__init__.py": "",
            "src/lib/tools.py": "def tool():\n    pass\n\ndef shared():\n    pass\n",
            "src/lib/other.py": "def shared():\n    pass\n",
            "src/lib/use.py": "from lib.tools import tool\n\ndef f():\n    tool()\n    shared()\n",
            "scripts/run.py": "def go():\n    tool()\n",
        },
    )
    check(
        ix.graph,
        {
            ("src/lib/use.py::", "tool", "imports"): ("src/lib/tools.py::tool", 1.0),
            ("src/lib/use.py::f", "tool", "calls"): ("src/lib/tools.py::tool", 1.0),
            # ambiguous name: the same folder wins, low confidence
            ("src/lib/use.py::f", "shared", "calls"): ("src/lib/other.py::shared", 0.3),
            # unique name, nothing imported: the name-based fallback
            ("scripts/run.py::go", "tool", "calls"): ("src/lib/tools.py::tool", 0.5),
        },
    )


JS = {
    "src/util/index.ts": 'export * from "./strings.js";\nexport { clamp as limit } from "./math";\n',
    "src/util/strings.ts": "export function upper(s: string): string { return s; }\n",
    "src/util/math.ts": (
        "export function clamp(x: number): number { return x; }\nexport class Vec { len(): number { return 0; } }\n"
    ),
    "src/main.ts": (
        'import { upper, limit } from "./util";\n'
        'import * as m from "./util/math";\n'
        'import Def from "@lib/def";\n'
        'import { subFn } from "@acme/lib/sub";\n'
        "export function run() {\n"
        '  upper("a");\n  limit(1);\n  const v = new m.Vec();\n  v.len();\n  m.clamp(2);\n  Def();\n  subFn();\n}\n'
    ),
    "packages/lib/package.json": (
        '{"name": "@acme/lib", "exports": {"./sub": {"@acme/source": "./src/sub.ts", "import": "./dist/sub.js"}}}'
    ),
    "packages/lib/src/sub.ts": "export function subFn(): void {}\n",
    "lib/def.js": 'const { helper } = require("./helper");\nmodule.exports = function () { return helper(); };\n',
    "lib/helper.js": "function helper() { return 1; }\nmodule.exports = { helper };\n",
    "tsconfig.json": (
        '{\n  // comment\n  "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["lib/*"], }, },\n}\n'
    ),
}


def test_javascript_typescript_modules(tmp_path: Path) -> None:
    ix = build(tmp_path, JS)
    m = "src/main.ts::"
    check(
        ix.graph,
        {
            # index file, `export *` of a `.js` specifier that is a .ts source, `export {a as b} from`
            (m, "upper", "imports"): ("src/util/strings.ts::upper", 1.0),
            (m, "limit", "imports"): ("src/util/math.ts::clamp", 1.0),
            (m, "./util/math", "imports"): ("src/util/math.ts::", 1.0),
            (m + "run", "upper", "calls"): ("src/util/strings.ts::upper", 1.0),
            (m + "run", "clamp", "calls"): ("src/util/math.ts::clamp", 1.0),
            (m + "run", "len", "calls"): ("src/util/math.ts::Vec.len", 0.8),
            # tsconfig paths + a CommonJS default export
            (m + "run", "Def", "calls"): ("lib/def.js::", 1.0),
            ("lib/def.js::", "helper", "imports"): ("lib/helper.js::helper", 1.0),
            # a package of this monorepo, through its package.json ``exports``
            (m + "run", "subFn", "calls"): ("packages/lib/src/sub.ts::subFn", 1.0),
        },
    )


def test_go_packages_and_java_imports(tmp_path: Path) -> None:
    if not (supported("go") and supported("java")):
        pytest.skip("Go/Java extraction is not available yet (index/extract_langs.py)")
    ix = build(
        tmp_path,
        {
            "go.mod": "module example.com/app\n\ngo 1.22\n",
            "util/strings.go": "package util\n\nfunc Upper(s string) string { return s }\n",
            "main.go": 'package main\n\nimport "example.com/app/util"\n\nfunc main() { util.Upper("a") }\n',
            "src/com/acme/Tool.java": "package com.acme;\n\npublic class Tool { public void use() {} }\n",
            "src/com/acme/app/Main.java": (
                "package com.acme.app;\n\nimport com.acme.Tool;\n\n"
                "public class Main { void run() { Tool t = new Tool(); t.use(); } }\n"
            ),
        },
    )
    check(
        ix.graph,
        {
            ("main.go::", "example.com/app/util", "imports"): ("util/strings.go::", 1.0),
            ("main.go::main", "Upper", "calls"): ("util/strings.go::Upper", 1.0),
            ("src/com/acme/app/Main.java::", "com.acme.Tool", "imports"): ("src/com/acme/Tool.java::", 1.0),
        },
    )


def _span(line: int) -> Span:
    return Span(Point(line, 0), Point(line, 5), line * 10, line * 10 + 5)


def _sym(path: str, qualname: str, kind: SymbolKind, parent: str | None, line: int = 0, end: int = 0) -> Symbol:
    name = qualname.rsplit(".", 1)[-1] if qualname else path
    span = Span(Point(line, 0), Point(end or line, 5), line * 10, (end or line) * 10 + 5)
    return Symbol(symbol_id(path, qualname), path, name, qualname, kind, span, span, "", "", parent, "python")


def test_hand_built_extracts_and_dependants() -> None:
    """Resolver semantics without the extractor: a ``cls.x`` chain, and reverse dependencies by path."""
    graph = Graph()
    a, b = "a.py", "b.py"
    fa = FileExtract(
        a,
        "python",
        symbols=[
            _sym(a, "", SymbolKind.MODULE, None, 0, 9),
            _sym(a, "Client", SymbolKind.CLASS, module_id(a), 1, 5),
            _sym(a, "Client.send", SymbolKind.METHOD, symbol_id(a, "Client"), 2),
        ],
    )
    fb = FileExtract(
        b,
        "python",
        symbols=[
            _sym(b, "", SymbolKind.MODULE, None, 0, 9),
            _sym(b, "Api", SymbolKind.CLASS, module_id(b), 1, 8),
            _sym(b, "Api.setup", SymbolKind.METHOD, symbol_id(b, "Api"), 2),
            _sym(b, "Api.call", SymbolKind.METHOD, symbol_id(b, "Api"), 4),
        ],
        imports=[Import("a", (ImportedName("Client", "C"),), None, 0, _span(0), module_id(b))],
        assignments=[Assignment(("self", "client"), ("C",), True, symbol_id(b, "Api.setup"))],
        references=[Reference("send", ("self", "client"), EdgeKind.CALLS, _span(5), symbol_id(b, "Api.call"))],
    )
    for fx in (fa, fb):
        graph.put_file(FileRecord(fx.path, "python", "h", 1, 0.0, 0.0), fx)
    resolver = Resolver(graph)
    edges = resolver.resolve([b])[b]
    send = next(e for e in edges if e.name == "send")
    assert (send.src, send.dst, send.confidence) == ("b.py::Api.call", "a.py::Client.send", 0.8)
    imp = next(e for e in edges if e.kind is EdgeKind.IMPORTS)
    assert imp.dst == "a.py::Client" and imp.src == "b.py::"
    assert resolver.dependants(a) == {b}
    assert resolver.deps_of(b) == (a,)
    resolver.forget(b)
    assert resolver.dependants(a) == set()


def test_module_level_instances_and_default_exports(tmp_path: Path) -> None:
    ix = build(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/client.py": "class Client:\n    def send(self):\n        pass\n\nclient = Client()\n",
            "svc/use.py": "from svc.client import client\n\ndef go():\n    client.send()\n",
            "web/widget.ts": "class Widget { draw(): void {} }\nexport default Widget;\n",
            "web/page.ts": 'import W from "./widget";\nexport function show() { const w = new W(); w.draw(); }\n',
        },
    )
    check(
        ix.graph,
        {
            ("svc/use.py::go", "send", "calls"): ("svc/client.py::Client.send", 0.8),
            ("web/page.ts::", "default", "imports"): ("web/widget.ts::Widget", 1.0),
            ("web/page.ts::show", "W", "calls"): ("web/widget.ts::Widget", 1.0),
            ("web/page.ts::show", "draw", "calls"): ("web/widget.ts::Widget.draw", 0.8),
        },
    )


def test_re_export_and_inheritance_cycles_terminate(tmp_path: Path) -> None:
    files = {f"web/m{i}.ts": "".join(f'export * from "./m{j}";\n' for j in range(6) if j != i) for i in range(6)}
    files["web/m0.ts"] += "export function real(): void {}\n"
    files["web/use.ts"] = 'import * as m from "./m3";\nexport function go() { m.real(); m.missing(); }\n'
    files["cyc.py"] = (
        "class A(B):\n    pass\n\nclass B(A):\n    def ok(self):\n        pass\n\n"
        "def f():\n    a = A()\n    a.ok()\n    a.nope()\n"
    )
    ix = build(tmp_path, files)
    check(
        ix.graph,
        {
            ("web/use.ts::go", "real", "calls"): ("web/m0.ts::real", 1.0),
            ("web/use.ts::go", "missing", "calls"): (None, 0.0),
            ("cyc.py::f", "ok", "calls"): ("cyc.py::B.ok", 0.8),
            ("cyc.py::f", "nope", "calls"): (None, 0.0),
        },
    )


def test_a_module_member_aliasing_an_external_import_is_unresolved_not_a_crash(tmp_path: Path) -> None:
    # pydantic ``v1/version.py``: ``compiled = cython.compiled`` after an optional ``import cython``; another module
    # imports ``compiled`` from it. The member denotes something outside the workspace: no edge target, no crash.
    files = {
        "pkg/__init__.py": "",
        "pkg/version.py": (
            "VERSION = '1.0'\n\n"
            "try:\n    import cython\nexcept ImportError:\n    compiled: bool = False\n"
            "else:\n    try:\n        compiled = cython.compiled\n"
            "    except AttributeError:\n        compiled = False\n"
        ),
        "pkg/main.py": (
            "from pkg.version import VERSION, compiled\n\ndef info():\n    return compiled.real, VERSION.upper()\n"
        ),
    }
    ix = build(tmp_path, files)
    check(
        ix.graph,
        {
            ("pkg/main.py::", "VERSION", "imports"): ("pkg/version.py::VERSION", 1.0),
            ("pkg/main.py::", "compiled", "imports"): (None, 0.0),
        },
    )
    assert {"pkg/version.py", "pkg/main.py"} <= set(ix.graph.files)
