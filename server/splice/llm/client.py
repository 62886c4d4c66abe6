"""The one adapter to litellm: lazy import, calls, token counting, model info, prices, errors → ``LLMError``.

Nothing else in Splice imports litellm. The import costs ~4 s (more under load) and, without
``LITELLM_LOCAL_MODEL_COST_MAP=True``, tries the internet for its price list — so the variable is set before the first
import and the import happens on first use. litellm's own retries and the OpenAI SDK's retries are switched off:
the gateway decides what to retry. litellm's own Cache is not used (it crashes on hits in 1.106.2).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from splice.llm import errors
from splice.llm.model import Progress
from splice.llm.retry import parse_retry_after

log = logging.getLogger(__name__)
_import_lock = threading.Lock()


def litellm() -> Any:
    """The litellm module, imported on first use with the offline price list and its chatter switched off."""
    with _import_lock:
        # Forced, not defaulted: without it the import tries GitHub for prices and can block for seconds offline.
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        import litellm as module

        if not getattr(module, "_splice_configured", False):
            module.suppress_debug_info = True  # it prints "Give Feedback / Get Help" banners to stdout
            module.telemetry = False
            logging.getLogger("LiteLLM").setLevel(logging.WARNING)
            # litellm's own pydantic deprecation noise would otherwise fill the server log on every stream.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"litellm(\.|$)")
            module._splice_configured = True
        return module


async def ensure_imported() -> None:
    """Import litellm on a worker thread, so the first model call does not freeze the event loop (and with it
    every LSP request) for the seconds the import takes."""
    if "litellm" not in sys.modules or not getattr(sys.modules["litellm"], "_splice_configured", False):
        await asyncio.to_thread(litellm)


@dataclass(frozen=True)
class RawAnswer:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


# -- model checks --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def provider_of(model: str) -> str:
    try:
        return str(litellm().get_llm_provider(model)[1])
    except Exception as exc:
        raise errors.UnknownModel(
            f"litellm does not know which provider serves model '{model}'",
            "use a provider-prefixed name such as 'openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5' or "
            "'ollama/qwen2.5-coder' (for a local OpenAI-compatible server: 'openai/<name>' plus splice.apiBase)",
        ) from exc


def api_key(model: str, api_base: str | None, api_key_env: str | None, env: Mapping[str, str]) -> str | None:
    """The key to pass explicitly (None = let litellm read the provider's variable); raises MissingApiKey."""
    if api_key_env:
        value = env.get(api_key_env)
        if not value:
            raise errors.MissingApiKey(
                f"splice.apiKeyEnv names {api_key_env}, but that environment variable is not set",
                f"export {api_key_env}=<your key> in the environment the editor or CLI starts from",
            )
        return value
    provider = provider_of(model)
    check = litellm().validate_environment(model=model, api_key=None, api_base=api_base)
    missing = [name for name in check.get("missing_keys", []) if not (api_base and name.endswith("_API_BASE"))]
    if api_base:
        # A local server (llama.cpp, vLLM, Ollama's /v1) usually needs no key, but the OpenAI SDK insists on one.
        if provider == "openai" and not env.get("OPENAI_API_KEY"):
            return "sk-no-key"
        return None
    if missing:
        names = " and ".join(missing)
        raise errors.MissingApiKey(
            f"no API key for {provider} model '{model}': litellm reads {names}, which is not set",
            f"export {missing[0]}=<your key> before starting the editor or CLI, or set splice.apiKeyEnv to the "
            "name of the variable that holds it (keys are never read from settings files)",
        )
    return None


@functools.lru_cache(maxsize=64)
def context_window(model: str) -> int | None:
    """Max input tokens from litellm's model info; None when litellm does not know the model."""
    try:
        info = litellm().get_model_info(model)
    except Exception:
        return None
    value = info.get("max_input_tokens") or info.get("max_tokens")
    return int(value) if value else None


@functools.lru_cache(maxsize=64)
def prices(model: str) -> tuple[float, float] | None:
    """Dollars per prompt token and per completion token; None for models missing from the cost map."""
    try:
        prompt, completion = litellm().cost_per_token(model=model, prompt_tokens=1_000_000, completion_tokens=1_000_000)
    except Exception:
        return None
    return float(prompt) / 1_000_000, float(completion) / 1_000_000


def count_tokens(model: str, messages: Sequence[Mapping[str, str]]) -> int:
    """Prompt tokens: each message's text counted by the model's tokenizer (memoised), plus OpenAI's framing
    overhead of 3 tokens per message and 3 for the reply. litellm's message counter gives the same figure
    but re-tokenises every message on every call."""
    count = token_counter(model)
    return sum(count(m.get("content", "")) + 3 for m in messages) + 3


def approx_tokens(text: str) -> int:
    """About four characters per token: the usual figure for English and code with BPE tokenizers."""
    return (len(text) + 3) // 4


_HF_TOKENIZER_HINTS = ("claude", "llama", "replicate", "command-r")
"""Model names for which litellm may pick a Hugging Face tokenizer (Anthropic's, Llama's, Cohere's): those are
counted through litellm. For every other model litellm counts with tiktoken's ``cl100k_base``, which Splice loads
itself — importing litellm costs seconds, and a cached answer or ``splice context`` must not pay them."""

_CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"


def _cl100k() -> Any | None:
    """tiktoken's ``cl100k_base`` from the copy litellm ships (the same file litellm counts with), found without
    importing litellm; None when tiktoken or the bundled file is missing (tiktoken would otherwise download it)."""
    import hashlib
    import importlib.util

    try:
        spec = importlib.util.find_spec("litellm")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.environ.get("CUSTOM_TIKTOKEN_CACHE_DIR") or os.path.join(
        next(iter(spec.submodule_search_locations)), "litellm_core_utils", "tokenizers"
    )
    if not os.path.isfile(os.path.join(folder, hashlib.sha1(_CL100K_URL.encode()).hexdigest())):
        return None
    os.environ["TIKTOKEN_CACHE_DIR"] = folder  # what litellm sets on import: tiktoken reads the bundled copy
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base")
    except Exception:
        return None


@functools.lru_cache(maxsize=16)
def token_counter(model: str | None) -> Callable[[str], int]:
    """A text → token count function for ``model``: the tokenizer litellm picks for it (tiktoken, called directly
    and loaded without importing litellm — litellm's wrapper costs ~2x per call and the context layer counts
    thousands of snippets), litellm's counter for other tokenizers, and the approximation when nothing can count."""
    if not model:
        return approx_tokens
    if not any(hint in model.lower() for hint in _HF_TOKENIZER_HINTS):
        cl100k = _cl100k()
        if cl100k is not None:
            return _memoised(lambda text: len(cl100k.encode(text, disallowed_special=())))
    try:
        module = litellm()
        from litellm.utils import _select_tokenizer

        selected = _select_tokenizer(model)
        module.token_counter(model=model, text="probe")
    except Exception:
        return approx_tokens
    encoding: Any = selected.get("tokenizer") if selected.get("type") == "openai_tokenizer" else None
    if encoding is not None:
        return _memoised(lambda text: len(encoding.encode(text, disallowed_special=())))
    return _memoised(lambda text: int(module.token_counter(model=model, text=text)))


def _memoised(count: Callable[[str], int]) -> Callable[[str], int]:
    @functools.lru_cache(maxsize=512)  # keys are whole texts: bounded so a long session cannot hoard them
    def memo(text: str) -> int:
        try:
            return count(text)
        except Exception:
            return approx_tokens(text)

    return memo


# -- calls ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How long one attempt may take, and how much it may send back."""

    connect: float = 5.0
    silence: float = 10.0
    """Seconds without a chunk (before the first one, and between two)."""
    deadline: float | None = None
    """``time.monotonic()`` by which the whole request must be done (None: no overall limit)."""
    max_chars: int | None = None
    """An answer longer than this is refused as it streams in, before anything parses it."""

    def left(self) -> float:
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()


async def complete(
    model: str,
    messages: Sequence[Mapping[str, str]],
    *,
    api_base: str | None,
    api_key: str | None,
    temperature: float,
    max_tokens: int,
    limits: Limits,
    progress: Callable[[Progress], None] | None = None,
) -> RawAnswer:
    """One attempt, no retries, always streamed (so silence is seen as it happens, and a runaway answer is cut off
    early). Raises ``LLMError``; cancellation propagates and closes the connection."""
    module = litellm()
    import httpx

    kwargs: dict[str, Any] = {
        "model": model,
        "messages": list(messages),
        "temperature": temperature,
        "max_tokens": max_tokens,
        # The read timeout is the silence limit: it also covers a server that accepts and never sends headers.
        "timeout": httpx.Timeout(limits.silence, connect=limits.connect),
        "num_retries": 0,
        "max_retries": 0,  # the OpenAI SDK would otherwise retry 429/5xx on its own, twice
    }
    if api_base:
        kwargs["api_base"] = api_base
    if api_key:
        kwargs["api_key"] = api_key
    report = progress or (lambda p: None)
    try:
        opened = module.acompletion(**kwargs, stream=True, stream_options={"include_usage": True})
        # Opening includes litellm's own first-call setup (seconds, once per process), so only the overall deadline
        # bounds it here; the transport's read timeout (the silence limit) starts with the request itself.
        try:
            stream = await _within(opened, limits, model, first=True, silence=False)
        except errors.LLMError:
            raise
        except Exception as exc:
            raise _timed(classify(exc, model, api_base), model, limits, first=True) from exc
        try:
            return await _collect(stream, report, model, messages, limits)
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()
    except errors.LLMError:
        raise
    except Exception as exc:
        raise _timed(classify(exc, model, api_base), model, limits, first=False) from exc


def _timed(error: errors.LLMError, model: str, limits: Limits, *, first: bool) -> errors.LLMError:
    """A transport read timeout is the silence limit: name it, and the setting that governs it."""
    if type(error) is not errors.RequestTimedOut:
        return error
    if limits.left() <= 0.05:
        return errors.DeadlineExceeded(
            f"model '{model}' did not finish its answer within the overall limit",
            "raise splice.timeout (seconds per request, retries included), or ask for less",
        )
    if first:
        return errors.ModelSilent(
            f"model '{model}' sent nothing for {limits.silence:g} s — it is down, overloaded, or still loading",
            "check that the model server is running; raise splice.firstTokenTimeout for a model that is slow to start",
        )
    return errors.RequestTimedOut(
        f"the stream from '{model}' stalled for {limits.silence:g} s",
        "retried automatically; raise splice.firstTokenTimeout if the model pauses that long",
    )


async def _within(awaitable: Any, limits: Limits, model: str, *, first: bool, silence: bool = True) -> Any:
    """Await one step of the stream within the silence limit and the overall deadline."""
    wait = min(limits.silence, limits.left()) if silence else limits.left()
    if wait == float("inf"):
        return await awaitable
    try:
        return await asyncio.wait_for(awaitable, timeout=max(0.0, wait))
    except TimeoutError as exc:
        raise _timed(errors.RequestTimedOut("", ""), model, limits, first=first) from exc


async def _collect(
    stream: Any,
    progress: Callable[[Progress], None],
    model: str,
    messages: Sequence[Mapping[str, str]],
    limits: Limits,
) -> RawAnswer:
    parts: list[str] = []
    size = 0
    finish: str | None = None
    prompt_tokens = completion_tokens = 0
    chunks = 0
    iterator = stream.__aiter__()
    while True:
        try:
            chunk = await _within(iterator.__anext__(), limits, model, first=chunks == 0)
        except StopAsyncIteration:
            break
        except errors.LLMError:
            raise
        except Exception as exc:
            raise _timed(classify(exc, model), model, limits, first=chunks == 0) from exc
        usage = getattr(chunk, "usage", None)
        if usage is not None and getattr(usage, "completion_tokens", None):
            prompt_tokens = int(usage.prompt_tokens or 0)
            completion_tokens = int(usage.completion_tokens or 0)
        for choice in getattr(chunk, "choices", None) or []:
            delta = getattr(choice, "delta", None)
            content = getattr(delta, "content", None) if delta is not None else None
            if content:
                parts.append(content)
                size += len(content)
            if choice.finish_reason:
                finish = str(choice.finish_reason)
        chunks += 1
        if limits.max_chars is not None and size > limits.max_chars:
            raise errors.UnusableAnswer(
                f"the answer from '{model}' passed {limits.max_chars} characters, far more than the request allows; "
                "it was refused before parsing",
                "the model is probably looping; try again, or lower the request's scope",
            )
        text = "".join(parts)
        progress(Progress(chunks, completion_tokens or approx_tokens(text), text))
    text = "".join(parts)
    if not _provider_finished(stream):
        finish = None  # litellm invents finish_reason "stop" for a stream that just ended; the provider did not
    if finish is None and not text and completion_tokens == 0:
        raise errors.MalformedResponse(
            f"the provider's answer for '{model}' is not a stream of completion chunks",
            "check that splice.apiBase points at an OpenAI-compatible /v1 endpoint",
        )
    if finish is None:
        raise errors.IncompleteAnswer(
            f"the stream ended after {chunks} chunks without the model finishing its answer",
            "try again; nothing was applied",
        )
    if not completion_tokens:
        completion_tokens = approx_tokens(text)
        prompt_tokens = count_tokens(model, messages)
    return RawAnswer(text, finish, prompt_tokens, completion_tokens)


def _provider_finished(stream: Any) -> bool:
    """Whether the provider itself sent a finish_reason (litellm's stream wrapper records it; a wrapper without the
    attribute is trusted)."""
    if not hasattr(stream, "received_finish_reason"):
        return True
    return bool(stream.received_finish_reason or getattr(stream, "intermittent_finish_reason", None))


async def embed(
    model: str, texts: Sequence[str], *, api_base: str | None, api_key: str | None, timeout: float
) -> list[list[float]]:
    kwargs: dict[str, Any] = {"model": model, "input": list(texts), "timeout": timeout, "max_retries": 0}
    if api_base:
        kwargs["api_base"] = api_base
    if api_key:
        kwargs["api_key"] = api_key
    try:
        response = await litellm().aembedding(**kwargs)
        rows = sorted(response.data, key=lambda d: d["index"] if isinstance(d, dict) else d.index)
        return [list(map(float, r["embedding"] if isinstance(r, dict) else r.embedding)) for r in rows]
    except errors.LLMError:
        raise
    except Exception as exc:
        raise classify(exc, model) from exc


# -- errors --------------------------------------------------------------------------------------------------

_JSON_FAILURES = ("Expecting value", "JSONDecodeError", "Unterminated string", "Extra data", "Invalid control")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _connect_failure(exc: BaseException) -> str | None:
    """ "connection refused" / "connect timed out" / "name not resolved" when that is what happened."""
    import httpx

    for link in _chain(exc):
        text = str(link).lower()
        if isinstance(link, ConnectionRefusedError) or "connection refused" in text or "connect call failed" in text:
            return "connection refused"
        if isinstance(link, httpx.ConnectTimeout):
            return "the connection timed out"
        if isinstance(link, httpx.ConnectError):
            return "could not connect" if "name" not in text else "the host name does not resolve"
    return None


def classify(exc: BaseException, model: str, api_base: str | None = None) -> errors.LLMError:
    """Map a litellm / OpenAI SDK exception onto the gateway's error classes."""
    litellm()
    import litellm.exceptions as module

    failure = _connect_failure(exc)
    if failure is not None:
        where = api_base or f"the {model.partition('/')[0]} API"
        return errors.ProviderUnavailable(
            f"cannot reach the model server for '{model}' at {where}: {failure}",
            "start the model server, or check splice.apiBase (and splice.connectTimeout for a slow network)",
        )

    status = getattr(exc, "status_code", None)
    text = str(getattr(exc, "message", "") or exc)
    headers = getattr(exc, "litellm_response_headers", None) or getattr(getattr(exc, "response", None), "headers", {})
    retry_after = parse_retry_after(headers.get("retry-after") if headers else None)
    short = _provider_message(text)
    if isinstance(exc, module.ContextWindowExceededError):
        return errors.ContextWindowExceeded(
            f"the prompt does not fit model '{model}': {short}",
            "narrow the selection or lower splice.context.budget, or pick a model with a larger window",
            status=status,
        )
    if isinstance(exc, module.ContentPolicyViolationError):
        return errors.ContentPolicy(f"the provider refused the request: {short}", "rephrase the request", status=status)
    if isinstance(exc, module.Timeout):
        return errors.RequestTimedOut(
            f"model '{model}' did not answer in time",
            "raise splice.timeout, or check that the model server is running",
            status=status,
        )
    if isinstance(exc, module.RateLimitError):
        return errors.RateLimited(
            f"rate limited by the provider of '{model}': {short}",
            "wait a moment, or lower splice.concurrency",
            status=429,
            retry_after=retry_after,
        )
    if isinstance(exc, module.AuthenticationError | module.PermissionDeniedError):
        return errors.AuthenticationFailed(
            f"the provider rejected the API key for '{model}': {short}",
            "check the key in the provider's environment variable (or the one splice.apiKeyEnv names)",
            status=status,
        )
    if isinstance(exc, module.NotFoundError):
        return errors.UnknownModel(
            f"the provider does not know model '{model}': {short}",
            "check the model name (splice.model or splice.models.<feature>) against the provider's model list",
            status=status,
        )
    if isinstance(exc, module.MidStreamFallbackError):
        cause = getattr(exc, "original_exception", None)
        if isinstance(cause, module.Timeout | TimeoutError) or "timeout" in text.lower():
            return errors.RequestTimedOut(
                f"the stream from '{model}' stalled for longer than the timeout",
                "raise splice.timeout, or check the model server; retried automatically",
                status=status,
            )
        return errors.IncompleteAnswer(
            f"the stream from '{model}' broke off mid-answer: {short}", "try again; nothing was applied", status=status
        )
    if isinstance(exc, json.JSONDecodeError) or any(marker in text for marker in _JSON_FAILURES):
        return errors.MalformedResponse(
            f"the provider's answer for '{model}' is not valid JSON ({short})",
            "check that splice.apiBase points at an OpenAI-compatible /v1 endpoint",
            status=status,
        )
    if isinstance(exc, module.BadRequestError) or status in (400, 413, 422):
        return errors.BadRequest(f"the provider rejected the request: {short}", "see the provider's message")
    if isinstance(exc, module.APIConnectionError) or (isinstance(status, int) and status >= 500):
        return errors.ProviderUnavailable(
            f"the provider of '{model}' failed ({status or 'connection error'}): {short}",
            "check splice.apiBase and that the provider is reachable; retried automatically",
            status=status,
            retry_after=retry_after,
        )
    return errors.LLMError(f"model call failed: {type(exc).__name__}: {short}", "see the log for details")


def _provider_message(text: str) -> str:
    """The provider's own words, without litellm's stacked class-name prefixes."""
    for marker in ("Exception - ", "Error - "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    return text.strip().splitlines()[0][:300] if text.strip() else "(no message)"
