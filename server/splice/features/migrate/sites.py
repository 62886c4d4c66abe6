"""Finding sites: every use of the old API, from the symbol graph and from the rules' patterns — nothing is sent.

The graph gives imports of an old module (or of ``module.name``), and every call, reference, class base and
attribute chain whose first name is bound to one of them (``import requests as rq`` … ``rq.get``). The rules give
their pattern matches. A graph site inside a rule's match belongs to that rule; what no rewriting rule covers is the
*residue*, which model steps handle. The same scan after a step decides whether the step's sites are gone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from splice.features.migrate.model import Scope, Site
from splice.features.migrate.rules import Match, Rule, RuleError, rules_for, run_rule
from splice.index.graph import Graph
from splice.index.languages import ECMASCRIPT
from splice.index.model import EdgeKind, FileExtract, Import

Reader = Callable[[str], str | None]
"""Workspace-relative path → current text (open buffers first), None when unreadable."""

_KIND = {EdgeKind.CALLS: "call", EdgeKind.INHERITS: "base", EdgeKind.REFERENCES: "reference"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


@dataclass(frozen=True, slots=True)
class Assessment:
    sites: tuple[Site, ...]
    files_searched: int
    searched: str
    """What was looked for, in words (for "nothing to migrate")."""
    rule_errors: tuple[str, ...] = ()

    def by_rule(self) -> dict[str, int]:
        return dict(Counter(s.rule for s in self.sites if s.rule))

    def residue(self) -> tuple[Site, ...]:
        return tuple(s for s in self.sites if not s.fixable)

    def files(self) -> tuple[str, ...]:
        return tuple(sorted({s.path for s in self.sites}))


def _module_matches(module: str, entry: str, lang: str) -> bool:
    sep = "/" if lang in ECMASCRIPT else "."
    return module == entry or module.startswith(entry + sep)


def _bindings(imports: Iterable[Import], old_api: Sequence[str], lang: str) -> tuple[dict[str, str], list[Import]]:
    """Local name → the full dotted old-API name it stands for, and the imports that are sites."""
    bound: dict[str, str] = {}
    sites: list[Import] = []
    for imp in imports:
        if imp.level:
            continue  # a relative import is the workspace's own code
        module = imp.module.replace("/", ".") if lang in ECMASCRIPT else imp.module
        hit = False
        for entry in old_api:
            if _module_matches(imp.module, entry, lang) or _module_matches(module, entry, "python"):
                hit = True
                if imp.alias:
                    bound[imp.alias] = module
                elif not imp.names:
                    bound[module.split(".")[0]] = module.split(".")[0]
                for n in imp.names:
                    if n.name != "*":
                        bound[n.alias or n.name] = f"{module}.{n.name}"
            for n in imp.names:
                if f"{module}.{n.name}" == entry:
                    hit = True
                    bound[n.alias or n.name] = entry
        if hit:
            sites.append(imp)
    return bound, sites


def _is_old(full: str, old_api: Sequence[str]) -> bool:
    return any(full == e or full.startswith(e + ".") for e in old_api)


def graph_sites(extract: FileExtract, old_api: Sequence[str]) -> list[Site]:
    bound, imports = _bindings(extract.imports, old_api, extract.lang)
    out = [
        Site(
            extract.path,
            i.span.start.line,
            i.span.start.col,
            i.span.end.line,
            i.span.end.col,
            "import",
            i.module,
        )
        for i in imports
    ]
    # attribute chains: ``self.session = requests.Session()`` makes ``self.session.get`` a use of requests
    for a in extract.assignments:
        value = bound.get(a.value[0]) if a.value else None
        # only instances of an old class (``Session()``): a call's result (``requests.get()``) is plain data
        if value is not None and a.value[-1][:1].isupper() and _is_old(".".join((value, *a.value[1:])), old_api):
            bound[".".join(a.target)] = ".".join((value, *a.value[1:]))
    for ref in extract.references:
        chain = (*ref.receiver, ref.name)
        cut = next((i for i in range(len(chain) - 1, 0, -1) if ".".join(chain[:i]) in bound), 0)
        if cut == 0:
            continue
        full = ".".join((bound[".".join(chain[:cut])], *chain[cut:]))
        if not _is_old(full, old_api):
            continue
        out.append(
            Site(
                extract.path,
                ref.span.start.line,
                ref.span.start.col,
                ref.span.end.line,
                ref.span.end.col,
                _KIND.get(ref.kind, "reference"),
                full,
            )
        )
    return out


def _byte_col(line_text: str, chars: int) -> int:
    return len(line_text[:chars].encode("utf-8"))


def pattern_sites(path: str, text: str, matches: Iterable[Match], fixable: set[str]) -> list[Site]:
    lines = text.split("\n")
    out = []
    for m in matches:
        start_text = lines[m.start_line] if m.start_line < len(lines) else ""
        end_text = lines[m.end_line] if m.end_line < len(lines) else ""
        out.append(
            Site(
                path,
                m.start_line,
                _byte_col(start_text, m.start_col),
                m.end_line,
                _byte_col(end_text, m.end_col),
                "pattern",
                m.text.split("\n", 1)[0][:80],
                m.rule,
                m.rule in fixable,
            )
        )
    return out


def _prefilter(rule: Rule) -> str | None:
    """The longest plain word of the rule's top-level pattern: a file without it cannot match."""
    pattern = rule.config.get("rule", {}).get("pattern")
    if not isinstance(pattern, str) or set(rule.config.get("rule", {})) != {"pattern"}:
        return None
    words = [w for w in _WORD.findall(re.sub(r"\$+[A-Z_][A-Z0-9_]*", " ", pattern))]
    return max(words, key=len) if words else None


def file_matches(rules: Sequence[Rule], path: str, lang: str, text: str) -> list[Match]:
    out: list[Match] = []
    for rule in rules_for(rules, lang):
        word = _prefilter(rule)
        if word is not None and word not in text:
            continue
        out.extend(run_rule(rule, text))
    return out


def _inside(site: Site, covering: Site) -> bool:
    return (covering.line, covering.col) <= (site.line, site.col) and (site.end_line, site.end_col) <= (
        covering.end_line,
        covering.end_col,
    )


def scan_file(
    extract: FileExtract | None, path: str, lang: str, text: str | None, rules: Sequence[Rule], old_api: Sequence[str]
) -> list[Site]:
    """The sites of one file: rule matches, plus graph sites no match covers (those belong to the match's rule)."""
    fixable = {r.id for r in rules if r.fix is not None}
    patterns = pattern_sites(path, text, file_matches(rules, path, lang, text), fixable) if text is not None else []
    graph = graph_sites(extract, old_api) if extract is not None and old_api else []
    out = list(patterns)
    for site in graph:
        if not any(_inside(site, p) for p in patterns):
            out.append(site)
    # an attribute chain yields a reference per link: keep the outermost site only
    out.sort(key=lambda s: (s.line, s.col, -s.end_line, -s.end_col))
    kept: list[Site] = []
    for site in out:
        if kept and kept[-1].rule == site.rule and _inside(site, kept[-1]):
            continue
        kept.append(site)
    return kept


def assess(graph: Graph, rules: Sequence[Rule], old_api: Sequence[str], scope: Scope, read: Reader) -> Assessment:
    """Every site in ``scope``; only files of a language some rule or the graph knows are read."""
    langs = {r.lang for r in rules}
    with graph.lock:
        files = [(p, rec.lang, graph.extracts.get(p)) for p, rec in sorted(graph.files.items()) if scope.covers(p)]
    sites: list[Site] = []
    errors: list[str] = []
    searched = 0
    for path, lang, extract in files:
        needs_text = lang in langs or (lang == "tsx" and "typescript" in langs)
        graph_hit = bool(old_api) and extract is not None and bool(_bindings(extract.imports, old_api, lang)[1])
        if not needs_text and not graph_hit:
            continue
        searched += 1
        text = read(path) if needs_text else None
        try:
            found = scan_file(extract, path, lang, text, rules, old_api)
        except RuleError as exc:
            errors.append(f"{path}: {exc}")
            continue
        sites.extend(s for s in found if scope.covers(s.path, s.line))
    what = []
    if old_api:
        what.append("uses of " + ", ".join(old_api) + " in the symbol graph")
    if rules:
        what.append(f"{len(rules)} rule pattern(s) ({', '.join(r.id for r in rules[:6])})")
    described = " and ".join(what) or "nothing (no old API named and no rules)"
    return Assessment(
        tuple(sites), searched, f"{described} over {len(files)} file(s) in {scope.describe()}", tuple(errors)
    )
