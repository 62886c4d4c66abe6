"""Stub detection per language and pattern, as tables: (language, source, expected [(qualname, pattern)])."""

from __future__ import annotations

import pytest

from splice.features.generate.stubs import StubPattern, stub_at, stubs_in
from splice.index.model import SymbolKind

P = StubPattern
PATH = {"python": "m.py", "javascript": "m.js", "typescript": "m.ts", "tsx": "m.tsx", "go": "m.go", "rust": "m.rs",
        "java": "M.java"}  # fmt: skip

CASES: list[tuple[str, str, str, list[tuple[str, StubPattern]]]] = [
    # -- Python
    ("py-pass", "python", "def f(a):\n    pass\n", [("f", P.PASS)]),
    ("py-ellipsis", "python", "def f(a): ...\n", [("f", P.ELLIPSIS)]),
    ("py-raise-class", "python", "def f():\n    raise NotImplementedError\n", [("f", P.NOT_IMPLEMENTED)]),
    ("py-raise-call", "python", "def f():\n    raise NotImplementedError('later')\n", [("f", P.NOT_IMPLEMENTED)]),
    ("py-docstring", "python", 'def f():\n    """Return the answer."""\n', [("f", P.DOCSTRING_ONLY)]),
    ("py-doc+pass", "python", 'def f():\n    """Doc."""\n    pass\n', [("f", P.PASS)]),
    ("py-todo+pass", "python", "def f():\n    # TODO: parse it\n    pass\n", [("f", P.TODO)]),
    ("py-fixme+ellipsis", "python", "def f():\n    ...  # FIXME\n", [("f", P.TODO)]),
    ("py-todo+return-none", "python", "def f():\n    # TODO\n    return None\n", [("f", P.TODO)]),
    ("py-method", "python", "class A:\n    def m(self):\n        pass\n", [("A.m", P.PASS)]),
    ("py-async", "python", "async def f():\n    ...\n", [("f", P.ELLIPSIS)]),
    (
        "py-nested",
        "python",
        "def outer():\n    def inner():\n        pass\n    return inner\n",
        [("outer.inner", P.PASS)],
    ),
    ("py-decorated", "python", "@cache\ndef f():\n    pass\n", [("f", P.PASS)]),
    ("py-real-body", "python", "def f(a):\n    return a + 1\n", []),
    ("py-two-statements", "python", "def f():\n    x = 1\n    pass\n", []),
    ("py-comment-not-todo", "python", "def f():\n    # nothing to do here\n    pass\n", [("f", P.PASS)]),
    ("py-abstract", "python", "class A(ABC):\n    @abstractmethod\n    def m(self): ...\n", []),
    ("py-overload", "python", "@overload\ndef f(a: int) -> int: ...\n", []),
    ("py-protocol", "python", "class P(Protocol):\n    def m(self) -> int: ...\n", []),
    ("py-return-none-no-todo", "python", "def f():\n    return None\n", []),
    # -- JavaScript
    ("js-todo", "javascript", "function f(a) {\n  // TODO: implement\n}\n", [("f", P.TODO)]),
    ("js-throw", "javascript", "function f() { throw new Error('not implemented'); }\n", [("f", P.NOT_IMPLEMENTED)]),
    ("js-throw-todo", "javascript", "const f = () => { throw new Error('TODO') };\n", [("f", P.NOT_IMPLEMENTED)]),
    ("js-throw-other", "javascript", "function f() { throw new Error('bad input'); }\n", []),
    ("js-empty-doc", "javascript", "/** Sum the values. */\nfunction sum(xs) {}\n", [("sum", P.EMPTY)]),
    ("js-empty-nodoc", "javascript", "function noop() {}\n", []),
    ("js-callback", "javascript", "items.forEach(() => { throw new Error('TODO'); });\n", []),
    (
        "js-method",
        "javascript",
        "class C {\n  m() { throw new Error('Not implemented') }\n}\n",
        [("C.m", P.NOT_IMPLEMENTED)],
    ),
    ("js-object-method", "javascript", "const o = { k() { /* TODO */ } };\n", [("o.k", P.TODO)]),
    ("js-constructor", "javascript", "class C {\n  constructor() {}\n}\n", []),
    # -- TypeScript
    ("ts-empty-typed", "typescript", "function f(a: number): number {}\n", [("f", P.EMPTY)]),
    ("ts-empty-void", "typescript", "function f(a: number): void {}\n", []),
    ("ts-export-doc", "typescript", "/** Parse. */\nexport function parse(s: string) {}\n", [("parse", P.EMPTY)]),
    (
        "ts-throw",
        "typescript",
        'class C {\n  m(): string { throw new Error("TODO"); }\n}\n',
        [("C.m", P.NOT_IMPLEMENTED)],
    ),
    ("ts-plain-comment-empty", "typescript", "// V8 needs an empty constructor\nfunction Empty(this: any) {}\n", []),
    ("ts-asserts", "typescript", "export function assert<T>(_: any): asserts _ is T {}\n", []),
    ("go-doc-empty", "go", "package p\n// Close releases r.\nfunc (r *R) Close() {}\n", [("R.Close", P.EMPTY)]),
    ("ts-abstract", "typescript", "abstract class C {\n  abstract m(): void;\n}\n", []),
    (
        "ts-custom-error",
        "typescript",
        "function f(): void { throw new NotImplementedError(); }\n",
        [("f", P.NOT_IMPLEMENTED)],
    ),
    ("tsx-todo", "tsx", "function View(): JSX.Element {\n  // TODO\n  return null;\n}\n", [("View", P.TODO)]),
    # -- Go
    ("go-panic-todo", "go", 'package p\nfunc F() int {\n\tpanic("TODO")\n}\n', [("F", P.NOT_IMPLEMENTED)]),
    ("go-panic-implement-me", "go", 'package p\nfunc F() {\n\tpanic("implement me")\n}\n', [("F", P.NOT_IMPLEMENTED)]),
    ("go-panic-other", "go", "package p\nfunc F() {\n\tpanic(err)\n}\n", []),
    ("go-todo-comment", "go", "package p\nfunc (r *R) Read() {\n\t// TODO\n}\n", [("R.Read", P.TODO)]),
    ("go-empty-result", "go", "package p\nfunc F() (int, error) {}\n", [("F", P.EMPTY)]),
    ("go-empty-marker", "go", "package p\nfunc (n *Node) isNode() {}\n", []),
    ("go-todo-return-nil", "go", "package p\nfunc F() error {\n\t// TODO\n\treturn nil\n}\n", [("F", P.TODO)]),
    # -- Rust
    ("rs-todo", "rust", "fn f() -> i32 { todo!() }\n", [("f", P.NOT_IMPLEMENTED)]),
    (
        "rs-unimplemented",
        "rust",
        'impl S {\n    fn m(&self) { unimplemented!("x"); }\n}\n',
        [("S.m", P.NOT_IMPLEMENTED)],
    ),
    ("rs-empty-result", "rust", "fn f() -> String {}\n", [("f", P.EMPTY)]),
    ("rs-empty-unit", "rust", "fn f() {}\n", []),
    ("rs-doc-empty", "rust", "/// Flush the buffer.\nfn flush(&mut self) {}\n", [("flush", P.EMPTY)]),
    ("rs-todo-comment", "rust", "fn f() {\n    // FIXME: later\n}\n", [("f", P.TODO)]),
    ("rs-trait-sig", "rust", "trait T { fn t(&self); }\n", []),
    ("rs-real", "rust", "fn f() -> i32 { 1 }\n", []),
    # -- Java
    (
        "java-unsupported",
        "java",
        "class A {\n  int f() { throw new UnsupportedOperationException(); }\n}\n",
        [("A.f", P.NOT_IMPLEMENTED)],
    ),
    ("java-todo", "java", "class A {\n  void g() {\n    // TODO\n  }\n}\n", [("A.g", P.TODO)]),
    (
        "java-eclipse",
        "java",
        "class A {\n  String g() {\n    // TODO Auto-generated method stub\n    return null;\n  }\n}\n",
        [("A.g", P.TODO)],
    ),
    ("java-empty-nonvoid", "java", "class A {\n  int f() {}\n}\n", [("A.f", P.EMPTY)]),
    ("java-empty-void", "java", "class A {\n  void f() {}\n}\n", []),
    ("java-constructor", "java", "class A {\n  A() {}\n}\n", []),
    ("java-abstract", "java", "abstract class A {\n  abstract int f();\n}\n", []),
]


@pytest.mark.parametrize(("lang", "source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_stub_patterns(lang: str, source: str, expected: list[tuple[str, StubPattern]]) -> None:
    found = stubs_in(PATH[lang], lang, source.encode())
    assert [(s.qualname, s.pattern) for s in found] == expected


def test_python_stub_fields() -> None:
    source = b'class Parser:\n    async def parse(self, text: str) -> int:\n        """Parse text."""\n        ...\n'
    (stub,) = stubs_in("pkg/p.py", "python", source)
    assert (stub.path, stub.lang, stub.name, stub.kind) == ("pkg/p.py", "python", "parse", SymbolKind.METHOD)
    assert stub.signature == "async def parse(self, text: str) -> int:"
    assert stub.doc == "Parse text."
    assert stub.marker == "..."
    assert source[stub.body.start_byte : stub.body.end_byte] == b'"""Parse text."""\n        ...'
    assert source[stub.span.start_byte : stub.span.end_byte].startswith(b"async def parse")


def test_python_leading_todo_comment_is_part_of_the_body() -> None:
    source = b"def f():  # TODO: make it so\n    pass\n"
    (stub,) = stubs_in("m.py", "python", source)
    assert stub.pattern is P.TODO
    assert stub.notes == ("TODO: make it so",)
    assert stub.signature == "def f():"
    assert source[stub.body.start_byte : stub.body.end_byte] == b"# TODO: make it so\n    pass"


def test_decorated_stub_span_includes_decorators() -> None:
    source = b"@app.route('/')\ndef index():\n    pass\n"
    (stub,) = stubs_in("m.py", "python", source)
    assert stub.span.start_byte == 0


def test_brace_body_and_doc_comment() -> None:
    source = b'// Parse parses s.\n// It never fails.\nfunc Parse(s string) (int, error) {\n\tpanic("TODO")\n}\n'
    (stub,) = stubs_in("p.go", "go", b"package p\n" + source)
    assert stub.doc == "Parse parses s.\nIt never fails."
    assert stub.signature == "func Parse(s string) (int, error)"
    assert stub.marker == 'panic("TODO")'
    body = (b"package p\n" + source)[stub.body.start_byte : stub.body.end_byte]
    assert body.startswith(b"{") and body.endswith(b"}")


def test_ts_export_span_covers_export_keyword() -> None:
    source = b"export const f = (): number => { throw new Error('TODO'); };\n"
    (stub,) = stubs_in("m.ts", "typescript", source)
    assert stub.name == "f"
    assert source[stub.span.start_byte : stub.span.end_byte] == source.rstrip(b"\n")


def test_stub_at_cursor_inside_signature_body_and_decorator() -> None:
    source = b"@dec\ndef f(a):\n    pass\n\nx = 1\n"
    assert stub_at("m.py", "python", source, 0, 1) is not None  # on the decorator
    assert stub_at("m.py", "python", source, 1, 6) is not None  # in the parameters
    found = stub_at("m.py", "python", source, 2, 4)
    assert found is not None and found.name == "f"


def test_stub_at_outside_any_function_is_none() -> None:
    source = b"def f():\n    pass\n\nx = 1\n"
    assert stub_at("m.py", "python", source, 3, 0) is None


def test_stub_at_in_a_real_function_is_none() -> None:
    source = b"def f():\n    return 1\n"
    assert stub_at("m.py", "python", source, 1, 5) is None


def test_stub_at_prefers_innermost() -> None:
    source = b"class A:\n    def m(self):\n        pass\n"
    found = stub_at("m.py", "python", source, 2, 8)
    assert found is not None and found.qualname == "A.m"


@pytest.mark.parametrize(
    ("path", "lang"), [("m.pyi", "python"), ("m.d.ts", "typescript"), ("m.c", "c"), ("m.rb", "ruby")]
)
def test_no_stubs_for_declaration_files_and_other_languages(path: str, lang: str) -> None:
    assert stubs_in(path, lang, b"def f(): ...\nvoid f() {}\n") == []


def test_broken_source_does_not_raise() -> None:
    source = b"def f(:\n    pass\ndef g():\n    pass\n"
    names = [s.name for s in stubs_in("m.py", "python", source)]
    assert "g" in names


def test_non_utf8_source_does_not_raise() -> None:
    source = b"def f():\n    '\xff\xfe'\n"
    (stub,) = stubs_in("m.py", "python", source)
    assert stub.pattern is P.DOCSTRING_ONLY


def test_existing_tree_is_reused() -> None:
    from splice.index.parser import parse

    source = b"def f():\n    pass\n\ndef g():\n    return 1\n"
    tree = parse("python", source)
    assert stubs_in("m.py", "python", source, tree=tree) == stubs_in("m.py", "python", source)
    assert stub_at("m.py", "python", source, 1, 4, tree=tree) == stubs_in("m.py", "python", source)[0]


def test_big_bodies_are_never_stubs() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(20))
    source = f"def f():\n{body}    pass\n".encode()
    assert stubs_in("m.py", "python", source) == []


@pytest.mark.parametrize(("line", "col"), [(-1, 0), (0, -3), (10**6, 0), (2**40, 2**40)])
def test_positions_outside_the_file(line: int, col: int) -> None:
    assert stub_at("m.py", "python", b"def f():\n    pass\n", line, col) is None
