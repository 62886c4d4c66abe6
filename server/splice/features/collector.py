"""When the garbage collector runs in a long-lived Splice process: between requests, not inside them.

CPython's full collections scan every tracked object. On a zod-sized workspace the graph and the context engine's
caches are millions of objects, and an automatic full collection landing inside a request took 100–250 ms — most of
a context or generate request's budget — while finding nothing to free (the graph is not garbage). So:

- after the initial index the graph is collected once and frozen (``gc.freeze``): full passes stop scanning it;
- automatic full collections are switched off (the third threshold is raised out of reach); young generations
  still collect as usual, so short-lived garbage never piles up;
- the server calls ``idle()`` after a quiet moment: when full collections are due (as many young collections have
  run as would have triggered one), it collects, then freezes what survived — the caches built since — so the
  next pass stays small. Every ``FULL_EVERY``-th time it first unfreezes, so reference cycles among frozen objects
  that died since are freed too;
- a server that is never quiet still collects once work has gone ``OVERDUE`` times past due, inside a request if
  it must: memory is bounded either way.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

QUIET_SECONDS = 2.0
"""How long without a message from the editor counts as idle."""
DUE = 10
"""Young (generation 1) collections since the last full one that make a full one due: CPython's own default."""
OVERDUE = 200
"""Past this, collect even while busy."""
FULL_EVERY = 20
"""Every this many idle collections, unfreeze first so cycles among frozen objects can be freed."""
_NEVER = 1 << 30


@dataclass
class Collector:
    quiet: float = QUIET_SECONDS
    last_activity: float = field(default_factory=time.monotonic)
    collections: int = 0
    """Idle collections run so far."""
    _thresholds: tuple[int, int, int] | None = None

    def settle(self) -> None:
        """After building a long-lived structure (the initial index): collect once, freeze the survivors, and take
        automatic full collections over."""
        gc.collect()
        gc.freeze()
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, _NEVER)

    def restore(self) -> None:
        """Give the collector back its own policy (tests and benchmarks that end)."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
        gc.unfreeze()

    def touch(self) -> None:
        """Something arrived from the editor: the process is busy."""
        self.last_activity = time.monotonic()

    def pending(self) -> int:
        """Young collections since the last full one."""
        return gc.get_count()[2]

    def idle(self, now: float | None = None) -> bool:
        """Run a full collection if one is due and the process has been quiet (or it is long overdue). Returns
        whether it ran."""
        if self._thresholds is None:
            return False  # not settled: CPython's own policy is in charge
        now = time.monotonic() if now is None else now
        pending = self.pending()
        quiet = now - self.last_activity >= self.quiet
        if pending < DUE or (not quiet and pending < OVERDUE):
            return False
        self.collections += 1
        if self.collections % FULL_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
        return True
