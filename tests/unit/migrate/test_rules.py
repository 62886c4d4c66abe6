"""Rule packs: loading with errors that name the rule and line, fix expansion, overlapping matches."""

from __future__ import annotations

import pytest

from splice.features.migrate.rules import RuleError, apply_matches, parse_pack, run_rule, shipped_packs

PACK = """\
id: get-to-fetch
language: python
rule:
  pattern: client.get($URL, $$$REST)
fix: client.fetch($URL, $$$REST)
---
id: find-session
language: python
rule:
  pattern: Session()
"""


def test_fix_expands_single_and_multi_metavariables() -> None:
    rules = parse_pack(PACK, "pack.yml")
    src = "x = client.get(url, timeout=3, stream=True)\ny = Session()\n"
    matches = [m for r in rules for m in run_rule(r, src)]
    assert [(m.rule, m.replacement) for m in matches] == [
        ("get-to-fetch", "client.fetch(url, timeout=3, stream=True)"),
        ("find-session", None),
    ]
    new, left = apply_matches(src, matches)
    assert new == "x = client.fetch(url, timeout=3, stream=True)\ny = Session()\n" and left == []


def test_multiline_fix_takes_the_indentation_of_the_matched_line() -> None:
    pack = "id: wrap\nlanguage: python\nrule:\n  pattern: old($A)\nfix: |\n  with ctx():\n      new($A)\n"
    (rule,) = parse_pack(pack, "p.yml")
    src = "def f():\n    old(1)\n"
    new, _ = apply_matches(src, run_rule(rule, src))
    assert new == "def f():\n    with ctx():\n        new(1)\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: a\nlanguage: python\nmessage: a: b\nrule: {pattern: x}\n", r"p\.yml:3: the rule file is not valid YAML"),
        ("id: a\nlanguage: cobol\nrule:\n  pattern: x\n", r"p\.yml:2: rule 'a' has language 'cobol'"),
        ("id: a\nlanguage: python\nrule:\n  patern: x\n", r"p\.yml:3: rule 'a': unknown field `patern`"),
        ("id: a\nlanguage: python\nrule:\n  pattern: x\nfixx: y\n", r"p\.yml:5: rule 'a' has an unknown key 'fixx'"),
        ("id: a\nlanguage: python\n", r"p\.yml:1: rule 'a' needs a 'rule' mapping"),
        (
            "id: a\nlanguage: python\nrule: {pattern: x}\n---\nid: a\nlanguage: python\nrule: {pattern: y}\n",
            r"p\.yml:5: rule id 'a' appears twice",
        ),
        ("# only a comment\n", r"p\.yml: the rule file holds no rules"),
    ],
)
def test_a_rule_file_that_does_not_parse_names_the_rule_and_line(text: str, expected: str) -> None:
    with pytest.raises(RuleError, match=expected):
        parse_pack(text, "p.yml")


def test_overlapping_matches_keep_the_first_and_report_the_rest() -> None:
    pack = "id: outer\nlanguage: python\nrule: {pattern: f(g($A))}\nfix: F($A)\n---\n"
    pack += "id: inner\nlanguage: python\nrule: {pattern: g($A)}\nfix: G($A)\n"
    rules = parse_pack(pack, "p.yml")
    src = "f(g(1))\n"
    new, left = apply_matches(src, [m for r in rules for m in run_rule(r, src)])
    assert new == "F(1)\n" and [m.rule for m in left] == ["inner"]


def test_shipped_packs_load_and_rewrite() -> None:
    packs = shipped_packs()
    assert {"unittest-to-pytest", "requests-to-httpx"} <= set(packs)
    rules = parse_pack(packs["unittest-to-pytest"].read_text(), "unittest-to-pytest")
    src = (
        "class T(unittest.TestCase):\n"
        "    def test_a(self):\n"
        "        self.assertEqual(f(1), 2)\n"
        "        ok = self.assertTrue(x)\n"
    )
    new, _ = apply_matches(src, [m for r in rules for m in run_rule(r, src)])
    # an assert method used as a value is not a statement: the rule leaves it for the model
    assert "        assert f(1) == 2\n" in new and "ok = self.assertTrue(x)" in new


def test_a_rewrite_that_would_not_parse_is_left_for_the_model() -> None:
    from splice.features.migrate.model import Scope
    from splice.features.migrate.service import rewrite

    (rule,) = [r for r in parse_pack(shipped_packs()["unittest-to-pytest"].read_text(), "p") if r.id == "assert-equal"]
    src = "def t(self):\n    self.assertEqual(f(), 1)\n    self.assertEqual(g(), not h)\n"
    new, unsafe = rewrite(rule, Scope(), "t.py", "python", src)
    # `assert g() == not h` is a syntax error: that one match stays as it was, the other is rewritten
    assert new == "def t(self):\n    assert f() == 1\n    self.assertEqual(g(), not h)\n"
    assert [m.text for m in unsafe] == ["self.assertEqual(g(), not h)"]
