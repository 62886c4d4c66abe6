"""Missing symbols: which unresolved uses are really missing, where they belong, and the signature callers imply."""

from __future__ import annotations

import pytest

from splice.features.generate.callsites import call_sites
from splice.features.generate.missing import MissingSymbol, missing_ref_at, missing_refs, missing_symbols
from splice.features.generate.signature import infer
from splice.index.extract import extract
from splice.index.graph import Graph
from splice.index.model import Edge, EdgeKind, FileExtract, FileRecord, Import, ImportedName, Point, Reference, Span
from splice.index.resolve import Resolver


def build(files: dict[str, str]) -> Graph:
    """The real pipeline: extract every file, resolve, store the edges."""
    graph = Graph()
    for path, source in files.items():
        graph.put_file(FileRecord(path, "python", "h", len(source), 0, 0), extract(path, "python", source.encode()))
    for path, edges in Resolver(graph).resolve(list(files)).items():
        graph.set_edges(path, edges)
    return graph


def symbols(files: dict[str, str], path: str) -> dict[str, MissingSymbol]:
    graph = build(files)
    return {m.name: m for m in missing_symbols(graph, path, lambda p: files[p].encode())}


PKG = {
    "pkg/__init__.py": "",
    "pkg/base.py": "class Base:\n    pass\n",
    "pkg/codec.py": "def encode(x):\n    return x\n",
}


def test_import_from_a_module_that_does_not_exist_yet() -> None:
    files = {
        **PKG,
        "pkg/client.py": (
            "from pkg.http import parse_header\n\n"
            "def a(header):\n    return parse_header(header)\n\n"
            "def b(req):\n    value = parse_header(req.header, strict=True)\n    return value\n"
        ),
        "pkg/server.py": "from pkg.http import parse_header\n\nparse_header('text/plain', strict=False)\n",
    }
    found = symbols(files, "pkg/client.py")
    sym = found["parse_header"]
    assert (sym.target_path, sym.target_exists, sym.target_class) == ("pkg/http.py", False, None)
    assert [(s.path, s.span.start.line) for s in sym.call_sites] == [
        ("pkg/client.py", 3),
        ("pkg/client.py", 6),
        ("pkg/server.py", 2),
    ]
    assert sym.signature.text == "def parse_header(header: str, *, strict: bool | None = None):"
    assert {u.path for u in sym.uses} == {"pkg/client.py", "pkg/server.py"}


def test_relative_import_into_an_existing_module() -> None:
    files = {**PKG, "pkg/client.py": "from .codec import decode\n\ndecode(b'x')\n"}
    sym = symbols(files, "pkg/client.py")["decode"]
    assert (sym.target_path, sym.target_exists) == ("pkg/codec.py", True)
    assert sym.signature.text == "def decode(data: bytes) -> None:"


def test_call_through_an_imported_module() -> None:
    files = {**PKG, "pkg/client.py": "from pkg import codec\n\nok = codec.decode_all(items, strict=True)\n"}
    sym = symbols(files, "pkg/client.py")["decode_all"]
    assert (sym.target_path, sym.target_exists) == ("pkg/codec.py", True)
    assert sym.call_sites[0].result == "assigned" and sym.call_sites[0].result_name == "ok"
    assert sym.signature.text == "def decode_all(items, *, strict: bool):"


def test_bare_call_goes_to_the_callers_module() -> None:
    files = {
        **PKG,
        "pkg/jobs.py": "async def run(req):\n    for item in await fetch_all(req.url, limit=10):\n        pass\n",
    }
    sym = symbols(files, "pkg/jobs.py")["fetch_all"]
    assert (sym.target_path, sym.target_exists) == ("pkg/jobs.py", True)
    assert sym.signature.is_async
    assert sym.signature.text == "async def fetch_all(url, *, limit: int):"


def test_missing_method_on_self_goes_to_the_class() -> None:
    files = {
        **PKG,
        "pkg/svc.py": (
            "from pkg.base import Base\n\n"
            "class Service(Base):\n"
            "    def start(self):\n        if self.ready(3):\n            self.log('go', 1.5)\n"
            "    def stop(self):\n        self.log('stop', 2)\n"
        ),
    }
    found = symbols(files, "pkg/svc.py")
    assert found["ready"].target_class == "Service"
    assert found["ready"].signature.text == "def ready(self, n: int) -> bool:"
    assert found["log"].signature.text == "def log(self, text: str, value: float) -> None:"


def test_a_missing_class_gets_a_constructor() -> None:
    files = {**PKG, "pkg/app.py": "parser = Parser(source, 'utf-8')\n"}
    sym = symbols(files, "pkg/app.py")["Parser"]
    assert sym.signature.text == "class Parser:\n    def __init__(self, source, text: str) -> None:"


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("import os\nos.path.join('a')\n", "standard library module"),
        ("from requests import get\nget('u')\n", "third-party import"),
        ("print(len('x'))\n", "builtins"),
        ("from os.path import *\nmystery()\n", "star import from outside the workspace"),
        (
            "import unittest\nclass T(unittest.TestCase):\n    def t(self):\n        self.assertEqual(1, 1)\n",
            "external base",
        ),
        (
            "class A:\n    def __init__(self, cb):\n        self.cb = cb\n    def go(self):\n        self.cb()\n",
            "stored",
        ),
        ("def f(x):\n    return x.anything()\n", "unknown receiver"),
        ("from pkg import codec\ncodec.encode(1)\n", "exists"),
        ("def f(callback):\n    callback()\n", "parameter"),
    ],
)
def test_not_missing(source: str, why: str) -> None:
    files = {**PKG, "pkg/m.py": source}
    assert missing_refs(build(files), "pkg/m.py") == [], why


def test_submodule_import_is_not_a_missing_symbol() -> None:
    files = {**PKG, "pkg/m.py": "from pkg import codec, nothing_here\n"}
    refs = missing_refs(build(files), "pkg/m.py")
    assert [(r.name, r.target_path) for r in refs] == [("nothing_here", "pkg/__init__.py")]


def test_missing_ref_at_cursor() -> None:
    files = {**PKG, "pkg/m.py": "x = 1\nvalue = compute(x)\n"}
    graph = build(files)
    hit = missing_ref_at(graph, "pkg/m.py", 1, 10)
    assert hit is not None and hit.name == "compute"
    assert missing_ref_at(graph, "pkg/m.py", 0, 0) is None


def test_unknown_file_and_other_languages_have_nothing() -> None:
    graph = build(PKG)
    assert missing_refs(graph, "nope.py") == []


def _span(line: int, c0: int, c1: int, b0: int) -> Span:
    return Span(Point(line, c0), Point(line, c1), b0, b0 + c1 - c0)


def test_hand_built_edges() -> None:
    """The contract with the resolver, without it: an unresolved CALLS edge plus the extract's reference/import."""
    source = "from lib.net import fetch\nfetch('u', retries=3)\n"
    imp_span = _span(0, 0, 25, 0)
    call_span = _span(1, 0, 5, 26)
    graph = Graph()
    extracted = FileExtract(
        "lib/app.py",
        "python",
        references=[Reference("fetch", (), EdgeKind.CALLS, call_span, "lib/app.py::")],
        imports=[Import("lib.net", (ImportedName("fetch", None),), None, 0, imp_span, "lib/app.py::")],
    )
    graph.put_file(FileRecord("lib/app.py", "python", "h", 1, 0, 0), extracted)
    graph.put_file(FileRecord("lib/__init__.py", "python", "h", 0, 0, 0), FileExtract("lib/__init__.py", "python"))
    graph.set_edges(
        "lib/app.py",
        [
            Edge("lib/app.py::", None, "fetch", EdgeKind.IMPORTS, "lib/app.py", imp_span, 0.0),
            Edge("lib/app.py::", None, "fetch", EdgeKind.CALLS, "lib/app.py", call_span, 0.0),
        ],
    )
    (sym,) = missing_symbols(graph, "lib/app.py", lambda p: source.encode() if p == "lib/app.py" else None)
    assert (sym.target_path, sym.target_exists) == ("lib/net.py", False)
    assert sym.signature.text == "def fetch(text: str, *, retries: int) -> None:"


def test_unreadable_caller_still_gives_a_target() -> None:
    files = {**PKG, "pkg/m.py": "compute(1)\n"}
    (sym,) = missing_symbols(build(files), "pkg/m.py", lambda p: None)
    assert sym.call_sites == () and sym.signature.text == "def compute():"


# -- inference rules on their own ------------------------------------------------------------------------------


def sites(source: str, callee: str = "f") -> list:  # type: ignore[type-arg]
    return call_sites("m.py", "python", source.encode(), {callee})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("f()\n", "def f() -> None:"),
        ("f(1)\nf(2, 3)\n", "def f(n: int, n2: int | None = None) -> None:"),
        ("f(1)\nf(2.5)\n", "def f(value: float) -> None:"),
        ("f(None)\nf('a')\n", "def f(text: str | None) -> None:"),
        ("f(self.timeout)\nf(t)\n", "def f(timeout) -> None:"),
        ("f(d['key'])\n", "def f(key) -> None:"),
        ("f(lambda x: x)\n", "def f(callback: Callable) -> None:"),
        ("f(f'{a}')\n", "def f(text: str) -> None:"),
        ("f(-1)\n", "def f(n: int) -> None:"),
        ("f(*args, **kw)\n", "def f(*args, **kwargs) -> None:"),
        ("f(x, *rest, key=1)\n", "def f(x, *args, key: int) -> None:"),
        ("f(a, a)\n", "def f(a, a2) -> None:"),
        ("f(x)\nf(x=1)\n", "def f(x=None) -> None:"),
        ("f(class_)\n", "def f(class_) -> None:"),
        ("while not f():\n    pass\n", "def f() -> bool:"),
        ("x = f()\n", "def f():"),
        ("return_value = [f()]\n", "def f():"),
        ("async def g():\n    await f()\n", "async def f() -> None:"),
        ("f(\n    1,  # one\n    'two',\n)\n", "def f(n: int, text: str) -> None:"),
    ],
)
def test_inference_rules(source: str, expected: str) -> None:
    assert infer("f", sites(source)).text == expected


def test_classmethod_rendering() -> None:
    assert infer("make", sites("cls.make(1)\n", "cls.make"), method="cls").text == (
        "@classmethod\ndef make(cls, n: int) -> None:"
    )


def test_call_site_details() -> None:
    (site,) = sites("def g():\n    return f(a, key='v')\n")
    assert site.line == "return f(a, key='v')"
    assert site.result == "returned"
    assert [a.text for a in site.positional] == ["a"]
    assert [(k, a.type) for k, a in site.keywords] == [("key", "str")]


def test_other_callees_are_ignored() -> None:
    assert sites("g(1)\nx.f(1)\nf.g(1)\n") == []


# -- JavaScript / TypeScript ------------------------------------------------------------------------------------


def build_ts(files: dict[str, str]) -> Graph:
    from splice.index.languages import language_for_path

    graph = Graph()
    for path, source in files.items():
        lang = language_for_path(path) or "typescript"
        graph.put_file(FileRecord(path, lang, "h", len(source), 0, 0), extract(path, lang, source.encode()))
    for path, edges in Resolver(graph).resolve(list(files)).items():
        graph.set_edges(path, edges)
    return graph


def ts_symbols(files: dict[str, str], path: str) -> dict[str, MissingSymbol]:
    graph = build_ts(files)
    return {m.name: m for m in missing_symbols(graph, path, lambda p: files[p].encode())}


TS = {"src/util.ts": "export function known(a: number) {\n  return a;\n}\n"}


def test_ts_named_import_from_a_module_to_create() -> None:
    files = {
        **TS,
        "src/app.ts": (
            'import { known, parseHeader } from "./http";\n'
            "const kind = parseHeader(`a${b}`, { strict: true });\n"
            "if (parseHeader(raw)) {}\n"
        ),
    }
    sym = ts_symbols(files, "src/app.ts")["parseHeader"]
    assert (sym.target_path, sym.target_exists) == ("src/http.ts", False)
    assert len(sym.call_sites) == 2
    assert sym.signature.text == ("export function parseHeader(raw: string, options?: { strict: boolean })")


def test_ts_namespace_import_into_an_existing_module() -> None:
    files = {**TS, "src/app.ts": 'import * as util from "./util";\nawait util.fetchAll(url, 3);\n'}
    sym = ts_symbols(files, "src/app.ts")["fetchAll"]
    assert (sym.target_path, sym.target_exists) == ("src/util.ts", True)
    assert sym.signature.text == "export async function fetchAll(url: unknown, n: number): Promise<void>"


def test_ts_bare_call_and_this_method() -> None:
    files = {
        **TS,
        "src/app.ts": "class A {\n  m() {\n    return this.helper(2, ...rest);\n  }\n}\nconst ok = check(null, 'x');\n",
    }
    found = ts_symbols(files, "src/app.ts")
    assert found["helper"].target_class == "A"
    assert found["helper"].signature.text == "helper(n: number, ...args: unknown[])"
    assert found["check"].target_path == "src/app.ts"
    assert found["check"].signature.text == "function check(arg: unknown, text: string)"


def test_js_signature_has_no_types() -> None:
    files = {"src/a.js": "export const z = 1;\n", "src/b.js": 'import { make } from "./a.js";\nmake(1, "two");\n'}
    sym = ts_symbols(files, "src/b.js")["make"]
    assert (sym.target_path, sym.target_exists) == ("src/a.js", True)
    assert sym.signature.text == "export function make(n, text)"


@pytest.mark.parametrize(
    "source",
    [
        'import { get } from "axios";\nget("u");\n',
        "console.log(1);\nsetTimeout(() => 1, 5);\nJSON.parse('{}');\n",
        "function f(cb) {\n  cb();\n}\n",
        'import def from "./util";\ndef();\n',
        'import { known } from "./util";\nknown(1);\n',
        'import { x } from "./nowhere/deep";\nx();\n',
    ],
)
def test_ts_not_missing(source: str) -> None:
    files = {**TS, "src/app.ts": source}
    assert missing_refs(build_ts(files), "src/app.ts") == []


def test_ts_call_site_details() -> None:
    source = b"for (const y of list(1)) {}\nconst x = list(-2.5, [1], () => 1, a['key'], this.size);\n"
    first, second = call_sites("m.ts", "typescript", source, {"list"})
    assert first.result == "iterated"
    assert second.result == "assigned" and second.result_name == "x"
    assert [(a.name, a.type) for a in second.positional] == [
        (None, "number"),
        (None, "unknown[]"),
        (None, "(...args: unknown[]) => unknown"),
        ("key", None),
        ("size", None),
    ]
