"""Ranking: a personalised PageRank over the symbol graph, seeded at what the target and its file use, combined
with the candidates' direct signals and a global "heavily referenced" prior.

Why a combination: following the file's own imports in usage order finds what *this* code works with; a global
rank finds the core classes everything needs; a walk seeded at the file finds definitions next to what the file
uses (their bases, the helpers they share). Each wins on different repositories; the weighted sum below keeps the
strong direct evidence on top and lets the walk and the prior order the rest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

from splice.context.candidates import TEST_PENALTY, Candidate, is_test_path
from splice.index.graph import Graph
from splice.index.model import EdgeKind, Symbol, SymbolKind

WEIGHTS: Mapping[str, float] = {
    "uses": 6.0,
    "unused_import": 4.0,
    "hierarchy": 2.5,
    "name": 1.2,
    "seed": 3.0,
    "file_use": 1.6,
    "import": 1.0,
    "twin": 1.5,
    "walk": 2.0,
    "lexical": 2.5,
    "fts": 0.8,
    "vector": 1.0,
    "module": 0.6,
    "member": 0.4,
    "package": 0.4,
    "popular": 0.8,
}
"""Weight per signal after each signal is scaled to [0, 1] (see ``combine``)."""

SEED_SIGNALS: Mapping[str, float] = {
    "uses": 1.0,
    "unused_import": 0.8,
    "file_use": 0.5,
    "hierarchy": 0.5,
    "name": 0.5,
    "seed": 1.0,
    "twin": 0.3,
}
"""Which signals make a candidate a starting point of the walk, and how much restart mass each carries."""

ALPHA = 0.2
"""Restart probability of the walk: high enough to stay near the seeds."""
EPSILON = 1e-4
MAX_PUSHES = 4000
_EDGE_OUT = 1.0
_EDGE_IN = 0.4
_CONTAINS = 0.5


class GraphView:
    """Adjacency and in-degree of the graph, cached across requests and invalidated per symbol as the graph changes,
    and filtered per request (edges found in a file that is being edited as an overlay are stale for that
    request)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._version: int | None = None
        self._nbrs: dict[str, tuple[list[tuple[str, float]], frozenset[str]]] = {}
        self._refs: dict[str, list[tuple[str, str]]] = {}
        self._children: dict[str, dict[str, list[str]]] = {}
        """Per file: parent id → member ids. Members change only when their file's symbols are replaced."""
        self.module_members: dict[tuple[str, str], str | None] = {}
        """Shared with each request's Binder: module-member resolution of indexed files."""

    def sync(self) -> None:
        """Drop what the graph's mutations since the last request made stale: the entries of the symbols whose
        edges or definitions changed (a didChange touches a handful), or everything when the graph's journal no
        longer reaches back (after a reindex)."""
        version = self.graph.version
        if version == self._version:
            return
        changes = self.graph.changes_since(self._version) if self._version is not None else None
        self._version = version
        if changes is None:
            self._nbrs.clear()
            self._refs.clear()
            self._children.clear()
            self.module_members.clear()
            return
        nodes, paths = changes
        for node in nodes:
            self._nbrs.pop(node, None)
            self._refs.pop(node, None)
        for path in paths:
            self._children.pop(path, None)
        if paths:
            self.module_members.clear()

    def neighbours(self, node: str, stale: str | None) -> list[tuple[str, float]]:
        entry = self._nbrs.get(node)
        if entry is None:
            entry = self._nbrs[node] = self._build(node)
        merged, paths = entry
        if stale is None or stale not in paths:
            return merged  # the common case: no edge of this node was found in the stale file
        acc: dict[str, float] = defaultdict(float)
        for other, w, path in paths_detail(self.graph, node):
            if path != stale:
                acc[other] += w
        return list(acc.items())

    def _build(self, node: str) -> tuple[list[tuple[str, float]], frozenset[str]]:
        acc: dict[str, float] = defaultdict(float)
        paths: set[str] = set()
        for other, w, path in paths_detail(self.graph, node):
            acc[other] += w
            paths.add(path)
        return list(acc.items()), frozenset(paths)

    def children(self, sid: str) -> list[Symbol]:
        """Direct members of a symbol (``Graph.children`` scans the whole file; classes are asked for often)."""
        sym = self.graph.symbol(sid)
        if sym is None:
            return []
        members = self._children.get(sym.path)
        if members is None:
            members = self._children[sym.path] = defaultdict(list)
            for child in self.graph.symbols_in(sym.path):
                if child.parent is not None:
                    members[child.parent].append(child.id)
        ids = members.get(sid, ())
        return [s for s in (self.graph.symbol(i) for i in ids) if s is not None]

    def popularity(self, sid: str, stale: str | None) -> int:
        """How many distinct places reference a definition (the global "core class" signal)."""
        refs = self._refs.get(sid)
        if refs is None:
            refs = self._refs[sid] = list(
                {(e.src, e.path) for e in self.graph.incoming(sid) if e.kind is not EdgeKind.CONTAINS}
            )
        return len({src for src, path in refs if path != stale})


def paths_detail(graph: Graph, node: str) -> list[tuple[str, float, str]]:
    """A node's neighbours with edge weights and the file each edge was found in ("" for containment)."""
    out: list[tuple[str, float, str]] = []
    for edge in graph.outgoing(node):
        if edge.dst is not None and edge.dst != node:
            out.append((edge.dst, _EDGE_OUT * edge.confidence, edge.path))
    for edge in graph.incoming(node):
        if edge.src != node:
            out.append((edge.src, _EDGE_IN * edge.confidence, edge.path))
    sym = graph.symbol(node)
    if sym is not None and sym.parent and not sym.parent.endswith("::"):
        out.append((sym.parent, _CONTAINS, ""))
    return out


def personalised_pagerank(
    view: GraphView,
    seeds: Mapping[str, float],
    stale: str | None = None,
    alpha: float = ALPHA,
    epsilon: float = EPSILON,
    max_pushes: int = MAX_PUSHES,
) -> dict[str, float]:
    """Approximate PPR by forward push (Andersen–Chung–Lang): touches only the seeds' neighbourhood, so its cost
    does not grow with the repository. Edges are walked both ways (uses strongly, used-by weakly) plus
    class↔member containment; edges found in ``stale`` are ignored."""
    total = sum(v for v in seeds.values() if v > 0)
    if total <= 0:
        return {}
    # Push order changes the approximation: seeds and neighbours are walked sorted, so the same graph gives the
    # same scores in every process (set order varies with the hash seed; the answer cache keys on the prompt).
    residual: dict[str, float] = {s: v / total for s, v in sorted(seeds.items()) if v > 0}
    estimate: dict[str, float] = defaultdict(float)
    neighbours: dict[str, tuple[list[tuple[str, float]], float]] = {}
    queue = list(residual)
    pushes = 0
    while queue and pushes < max_pushes:
        node = queue.pop()
        mass = residual.get(node, 0.0)
        if mass <= 0:
            continue
        entry = neighbours.get(node)
        if entry is None:
            nbrs = sorted(view.neighbours(node, stale))
            entry = neighbours[node] = (nbrs, sum(w for _, w in nbrs))
        nbrs, weight_sum = entry
        if mass < epsilon * max(len(nbrs), 1):
            continue
        pushes += 1
        residual[node] = 0.0
        estimate[node] += alpha * mass
        if not nbrs:
            continue
        share = (1 - alpha) * mass / weight_sum
        for other, w in nbrs:
            before = residual.get(other, 0.0)
            after = residual[other] = before + share * w
            if before < epsilon <= after:
                queue.append(other)
    return dict(estimate)


def combine(
    view: GraphView,
    candidates: dict[str, Candidate],
    stale: str | None = None,
    walk_limit: int = 60,
    focus_path: str | None = None,
) -> list[tuple[str, float]]:
    """Score every candidate; returns (symbol id, score) best first. ``reason`` explains one of them."""
    graph = view.graph
    penalise_tests = focus_path is not None and not is_test_path(focus_path)
    seeds: dict[str, float] = {}
    for sid, cand in candidates.items():
        mass = sum(SEED_SIGNALS.get(sig, 0.0) * min(val, 3.0) for sig, val in cand.signals.items())
        if mass > 0:
            seeds[sid] = mass
    walk = personalised_pagerank(view, seeds, stale)
    # The walk may surface definitions no direct signal nominated; keep the strongest of those.
    walk_only = sorted((v, s) for s, v in walk.items() if s not in candidates)
    for value, sid in walk_only[-walk_limit:]:
        sym = graph.symbol(sid)
        if sym is not None and sym.kind is not SymbolKind.MODULE and sym.path != focus_path:
            candidates.setdefault(sid, Candidate(sid)).add("walk", value, "near what this code uses in the graph")
    walk_top = max(walk.values(), default=0.0) or 1.0
    for sid, cand in candidates.items():
        if sid in walk:
            cand.signals["walk"] = max(cand.signals.get("walk", 0.0), walk[sid])
            cand.reasons.setdefault("walk", "near what this code uses in the graph")

    pop = {sid: view.popularity(sid, stale) for sid in candidates}
    pop_top = math.log1p(max(pop.values(), default=0)) or 1.0
    file_top = max((c.signals.get("file_use", 0.0) for c in candidates.values()), default=0.0) or 1.0

    ranked: list[tuple[str, float]] = []
    for sid, cand in candidates.items():
        scaled = dict(cand.signals)
        if "uses" in scaled:
            scaled["uses"] = min(1.0, 0.6 + 0.2 * scaled["uses"])
        if "file_use" in scaled:
            scaled["file_use"] = math.sqrt(scaled["file_use"] / file_top)
        if "walk" in scaled:
            scaled["walk"] = math.sqrt(scaled["walk"] / walk_top)
        scaled["popular"] = math.log1p(pop.get(sid, 0)) / pop_top
        if "lexical" in scaled:
            # Word overlap means most inside the modules this file already works with.
            scaled["lexical"] *= 1.0 + scaled.get("module", 0.0) + 0.5 * scaled.get("package", 0.0)
        cand.scaled = scaled
        score = sum(WEIGHTS.get(sig, 0.0) * min(val, 1.5) for sig, val in scaled.items())
        if penalise_tests and is_test_path(sid.partition("::")[0]):
            score *= TEST_PENALTY
        ranked.append((sid, score))
    ranked.sort(key=lambda t: (-t[1], t[0]))
    return ranked


def reason(cand: Candidate) -> str:
    """The two strongest contributions to a candidate's score, in words."""
    scaled = cand.scaled or cand.signals
    parts = sorted(
        ((WEIGHTS.get(sig, 0.0) * min(val, 1.5), sig) for sig, val in scaled.items() if sig in cand.reasons),
        reverse=True,
    )
    texts = [cand.reasons[sig] for _, sig in parts[:2]]
    return "; ".join(texts) if texts else "related"
