"""Stub offers benchmark (``make bench-stubs``): finding every stub of a file ("Generate all stubs") must be linear.

A Python file with N stubs (methods of classes and functions, docstrings, ``...``/``pass``/``raise
NotImplementedError`` bodies, as generated skeletons look) is scanned two ways, CPU time, best of 3:

- ``stub_offers`` — one parse, one pass (what the server and ``splice generate --all`` use);
- ``offers_at`` at each stub — the previous way (every offer re-parsed and re-scanned the whole file), measured
  at the smaller sizes only, since it is quadratic.

It prints the time per stub at each N: linear means the per-stub figure stays flat as N grows 10×.
Usage: ``python bench/stub_offers.py [--sizes 100,1000,5000]``.
"""

from __future__ import annotations

import argparse
import time

from splice.features.generate.offers import OfferKind, offers_at, stub_offers

_BODIES = ('"""{doc}"""\n        ...', "raise NotImplementedError", "pass", '"""{doc}"""\n        pass')


def skeleton(n: int) -> bytes:
    out = ["from __future__ import annotations\n\nimport dataclasses\n\n"]
    for i in range(n):
        body = _BODIES[i % len(_BODIES)].format(doc=f"Return the {i}th item of the store, or None.")
        if i % 10 == 0:
            out.append(f"\n@dataclasses.dataclass\nclass Store{i}:\n    name: str = 'store{i}'\n\n")
        out.append(f"    def item_{i}(self, key: str, default: int | None = None) -> int | None:\n        {body}\n\n")
    return "".join(out).encode()


def best_cpu(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--quadratic-up-to", type=int, default=1000)
    args = parser.parse_args()
    print(f"{'stubs':>6} {'file KB':>8} {'one pass s':>11} {'µs/stub':>8} {'per-stub offers_at s':>21} {'µs/stub':>8}")
    for n in (int(s) for s in args.sizes.split(",")):
        source = skeleton(n)
        offers = stub_offers("gen.py", "python", source)
        assert len(offers) == n, (len(offers), n)
        linear = best_cpu(lambda source=source: stub_offers("gen.py", "python", source))
        old = ""
        if n <= args.quadratic_up_to:

            def per_stub(source: bytes = source) -> None:
                for o in stub_offers("gen.py", "python", source):
                    [x for x in offers_at("gen.py", "python", source, o.span.start) if x.kind is OfferKind.STUB]

            q = best_cpu(per_stub, repeat=1)
            old = f"{q:21.2f} {q / n * 1e6:8.0f}"
        print(f"{n:6d} {len(source) / 1024:8.0f} {linear:11.3f} {linear / n * 1e6:8.0f} {old}")


if __name__ == "__main__":
    main()
