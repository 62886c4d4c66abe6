"""Retry policy: which problems are retried, how long to wait (exponential backoff with jitter, Retry-After)."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from splice.llm.errors import LLMError


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    """Retries after the first attempt (``Settings.max_retries``)."""
    base: float = 0.5
    cap: float = 20.0
    max_wait: float = 60.0
    """A provider asking us to wait longer than this makes us give up now rather than hang the editor."""

    def delay(self, attempt: int, error: LLMError, rand: Callable[[], float] = random.random) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based), or None when we must not retry."""
        if not error.retryable or attempt > self.max_retries:
            return None
        backoff: float = min(self.cap, self.base * 2.0 ** (attempt - 1)) * (0.5 + rand() / 2)
        hinted = error.problem.retry_after
        if hinted is not None:
            if hinted > self.max_wait:
                return None
            # Honour the provider's hint: never sooner, a little later spreads out a thundering herd.
            return max(hinted, backoff)
        return backoff


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())
