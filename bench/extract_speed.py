"""Extraction overhead: parse-only vs parse+query vs parse+extract CPU seconds per corpus (flask, requests, zod),
and the one-time compilation of the tag queries — together the floor a query-based extractor cannot go below.

Run: ``.venv/bin/python bench/extract_speed.py [--repeat N] [corpus ...]``. The corpora are the tarballs in
/work/shared/corpora (``../shared/corpora`` next to the repository); they are unpacked into a temp dir.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from splice.index.extract import extract, supported
from splice.index.languages import language_for_path
from splice.index.parser import QueryCursor, parse, query_parts

CORPORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"


def _files(root: Path) -> list[tuple[str, str, bytes]]:
    found = []
    for path in sorted(root.rglob("*")):
        lang = language_for_path(path.name)
        if lang is None or not supported(lang) or not path.is_file() or "node_modules" in path.parts:
            continue
        found.append((path.relative_to(root).as_posix(), lang, path.read_bytes()))
    return found


def _parse_and_match(lang: str, source: bytes) -> int:
    # The C-side floor of extraction: the parse plus running the language's query the way the extractor does
    # (``query_parts``: root-anchored patterns at depth 0), no Python handling of the matches.
    root = parse(lang, source).root_node
    count = 0
    for compiled, depth in query_parts(lang, "tags"):
        cursor = QueryCursor(compiled)
        if depth is not None:
            cursor.set_max_start_depth(depth)
        count += len(cursor.matches(root))
    return count


def _compile_s(langs: set[str]) -> float:
    """CPU seconds to compile the tag queries the extractor runs for these languages (paid once per process)."""
    query_parts.cache_clear()
    start = time.process_time()
    for lang in langs:
        query_parts(lang, "tags")
    return time.process_time() - start


def _best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpora", nargs="*", default=["flask", "requests", "zod"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CORPORA.is_dir():
        print(f"corpora not found at {CORPORA}; nothing to measure", file=sys.stderr)
        return 1
    print(
        f"{'corpus':10} {'files':>6} {'MB':>6} {'compile s':>10} {'parse s':>8} {'+query s':>9} {'extract s':>10} "
        f"{'ratio':>6} {'symbols':>8} {'refs':>7}"
    )
    for name in args.corpora:
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(CORPORA / f"{name}.tar.gz") as tar:
                tar.extractall(tmp, filter="data")
            files = _files(Path(tmp))
        size = sum(len(src) for _, _, src in files) / 1e6
        compile_s = _compile_s({lang for _, lang, _ in files})
        parse_s = _best(lambda files=files: [parse(lang, src) for _, lang, src in files], args.repeat)
        query_s = _best(lambda files=files: [_parse_and_match(lang, src) for _, lang, src in files], args.repeat)
        extract_s = _best(lambda files=files: [extract(p, lang, src) for p, lang, src in files], args.repeat)
        results = [extract(p, lang, src) for p, lang, src in files]
        symbols = sum(len(r.symbols) for r in results)
        refs = sum(len(r.references) for r in results)
        print(
            f"{name:10} {len(files):>6} {size:>6.2f} {compile_s:>10.3f} {parse_s:>8.3f} {query_s:>9.3f} "
            f"{extract_s:>10.3f} {extract_s / parse_s:>6.2f} {symbols:>8} {refs:>7}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
