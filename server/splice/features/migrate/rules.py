"""Rule packs: ast-grep rule YAML (``id``, ``language``, ``rule``, optional ``fix``) loaded, checked and run.

A rule with a ``fix`` is a deterministic rewrite; a rule without one only *finds* sites, which model steps then
handle. ``ast-grep-py`` matches; it does not apply fixes, so ``fix`` templates are expanded here: ``$NAME`` is the
text of a single meta-variable, ``$$$NAME`` the source slice spanning a multi-match, ``$NAME`` also names a
``transform`` output. Every error names the file, the rule and the line, and nothing is run from a pack that does
not load. ``metadata.old-api`` (a list of module or ``module.name`` strings) lets a pack say what the old API is,
so the symbol graph can find the sites no pattern covers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# ast-grep's language names (and their usual aliases) → Splice's grammar names.
LANGUAGES = {
    "python": "python",
    "py": "python",
    "javascript": "javascript",
    "js": "javascript",
    "jsx": "javascript",
    "typescript": "typescript",
    "ts": "typescript",
    "tsx": "tsx",
    "go": "go",
    "golang": "go",
    "rust": "rust",
    "rs": "rust",
    "java": "java",
    "c": "c",
    "cpp": "cpp",
    "c++": "cpp",
    "csharp": "c_sharp",
    "cs": "c_sharp",
    "ruby": "ruby",
    "rb": "ruby",
    "php": "php",
}
_SG_NAME = {"c_sharp": "csharp"}
_KNOWN_KEYS = {
    "id",
    "language",
    "rule",
    "fix",
    "message",
    "note",
    "severity",
    "constraints",
    "utils",
    "transform",
    "metadata",
    "url",
    "files",
    "ignores",
    "labels",
}
_VAR = re.compile(r"\$\$\$([A-Z_][A-Z0-9_]*)|\$([A-Z_][A-Z0-9_]*)")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class RuleError(ValueError):
    """A rule pack that cannot be used: the message names the file, the rule and the line."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    lang: str
    """Splice's grammar name (``python``, ``typescript`` …)."""
    config: Mapping[str, Any]
    """What ast-grep-py's ``find_all`` takes: ``rule`` plus ``constraints``/``utils``/``transform``."""
    fix: str | None
    message: str
    source: str
    """``file:line`` of the rule's first line."""
    old_api: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """One place a rule matched: character offsets into the text, 0-based line/character positions."""

    rule: str
    start: int
    end: int
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    text: str
    replacement: str | None
    """The expanded ``fix`` (None for a find-only rule)."""


def load_pack(path: Path) -> list[Rule]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read the rule file ({exc})") from exc
    return parse_pack(text, str(path))


def parse_pack(text: str, name: str) -> list[Rule]:
    """All rules of one YAML file (documents separated by ``---``), checked by running each once."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise RuleError(f"{where}: the rule file is not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    rules: list[Rule] = []
    seen: set[str] = set()
    for node in nodes:
        if node is None:
            continue
        rule = _rule(node, name)
        if rule.id in seen:
            raise RuleError(f"{rule.source}: rule id {rule.id!r} appears twice")
        seen.add(rule.id)
        rules.append(rule)
    if not rules:
        raise RuleError(f"{name}: the rule file holds no rules")
    return rules


def _line_of(node: yaml.Node, key: str) -> int:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    return int(node.start_mark.line) + 1


def _rule(node: yaml.Node, name: str) -> Rule:
    first = int(node.start_mark.line) + 1
    data = yaml.safe_load(yaml.serialize(node))
    if not isinstance(data, dict):
        raise RuleError(f"{name}:{first}: a rule must be a mapping with id, language and rule")
    rid = data.get("id")
    label = f"rule {rid!r}" if isinstance(rid, str) else "a rule"
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RuleError(f"{name}:{_line_of(node, 'id')}: {label} needs an id of letters, digits, '.', '-' or '_'")
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise RuleError(f"{name}:{_line_of(node, unknown[0])}: {label} has an unknown key {unknown[0]!r}")
    lang = LANGUAGES.get(str(data.get("language", "")).lower())
    if lang is None:
        raise RuleError(
            f"{name}:{_line_of(node, 'language')}: {label} has language {data.get('language')!r}; expected one of "
            + ", ".join(sorted(set(LANGUAGES)))
        )
    if not isinstance(data.get("rule"), dict):
        raise RuleError(f"{name}:{_line_of(node, 'rule')}: {label} needs a 'rule' mapping (pattern, kind, any …)")
    fix = data.get("fix")
    if isinstance(fix, dict):
        fix = fix.get("template")
    if fix is not None and not isinstance(fix, str):
        raise RuleError(f"{name}:{_line_of(node, 'fix')}: {label} has a fix that is not text")
    metadata = data.get("metadata") or {}
    old_api = metadata.get("old-api", []) if isinstance(metadata, dict) else []
    if not isinstance(old_api, list) or not all(isinstance(a, str) for a in old_api):
        raise RuleError(f"{name}:{_line_of(node, 'metadata')}: {label}: metadata.old-api must be a list of names")
    config = {k: data[k] for k in ("rule", "constraints", "utils", "transform") if k in data}
    rule = Rule(rid, lang, config, fix, str(data.get("message") or ""), f"{name}:{first}", tuple(old_api))
    try:
        run_rule(rule, "")  # ast-grep checks the rule only when it runs; an empty file is enough
    except RuleError as exc:
        raise RuleError(f"{name}:{_line_of(node, 'rule')}: {label}: {exc}") from None
    return rule


def run_rule(rule: Rule, text: str) -> list[Match]:
    """Every match of ``rule`` in ``text`` (a file in the rule's language), fixes expanded."""
    from ast_grep_py import SgRoot

    try:
        root = SgRoot(text, _SG_NAME.get(rule.lang, rule.lang)).root()
        nodes = root.find_all(dict(rule.config))  # type: ignore[call-overload]
    except Exception as exc:  # ast-grep reports rule errors as plain Exceptions
        raise RuleError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    matches: list[Match] = []
    for node in nodes:
        r = node.range()
        fix = _expand(rule.fix, node, text, r.start.column) if rule.fix is not None else None
        matches.append(
            Match(
                rule.id,
                r.start.index,
                r.end.index,
                r.start.line,
                r.start.column,
                r.end.line,
                r.end.column,
                node.text(),
                fix,
            )
        )
    return matches


def _expand(template: str, node: Any, text: str, column: int) -> str:
    def value(m: re.Match[str]) -> str:
        if m.group(1):
            nodes = node.get_multiple_matches(m.group(1))
            if not nodes:
                return ""
            return text[nodes[0].range().start.index : nodes[-1].range().end.index]
        var = m.group(2)
        single = node.get_match(var)
        if single is not None:
            return str(single.text())
        transformed = node.get_transformed(var)
        return str(transformed) if transformed is not None else m.group(0)

    out = _VAR.sub(value, template[:-1] if template.endswith("\n") else template)
    # A multi-line fix is written at column 0 in YAML; its later lines take the indentation of the matched line.
    line_start = text.rfind("\n", 0, node.range().start.index) + 1
    head = text[line_start : line_start + column]
    indent = head[: len(head) - len(head.lstrip())]
    lines = out.split("\n")
    return "\n".join([lines[0], *(indent + line if line else line for line in lines[1:])])


def apply_matches(text: str, matches: Iterable[Match]) -> tuple[str, list[Match]]:
    """``text`` with every fixable match replaced; overlapping matches after the first are left (and returned)."""
    out: list[str] = []
    pos = 0
    left: list[Match] = []
    for m in sorted((m for m in matches if m.replacement is not None), key=lambda m: (m.start, -m.end)):
        if m.start < pos:
            left.append(m)
            continue
        out.append(text[pos : m.start])
        out.append(m.replacement or "")
        pos = m.end
    out.append(text[pos:])
    return "".join(out), left


def rules_for(rules: Iterable[Rule], lang: str | None) -> list[Rule]:
    family = {"javascript", "typescript", "tsx"}
    if lang is None:
        return []
    return [r for r in rules if r.lang == lang or (r.lang == "typescript" and lang == "tsx" and lang in family)]


def shipped_packs() -> dict[str, Path]:
    """The rule packs shipped with Splice, by name (``unittest-to-pytest`` …)."""
    folder = Path(__file__).parent / "packs"
    return {p.stem: p for p in sorted(folder.glob("*.yml"))}


def packs_for_target(target: str) -> list[str]:
    """Shipped packs the target names on both sides: ``unittest to pytest`` → ``unittest-to-pytest``."""
    parts = re.split(r"\s+(?:to|->|→|=>)\s+", target.strip().lower(), maxsplit=1)
    if len(parts) != 2:
        return []
    before, after = (set(re.findall(r"[a-z0-9_]+", p)) for p in parts)
    out = []
    for name in shipped_packs():
        old, _, new = name.partition("-to-")
        squashed = re.sub(r"[^a-z0-9]", "", parts[1])  # "python 3" names python3
        if old in before and (new in after or new in squashed or new.replace("python", "py") in after):
            out.append(name)
    return out
