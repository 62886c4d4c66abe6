"""Benchmark of the LLM gateway against the fake OpenAI-compatible server (answers instantly, own process).

Measures, with a realistic prompt (system + ~3k-token user prompt of real code when the flask corpus is present):
  1. gateway-only overhead per call: everything Splice does around the model call (model/key checks, redaction,
     cache key, token count, budget, usage record) with the HTTP call replaced by an instant stub;
  2. overhead per call through litellm and HTTP: each call is paired with a bare HTTP POST of the same body to the
     same server, and the difference (the server's own time cancels out) is the overhead a user pays on top of the
     model;
  3. cache-hit latency, memory layer and disk layer;
  4. 1,000 concurrent requests with a limit of 8: all complete, server-side peak concurrency, wall time, peak RSS.

    .venv/bin/python bench/llm_gateway.py [--calls 200] [--concurrent 1000] [--limit 8]

Prints a markdown table. Targets: end-to-end overhead p95 ≤ 50 ms, cache hit p95 ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import httpx

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / ".." / "shared" / "corpora"

from splice.config import Settings  # noqa: E402
from splice.llm import client  # noqa: E402
from splice.llm.gateway import Gateway  # noqa: E402
from splice.llm.model import Message, Request  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sample_code() -> str:
    archive = CORPORA / "flask.tar.gz"
    if archive.exists():
        with tarfile.open(archive) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("flask/helpers.py"))
            data = tar.extractfile(member)
            if data is not None:
                return data.read().decode()[:12_000]
    return "def handler(request):\n    return respond(request.args['q'])\n\n" * 200


def start_fake(delay: float = 0.0) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fake_llm.py"), "--port", "0", "--delay", str(delay)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def server_stats(url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{url}/stats", timeout=5) as resp:
        data: dict[str, int] = json.load(resp)
        return data


def request(code: str, i: int) -> Request:
    return Request(
        "generate",
        (
            Message("system", "You are Splice. Answer with one fenced code block."),
            Message("user", f"# Task {i}: implement the stub below.\n\n```python\n{code}\n```\n"),
        ),
        context_hashes=(f"h{i}",),
    )


async def timed(gateway: Gateway, req: Request) -> float:
    start = time.perf_counter()
    await gateway.complete(req)
    return (time.perf_counter() - start) * 1000


async def main(args: argparse.Namespace) -> None:
    code = sample_code()
    proc, url = start_fake()
    rows: list[tuple[str, str, str, str]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            ws = Path(tmp)
            settings = Settings(model="openai/fake", api_base=url, concurrency=args.limit, timeout=30)
            gateway = Gateway(settings, ws, env={})
            tokens = client.count_tokens("openai/fake", [m.as_dict() for m in request(code, 0).messages])
            await timed(gateway, request(code, -1))  # warm-up: litellm import, HTTP client creation

            # 1. gateway-only: the model call replaced by an instant stub
            real = client.complete

            async def instant(*a: object, **k: object) -> client.RawAnswer:
                return client.RawAnswer("ok", "stop", 10, 1)

            client.complete = instant  # type: ignore[assignment]
            own = [await timed(gateway, request(code, 10_000 + i)) for i in range(args.calls)]
            client.complete = real  # type: ignore[assignment]
            rows.append(("gateway-only overhead (no HTTP)", f"{pct(own, 50):.2f} ms", f"{pct(own, 95):.2f} ms", "-"))

            # 2. end-to-end against the instant server, paired with a bare HTTP POST of the same body: the
            #    server's own time (parsing, answering — the "model time" here) cancels out in the difference.
            e2e: list[float] = []
            bare: list[float] = []
            async with httpx.AsyncClient() as http:
                for i in range(args.calls):
                    req = request(code, i)
                    body = {"model": "fake", "messages": [m.as_dict() for m in req.messages]}
                    start = time.perf_counter()
                    (await http.post(f"{url}/chat/completions", json=body)).raise_for_status()
                    bare.append((time.perf_counter() - start) * 1000)
                    e2e.append(await timed(gateway, req))
            overhead = [a - b for a, b in zip(e2e, bare, strict=True)]
            rows.append(
                ("end-to-end call to the instant server", f"{pct(e2e, 50):.2f} ms", f"{pct(e2e, 95):.2f} ms", "-")
            )
            rows.append(
                ("bare HTTP POST of the same body (httpx)", f"{pct(bare, 50):.2f} ms", f"{pct(bare, 95):.2f} ms", "-")
            )
            ok = "✅" if pct(overhead, 95) <= 50 else "❌"
            rows.append(
                (
                    "overhead per call (end-to-end − bare HTTP, paired)",
                    f"{pct(overhead, 50):.2f} ms",
                    f"{pct(overhead, 95):.2f} ms",
                    f"≤ 50 ms {ok}",
                )
            )

            # 3. cache hits: memory, then disk (a fresh gateway per lookup, same workspace)
            mem = [await timed(gateway, request(code, i % args.calls)) for i in range(args.calls)]
            ok = "✅" if pct(mem, 95) <= 5 else "❌"
            rows.append(("cache hit (memory)", f"{pct(mem, 50):.2f} ms", f"{pct(mem, 95):.2f} ms", f"≤ 5 ms {ok}"))
            disk = []
            for i in range(min(args.calls, 100)):
                fresh = Gateway(settings, ws, env={})
                disk.append(await timed(fresh, request(code, i)))
            ok = "✅" if pct(disk, 95) <= 5 else "❌"
            rows.append(("cache hit (disk)", f"{pct(disk, 50):.2f} ms", f"{pct(disk, 95):.2f} ms", f"≤ 5 ms {ok}"))

            # 4. many concurrent requests under the limit, against a server whose "model" takes model_delay s
            slow_proc, slow_url = start_fake(args.model_delay)
            try:
                before = server_stats(slow_url)["requests"]
                rss_before = rss_mb()
                batch_settings = replace(settings, cache_enabled=False, api_base=slow_url)
                batch_gateway = Gateway(batch_settings, ws, env={})
                reqs = [request(code, 50_000 + i) for i in range(args.concurrent)]
                start = time.perf_counter()
                results = await asyncio.wait_for(batch_gateway.batch(reqs), timeout=600)
                wall = time.perf_counter() - start
                stats = server_stats(slow_url)
            finally:
                slow_proc.terminate()
                slow_proc.wait(timeout=5)
            failed = [r for r in results if not hasattr(r, "text")]
            done = len(results) - len(failed)
            rows.append(
                (
                    f"{args.concurrent} concurrent, limit {args.limit}, model {args.model_delay * 1000:.0f} ms",
                    f"{done}/{args.concurrent}",
                    f"{wall:.1f} s wall",
                    "all ✅" if not failed else f"{len(failed)} failed ❌",
                )
            )
            rows.append(
                (
                    "server-side peak in flight",
                    str(stats["max_in_flight"]),
                    "-",
                    f"≤ {args.limit} {'✅' if stats['max_in_flight'] <= args.limit else '❌'}",
                )
            )
            rows.append(("requests the server saw (batch)", str(stats["requests"] - before), "-", "-"))
            rows.append(("peak RSS (whole process)", f"{rss_mb():.0f} MB", f"{rss_before:.0f} MB before batch", "-"))
            await gateway.close()
    finally:
        proc.terminate()
        proc.wait(timeout=5)
    print(
        f"\nLLM gateway benchmark — prompt ≈ {tokens} tokens, {args.calls} sequential calls per row, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| measure | p50 / value | p95 / detail | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if statistics.mean(mem) > 5:
        print("\nnote: cache hits include redaction of the whole prompt and the cache-key hash")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--model-delay", type=float, default=0.02, help="model time per request in the batch row")
    asyncio.run(main(parser.parse_args()))
