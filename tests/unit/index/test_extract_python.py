"""Python extraction, case by case: each check lists lines the rendering (golden.render) must contain."""

from __future__ import annotations

import pytest
from tests.unit.index.golden import check

from splice.index.extract import extract, module_name

CASES: list[tuple[str, str, list[str], tuple[str, ...]]] = [
    (
        "decorated function: span from the decorator, signature from def, docstring",
        '@app.route("/")\n@login_required\ndef index(req: Request) -> Response:\n    """Home page."""\n',
        [
            "function index 'index' | span 0:0-3:20 | sel 2:4-2:9 | parent <module> | "
            "def index(req: Request) -> Response:",
            "    doc: Home page.",
            "references login_required | in index",
            "calls app.route | in index",
            "references Request | in index",
        ],
        (),
    ),
    (
        "methods vs functions, nested qualnames, async",
        "class A:\n    async def m(self):\n        def inner():\n            pass\n",
        ["class A ", "method A.m ", "function A.m.inner 'inner' | span 2:8-3:16 | sel 2:12-2:17 | parent A.m"],
        (),
    ),
    (
        "module constants vs variables, annotated, TYPE_CHECKING branch, class fields",
        "MAX: int = 3\nlogger = get_logger()\nif TYPE_CHECKING:\n    T = 1\nclass C:\n    x: int\n    y = 2\n",
        [
            "constant MAX 'MAX' | span 0:0-0:12",
            "variable logger ",
            "constant T ",
            "field C.x 'x' | span 5:4-5:10 | sel 5:4-5:5 | parent C | x: int",
            "field C.y ",
            "calls get_logger | in logger",
        ],
        (),
    ),
    (
        "duplicate qualnames get distinct ids",
        "def f(): pass\ndef f(): pass\nclass K:\n    def g(self): pass\n    def g(self): pass\n",
        ["function f 'f'", "function f [f#2] 'f'", "method K.g 'g'", "method K.g [K.g#2] 'g'"],
        (),
    ),
    (
        "receivers: attribute chains, calls and subscripts in the chain",
        "def f(self):\n    self.session.send()\n    get().json()\n    items[0].close()\n    os.path.join(a)\n",
        [
            "calls self.session.send | in f",
            "calls get.().json | in f",
            "calls get | in f",
            "calls items.[].close | in f",
            "calls os.path.join | in f",
        ],
        (),
    ),
    (
        "parameters, local assignments and closure variables are not references; builtins are skipped",
        "def f(a, *rest, b=DEFAULT, **kw):\n    x = a\n    for i in rest: use(i, x, GLOBAL)\n"
        "    def g():\n        return x + a\n    return len(kw)\n",
        ["references DEFAULT | in f", "calls use | in f", "references GLOBAL | in f"],
        ("references a ", "references x ", "references i ", "calls len ", "references kw "),
    ),
    (
        "names in with items, dict keys, f-strings and lambdas are references",
        "def f():\n    with LOCK:\n        d = {KEY: 1}\n"
        '        s = f"{PREFIX}-{cfg.name}"\n        g = lambda: DEFAULT\n',
        [
            "references LOCK | in f",
            "references KEY | in f",
            "references PREFIX | in f",
            "references cfg.name | in f",
            "references DEFAULT | in f",
        ],
        (),
    ),
    (
        "dedupe per (scope, receiver, name, kind): the first occurrence is kept",
        "def f():\n    g()\n    g()\n    g\n",
        ["calls g | in f | at 1:4-1:5", "references g | in f | at 3:4-3:5"],
        ("calls g | in f | at 2:4",),
    ),
    (
        "inheritance from bases; keyword arguments are references",
        "class A(Base, pkg.Mixin, metaclass=Meta):\n    pass\n",
        ["inherits Base | in A", "inherits pkg.Mixin | in A", "references Meta | in A"],
        (),
    ),
    (
        "generic bases inherit; their type arguments are references",
        "class P(Proxy[Flask], t.Generic[T]):\n    pass\n",
        ["inherits Proxy | in P", "references Flask | in P", "inherits t.Generic | in P", "references T | in P"],
        ("references Proxy ", "references t.Generic "),
    ),
    (
        "imports: every form, relative levels, scope of a function-level import",
        "import a.b\nimport a.b as m, c\nfrom . import x\nfrom ..pkg.mod import a as b, c\nfrom x import *\n"
        "def f():\n    import json\n",
        [
            "import a.b | in <module>",
            "import a.b as m | in <module>",
            "import c | in <module>",
            "from . import x | in <module>",
            "from ..pkg.mod import a as b, c",
            "from x import * ",
            "import json | in f",
        ],
        (),
    ),
    (
        "assignments for attribute-chain resolution",
        "class S:\n    def __init__(self):\n        self.session = sessions.Session()\n        self.alias = other\n"
        "client = Client()\nx = client\n",
        [
            "assign self.session = sessions.Session() | in S.__init__",
            "assign self.alias = other | in S.__init__",
            "assign client = Client() | in <module>",
            "assign x = client | in <module>",
        ],
        (),
    ),
    (
        "class-body initialisers are what self.<name> holds",
        "class App:\n    session_interface: SessionInterface = SecureCookieSessionInterface()\n"
        "    def f(self):\n        x = Foo()\n",
        ["assign self.session_interface = SecureCookieSessionInterface() | in App", "assign x = Foo() | in App.f"],
        (),
    ),
    (
        "comments directly above a constant are its doc; a blank line detaches them",
        "#: Seconds to wait.\nTIMEOUT = 5\n\n# unrelated\n\nRETRIES = 3\n",
        [
            "constant TIMEOUT 'TIMEOUT' | span 0:0-1:11",
            "    doc: Seconds to wait.",
            "constant RETRIES 'RETRIES' | span 5:0",
        ],
        (),
    ),
]


@pytest.mark.parametrize(("source", "expected", "absent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_python(source: str, expected: list[str], absent: tuple[str, ...]) -> None:
    check("python", source, expected, absent)


def test_module_symbol() -> None:
    fx = extract("pkg/sub/__init__.py", "python", b'"""Package doc."""\nX = 1\n')
    module = fx.symbols[0]
    assert (module.id, module.name, module.qualname, module.kind, module.parent) == (
        "pkg/sub/__init__.py::",
        "pkg.sub",
        "",
        "module",
        None,
    )
    assert module.doc == "Package doc."
    assert (module.span.start_byte, module.span.end_byte) == (0, 25)
    assert module.span.end.line == 2


def test_module_names() -> None:
    assert module_name("a/b/c.py", "python") == "a.b.c"
    assert module_name("__init__.py", "python") == ""
    assert module_name("src/util/index.ts", "typescript") == "src/util/index"


def test_signature_is_one_line_and_bounded() -> None:
    params = ", ".join(f"p{i}: int" for i in range(100))
    fx = extract("m.py", "python", f"def f(\n    {params},\n):\n    pass\n".encode())
    sig = fx.symbols[1].signature
    assert "\n" not in sig and sig.startswith("def f( p0: int, p1: int")
    assert len(sig) <= 200 and sig.endswith("…")
