"""Benchmark corpora: the development set (tuned on) and the evaluation set (measured only, never tuned on).

- **dev**: flask, requests, zod — snapshots in ``../shared/corpora`` (``<name>.tar.gz`` unpacking into ``<name>/``).
- **eval**: real releases fetched at run time from the package registries into ``bench/.cache`` (git-ignored; never
  committed): starlette (a Python web framework), attrs (a data library), @trpc/server (TypeScript, its npm
  tarball ships ``src/``), and sqlalchemy (the sqlalchemy-size one, ~700 files). Fetching uses the registries'
  ordinary clients: ``pip download --no-deps --no-binary <pkg>`` for sdists, ``npm pack`` for npm tarballs.

``unpack(name, into)`` returns the root of the unpacked source; ``SPEC[name]`` says its language and the package
folder the retrieval benchmark samples tasks from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = next(
    (
        p
        for p in (
            Path(os.environ.get("SPLICE_CORPORA") or "/nonexistent"),
            HERE.parent / ".." / "shared" / "corpora",
            HERE.parent / ".." / ".." / "shared" / "corpora",
        )
        if p.is_dir()
    ),
    HERE.parent / ".." / "shared" / "corpora",
)
"""``$SPLICE_CORPORA``, else ``../shared/corpora`` next to the checkout (one level further up from a worktree)."""
CACHE = HERE / ".cache"


@dataclass(frozen=True)
class Corpus:
    name: str
    lang: str
    """``python`` or ``typescript``: which gold extractor the retrieval benchmark uses."""
    package: str
    """Folder (relative to the unpacked root) whose files the retrieval tasks are sampled from."""
    registry: str = ""
    """``pypi`` or ``npm`` for the evaluation set; empty for the shared snapshots."""
    release: str = ""
    """``pkg==version`` (PyPI) or ``pkg@version`` (npm)."""


DEV = ("flask", "requests", "zod")
EVAL = ("starlette", "attrs", "trpc-server", "sqlalchemy")
SPEC: dict[str, Corpus] = {
    "flask": Corpus("flask", "python", "src/flask"),
    "requests": Corpus("requests", "python", "src/requests"),
    "zod": Corpus("zod", "typescript", "packages/zod/src"),
    "starlette": Corpus("starlette", "python", "starlette", "pypi", "starlette==0.41.3"),
    "attrs": Corpus("attrs", "python", "src/attr", "pypi", "attrs==24.2.0"),
    "trpc-server": Corpus("trpc-server", "typescript", "src", "npm", "@trpc/server@11.0.0"),
    "sqlalchemy": Corpus("sqlalchemy", "python", "lib/sqlalchemy", "pypi", "sqlalchemy==2.0.36"),
}


def names(spec: str) -> list[str]:
    """``dev``, ``eval``, ``all`` or a comma-separated list of corpus names."""
    groups = {"dev": list(DEV), "eval": list(EVAL), "all": [*DEV, *EVAL]}
    out: list[str] = []
    for part in spec.split(","):
        for name in groups.get(part, [part]):
            if name not in SPEC:
                raise SystemExit(f"unknown corpus {name!r}; known: {', '.join(SPEC)} (or dev, eval, all)")
            if name not in out:
                out.append(name)
    return out


def archive(name: str) -> Path | None:
    """The corpus's archive, fetched into the cache first for the evaluation set; None when it is unavailable."""
    corpus = SPEC[name]
    if not corpus.registry:
        path = SHARED / f"{name}.tar.gz"
        return path if path.exists() else None
    folder = CACHE / name
    found = sorted(folder.glob("*.tgz")) + sorted(folder.glob("*.tar.gz"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    if corpus.registry == "pypi":
        package = corpus.release.split("==")[0]
        argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", package, corpus.release]
        argv += ["-d", str(folder), "--quiet"]
    else:
        npm = shutil.which("npm")
        if npm is None:
            print(f"{name}: npm not found; skipped", file=sys.stderr)
            return None
        argv = [npm, "pack", corpus.release, "--pack-destination", str(folder), "--silent"]
    print(f"fetching {corpus.release} into {folder} …", file=sys.stderr)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, cwd=folder)
    found = sorted(folder.glob("*.tgz")) + sorted(folder.glob("*.tar.gz"))
    if done.returncode != 0 or not found:
        print(f"{name}: fetching {corpus.release} failed: {done.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    return found[0]


def unpack(name: str, into: Path) -> Path | None:
    """Unpack the corpus under ``into``; returns its root folder (``into/<name>``), or None when unavailable."""
    path = archive(name)
    if path is None:
        return None
    root = into / name
    staging = into / f".{name}-unpack"
    with tarfile.open(path) as tar:
        tar.extractall(staging, filter="data")
    tops = [p for p in staging.iterdir()]
    # Shared snapshots unpack into <name>/; sdists into <pkg>-<version>/; npm tarballs into package/.
    (tops[0] if len(tops) == 1 and tops[0].is_dir() else staging).rename(root)
    shutil.rmtree(staging, ignore_errors=True)
    return root
