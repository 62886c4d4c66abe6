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
from collections.abc import Callable, Mapping

from splice.context.candidates import Candidate
from splice.index.graph import Graph
from splice.index.model import Edge, EdgeKind, SymbolKind

WEIGHTS: Mapping[str, float] = {
    "uses": 6.0,
    "unused_import": 4.0,
    "hierarchy": 2.5,
    "name": 2.5,
    "seed": 3.0,
    "file_use": 1.6,
    "import": 1.0,
    "twin": 1.5,
    "walk": 2.0,
    "lexical": 1.2,
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


def personalised_pagerank(
    graph: Graph,
    seeds: Mapping[str, float],
    edge_ok: Callable[[Edge], bool],
    alpha: float = ALPHA,
    epsilon: float = EPSILON,
    max_pushes: int = MAX_PUSHES,
) -> dict[str, float]:
    """Approximate PPR by forward push (Andersen–Chung–Lang): touches only the seeds' neighbourhood, so its cost
    does not grow with the repository. Edges are walked both ways (uses strongly, used-by weakly) plus
    class↔member containment."""
    total = sum(v for v in seeds.values() if v > 0)
    if total <= 0:
        return {}
    residual: dict[str, float] = {s: v / total for s, v in seeds.items() if v > 0}
    estimate: dict[str, float] = defaultdict(float)
    neighbours: dict[str, list[tuple[str, float]]] = {}
    queue = list(residual)
    pushes = 0
    while queue and pushes < max_pushes:
        node = queue.pop()
        mass = residual.get(node, 0.0)
        if mass <= 0:
            continue
        nbrs = neighbours.get(node)
        if nbrs is None:
            nbrs = neighbours[node] = _neighbours(graph, node, edge_ok)
        if mass < epsilon * max(len(nbrs), 1):
            continue
        pushes += 1
        residual[node] = 0.0
        estimate[node] += alpha * mass
        if not nbrs:
            continue
        spread = (1 - alpha) * mass
        weight_sum = sum(w for _, w in nbrs)
        for other, w in nbrs:
            before = residual.get(other, 0.0)
            residual[other] = before + spread * w / weight_sum
            if before < epsilon and residual[other] >= epsilon:
                queue.append(other)
    return dict(estimate)


def _neighbours(graph: Graph, node: str, edge_ok: Callable[[Edge], bool]) -> list[tuple[str, float]]:
    out: dict[str, float] = defaultdict(float)
    for edge in graph.outgoing(node):
        if edge.dst is not None and edge.dst != node and edge_ok(edge):
            out[edge.dst] += _EDGE_OUT * edge.confidence
    for edge in graph.incoming(node):
        if edge.src != node and edge_ok(edge):
            out[edge.src] += _EDGE_IN * edge.confidence
    sym = graph.symbol(node)
    if sym is not None and sym.parent and not sym.parent.endswith("::"):
        out[sym.parent] += _CONTAINS
    return list(out.items())


def popularity(graph: Graph, sid: str, edge_ok: Callable[[Edge], bool]) -> int:
    """How many distinct places reference a definition (the global "core class" signal)."""
    return len({e.src for e in graph.incoming(sid) if e.kind is not EdgeKind.CONTAINS and edge_ok(e)})


def combine(
    graph: Graph,
    candidates: dict[str, Candidate],
    edge_ok: Callable[[Edge], bool],
    walk_limit: int = 60,
) -> list[tuple[str, float, str]]:
    """Score every candidate; returns (symbol id, score, reason) best first."""
    seeds: dict[str, float] = {}
    for sid, cand in candidates.items():
        mass = sum(SEED_SIGNALS.get(sig, 0.0) * min(val, 3.0) for sig, val in cand.signals.items())
        if mass > 0:
            seeds[sid] = mass
    walk = personalised_pagerank(graph, seeds, edge_ok)
    # The walk may surface definitions no direct signal nominated; keep the strongest of those.
    walk_only = sorted((v, s) for s, v in walk.items() if s not in candidates)
    for value, sid in walk_only[-walk_limit:]:
        sym = graph.symbol(sid)
        if sym is not None and sym.kind is not SymbolKind.MODULE:
            candidates.setdefault(sid, Candidate(sid)).add("walk", value, "near what this code uses in the graph")
    walk_top = max(walk.values(), default=0.0) or 1.0
    for sid, cand in candidates.items():
        if sid in walk:
            cand.signals["walk"] = max(cand.signals.get("walk", 0.0), walk[sid])
            cand.reasons.setdefault("walk", "near what this code uses in the graph")

    pop = {sid: popularity(graph, sid, edge_ok) for sid in candidates}
    pop_top = math.log1p(max(pop.values(), default=0)) or 1.0
    file_top = max((c.signals.get("file_use", 0.0) for c in candidates.values()), default=0.0) or 1.0

    ranked: list[tuple[str, float, str]] = []
    for sid, cand in candidates.items():
        scaled = dict(cand.signals)
        if "uses" in scaled:
            scaled["uses"] = min(1.0, 0.6 + 0.2 * scaled["uses"])
        if "file_use" in scaled:
            scaled["file_use"] = math.sqrt(scaled["file_use"] / file_top)
        if "walk" in scaled:
            scaled["walk"] = math.sqrt(scaled["walk"] / walk_top)
        scaled["popular"] = math.log1p(pop.get(sid, 0)) / pop_top
        score = sum(WEIGHTS.get(sig, 0.0) * min(val, 1.5) for sig, val in scaled.items())
        reason = _best_reason(cand, scaled)
        ranked.append((sid, score, reason))
    ranked.sort(key=lambda t: (-t[1], t[0]))
    return ranked


def _best_reason(cand: Candidate, scaled: Mapping[str, float]) -> str:
    parts = sorted(
        ((WEIGHTS.get(sig, 0.0) * min(val, 1.5), sig) for sig, val in scaled.items() if sig in cand.reasons),
        reverse=True,
    )
    texts = [cand.reasons[sig] for _, sig in parts[:2]]
    return "; ".join(texts) if texts else "related"
