"""JavaScript, TypeScript and TSX extraction, case by case (lines the golden.render output must contain)."""

from __future__ import annotations

import pytest
from tests.unit.index.golden import check

CASES: list[tuple[str, str, str, list[str], tuple[str, ...]]] = [
    (
        "ES imports: default, named with alias, namespace, side effect",
        "javascript",
        'import d, { a as b, c } from "./x";\nimport * as ns from "y";\nimport "./polyfill";\n',
        [
            "from ./x import default as d, a as b, c | in <module>",
            "import y as ns | in <module>",
            "import ./polyfill | in <module>",
        ],
        (),
    ),
    (
        "re-exports matter for index files: named, star, star-as",
        "typescript",
        'export { q as r, s } from "./z";\nexport * from "./w";\nexport * as util from "./util";\n',
        ["from ./z import q as r, s | in <module>", "from ./w import * | in <module>", "import ./util as util"],
        (),
    ),
    (
        "CommonJS require with a binding, a destructuring and none; dynamic import",
        "javascript",
        'const fs = require("fs");\nconst { join, sep: s } = require("./path");\nrequire("./side");\n'
        'async function f() { const m = await import("./lazy"); }\n',
        [
            "import fs as fs | in <module>",
            "from ./path import join, sep as s | in <module>",
            "import ./side | in <module>",
            "import ./lazy | in f",
        ],
        ("calls require",),
    ),
    (
        "CommonJS exports: exports.name defines name, module.exports = Name is the default",
        "javascript",
        "/** Adds. */\nexports.add = function (a, b) { return sum(a, b); };\nexports.VERSION = '1';\n"
        "module.exports = Calculator;\nfunction inner() { exports.local = 1; }\n",
        [
            "function add 'add' | span 0:0-1:52 | sel 1:8-1:11 | parent <module> | exports.add = function (a, b)",
            "    doc: Adds.",
            "variable VERSION ",
            "calls sum | in add",
            "assign default = Calculator | in <module>",
        ],
        ("variable local", "assign module.exports"),
    ),
    (
        "top-level const/let, arrow functions are functions, JSDoc above an export",
        "javascript",
        "/** The limit. */\nexport const LIMIT = 5;\nlet state = {};\nexport const go = async (a) => run(a, LIMIT);\n",
        [
            "constant LIMIT 'LIMIT' | span 0:0-1:23 | sel 1:13-1:18 | parent <module> | export const LIMIT = 5",
            "    doc: The limit.",
            "variable state ",
            "function go 'go' | span 3:0-3:45 | sel 3:13-3:15 | parent <module> | export const go = async (a) =>",
            "calls run | in go",
            "references LIMIT | in go",
        ],
        ("references a ",),
    ),
    (
        "classes: methods vs fields, extends, this-assignments, new",
        "javascript",
        "class A extends lib.Base {\n  static n = 0;\n  constructor(x) { super(x); this.store = new Store(x); }\n"
        "  save() { this.store.put(this); }\n}\n",
        [
            "class A ",
            "field A.n ",
            "method A.constructor ",
            "method A.save ",
            "inherits lib.Base | in A",
            "calls Store | in A.constructor",
            "calls this.store.put | in A.save",
            "assign this.store = Store() | in A.constructor",
        ],
        ("calls super", "references x "),
    ),
    (
        "TypeScript declarations: interface members, type alias, enum, namespace, overloads",
        "typescript",
        "interface Shape extends Named { area(): number; sides: number }\ntype Id = string | Key;\n"
        "enum Color { Red }\nnamespace NS { export const x = 1; }\nfunction f(a: string): void;\n"
        "function f(a: unknown) {}\n",
        [
            "interface Shape ",
            "method Shape.area ",
            "field Shape.sides ",
            "type Id 'Id'",
            "enum Color ",
            "namespace NS ",
            "function f 'f'",
            "function f [f#2] 'f'",
            "inherits Named | in Shape",
            "references Key | in Id",
        ],
        (),
    ),
    (
        "TypeScript classes: implements, typed fields, parameter properties are locals",
        "typescript",
        "export class Repo<T> extends Base<T> implements Store, Closeable {\n"
        "  private cache: Map<string, Item> = new Map();\n"
        "  constructor(private readonly db: Database) { super(); }\n"
        "  get(id: Id): Item { return this.db.find(id); }\n}\n",
        [
            "class Repo ",
            "field Repo.cache ",
            "inherits Base | in Repo",
            "inherits Store | in Repo",
            "inherits Closeable | in Repo",
            "references Item | in Repo.cache",
            "references Database | in Repo.constructor",
            "calls this.db.find | in Repo.get",
        ],
        ("references id ", "calls Map", "references Map"),
    ),
    (
        "a class expression bound to a top-level const is a class with methods",
        "typescript",
        "export const Repo = class extends Base { load(): void { fetch(URL); } };\n",
        [
            "class Repo 'Repo' | span 0:0-0:72 | sel 0:13-0:17 | parent <module> | "
            "export const Repo = class extends Base",
            "method Repo.load ",
            "inherits Base | in Repo",
            "calls fetch | in Repo.load",
            "references URL | in Repo.load",
        ],
        ("constant Repo",),
    ),
    (
        "default exports are recorded as `default = Name` at module scope",
        "typescript",
        "class Store {}\nexport default Store;\n",
        ["assign default = Store | in <module>", "references Store | in <module>"],
        (),
    ),
    (
        "a default-exported declaration is its own default",
        "javascript",
        "export default function handler(req) { return reply(req); }\n",
        ["function handler ", "assign default = handler | in <module>", "calls reply | in handler"],
        (),
    ),
    (
        "TSX: components are references, intrinsic elements are not",
        "tsx",
        "export function App() { return <div><Header title={TITLE} /><ui.Card /></div>; }\n",
        ["function App ", "references Header | in App", "references TITLE | in App", "references ui.Card | in App"],
        ("references div",),
    ),
]


@pytest.mark.parametrize(("lang", "source", "expected", "absent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ecma(lang: str, source: str, expected: list[str], absent: tuple[str, ...]) -> None:
    check(lang, source, expected, absent)
