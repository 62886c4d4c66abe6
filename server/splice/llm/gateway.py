"""The gateway every feature calls: settings → model, redaction, cache, budget, concurrency, retries, usage.

One ``complete()`` does, in order: pick the model (feature override, then ``splice.model``), check it and its key,
redact secrets from the messages, look the answer up in the cache, count tokens against the context window,
estimate the cost against the budgets, wait for a slot (``splice.concurrency``), call the model (always streamed,
within ``splice.connectTimeout``, ``splice.firstTokenTimeout`` of silence and the overall ``splice.timeout``) with
retries only for retryable problems, record usage, restore the secrets. An answer is cached only once the feature
has used it (``keep``): an empty, cut, oversized or unusable answer is never stored, and ``reject`` drops one a
feature could not use (also when it came from the cache). Errors are ``LLMError`` subclasses with a message and a
fix; cancellation propagates to the HTTP request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from splice import invisible
from splice.config import Settings
from splice.llm import client, errors
from splice.llm.cache import AnswerCache, CachedAnswer, answer_from, cache_key
from splice.llm.model import Completion, Message, Progress, Request, TokenUsage
from splice.llm.retry import RetryPolicy
from splice.llm.usage import Estimate, UsageLog, UsageRecord, check_budget, estimate, record, today
from splice.redaction import Redactor, dotenv_secrets, env_secrets

ProgressFn = Callable[[Progress], None]
Sleep = Callable[[float], Awaitable[None]]
_SECRET_RESCAN = 5.0
_UNCONFIRMED = 64
"""Fresh answers waiting for their feature's verdict (``keep``/``reject``); older ones are simply not cached."""
CHARS_PER_TOKEN_MAX = 32
"""An answer longer than ``max_tokens`` × this (plus a margin) cannot be what the model was asked for."""


def splice_dir(workspace: Path) -> Path:
    return workspace / ".splice"


class Gateway:
    def __init__(
        self,
        settings: Settings,
        workspace: Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        cache: AnswerCache | None = None,
        usage: UsageLog | None = None,
        context_windows: Mapping[str, int] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.workspace = workspace
        self.env = os.environ if env is None else env
        if cache is None and settings.cache_enabled:
            disk = splice_dir(workspace) / "cache" if workspace is not None else None
            cache = AnswerCache(disk, settings.cache_redis_url)
        self.cache = cache
        if usage is None and workspace is not None:
            usage = UsageLog(splice_dir(workspace) / "usage.jsonl")
        self.usage = usage
        self.context_windows = dict(context_windows or {})
        """Input-token limits for models litellm does not know (local models), by model string."""
        self.retry = RetryPolicy(max_retries=settings.max_retries)
        self.sleep = sleep
        self.attempts = 0
        """Model calls actually sent (all attempts, all requests): tests and benchmarks read it."""
        self._semaphore: asyncio.Semaphore | None = None
        self._semaphore_loop: asyncio.AbstractEventLoop | None = None
        self._secrets: tuple[float, frozenset[str]] = (0.0, frozenset())
        self._unconfirmed: OrderedDict[str, CachedAnswer] = OrderedDict()

    # -- public API ------------------------------------------------------------------------------------------

    async def update_settings(self, settings: Settings) -> None:
        """Apply new settings (``workspace/didChangeConfiguration``) without dropping the warm cache."""
        old, self.settings = self.settings, settings
        self.retry = RetryPolicy(max_retries=settings.max_retries)
        if settings.concurrency != old.concurrency:
            self._semaphore = None  # calls in flight finish under the old limit; new ones queue under the new
        if (settings.cache_enabled, settings.cache_redis_url) != (old.cache_enabled, old.cache_redis_url):
            if self.cache is not None:
                await self.cache.close()
            disk = splice_dir(self.workspace) / "cache" if self.workspace is not None else None
            self.cache = AnswerCache(disk, settings.cache_redis_url) if settings.cache_enabled else None

    def model_for(self, request: Request) -> str:
        model = request.model or self.settings.model_for(request.feature)
        if not model:
            raise errors.NoModelConfigured(
                f"no model configured for '{request.feature}'",
                'set SPLICE_MODEL (e.g. SPLICE_MODEL=openai/gpt-4o-mini), or `model = "…"` under [tool.splice] in '
                "pyproject.toml or .splice/config.toml, or the editor setting splice.model, or pass --model",
            )
        return model

    def redactor(self) -> Redactor:
        """A fresh redactor knowing the workspace's current secrets (keep one per session for stable names)."""
        return Redactor(self._known_secrets())

    def estimate(self, request: Request, redactor: Redactor | None = None) -> Estimate:
        model = self.model_for(request)
        messages = self._redacted(request, redactor or self.redactor())
        return estimate(model, client.count_tokens(model, messages), self._max_tokens(request), client.prices(model))

    def token_counter(self, model: str | None = None) -> Callable[[str], int]:
        return client.token_counter(model or self.settings.model)

    async def embed(self, texts: Sequence[str], model: str | None = None) -> list[list[float]]:
        name = model or self.settings.embeddings_model
        if name in ("wordllama", "none"):
            raise errors.UnknownModel(
                f"'{name}' is not a litellm embedding model",
                "the context layer embeds with wordllama locally; set splice.embeddings.model to a litellm "
                "embedding model (e.g. 'openai/text-embedding-3-small') to embed through the gateway",
            )
        await client.ensure_imported()
        key = client.api_key(name, self.settings.api_base, self.settings.api_key_env, self.env)
        redactor = self.redactor()
        return await client.embed(
            name,
            [redactor.redact(t) for t in texts],
            api_base=self.settings.api_base,
            api_key=key,
            timeout=self.settings.timeout,
        )

    async def warm_up(self) -> None:
        """Load litellm in the background (the LSP server calls this after ``initialized``)."""
        await client.ensure_imported()

    async def complete(
        self, request: Request, *, progress: ProgressFn | None = None, redactor: Redactor | None = None
    ) -> Completion:
        started = time.perf_counter()
        model = self.model_for(request)
        feature = request.feature
        try:
            redactor = redactor or self.redactor()
            messages = self._redacted(request, redactor)
            params = {"temperature": self._temperature(request), "max_tokens": self._max_tokens(request)}
            ckey = cache_key(model, messages, params, request.context_hashes)
            use_cache = self.cache is not None and request.use_cache
            hit = await self.cache.get(ckey) if use_cache and self.cache is not None else None
            if hit is not None:
                text = redactor.restore(hit.text)
                if progress is not None:
                    progress(Progress(1, hit.completion_tokens, text))
                self._log(record(model, feature, started=started, cache_hit=True, note="cache hit"))
                usage = TokenUsage(hit.prompt_tokens, hit.completion_tokens)
                done = self._completion(text, model, feature, usage, 0.0, True, started, hit.finish_reason, redactor)
                return dataclasses.replace(done, cache_key=ckey)
            # litellm is imported only for a call, after the cache: a cached answer pays no import (seconds in a CLI)
            await client.ensure_imported()
            key = client.api_key(model, self.settings.api_base, self.settings.api_key_env, self.env)
            self._check_limits(model, messages, request)
            raw = await self._call_with_retries(
                model, messages, key, params, self._restoring(progress, redactor), started=time.monotonic()
            )
            if not raw.text.strip():
                raise errors.UnusableAnswer(
                    f"model '{model}' answered with nothing (finish_reason {raw.finish_reason!r})",
                    "try again; if it keeps happening, the model or its server is misconfigured",
                )
        except errors.LLMError as exc:
            self._log(record(model, feature, started=started, outcome=exc.kind, note=exc.problem.message[:200]))
            raise
        except asyncio.CancelledError:
            self._log(record(model, feature, started=started, outcome="cancelled"))
            raise
        cost, note = self._cost(model, raw.prompt_tokens, raw.completion_tokens)
        if raw.finish_reason == "length":
            outcome = errors.IncompleteAnswer.kind
            self._log(
                record(
                    model,
                    feature,
                    prompt_tokens=raw.prompt_tokens,
                    completion_tokens=raw.completion_tokens,
                    cost=cost,
                    started=started,
                    outcome=outcome,
                    note="cut off at max_tokens",
                )
            )
            raise errors.IncompleteAnswer(
                f"the answer was cut off at {params['max_tokens']} tokens before the model finished",
                "raise splice.maxTokens, or ask for a smaller change; the partial answer was not applied",
            )
        pending: str | None = None
        if use_cache and self.cache is not None:
            answer = answer_from(raw.text, raw.finish_reason, raw.prompt_tokens, raw.completion_tokens, model)
            self._unconfirmed[ckey] = answer
            while len(self._unconfirmed) > _UNCONFIRMED:
                self._unconfirmed.popitem(last=False)
            pending = ckey
        self._log(
            record(
                model,
                feature,
                prompt_tokens=raw.prompt_tokens,
                completion_tokens=raw.completion_tokens,
                cost=cost,
                started=started,
                note=note,
            )
        )
        usage = TokenUsage(raw.prompt_tokens, raw.completion_tokens)
        text = redactor.restore(raw.text)
        done = self._completion(text, model, feature, usage, cost, False, started, raw.finish_reason, redactor, note)
        return dataclasses.replace(done, cache_key=pending)

    async def keep(self, completion: Completion) -> None:
        """The feature used this answer: cache it (a no-op for cache hits and uncacheable answers)."""
        if completion.cache_key is None or self.cache is None:
            return
        answer = self._unconfirmed.pop(completion.cache_key, None)
        if answer is not None:
            await self.cache.put(completion.cache_key, answer)

    async def reject(self, completion: Completion) -> None:
        """The feature could not use this answer: never cache it, and drop it if it came from the cache."""
        if completion.cache_key is None:
            return
        self._unconfirmed.pop(completion.cache_key, None)
        if completion.cached and self.cache is not None:
            await self.cache.delete(completion.cache_key)

    async def batch(
        self, requests: Sequence[Request], *, on_done: Callable[[int, int], None] | None = None
    ) -> list[Completion | errors.LLMError]:
        """Run many requests under the concurrency limit; results in request order, errors in place of answers."""
        done = 0

        async def one(request: Request) -> Completion | errors.LLMError:
            nonlocal done
            try:
                return await self.complete(request)
            except errors.LLMError as exc:
                return exc
            finally:
                done += 1
                if on_done is not None:
                    on_done(done, len(requests))

        return list(await asyncio.gather(*(one(r) for r in requests)))

    async def close(self) -> None:
        if self.cache is not None:
            await self.cache.close()

    # -- steps -----------------------------------------------------------------------------------------------

    def _check_limits(self, model: str, messages: list[dict[str, str]], request: Request) -> None:
        """Context window and budgets. Tokens are counted exactly only when it matters: a budget applies to a
        priced model, or the prompt's byte length (an upper bound on its tokens) does not clearly fit."""
        window = self.context_windows.get(model) or client.context_window(model)
        prices = client.prices(model)
        budgeted = prices is not None and (
            self.settings.budget_per_request is not None or self.settings.budget_daily is not None
        )
        upper_bound = sum(len(m["content"].encode()) + 8 for m in messages) + 8
        if not budgeted and (window is None or upper_bound <= window):
            return
        prompt_tokens = client.count_tokens(model, messages)
        if window is not None and prompt_tokens > window:
            raise errors.ContextWindowExceeded(
                f"the prompt has {prompt_tokens} tokens but model '{model}' accepts at most {window}",
                "narrow the selection, lower splice.context.budget, or pick a model with a larger window",
            )
        if budgeted:
            est = estimate(model, prompt_tokens, self._max_tokens(request), prices)
            spent = self.usage.spent_on(today()) if self.usage is not None else 0.0
            check_budget(est, self.settings.budget_per_request, self.settings.budget_daily, spent)

    async def _call_with_retries(
        self,
        model: str,
        messages: list[dict[str, str]],
        key: str | None,
        params: dict[str, float | int],
        progress: ProgressFn | None,
        *,
        started: float,
    ) -> client.RawAnswer:
        """Attempts until an answer, a problem that must not be retried, or the overall deadline
        (``splice.timeout``); progress says what is being waited for."""
        settings = self.settings
        deadline = started + settings.timeout if settings.timeout > 0 else None
        limits = client.Limits(
            connect=settings.connect_timeout,
            silence=settings.first_token_timeout,
            deadline=deadline,
            max_chars=int(params["max_tokens"]) * CHARS_PER_TOKEN_MAX + 4096,
        )
        where = settings.api_base or model.partition("/")[0]
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._limit():
                    self.attempts += 1
                    if progress is not None:
                        waiting = f"waiting for {model} at {where} (up to {settings.first_token_timeout:g} s)"
                        if attempt > 1:
                            waiting = f"attempt {attempt}: {waiting}"
                        progress(Progress(0, 0, "", waiting))
                    return await client.complete(
                        model,
                        messages,
                        api_base=settings.api_base,
                        api_key=key,
                        temperature=float(params["temperature"]),
                        max_tokens=int(params["max_tokens"]),
                        limits=limits,
                        progress=progress,
                    )
            except errors.LLMError as exc:
                delay = self.retry.delay(attempt, exc)
                if delay is not None and delay >= limits.left():
                    delay = None  # waiting would pass the deadline: report now
                if delay is None:
                    if exc.retryable and attempt > 1:
                        raise errors.GiveUp(attempt, exc) from exc
                    raise
                if progress is not None:
                    progress(Progress(0, 0, "", f"retrying in {delay:.1f} s: {exc.problem.message}"))
                # The slot is released while waiting, so other requests are not held up by this one's backoff.
                await self.sleep(delay)

    def _limit(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._semaphore_loop is not loop:
            self._semaphore = asyncio.Semaphore(max(1, self.settings.concurrency))
            self._semaphore_loop = loop
        return self._semaphore

    def _redacted(self, request: Request, redactor: Redactor) -> list[dict[str, str]]:
        # Hidden text (Tag characters, bidi controls, fillers) never reaches the model: removed or shown escaped.
        texts = redactor.redact_all([invisible.for_model(m.content)[0] for m in request.messages])
        return [Message(m.role, text).as_dict() for m, text in zip(request.messages, texts, strict=True)]

    def _known_secrets(self) -> frozenset[str]:
        scanned, secrets = self._secrets
        if time.monotonic() - scanned > _SECRET_RESCAN:
            found = env_secrets(self.env)
            if self.workspace is not None:
                found |= dotenv_secrets(self.workspace)
            secrets = frozenset(found)
            self._secrets = (time.monotonic(), secrets)
        return secrets

    def _temperature(self, request: Request) -> float:
        return self.settings.temperature if request.temperature is None else request.temperature

    def _max_tokens(self, request: Request) -> int:
        return self.settings.max_tokens if request.max_tokens is None else request.max_tokens

    def _cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> tuple[float, str]:
        prices = client.prices(model)
        if prices is None:
            return 0.0, f"'{model}' is not in litellm's cost map: cost counted as $0"
        return prompt_tokens * prices[0] + completion_tokens * prices[1], ""

    def _log(self, rec: UsageRecord) -> None:
        if self.usage is not None:
            self.usage.append(rec)

    def _completion(
        self,
        text: str,
        model: str,
        feature: str,
        usage: TokenUsage,
        cost: float,
        cached: bool,
        started: float,
        finish_reason: str,
        redactor: Redactor,
        note: str = "",
    ) -> Completion:
        latency = time.perf_counter() - started
        notes = self._notes(note)
        return Completion(text, model, feature, usage, cost, cached, latency, finish_reason, redactor.count, notes)

    @staticmethod
    def _restoring(progress: ProgressFn | None, redactor: Redactor) -> ProgressFn | None:
        """Progress reports carry the text with secrets restored, like the final answer."""
        if progress is None:
            return None
        report = progress

        def restored(p: Progress) -> None:
            report(Progress(p.chunks, p.tokens, redactor.restore(p.text)) if redactor.count else p)

        return restored

    def _notes(self, *extra: str) -> tuple[str, ...]:
        notes = [n for n in extra if n]
        if self.cache is not None:
            notes.extend(self.cache.warnings())
        if self.usage is not None and self.usage.problem:
            notes.append(self.usage.problem)
        return tuple(notes)
