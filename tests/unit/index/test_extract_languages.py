"""Go, Rust and Java (full extraction) and C, C++, C#, Ruby, PHP (definitions first), case by case."""

from __future__ import annotations

import pytest
from tests.unit.index.golden import check

CASES: list[tuple[str, str, str, list[str], tuple[str, ...]]] = [
    (
        "Go imports: plain, aliased, dot (star) and blank",
        "go",
        'package m\nimport (\n\t"fmt"\n\tweb "net/http"\n\t. "x/dsl"\n\t_ "x/driver"\n)\n',
        ["import fmt | in <module>", "import net/http as web", "from x/dsl import *", "import x/driver as _"],
        (),
    ),
    (
        "Go methods are qualified by their receiver type and parented to it when it is declared in the file",
        "go",
        "package m\nfunc (s *Server) Start() {}\ntype Server struct{ Addr string }\nfunc (c Client) Do() {}\n",
        [
            "method Server.Start 'Start' | span 1:0-1:27 | sel 1:17-1:22 | parent Server | func (s *Server) Start()",
            "struct Server ",
            "field Server.Addr ",
            "method Client.Do 'Do' | span 3:0-3:23 | sel 3:16-3:18 | parent <module>",
        ],
        (),
    ),
    (
        "Go: const/var blocks, embedded structs inherit, locals are skipped, := assignments",
        "go",
        "package m\nconst (\n\tA = 1\n\tB = 2\n)\ntype T struct {\n\tBase\n\t*pkg.Mixin\n}\n"
        "func F(x int) {\n\ty := NewThing(x)\n\ty.Run(A)\n\tfmt.Println(y, B)\n}\n",
        [
            "constant A ",
            "constant B ",
            "inherits Base | in T",
            "inherits pkg.Mixin | in T",
            "calls NewThing | in F",
            "calls y.Run | in F",
            "references A | in F",
            "references B | in F",
            "calls fmt.Println | in F",
            "assign y = NewThing() | in F",
        ],
        ("references x ", "references y "),
    ),
    (
        "Rust use trees are flattened into one record per leaf",
        "rust",
        "use a::b::{c, d as e, self, f::*};\nuse std::fmt;\nuse crate::util as u;\n",
        [
            "from a::b import c | in <module>",
            "from a::b import d as e",
            "import a::b | in <module>",
            "from a::b::f import *",
            "from std import fmt",
            "from crate import util as u",
        ],
        (),
    ),
    (
        "Rust impl blocks qualify methods; trait impls inherit, scoped to the type",
        "rust",
        "struct S;\ntrait Show { fn show(&self); }\nimpl Show for S { fn show(&self) { fmt::print(self); } }\n"
        "impl S { pub fn new() -> Self { S } }\n",
        [
            "struct S ",
            "trait Show ",
            "method Show.show ",
            "method S.show 'show' | span 2:18-2:54 | sel 2:21-2:25 | parent S |",
            "method S.new ",
            "inherits Show | in S",
            "calls fmt.print | in S.show",
        ],
        (),
    ),
    (
        "Rust doc comments and attributes belong to the item; //! does not",
        "rust",
        "//! crate doc\n/// Counts.\n#[inline]\npub fn count(v: &[u8]) -> usize { v.len() }\n",
        [
            "function count 'count' | span 1:0-3:43 | sel 3:7-3:12 | parent <module> | pub fn count(v: &[u8]) -> usize",
            "    doc: Counts.",
        ],
        ("    doc: crate doc",),
    ),
    (
        "Java imports: class, static member, wildcard",
        "java",
        "import java.util.List;\nimport static org.junit.Assert.assertEquals;\nimport com.acme.*;\n",
        [
            "import java.util.List | in <module>",
            "from org.junit.Assert import assertEquals",
            "from com.acme import *",
        ],
        (),
    ),
    (
        "Java members, Javadoc, inheritance, method invocations with receivers",
        "java",
        "/** Runs. */\nclass Job extends Task implements Runnable {\n  private Repo repo;\n"
        "  public void run() { repo.load().save(LIMIT); Util.log(this); }\n}\n",
        [
            "class Job 'Job' | span 0:0-4:1 | sel 1:6-1:9 | parent <module> | "
            "class Job extends Task implements Runnable",
            "    doc: Runs.",
            "field Job.repo ",
            "method Job.run ",
            "inherits Task | in Job",
            "inherits Runnable | in Job",
            "calls repo.load.().save | in Job.run",
            "calls repo.load | in Job.run",
            "references LIMIT | in Job.run",
            "calls Util.log | in Job.run",
        ],
        (),
    ),
    (
        "C definitions: functions through pointer declarators, structs, typedefs, macros, globals",
        "c",
        "#define N 4\nstruct node { int v; };\ntypedef struct node node_t;\nint total = 0;\n"
        "node_t *mk(void) { return alloc(N); }\n",
        ["constant N ", "struct node ", "type node_t ", "variable total ", "function mk ", "calls alloc | in mk"],
        (),
    ),
    (
        "C++ namespaces, classes, out-of-line methods qualified by their class",
        "cpp",
        "namespace app {\nclass Window : public Widget { void paint(); };\nvoid Window::paint() { draw(); }\n}\n",
        ["namespace app ", "class app.Window ", "method app.Window.paint ", "method Window.paint ", "inherits Widget"],
        (),
    ),
    (
        "C# namespaces, classes, properties, enums, bases",
        "c_sharp",
        "namespace Shop { public class Cart : Base, ICart { public int Count { get; set; } void Add() {} }\n"
        "enum S { A } }",
        [
            "namespace Shop ",
            "class Shop.Cart ",
            "field Shop.Cart.Count ",
            "method Shop.Cart.Add ",
            "enum Shop.S ",
            "inherits Base | in Shop.Cart",
            "inherits ICart | in Shop.Cart",
        ],
        (),
    ),
    (
        "Ruby classes, modules, methods, singleton methods, constants",
        "ruby",
        "module Shop\n  class Cart < Base\n    MAX = 3\n    def add(item); end\n    def self.empty; end\n  end\nend\n",
        [
            "namespace Shop ",
            "class Shop.Cart ",
            "constant Shop.Cart.MAX ",
            "method Shop.Cart.add ",
            "method Shop.Cart.empty ",
            "inherits Base | in Shop.Cart",
        ],
        (),
    ),
    (
        "PHP namespaces, classes, interfaces, traits, methods, properties, constants",
        "php",
        "<?php\nclass Cart extends Base implements Countable {\n  const MAX = 3;\n  private $items;\n"
        "  public function add($i) { store($i); }\n}\ninterface Countable {}\ntrait Logs {}\nfunction helper() {}\n",
        [
            "class Cart ",
            "constant Cart.MAX ",
            "field Cart.items ",
            "method Cart.add ",
            "interface Countable ",
            "trait Logs ",
            "function helper ",
            "inherits Base | in Cart",
            "calls store | in Cart.add",
        ],
        (),
    ),
]


@pytest.mark.parametrize(("lang", "source", "expected", "absent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_language(lang: str, source: str, expected: list[str], absent: tuple[str, ...]) -> None:
    check(lang, source, expected, absent)
