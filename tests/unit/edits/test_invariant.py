"""The invariant: a proposal never removes code the answer did not show or mark as left out.

Concrete shapes seen on real repositories go through ``splice edit --apply``; a seeded random campaign builds
answers that drop or elide random parts of real-looking files (with phrasings Splice does and does not know) and
checks every outcome is either a refusal or exactly the intended file.
"""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest

from splice.cli.edit import run
from splice.edits import invariant
from splice.edits.errors import EditRefused
from splice.edits.invariant import is_comment_only
from splice.edits.paths import Workspace
from splice.edits.propose import propose

REPORT_PY = '''"""Reports."""

import os


def load(path):
    """Load a report."""
    with open(path) as f:
        return f.read()


def render(data):
    return data.upper()


def save(path, data):
    with open(path, "w") as f:
        f.write(data)
'''

CART_TS = """import { Item } from "./item";

/** Sums prices. */
export function total(items: Item[]): number {
  return items.reduce((s, i) => s + i.price, 0);
}

export function count(items: Item[]): number {
  return items.length;
}

export class Cart {
  items: Item[] = [];

  add(item: Item): void {
    this.items.push(item);
  }
}
"""

CART_GO = """package cart

import "fmt"

type Cart struct {
\tItems []int
}

// Total sums the items.
func (c *Cart) Total() int {
\tt := 0
\tfor _, i := range c.Items {
\t\tt += i
\t}
\treturn t
}

func Describe(c *Cart) string {
\treturn fmt.Sprintf("%d items", len(c.Items))
}
"""

TIMEOUT_PY = '''class Timeout:
    """
    Timeout configuration.

    **Usage**: Timeout(5.0)
    """

    def __init__(self, timeout=None, *, connect=None):
        self.connect = connect
        self.timeout = timeout

    def as_dict(self):
        return {"connect": self.connect}
'''


def _ws(tmp_path: Path, files: dict[str, str]) -> Path:
    ws = tmp_path / "ws"
    for rel, text in files.items():
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(text)
    return ws


def _edit(ws: Path, answer: str, *extra: str) -> tuple[int, str, str]:
    answer_file = ws.parent / "answer.md"
    answer_file.write_text(answer)
    out, err = io.StringIO(), io.StringIO()
    code = run(["--workspace", str(ws), "--answer", str(answer_file), *extra, "--apply"], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("rel", "original", "answer", "old", "new"),
    [
        (
            "app/report.py",
            REPORT_PY,
            "Here is the fix:\n\napp/report.py\n```python\ndef render(data):\n    return data.strip().upper()\n```\n",
            "    return data.upper()\n",
            "    return data.strip().upper()\n",
        ),
        (
            "src/cart.ts",
            CART_TS,
            "`src/cart.ts`\n```ts\nexport function count(items: Item[]): number {\n"
            "  return items.filter(Boolean).length;\n}\n```",
            "  return items.length;\n",
            "  return items.filter(Boolean).length;\n",
        ),
        (
            "cart/cart.go",
            CART_GO,
            '**cart/cart.go**\n```go\nfunc Describe(c *Cart) string {\n\treturn fmt.Sprintf("%d item(s)", '
            "len(c.Items))\n}\n```\n",
            '\treturn fmt.Sprintf("%d items", len(c.Items))\n',
            '\treturn fmt.Sprintf("%d item(s)", len(c.Items))\n',
        ),
    ],
)
def test_one_definition_under_a_path_line_edits_that_definition(
    tmp_path: Path, rel: str, original: str, answer: str, old: str, new: str
) -> None:
    ws = _ws(tmp_path, {rel: original})
    code, _, err = _edit(ws, answer)
    assert code == 0, err
    assert (ws / rel).read_text() == original.replace(old, new)


@pytest.mark.parametrize(
    "marker",
    [
        "# rest unchanged",
        "# (unchanged)",
        "# other functions unchanged",
        "# ... (no changes below)",
        "# keep the remaining code as-is",
        "# other methods and functions unchanged",
    ],
)
def test_elision_phrasings_keep_the_rest_of_the_file(tmp_path: Path, marker: str) -> None:
    ws = _ws(tmp_path, {"app/report.py": REPORT_PY})
    answer = (
        "app/report.py\n```python\n"
        + REPORT_PY.split("def render")[0]
        + "def render(data):\n    return data.strip().upper()\n\n\n"
        + marker
        + "\n```\n"
    )
    code, _, err = _edit(ws, answer)
    assert code == 0, err
    assert (ws / "app/report.py").read_text() == REPORT_PY.replace("data.upper()", "data.strip().upper()")


def test_unknown_elision_comment_never_deletes_the_rest(tmp_path: Path) -> None:
    """A comment Splice does not read as an elision still makes the answer partial: refused, nothing lost."""
    ws = _ws(tmp_path, {"app/report.py": REPORT_PY})
    answer = (
        "app/report.py\n```python\n" + REPORT_PY.split("def render")[0] + "def extra():\n    pass\n\n# (snip)\n```\n"
    )
    code, _, err = _edit(ws, answer)
    assert code == 2
    assert "neither shows nor marks as left out" in err
    assert (ws / "app/report.py").read_text() == REPORT_PY


def test_class_wrapper_with_elisions_keeps_the_class_docstring(tmp_path: Path) -> None:
    ws = _ws(tmp_path, {"httpx/_config.py": TIMEOUT_PY})
    answer = (
        "```python\nclass Timeout:\n    # ... existing code ...\n\n"
        "    def __init__(self, timeout=None, *, connect=None):\n"
        "        self.connect = connect if connect is not None else timeout\n"
        "        self.timeout = timeout\n\n    # ... existing code ...\n```\n"
    )
    code, _, err = _edit(ws, answer, "--target", "httpx/_config.py", "--symbol", "Timeout.__init__")
    assert code == 0, err
    assert (ws / "httpx/_config.py").read_text() == TIMEOUT_PY.replace(
        "self.connect = connect\n", "self.connect = connect if connect is not None else timeout\n"
    )


def test_restated_class_without_its_docstring_keeps_it(tmp_path: Path) -> None:
    """A whole-file answer that leaves out a docstring is partial: re-planned per definition, the docstring stays."""
    ws = _ws(tmp_path, {"httpx/_config.py": TIMEOUT_PY})
    changed = TIMEOUT_PY.replace("self.timeout = timeout", "self.timeout = float(timeout)")
    restated = changed.split('    """\n')[0] + changed.split('    """\n', 2)[2].lstrip("\n")
    assert "Timeout configuration" not in restated
    code, _, err = _edit(ws, "httpx/_config.py\n```python\n" + restated + "```\n")
    assert code == 0, err
    assert (ws / "httpx/_config.py").read_text() == changed


def test_docstring_dropped_by_a_diff_is_shown_and_allowed(tmp_path: Path) -> None:
    """Removing a docstring the answer quotes (a diff's - lines) is a shown change, not an omission."""
    ws = _ws(tmp_path, {"app/report.py": REPORT_PY})
    answer = (
        "```diff\n--- a/app/report.py\n+++ b/app/report.py\n@@ -6,3 +6,2 @@\n def load(path):\n"
        '-    """Load a report."""\n     with open(path) as f:\n```\n'
    )
    code, _, err = _edit(ws, answer)
    assert code == 0, err
    assert (ws / "app/report.py").read_text() == REPORT_PY.replace('    """Load a report."""\n', "")


def test_indented_method_does_not_replace_a_top_level_function(tmp_path: Path) -> None:
    ws = _ws(tmp_path, {"app/util.py": "def helper(x):\n    return x\n"})
    answer = "```python\n    def helper(self, x):\n        return x + 1\n```\n"
    code, _, err = _edit(ws, answer, "--target", "app/util.py", "--symbol", "helper")
    assert code == 2
    assert "method" in err
    assert (ws / "app/util.py").read_text() == "def helper(x):\n    return x\n"


def test_blank_lines_at_elision_boundaries_are_not_doubled(tmp_path: Path) -> None:
    ws = _ws(tmp_path, {"app/report.py": REPORT_PY})
    answer = (
        "app/report.py\n```python\n# ... existing code ...\n\n\ndef render(data):\n    return data.strip().upper()\n"
        "\n\n# ... existing code ...\n```\n"
    )
    code, _, err = _edit(ws, answer)
    assert code == 0, err
    assert (ws / "app/report.py").read_text() == REPORT_PY.replace("data.upper()", "data.strip().upper()")


def test_spaces_from_a_chat_become_the_files_tabs(tmp_path: Path) -> None:
    ws = _ws(tmp_path, {"cart/cart.go": CART_GO})
    answer = (
        "```go\nfunc (c *Cart) Total() int {\n    t := 0\n    for _, i := range c.Items {\n        t += 2 * i\n"
        "    }\n    return t\n}\n```\n"
    )
    code, _, err = _edit(ws, answer, "--target", "cart/cart.go", "--symbol", "Cart.Total")
    assert code == 0, err
    assert (ws / "cart/cart.go").read_text() == CART_GO.replace("t += i", "t += 2 * i")


def test_mixed_tabs_and_spaces_that_cannot_be_mapped_are_refused(tmp_path: Path) -> None:
    ws = _ws(tmp_path, {"cart/cart.go": CART_GO})
    answer = (
        "```go\nfunc (c *Cart) Total() int {\n   t := 0\n    for _, i := range c.Items {\n\t\tt += 2 * i\n\t}\n"
        "\treturn t\n}\n```\n"
    )
    code, _, err = _edit(ws, answer, "--target", "cart/cart.go", "--symbol", "Cart.Total")
    assert code == 2, err
    assert "tabs and spaces" in err
    assert (ws / "cart/cart.go").read_text() == CART_GO


def test_check_reports_the_first_unshown_line() -> None:
    old = "import os\n\n\ndef a():\n    return 1\n\n\ndef b():\n    return 2\n"
    new = "def a():\n    return 1\n"
    from splice.edits.answer import parse_answer

    answer = "x.py\n```python\ndef a():\n    return 1\n```\n"
    blocks = list(parse_answer(answer).blocks)
    found = invariant.check("x.py", old, new, answer, blocks, "python")
    assert found is not None
    assert found.lines[0] == 0
    assert "import os" in found.message()


# -- randomized: random deletions and elisions never remove unshown code ------------------------------------------

_KNOWN = ["# ... existing code ...", "# rest unchanged", "# (unchanged)", "# other functions unchanged"]
_UNKNOWN = ["# (snip)", "# ~~~", "# see above", "# TODO", "#"]
_FILES = {
    "app/report.py": REPORT_PY,
    "app/more.py": '''import re
import sys

PATTERN = re.compile(r"x+")


class Parser:
    """Parses things."""

    def parse(self, text):
        return PATTERN.findall(text)

    def count(self, text):
        return len(self.parse(text))


def main(argv):
    p = Parser()
    print(p.count(argv[1]))
    return 0
''',
}


def _units(text: str) -> list[tuple[int, int]]:
    """Top-level chunks of a Python file: each starts at a non-indented written line."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() and not line[0].isspace()]
    return [(s, e) for s, e in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _random_answer(rng: random.Random, text: str) -> tuple[str, str]:
    """(answer code, intended new file): one line changed, other units kept, dropped or replaced by a comment."""
    lines = text.splitlines(keepends=True)
    units = _units(text)
    body = [i for i, line in enumerate(lines) if "return" in line or line.startswith(("import", "PATTERN"))]
    changed = rng.choice(body)
    new_line = lines[changed].rstrip("\n") + "  # checked\n"
    expected = "".join(new_line if i == changed else line for i, line in enumerate(lines))
    out: list[str] = []
    for s, e in units:
        if s <= changed < e:
            out += [new_line if i == changed else lines[i] for i in range(s, e)]
            continue
        roll = rng.random()
        if roll < 0.4:
            out += lines[s:e]
        elif roll < 0.6:
            continue  # dropped without a word
        else:
            out.append(rng.choice(_KNOWN + _UNKNOWN) + "\n")
            out += ["\n"] * rng.randint(1, 2)  # a comment directly above a definition is its comment
    return "".join(out), expected


def test_random_deletions_and_elisions_never_remove_unshown_code(tmp_path: Path) -> None:
    rng = random.Random(1313)
    outcomes = {"applied": 0, "refused": 0}
    for n in range(120):
        rel = rng.choice(sorted(_FILES))
        text = _FILES[rel]
        code, expected = _random_answer(rng, text)
        ws = _ws(tmp_path / str(n), {rel: text})
        answer = f"Updated:\n\n{rel}\n```python\n{code}```\n"
        try:
            proposal = propose(answer, Workspace.of(ws))
        except EditRefused:
            outcomes["refused"] += 1
            continue
        (change,) = proposal.changes
        assert change.new_text == expected, f"case {n}:\n{answer}\n---\n{change.new_text}"
        outcomes["applied"] += 1
    # Both outcomes occur: the campaign exercises the guard and the applies it lets through.
    assert outcomes["applied"] > 10 and outcomes["refused"] > 10, outcomes


def test_random_elisions_inside_a_restated_definition(tmp_path: Path) -> None:
    """Runs of a function's body replaced by a comment: the unshown lines are kept or the answer is refused."""
    rng = random.Random(7)
    text = _FILES["app/more.py"]
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("class Parser"))
    end = next(i for i, line in enumerate(lines) if line.startswith("def main"))
    for n in range(60):
        cls = lines[start:end]
        a = rng.randrange(1, len(cls))
        b = rng.randrange(a, len(cls) + 1)
        comment = "    " + rng.choice(_KNOWN + _UNKNOWN) + "\n"
        answer_code = "".join([*cls[:a], comment, *cls[b:]])
        ws = _ws(tmp_path / str(n), {"app/more.py": text})
        answer = f"```python\n{answer_code}```\n"
        try:
            proposal = propose(answer, Workspace.of(ws), target="app/more.py", symbol="Parser")
        except EditRefused:
            continue
        (change,) = proposal.changes
        removed = [line for line in text.splitlines() if line.strip() and line not in (change.new_text or "")]
        shown = {re.sub(r"\s+", " ", x).strip() for x in answer.splitlines()}
        assert all(re.sub(r"\s+", " ", line).strip() in shown for line in removed), (n, answer, change.new_text)


def test_random_drops_and_elisions_in_five_languages(tmp_path: Path) -> None:
    """The same campaign over the benchmark's Python, TypeScript, Go, Rust and Java files (top-level chunks for
    the four, members for Java): every outcome is a refusal or exactly the intended file."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from edit_shapes import LANGS

    rng = random.Random(2026)
    outcomes = {"applied": 0, "refused": 0}
    for n in range(100):
        lang = rng.choice(LANGS)
        text = lang.original
        lines = text.splitlines(keepends=True)
        indent = "    " if lang.key == "java" else ""
        starts = [
            i
            for i, line in enumerate(lines)
            if line.strip() and line.startswith(indent) and not line[len(indent)].isspace() and line.strip() != "}"
        ]
        # A doc comment belongs to the definition under it.
        starts = [i for i in starts if not (is_comment_only(lines[i]) and i + 1 in starts and i > 0)] or starts
        end = len(lines) - 1 if lang.key == "java" else len(lines)  # Java: the class's closing brace stays
        units = list(zip(starts, [*starts[1:], end], strict=True))
        if lang.key == "java":  # the package, imports and class header stay; members are dropped or elided
            units = [(0, starts[0]), *units]
        if rng.random() < 0.3:  # a change outside any definition: only a whole file can carry it
            changed, new_line = 0, lines[0].rstrip("\n") + f" {lang.comment} checked\n"
        else:
            changed = next(i for i, line in enumerate(lines) if line == lang.func_change[0])
            new_line = lang.func_change[1]
        expected = "".join(new_line if i == changed else line for i, line in enumerate(lines))
        out: list[str] = []
        for s, e in units:
            if s <= changed < e or (lang.key == "java" and s == units[0][0]) or (changed == 0 and s < starts[1]):
                out += [new_line if i == changed else lines[i] for i in range(s, e)]
                continue
            roll = rng.random()
            if roll < 0.4:
                out += lines[s:e]
            elif roll < 0.6:
                continue
            else:
                out += [
                    indent
                    + lang.comment
                    + rng.choice([" ... existing code ...", " rest unchanged", " (snip)", " ~~~"])
                    + "\n",
                    "\n",
                ]
        if lang.key == "java":
            out.append("}\n")
        ws = _ws(tmp_path / str(n), {lang.path: text})
        answer = f"{lang.path}\n```{lang.fence}\n{''.join(out)}```\n"
        try:
            proposal = propose(answer, Workspace.of(ws))
        except EditRefused:
            outcomes["refused"] += 1
            continue
        (change,) = proposal.changes
        assert proposal.verification.parses, f"case {n} ({lang.key}) does not parse:\n{answer}"
        assert change.new_text == expected, f"case {n} ({lang.key}):\n{answer}\n---\n{change.new_text}"
        outcomes["applied"] += 1
    assert outcomes["applied"] > 10 and outcomes["refused"] > 5, outcomes


def test_a_comment_above_an_unchanged_or_deeper_definition_is_not_its_doc(tmp_path: Path) -> None:
    """Found by a longer campaign: in a re-planned answer, '// (snip)' above an unchanged function, or at column 0
    above an indented method, is not written into the file (nor shifts the method)."""
    ws = _ws(tmp_path, {"cart/cart.go": CART_GO})
    answer = (
        "cart/cart.go\n```go\npackage cart\n\n// (snip)\nfunc Describe(c *Cart) string {\n"
        '\treturn fmt.Sprintf("%d items", len(c.Items))\n}\n\n// (snip)\n// Total sums the items.\n'
        "func (c *Cart) Total() int {\n\tt := 0\n\tfor _, i := range c.Items {\n\t\tt += 2 * i\n\t}\n"
        "\treturn t\n}\n```\n"
    )
    code, _, err = _edit(ws, answer)
    assert code == 0, err
    assert (ws / "cart/cart.go").read_text() == CART_GO.replace("t += i", "t += 2 * i")
