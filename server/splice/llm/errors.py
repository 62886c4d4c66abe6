"""Gateway errors: one exception class per failure the user can act on, each carrying a message and a fix.

Callers catch ``LLMError`` and show ``problem.message`` and ``problem.fix``; ``problem.kind`` is a stable string for
the LSP layer and the usage log. Only ``retryable`` kinds (rate limits, 5xx, timeouts) are ever retried.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """What went wrong, how to fix it, and whether trying again may help."""

    kind: str
    message: str
    fix: str
    retryable: bool = False
    status: int | None = None
    """The provider's HTTP status, when there was one."""
    retry_after: float | None = None
    """Seconds the provider asked us to wait (``Retry-After``), when it said so."""

    def __str__(self) -> str:
        return f"{self.message} — {self.fix}" if self.fix else self.message


class LLMError(Exception):
    """Base class: every error the gateway raises to its callers is one of these."""

    kind = "error"
    retryable = False

    def __init__(
        self, message: str, fix: str = "", *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        self.problem = Problem(self.kind, message, fix, self.retryable, status, retry_after)
        super().__init__(str(self.problem))


class NoModelConfigured(LLMError):
    kind = "no_model"


class MissingApiKey(LLMError):
    kind = "missing_key"


class UnknownModel(LLMError):
    kind = "unknown_model"


class AuthenticationFailed(LLMError):
    kind = "auth_failed"


class ContextWindowExceeded(LLMError):
    kind = "context_window"


class BudgetExceeded(LLMError):
    kind = "budget"


class BadRequest(LLMError):
    kind = "bad_request"


class ContentPolicy(LLMError):
    kind = "content_policy"


class RateLimited(LLMError):
    kind = "rate_limited"
    retryable = True


class ProviderUnavailable(LLMError):
    """5xx and connection failures."""

    kind = "provider_unavailable"
    retryable = True


class RequestTimedOut(LLMError):
    kind = "timeout"
    retryable = True


class ModelSilent(RequestTimedOut):
    """Nothing streamed within ``splice.firstTokenTimeout``: reported at once, since another attempt would double
    the wait for a model that is down."""

    kind = "model_silent"
    retryable = False


class DeadlineExceeded(RequestTimedOut):
    """The request as a whole ran past ``splice.timeout`` (retries included)."""

    kind = "deadline"
    retryable = False


class UnusableAnswer(LLMError):
    """The model answered, but with nothing a feature can use: empty, null, or far larger than asked for."""

    kind = "unusable_answer"


class MalformedResponse(LLMError):
    """The provider answered 200 with a body that is not a valid completion."""

    kind = "malformed_response"


class IncompleteAnswer(LLMError):
    """A stream that stopped early, or an answer cut at max_tokens: never applied, never cached."""

    kind = "incomplete_answer"


class GiveUp(LLMError):
    """Retries exhausted; ``last`` is the last retryable problem."""

    kind = "retries_exhausted"

    def __init__(self, attempts: int, last: LLMError) -> None:
        self.last = last
        super().__init__(
            f"gave up after {attempts} attempts: {last.problem.message}",
            last.problem.fix or "try again later, or lower splice.concurrency",
            status=last.problem.status,
        )
