"""Value types of the gateway: what features send (``Request``) and what they get back (``Completion``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    role: str
    """``system`` | ``user`` | ``assistant``."""
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


def messages_of(pairs: Iterable[tuple[str, str]]) -> tuple[Message, ...]:
    return tuple(Message(role, content) for role, content in pairs)


@dataclass(frozen=True)
class Request:
    """One model call as a feature describes it; the gateway fills in the model and parameters from settings."""

    feature: str
    messages: tuple[Message, ...]
    context_hashes: tuple[str, ...] = ()
    """Content hashes of the context items used: part of the cache key, so changed code never hits."""
    model: str | None = None
    """Overrides ``Settings.model_for(feature)``."""
    temperature: float | None = None
    max_tokens: int | None = None
    use_cache: bool = True


@dataclass(frozen=True)
class TokenUsage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    """A finished answer, secrets already restored, ready for the edits layer."""

    text: str
    model: str
    feature: str
    usage: TokenUsage
    cost: float
    """Dollars from litellm's local cost map (0 for unmapped models; see ``notes``)."""
    cached: bool
    latency: float
    """Seconds spent in the gateway for this call, model time included."""
    finish_reason: str
    redacted: int = 0
    """How many distinct secrets were replaced by placeholders before sending."""
    notes: tuple[str, ...] = ()
    """Things the user may want to know: unpriced model, cache unavailable, …"""
    cache_key: str | None = None
    """Set when the answer can be cached: it is, once the feature calls ``Gateway.keep`` (a usable result)."""


@dataclass(frozen=True)
class Progress:
    """Streaming progress for work-done reports: chunks and tokens received so far."""

    chunks: int
    tokens: int
    text: str
    waiting: str = ""
    """What the gateway is waiting for before any chunk ("connecting to …", "retrying in 2 s …"); empty while
    the answer streams in."""

    def describe(self) -> str:
        """One line for a progress bar."""
        return self.waiting or f"receiving the answer: {self.tokens} tokens"
