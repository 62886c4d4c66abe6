"""The answer cache: keys, layers, persistence, broken folders, and a real redis-server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.fake_llm import FakeLLM, Reply

from splice.llm.cache import AnswerCache, DiskCache, MemoryCache, answer_from, cache_key
from splice.llm.gateway import Gateway
from splice.llm.model import Completion, Message, Request

MakeGateway = Callable[..., Gateway]


def ask(text: str = "explain this", hashes: tuple[str, ...] = ("h1",)) -> Request:
    return Request("explain", (Message("user", text),), context_hashes=hashes)


def test_key_changes_with_every_input() -> None:
    msgs = [{"role": "user", "content": "a"}]
    base = cache_key("m", msgs, {"temperature": 0.2}, ["x", "y"])
    assert base == cache_key("m", msgs, {"temperature": 0.2}, ["y", "x"])  # order of items does not matter
    assert base != cache_key("m2", msgs, {"temperature": 0.2}, ["x", "y"])
    assert base != cache_key("m", [{"role": "user", "content": "b"}], {"temperature": 0.2}, ["x", "y"])
    assert base != cache_key("m", msgs, {"temperature": 0.3}, ["x", "y"])
    assert base != cache_key("m", msgs, {"temperature": 0.2}, ["x", "z"])


def test_memory_lru_evicts_least_recent() -> None:
    lru = MemoryCache(max_entries=2)
    a, b, c = (answer_from(t, "stop", 1, 1, "m") for t in "abc")
    lru.put("a", a)
    lru.put("b", b)
    assert lru.get("a") == a  # a is now most recent
    lru.put("c", c)
    assert lru.get("b") is None and lru.get("a") == a and lru.get("c") == c


async def kept(gateway: Gateway, request: Request) -> Completion:
    """An answer its feature used: only those are cached."""
    completion = await gateway.complete(request)
    await gateway.keep(completion)
    return completion


async def test_an_answer_is_cached_only_once_its_feature_keeps_it(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(text="unusable"), Reply(text="usable"), Reply(text="never asked"))
    gateway = make_gateway()
    first = await gateway.complete(ask())
    await gateway.reject(first)  # e.g. its edit was refused: a retry asks the model again
    second = await gateway.complete(ask())
    assert second.text == "usable" and not second.cached
    await gateway.keep(second)
    third = await gateway.complete(ask())
    assert third.cached and third.text == "usable"
    await gateway.reject(third)  # a cached answer found unusable later is dropped from every layer
    assert (await gateway.complete(ask())).text == "never asked"
    assert len(fake.requests) == 3


async def test_hit_skips_the_model_and_changed_context_misses(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    fake.script(Reply(text="first"), Reply(text="second"))
    gateway = make_gateway()
    assert (await kept(gateway, ask())).text == "first"
    hit = await gateway.complete(ask())
    assert hit.cached and hit.text == "first" and hit.cost == 0
    assert len(fake.requests) == 1
    miss = await gateway.complete(ask(hashes=("h1-changed",)))
    assert not miss.cached and miss.text == "second"


async def test_disk_cache_survives_a_restart(fake: FakeLLM, make_gateway: MakeGateway, workspace: Path) -> None:
    fake.script(Reply(text="persisted"))
    await kept(make_gateway(), ask())
    again = await make_gateway().complete(ask())  # a new gateway: empty memory, same workspace
    assert again.cached and again.text == "persisted"
    assert len(fake.requests) == 1
    files = list((workspace / ".splice" / "cache").rglob("*"))
    assert not [f for f in files if f.name.startswith(".tmp-")]


async def test_cache_disabled_by_setting(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    gateway = make_gateway(cache_enabled=False)
    await gateway.complete(ask())
    await gateway.complete(ask())
    assert len(fake.requests) == 2


async def test_unwritable_cache_folder_warns_and_continues(
    fake: FakeLLM, make_gateway: MakeGateway, workspace: Path
) -> None:
    (workspace / ".splice").mkdir()
    (workspace / ".splice" / "cache").write_text("not a folder")
    gateway = make_gateway()
    result = await kept(gateway, ask())
    assert result.text == "ok"
    assert (workspace / ".splice" / "cache").read_text() == "not a folder"  # untouched
    again = await gateway.complete(ask())  # memory still serves
    assert any("disk cache" in note for note in again.notes)  # the failed write (at keep) is reported
    assert len(fake.requests) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
async def test_read_only_cache_folder(fake: FakeLLM, make_gateway: MakeGateway, workspace: Path) -> None:
    cache = workspace / ".splice" / "cache"
    cache.mkdir(parents=True)
    cache.chmod(0o500)
    try:
        result = await make_gateway().complete(ask())
        assert any("disk cache" in note for note in result.notes)
    finally:
        cache.chmod(0o700)


def test_disk_put_into_read_only_folder_leaves_nothing(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "cache")
    key = "ab" + "0" * 62
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "ab").write_text("a file where the shard folder should be")
    disk.put(key, answer_from("x", "stop", 1, 1, "m"))
    assert disk.problem is not None and "continuing without the disk cache" in disk.problem
    assert disk.get(key) is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["ab"]


async def test_corrupt_entry_is_a_miss_and_is_rewritten(
    fake: FakeLLM, make_gateway: MakeGateway, workspace: Path
) -> None:
    fake.script(Reply(text="v1"), Reply(text="v2"))
    await kept(make_gateway(), ask())
    [entry] = list((workspace / ".splice" / "cache").rglob("*.json"))
    entry.write_text('{"v": 1, "key": "trunc')
    result = await kept(make_gateway(), ask())
    assert not result.cached and result.text == "v2"
    assert '"v2"' in entry.read_text()
    assert (await make_gateway().complete(ask())).cached


async def test_stats_and_clear(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    gateway = make_gateway()
    await kept(gateway, ask("one"))
    await kept(gateway, ask("two"))
    await kept(gateway, ask("one"))
    assert gateway.cache is not None
    stats = await gateway.cache.stats()
    assert (stats.memory_entries, stats.disk_entries, stats.hits, stats.misses) == (2, 2, 1, 2)
    assert stats.disk_bytes > 0
    assert await gateway.cache.clear() == 2
    assert (await gateway.cache.stats()).disk_entries == 0


async def test_cached_answers_hold_placeholders_not_secrets(
    fake: FakeLLM, make_gateway: MakeGateway, workspace: Path
) -> None:
    token = "ghp_" + "A1b2C3d4E5" * 4
    fake.responder = lambda path, body: Reply(text=body["messages"][-1]["content"])  # echo
    result = await kept(make_gateway(), ask(f'TOKEN = "{token}"'))
    assert result.text == f'TOKEN = "{token}"'  # restored for the edit
    stored = "".join(p.read_text() for p in (workspace / ".splice" / "cache").rglob("*.json"))
    assert token not in stored and "SPLICE_SECRET_1_GITHUB_TOKEN" in stored


# -- Redis ---------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (apt-get install -y redis-server); Redis cache test skipped")
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.1):
                break
            if proc.poll() is not None:
                pytest.skip(f"redis-server exited with {proc.returncode} at start; Redis cache test skipped")
            time.sleep(0.05)
        else:
            pytest.skip("redis-server did not accept connections within 5 s; Redis cache test skipped")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


async def test_redis_layer_shares_answers_between_workspaces(
    fake: FakeLLM, make_gateway: MakeGateway, redis_url: str, tmp_path: Path
) -> None:
    fake.script(Reply(text="shared"))
    first = make_gateway(cache_redis_url=redis_url)
    await kept(first, ask())
    await first.close()
    other = AnswerCache(disk_root=tmp_path / "elsewhere", redis_url=redis_url)
    gateway = make_gateway(cache_redis_url=redis_url)
    gateway.cache = other  # a different disk folder: only Redis can answer
    hit = await gateway.complete(ask())
    assert hit.cached and hit.text == "shared"
    assert len(fake.requests) == 1
    assert (await other.stats()).redis_entries == 1
    assert await other.clear() >= 1
    assert (await other.stats()).redis_entries == 0
    await gateway.close()


async def test_redis_down_warns_and_continues(fake: FakeLLM, make_gateway: MakeGateway) -> None:
    gateway = make_gateway(cache_redis_url=f"redis://127.0.0.1:{_free_port()}/0")
    result = await gateway.complete(ask())
    assert result.text == "ok"
    assert any("Redis" in note for note in result.notes)
    await gateway.close()


def test_cache_folder_removed_by_another_process_is_recreated(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "cache")
    first, second = "ab" + "0" * 62, "ab" + "1" * 62
    disk.put(first, answer_from("x", "stop", 1, 1, "m"))
    shutil.rmtree(tmp_path / "cache")  # `splice cache clear` from the CLI while the server runs
    disk.put(second, answer_from("y", "stop", 1, 1, "m"))
    assert disk.problem is None
    hit = disk.get(second)
    assert hit is not None and hit.text == "y"


def test_disk_cache_prunes_oldest_entries_past_its_size(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "cache", max_bytes=4000)
    keys = [f"{i:02x}" + "0" * 62 for i in range(DiskCache.PRUNE_EVERY)]
    for i, key in enumerate(keys):
        disk.put(key, answer_from("x" * 200, "stop", 1, 1, "m"))
        os.utime(disk._path(key), (1000 + i, 1000 + i))  # distinct ages: the write order
    entries, size = disk.stats()
    assert size <= 4000 + 400  # pruned to 80% before the last put, then one more entry
    assert disk.get(keys[-1]) is not None and disk.get(keys[0]) is None  # the oldest went first
    assert entries < len(keys)


async def test_splice_folder_unusable_still_answers_with_notes(
    fake: FakeLLM, make_gateway: MakeGateway, workspace: Path
) -> None:
    (workspace / ".splice").write_text("a file where the folder should be")
    gateway = make_gateway()
    await kept(gateway, ask())
    result = await gateway.complete(ask())  # the cache write failed at keep(): reported with the next answer
    assert result.text == "ok"
    assert any("disk cache" in note for note in result.notes)
    assert any("cannot write usage" in note for note in result.notes)
    assert (workspace / ".splice").read_text() == "a file where the folder should be"
