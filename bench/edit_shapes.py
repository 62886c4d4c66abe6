"""Model-answer shapes across Python, TypeScript, Go, Rust and Java: each a workspace file, an answer written the
way chat models write them, the CLI arguments, and the exact expected file text (None: must be refused).

The tuning corpus for the edit rules; ``edit_heldout.py`` holds answers written before tuning and never tuned on.
Every language gets the same list of shapes (``_shapes``) over its own file (``LANGS``): a changed function, a
changed method (named the way ``splice symbols`` names it), a stub, and the file's head.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    id: str
    path: str
    original: str
    answer: str
    args: tuple[str, ...]
    expected: str | None
    """The file's exact text after ``--apply``; None when the answer must be refused (file untouched)."""


@dataclass(frozen=True)
class Lang:
    key: str
    path: str
    fence: str
    comment: str
    head: str
    """The file's first lines (package/imports), as written in the file."""
    func: str
    """A whole top-level function as written in the file."""
    func_name: str
    func_change: tuple[str, str]
    method: str
    """A method as written in the file (with its indentation)."""
    method_name: str
    """Qualified as ``splice symbols`` names it."""
    method_change: tuple[str, str]
    wrapper: tuple[str, str]
    """Lines opening and closing the method's class/impl (for a wrapper answer); empty for Go."""
    stub: str
    stub_name: str
    stub_body: tuple[str, str]
    """(old body line, new body) — the body as it sits in the file (indented)."""
    other: str
    """Another top-level function, unchanged by every shape."""
    usage: str
    """A usage snippet (calls, no definitions)."""
    doc: str
    """The doc comment/docstring line of ``func`` (kept by every correct apply)."""

    @property
    def original(self) -> str:
        gap = "\n\n\n" if self.key == "py" else "\n\n"
        return f"{self.head}{gap}{self.method_block}\n{gap}{self.func}\n\n{self.stub}\n\n{self.other}"

    @property
    def method_block(self) -> str:
        if not self.wrapper[0]:
            return self.method
        close = f"\n{self.wrapper[1]}" if self.wrapper[1] else ""
        return f"{self.wrapper[0]}\n{self.members}\n{self.method}{close}"

    @property
    def members(self) -> str:
        return {
            "py": '    """Stock levels."""\n\n    def __init__(self):\n        self.levels = {}\n',
            "ts": "  private levels = new Map<string, number>();\n",
            "rs": "    pub fn new() -> Self {\n        Stock { levels: HashMap::new() }\n    }\n",
            "java": "    private final Map<String, Integer> levels = new HashMap<>();\n",
        }.get(self.key, "")


PY = Lang(
    key="py",
    path="inv/stock.py",
    fence="python",
    comment="#",
    head='"""Inventory."""\n\nimport logging\n\nlog = logging.getLogger(__name__)',
    func='def reorder_point(daily, lead_days, safety=0):\n    """Units at which to reorder."""\n'
    "    if daily < 0:\n        raise ValueError(daily)\n    return daily * lead_days + safety\n",
    func_name="reorder_point",
    func_change=("    return daily * lead_days + safety\n", "    return max(0, daily * lead_days + safety)\n"),
    method="    def take(self, sku, n):\n        have = self.levels.get(sku, 0)\n        self.levels[sku] = have - n\n"
    "        return have - n\n",
    method_name="Stock.take",
    method_change=("        self.levels[sku] = have - n\n", "        self.levels[sku] = max(0, have - n)\n"),
    wrapper=("class Stock:", ""),
    stub="def restock(levels, sku, n):\n    raise NotImplementedError\n",
    stub_name="restock",
    stub_body=("    raise NotImplementedError\n", "    levels[sku] = levels.get(sku, 0) + n\n    return levels[sku]\n"),
    other='def describe(levels):\n    return ", ".join(f"{k}={v}" for k, v in sorted(levels.items()))\n',
    usage=">>> reorder_point(3, 5)\n15\n",
    doc='    """Units at which to reorder."""',
)

TS = Lang(
    key="ts",
    path="src/stock.ts",
    fence="ts",
    comment="//",
    head='import { Sku } from "./sku";\nimport { log } from "./log";',
    func="/** Units at which to reorder. */\n"
    "export function reorderPoint(daily: number, leadDays: number, safety = 0): number {\n"
    "  if (daily < 0) {\n    throw new RangeError(String(daily));\n  }\n  return daily * leadDays + safety;\n}\n",
    func_name="reorderPoint",
    func_change=("  return daily * leadDays + safety;\n", "  return Math.max(0, daily * leadDays + safety);\n"),
    method="  take(sku: Sku, n: number): number {\n    const have = this.levels.get(sku) ?? 0;\n"
    "    this.levels.set(sku, have - n);\n    return have - n;\n  }",
    method_name="Stock.take",
    method_change=("    this.levels.set(sku, have - n);\n", "    this.levels.set(sku, Math.max(0, have - n));\n"),
    wrapper=("export class Stock {", "}"),
    stub="export function restock(levels: Map<Sku, number>, sku: Sku, n: number): number {\n"
    '  throw new Error("not implemented");\n}\n',
    stub_name="restock",
    stub_body=(
        '  throw new Error("not implemented");\n',
        "  levels.set(sku, (levels.get(sku) ?? 0) + n);\n  return levels.get(sku)!;\n",
    ),
    other="export function describe(levels: Map<Sku, number>): string {\n"
    '  return [...levels].map(([k, v]) => `${k}=${v}`).join(", ");\n}\n',
    usage="const p = reorderPoint(3, 5);\nconsole.log(p); // 15\n",
    doc="/** Units at which to reorder. */",
)

GO = Lang(
    key="go",
    path="inv/stock.go",
    fence="go",
    comment="//",
    head='package inv\n\nimport (\n\t"fmt"\n\t"sort"\n)\n\ntype Stock struct {\n\tLevels map[string]int\n}',
    func="// ReorderPoint is the units at which to reorder.\nfunc ReorderPoint(daily, leadDays, safety int) int {\n"
    "\tif daily < 0 {\n\t\tpanic(fmt.Sprint(daily))\n\t}\n\treturn daily*leadDays + safety\n}\n",
    func_name="ReorderPoint",
    func_change=("\treturn daily*leadDays + safety\n", "\treturn max(0, daily*leadDays+safety)\n"),
    method="func (s *Stock) Take(sku string, n int) int {\n\thave := s.Levels[sku]\n\ts.Levels[sku] = have - n\n"
    "\treturn have - n\n}",
    method_name="Stock.Take",
    method_change=("\ts.Levels[sku] = have - n\n", "\ts.Levels[sku] = max(0, have-n)\n"),
    wrapper=("", ""),
    stub='func Restock(levels map[string]int, sku string, n int) int {\n\tpanic("not implemented")\n}\n',
    stub_name="Restock",
    stub_body=('\tpanic("not implemented")\n', "\tlevels[sku] += n\n\treturn levels[sku]\n"),
    other="func Describe(levels map[string]int) []string {\n\tkeys := make([]string, 0, len(levels))\n"
    "\tfor k := range levels {\n\t\tkeys = append(keys, k)\n\t}\n\tsort.Strings(keys)\n\treturn keys\n}\n",
    usage="p := inv.ReorderPoint(3, 5, 0)\nfmt.Println(p) // 15\n",
    doc="// ReorderPoint is the units at which to reorder.",
)

RS = Lang(
    key="rs",
    path="src/stock.rs",
    fence="rust",
    comment="//",
    head="use std::collections::HashMap;\n\npub struct Stock {\n    pub levels: HashMap<String, i64>,\n}",
    func="/// Units at which to reorder.\npub fn reorder_point(daily: i64, lead_days: i64, safety: i64) -> i64 {\n"
    '    if daily < 0 {\n        panic!("negative demand {}", daily);\n    }\n    daily * lead_days + safety\n}\n',
    func_name="reorder_point",
    func_change=("    daily * lead_days + safety\n", "    (daily * lead_days + safety).max(0)\n"),
    method="    pub fn take(&mut self, sku: &str, n: i64) -> i64 {\n"
    "        let have = *self.levels.get(sku).unwrap_or(&0);\n        self.levels.insert(sku.to_string(), have - n);\n"
    "        have - n\n    }",
    method_name="Stock.take",
    method_change=(
        "        self.levels.insert(sku.to_string(), have - n);\n",
        "        self.levels.insert(sku.to_string(), (have - n).max(0));\n",
    ),
    wrapper=("impl Stock {", "}"),
    stub="pub fn restock(levels: &mut HashMap<String, i64>, sku: &str, n: i64) -> i64 {\n    todo!()\n}\n",
    stub_name="restock",
    stub_body=(
        "    todo!()\n",
        "    let e = levels.entry(sku.to_string()).or_insert(0);\n    *e += n;\n    *e\n",
    ),
    other="pub fn describe(levels: &HashMap<String, i64>) -> Vec<String> {\n"
    "    let mut keys: Vec<String> = levels.keys().cloned().collect();\n    keys.sort();\n    keys\n}\n",
    usage="let p = reorder_point(3, 5, 0);\nassert_eq!(p, 15);\n",
    doc="/// Units at which to reorder.",
)

JAVA = Lang(
    key="java",
    path="src/main/java/inv/Stock.java",
    fence="java",
    comment="//",
    head="package inv;\n\nimport java.util.HashMap;\nimport java.util.Map;",
    func="",
    func_name="",
    func_change=("", ""),
    method="    public int take(String sku, int n) {\n        int have = levels.getOrDefault(sku, 0);\n"
    "        levels.put(sku, have - n);\n        return have - n;\n    }",
    method_name="Stock.take",
    method_change=("        levels.put(sku, have - n);\n", "        levels.put(sku, Math.max(0, have - n));\n"),
    wrapper=("public class Stock {", ""),
    stub="",
    stub_name="Stock.restock",
    stub_body=(
        "        throw new UnsupportedOperationException();\n",
        "        int now = levels.getOrDefault(sku, 0) + n;\n        levels.put(sku, now);\n        return now;\n",
    ),
    other="",
    usage='Stock s = new Stock();\nSystem.out.println(s.take("a", 1));\n',
    doc="    /** Units at which to reorder. */",
)

# Java keeps everything inside the class: its "function", stub and other are static methods of Stock.
_JAVA_FUNC = (
    "    /** Units at which to reorder. */\n    public static int reorderPoint(int daily, int leadDays, int safety) {\n"
    "        if (daily < 0) {\n            throw new IllegalArgumentException(String.valueOf(daily));\n        }\n"
    "        return daily * leadDays + safety;\n    }\n"
)
_JAVA_STUB = "    public int restock(String sku, int n) {\n        throw new UnsupportedOperationException();\n    }\n"
_JAVA_OTHER = "    public String describe() {\n        return levels.toString();\n    }\n"
JAVA = Lang(
    **{
        **JAVA.__dict__,
        "func": _JAVA_FUNC,
        "func_name": "Stock.reorderPoint",
        "func_change": (
            "        return daily * leadDays + safety;\n",
            "        return Math.max(0, daily * leadDays + safety);\n",
        ),
        "stub": _JAVA_STUB,
        "other": _JAVA_OTHER,
    }
)


class _JavaLang(Lang):
    @property
    def original(self) -> str:
        return (
            f"{self.head}\n\n{self.wrapper[0]}\n{self.members}\n{self.method}\n\n{self.func}\n{self.stub}\n"
            f"{self.other}}}\n"
        )


JAVA = _JavaLang(**JAVA.__dict__)
LANGS = [PY, TS, GO, RS, JAVA]


def _fn(lang: Lang) -> str:
    """The changed function as a model writes it (Java: its method, at class indentation)."""
    return lang.func.replace(*lang.func_change)


def _method(lang: Lang) -> str:
    return lang.method.replace(*lang.method_change) + "\n"


def _dedent(code: str) -> str:
    return textwrap.dedent(code)


def _expect_func(lang: Lang) -> str:
    return lang.original.replace(*lang.func_change, 1)


def _expect_method(lang: Lang) -> str:
    return lang.original.replace(*lang.method_change, 1)


def _expect_stub(lang: Lang) -> str:
    return lang.original.replace(*lang.stub_body, 1)


def _fenced(lang: Lang, code: str, info: str | None = None) -> str:
    return f"```{lang.fence if info is None else info}\n{code if code.endswith(chr(10)) else code + chr(10)}```\n"


def _sr(lang: Lang, old: str, new: str) -> str:
    return f"<<<<<<< SEARCH\n{old}=======\n{new}>>>>>>> REPLACE\n"


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _diff(lang: Lang, old: str, new: str, offset: int = 0, bare: bool = False) -> str:
    text = lang.original
    start = _line_of(text, old)
    lines = text.splitlines()
    before = lines[start - 3 : start - 1]
    old_l, new_l = old.splitlines(), new.splitlines()
    after = lines[start - 1 + len(old_l) : start - 1 + len(old_l) + 2]
    body = [f" {x}" for x in before] + [f"-{x}" for x in old_l] + [f"+{x}" for x in new_l] + [f" {x}" for x in after]
    n_old = len(before) + len(old_l) + len(after)
    n_new = len(before) + len(new_l) + len(after)
    header = "@@ @@" if bare else f"@@ -{start - 2 + offset},{n_old} +{start - 2 + offset},{n_new} @@"
    return f"--- a/{lang.path}\n+++ b/{lang.path}\n{header}\n" + "\n".join(body) + "\n"


ShapeFn = Callable[[Lang], tuple[object, ...]]
"""(answer, args, expected[, original]) — an original other than the language's file (e.g. already patched)."""
_AMBIGUOUS = {"py": "\n", "ts": "}\n", "go": "}\n", "rs": "}\n", "java": "    }\n"}


def _shapes() -> dict[str, ShapeFn]:
    s: dict[str, ShapeFn] = {}
    rest = [
        "rest unchanged",
        "(unchanged)",
        "other functions unchanged",
        "... (no changes below)",
        "keep the remaining code as-is",
        "other methods and functions unchanged",
        "... existing code ...",
    ]

    s["sr"] = lambda L: (f"Change this:\n\n{L.path}\n" + _fenced(L, _sr(L, *L.func_change)), (), _expect_func(L))
    s["sr-unfenced"] = lambda L: (f"{L.path}\n" + _sr(L, *L.func_change), (), _expect_func(L))
    s["sr-target"] = lambda L: (_fenced(L, _sr(L, *L.method_change)), ("--target", L.path), _expect_method(L))
    s["sr-think"] = lambda L: (
        "<think>The method can go negative; clamp it.</think>\n"
        + f"`{L.path}`\n"
        + _fenced(L, _sr(L, *L.method_change)),
        (),
        _expect_method(L),
    )
    s["sr-crlf"] = lambda L: (
        (f"{L.path}\n" + _fenced(L, _sr(L, *L.func_change))).replace("\n", "\r\n"),
        (),
        _expect_func(L),
    )
    s["sr-plus-shell"] = lambda L: (
        f"{L.path}\n" + _fenced(L, _sr(L, *L.func_change)) + "\nThen run the tests:\n\n```bash\nmake test\n```\n",
        (),
        _expect_func(L),
    )
    s["sr-already-applied"] = lambda L: (f"{L.path}\n" + _fenced(L, _sr(L, *L.func_change)), (), None, _expect_func(L))
    s["sr-hallucinated"] = lambda L: (
        f"{L.path}\n" + _fenced(L, _sr(L, L.func_change[0].replace("safety", "safetyStock"), L.func_change[1])),
        (),
        None,
    )
    s["sr-ambiguous"] = lambda L: (
        f"{L.path}\n" + _fenced(L, _sr(L, _AMBIGUOUS[L.key], _AMBIGUOUS[L.key] + "\n")),
        (),
        None,
    )
    s["sr-truncated"] = lambda L: (f"{L.path}\n```{L.fence}\n<<<<<<< SEARCH\n{L.func_change[0]}=======\n", (), None)
    s["diff"] = lambda L: (_fenced(L, _diff(L, *L.func_change), "diff"), (), _expect_func(L))
    s["diff-bare"] = lambda L: (_fenced(L, _diff(L, *L.method_change, bare=True), "diff"), (), _expect_method(L))
    s["diff-offset"] = lambda L: (_fenced(L, _diff(L, *L.func_change, offset=4), "diff"), (), _expect_func(L))
    s["diff-already-applied"] = lambda L: (_fenced(L, _diff(L, *L.func_change), "diff"), (), None, _expect_func(L))
    s["path-one-func"] = lambda L: (f"Here is the fix:\n\n{L.path}\n" + _fenced(L, _fn(L)), (), _expect_func(L))
    s["path-bold-one-func"] = lambda L: (
        f"**{L.path}**\n" + _fenced(L, _fn(L)) + "\nThis clamps the result at zero.\n",
        (),
        _expect_func(L),
    )
    s["path-info-one-method"] = lambda L: (_fenced(L, _method(L), f"{L.fence} {L.path}"), (), _expect_method(L))
    s["path-one-method-dedented"] = lambda L: (f"{L.path}\n" + _fenced(L, _dedent(_method(L))), (), _expect_method(L))
    s["symbol-func"] = lambda L: (_fenced(L, _fn(L)), ("--target", L.path, "--symbol", L.func_name), _expect_func(L))
    s["symbol-method"] = lambda L: (
        "Updated method:\n\n" + _fenced(L, _method(L)),
        ("--target", L.path, "--symbol", L.method_name),
        _expect_method(L),
    )
    s["symbol-method-dedented"] = lambda L: (
        _fenced(L, _dedent(_method(L))),
        ("--target", L.path, "--symbol", L.method_name),
        _expect_method(L),
    )
    s["symbol-func-usage"] = lambda L: (
        _fenced(L, _fn(L)) + "\nUsage:\n\n" + _fenced(L, L.usage),
        ("--target", L.path, "--symbol", L.func_name),
        _expect_func(L),
    )
    s["path-func-usage"] = lambda L: (
        f"{L.path}\n" + _fenced(L, _fn(L)) + "\nFor example:\n\n" + _fenced(L, L.usage),
        (),
        _expect_func(L),
    )
    s["two-blocks-ambiguous"] = lambda L: (
        _fenced(L, _fn(L)) + "\nor, alternatively:\n\n" + _fenced(L, _fn(L).replace("0", "1")),
        ("--target", L.path),
        None,
    )
    s["two-blocks-pick"] = lambda L: (
        _fenced(L, _fn(L)) + "\nor, alternatively:\n\n" + _fenced(L, _fn(L).replace("0", "1")),
        ("--target", L.path, "--block", "1"),
        _expect_func(L),
    )
    s["body-only-stub"] = lambda L: (
        "Implement it like this:\n\n" + _fenced(L, L.stub_body[1]),
        ("--target", L.path, "--symbol", L.stub_name),
        _expect_stub(L),
    )
    s["body-only-unfenced"] = lambda L: (
        "Implement it like this:\n\n" + L.stub_body[1] + "\nThat adds n to the level and returns it.\n",
        ("--target", L.path, "--symbol", L.stub_name),
        _expect_stub(L),
    )
    s["body-only-dedented"] = lambda L: (
        _fenced(L, _dedent(L.stub_body[1])),
        ("--target", L.path, "--symbol", L.stub_name),
        _expect_stub(L),
    )
    for n, phrase in enumerate(rest):
        s[f"elided-file-{n}"] = (
            lambda p: (
                lambda L: (
                    f"{L.path}\n" + _fenced(L, f"{L.head}\n\n{L.comment} {p}\n\n{_fn(L)}\n{L.comment} {p}\n"),
                    (),
                    _expect_func(L),
                )
            )
        )(phrase)
    s["elided-file-unknown"] = lambda L: (
        f"{L.path}\n" + _fenced(L, f"{L.head}\n\n{L.comment} (snip)\n\n{_fn(L)}\nTHIS_IS_NEW = 1\n"),
        (),
        None,
    )
    s["whole-file"] = lambda L: (f"{L.path}\n" + _fenced(L, _expect_func(L)), (), _expect_func(L))
    s["whole-file-drops-other"] = lambda L: (
        f"{L.path}\n" + _fenced(L, _expect_func(L).replace(L.other, "").rstrip("\n") + "\n"),
        (),
        _expect_func(L),
    )
    s["method-wrapper-elided"] = lambda L: (
        _fenced(L, _wrapped(L)),
        ("--target", L.path, "--symbol", L.method_name),
        _expect_method(L),
    )
    s["func-without-doc"] = lambda L: (
        f"{L.path}\n" + _fenced(L, _fn(L).replace(L.doc + "\n", "")),
        (),
        _expect_func(L),
    )
    return s


def _wrapped(lang: Lang) -> str:
    if not lang.wrapper[0]:
        return f"{lang.comment} ... existing code ...\n\n{_method(lang)}\n{lang.comment} ... existing code ...\n"
    close = lang.wrapper[1] or ("}" if lang.key == "java" else "")
    body = f"{lang.wrapper[0]}\n    {lang.comment} ... existing code ...\n\n{_method(lang)}"
    if lang.key == "py":
        return body + f"\n    {lang.comment} ... existing code ...\n"
    return body + f"\n    {lang.comment} ... existing code ...\n{close}\n"


def _cases() -> list[Shape]:
    out: list[Shape] = []
    shapes = _shapes()
    for lang in LANGS:
        for name, fn in shapes.items():
            answer, args, expected, *original = fn(lang)
            base = original[0] if original else lang.original
            assert isinstance(answer, str) and isinstance(args, tuple)
            assert expected is None or (isinstance(expected, str) and expected != base), (lang.key, name)
            out.append(Shape(f"{lang.key}-{name}", lang.path, str(base), answer, args, expected))
    return out


CASES: list[Shape] = _cases()
