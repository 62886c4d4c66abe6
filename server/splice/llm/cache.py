"""Answer cache: content-addressed keys, an in-memory LRU in front of a disk cache, plus Redis when configured.

The key hashes the model, the messages exactly as sent (already redacted), the sampling parameters and the content
hashes of the context items, so any change in the code a prompt was built from misses. Stored answers are the
model's redacted text — secrets never reach the disk or Redis. A broken layer (unwritable or corrupt folder, Redis
down) is reported once through ``warnings`` and skipped; the cache never makes a request fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from splice import state

log = logging.getLogger(__name__)
FORMAT = 1


def cache_key(
    model: str, messages: Sequence[Mapping[str, str]], params: Mapping[str, Any], context_hashes: Sequence[str]
) -> str:
    payload = {"v": FORMAT, "model": model, "messages": list(messages), "params": dict(params)}
    payload["context"] = sorted(context_hashes)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    """As the model wrote it: placeholders, not secrets."""
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    created: float


@dataclass(frozen=True)
class CacheStats:
    memory_entries: int
    disk_entries: int
    disk_bytes: int
    disk_path: str | None
    redis_entries: int | None
    hits: int
    misses: int
    warnings: tuple[str, ...]


class MemoryCache:
    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, CachedAnswer] = OrderedDict()

    def get(self, key: str) -> CachedAnswer | None:
        answer = self._items.get(key)
        if answer is not None:
            self._items.move_to_end(key)
        return answer

    def put(self, key: str, answer: CachedAnswer) -> None:
        self._items[key] = answer
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def delete(self, key: str) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class DiskCache:
    """One JSON file per key under ``root/<2 hex>/<key>.json``, written to a temp file and renamed into place."""

    PRUNE_EVERY = 64
    """Puts between size checks: a check walks the folder, so not on every put."""

    def __init__(self, root: Path, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.problem: str | None = None
        self._shards: set[Path] = set()
        self._puts = 0

    def get(self, key: str) -> CachedAnswer | None:
        if self.problem:
            return None
        path = self._path(key)
        try:
            data = json.loads(state.read_bytes(path))
            if data.get("key") != key or data.get("v") != FORMAT:
                raise ValueError("entry does not match its key")
            return CachedAnswer(**data["answer"])
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            self._fail(f"{self.root} is not a folder")
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            # A corrupt entry is a miss; remove it so it is rewritten whole next time.
            log.warning("dropping corrupt cache entry %s: %s", path, exc)
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def put(self, key: str, answer: CachedAnswer) -> None:
        if self.problem:
            return
        path = self._path(key)
        data = json.dumps({"v": FORMAT, "key": key, "answer": asdict(answer)}, ensure_ascii=False).encode()
        self._puts += 1
        if self._puts % self.PRUNE_EVERY == 0:
            self.prune()
        try:
            self._write(path, data)
        except FileNotFoundError:
            # The folder was removed under us (``splice cache clear`` from another process): recreate it once.
            self._shards.clear()
            try:
                self._write(path, data)
            except OSError as exc:
                self._fail(f"cannot write the answer cache under {self.root} ({exc.strerror or exc})")
        except OSError as exc:
            self._fail(f"cannot write the answer cache under {self.root} ({exc.strerror or exc})")

    def _write(self, path: Path, data: bytes) -> None:
        # No fsync: the rename makes a crash leave the old entry or the new one, never half of one; after a power
        # loss an entry may be empty, which reads as corrupt, i.e. a miss. Speed matters more here. ``state`` never
        # follows a link planted in the cache folder.
        state.write_bytes(path, data)

    def delete(self, key: str) -> None:
        with contextlib.suppress(OSError):
            self._path(key).unlink()

    def stats(self) -> tuple[int, int]:
        entries = size = 0
        if not self.root.is_dir():
            return 0, 0
        for path in self.root.glob("*/*.json"):
            with contextlib.suppress(OSError):
                size += path.stat().st_size
                entries += 1
        return entries, size

    def prune(self) -> int:
        """Delete the least recently written entries until the folder is under 80% of ``max_bytes``."""
        files: list[tuple[float, int, Path]] = []
        for path in self.root.glob("*/*.json"):
            with contextlib.suppress(OSError):
                st = path.stat()
                files.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return 0
        removed = 0
        for _, size, path in sorted(files):
            if total <= self.max_bytes * 0.8:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
                removed += 1
        return removed

    def clear(self) -> int:
        entries, _ = self.stats()
        if self.root.is_dir():
            shutil.rmtree(self.root, ignore_errors=True)
        self.problem = None
        self._shards.clear()
        return entries

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def _fail(self, message: str) -> None:
        if self.problem is None:
            self.problem = f"{message}; continuing without the disk cache"
            log.warning(self.problem)


class RedisCache:
    """Shared cache for a team or several editors; entries expire after ``ttl`` seconds."""

    prefix = "splice:answer:"

    def __init__(self, url: str, ttl: int = 7 * 24 * 3600) -> None:
        self.url = url
        self.ttl = ttl
        self.problem: str | None = None
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio as aioredis

            self._client = aioredis.from_url(self.url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return self._client

    async def get(self, key: str) -> CachedAnswer | None:
        if self.problem:
            return None
        try:
            raw = await self._redis().get(self.prefix + key)
            return None if raw is None else CachedAnswer(**json.loads(raw))
        except (ValueError, TypeError) as exc:
            log.warning("dropping corrupt Redis cache entry %s: %s", key, exc)
            return None
        except Exception as exc:
            self._fail(exc)
            return None

    async def put(self, key: str, answer: CachedAnswer) -> None:
        if self.problem:
            return
        try:
            await self._redis().set(self.prefix + key, json.dumps(asdict(answer)), ex=self.ttl)
        except Exception as exc:
            self._fail(exc)

    async def delete(self, key: str) -> None:
        if self.problem:
            return
        try:
            await self._redis().delete(self.prefix + key)
        except Exception as exc:
            self._fail(exc)

    async def count(self) -> int | None:
        try:
            return sum([1 async for _ in self._redis().scan_iter(match=self.prefix + "*", count=500)])
        except Exception as exc:
            self._fail(exc)
            return None

    async def clear(self) -> int:
        removed = 0
        try:
            async for name in self._redis().scan_iter(match=self.prefix + "*", count=500):
                removed += int(await self._redis().delete(name))
        except Exception as exc:
            self._fail(exc)
        return removed

    async def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()
            self._client = None

    def _fail(self, exc: BaseException) -> None:
        if self.problem is None:
            self.problem = f"Redis cache at {self.url} unavailable ({exc}); continuing without it"
            log.warning(self.problem)


class AnswerCache:
    """The layers together: memory, then disk, then Redis; a hit in a lower layer fills the upper ones."""

    def __init__(self, disk_root: Path | None, redis_url: str | None = None, memory_entries: int = 512) -> None:
        self.memory = MemoryCache(memory_entries)
        self.disk = DiskCache(disk_root) if disk_root is not None else None
        self.redis = RedisCache(redis_url) if redis_url else None
        self.hits = 0
        self.misses = 0

    async def get(self, key: str) -> CachedAnswer | None:
        answer = self.memory.get(key)
        if answer is None and self.disk is not None:
            answer = self.disk.get(key)
            if answer is not None:
                self.memory.put(key, answer)
        if answer is None and self.redis is not None:
            answer = await self.redis.get(key)
            if answer is not None:
                self.memory.put(key, answer)
                if self.disk is not None:
                    self.disk.put(key, answer)
        if answer is None:
            self.misses += 1
        else:
            self.hits += 1
        return answer

    async def put(self, key: str, answer: CachedAnswer) -> None:
        self.memory.put(key, answer)
        if self.disk is not None:
            self.disk.put(key, answer)
        if self.redis is not None:
            await self.redis.put(key, answer)

    async def delete(self, key: str) -> None:
        """Forget an answer everywhere (a feature found it unusable)."""
        self.memory.delete(key)
        if self.disk is not None:
            self.disk.delete(key)
        if self.redis is not None:
            await self.redis.delete(key)

    def warnings(self) -> tuple[str, ...]:
        layers = (self.disk, self.redis)
        return tuple(layer.problem for layer in layers if layer is not None and layer.problem)

    async def stats(self) -> CacheStats:
        entries, size = self.disk.stats() if self.disk is not None else (0, 0)
        redis_entries = await self.redis.count() if self.redis is not None else None
        return CacheStats(
            len(self.memory),
            entries,
            size,
            str(self.disk.root) if self.disk is not None else None,
            redis_entries,
            self.hits,
            self.misses,
            self.warnings(),
        )

    async def clear(self) -> int:
        removed = len(self.memory)
        self.memory.clear()
        if self.disk is not None:
            removed = max(removed, self.disk.clear())
        if self.redis is not None:
            removed += await self.redis.clear()
        return removed

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.close()


def answer_from(text: str, finish_reason: str, prompt_tokens: int, completion_tokens: int, model: str) -> CachedAnswer:
    return CachedAnswer(text, finish_reason, prompt_tokens, completion_tokens, model, time.time())
