"""The repository's rules files for coding assistants, read into Splice's own prompts (generate, explain, migrate).

Order (later files are nearer the task and read last, so they read as the more specific guidance):
1. ``AGENTS.md`` — the workspace root's, then each folder's on the way down to the target file;
2. ``CLAUDE.md`` — the same way;
3. ``.github/copilot-instructions.md``;
4. ``.github/instructions/*.instructions.md`` whose ``applyTo`` globs match the target file (none without a target,
   except ``applyTo: "**"``), by file name;
5. ``.cursor/rules`` — a file, or the folder's ``*.mdc``/``*.md`` rules that say ``alwaysApply: true`` or whose
   ``globs`` match the target; then the older ``.cursorrules``.

They are prompt content, never settings: nothing in them chooses a model, an endpoint, a command or a path. Files the
ignore rules exclude are not read, a link that leads outside the workspace is not followed, identical texts are
sent once, and everything together is cut at ``MAX_TOKENS`` (with a note saying what was left out).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pathspec

MAX_TOKENS = 1500
"""Cap for all rules files together (≈ 4 characters a token)."""
MAX_FILE_BYTES = 64_000
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


@dataclass(frozen=True)
class ProjectRules:
    text: str
    """The rules, each file under a ``### path`` heading; empty when there are none."""
    sources: tuple[str, ...]
    """Workspace-relative paths of the files included, in order."""
    tokens: int
    notes: tuple[str, ...] = ()

    def note(self) -> str | None:
        """One line for context views: which rules files the prompts carry."""
        if not self.sources:
            return None
        extra = f"; {'; '.join(self.notes)}" if self.notes else ""
        files = ", ".join(self.sources)
        return f"project rules in generate/explain/migrate prompts: {files} (~{self.tokens} tokens){extra}"


def project_rules(
    root: Path, target: str | None = None, *, is_excluded: Callable[[str], bool] = lambda _p: False
) -> ProjectRules:
    """The rules files that apply to ``target`` (a workspace-relative path, or None for the whole workspace)."""
    root = root.resolve()
    chosen: list[tuple[str, str]] = []
    for rel in _candidates(root, target):
        text = _read(root, rel, is_excluded)
        if text is None:
            continue
        body = _applies(rel, text, target)
        if body is not None and body.strip() and all(body.strip() != t.strip() for _, t in chosen):
            chosen.append((rel, body.strip()))
    budget = MAX_TOKENS * 4
    parts: list[str] = []
    sources: list[str] = []
    left_out: list[str] = []
    for rel, body in chosen:
        block = f"### {rel}\n{body}"
        if budget <= 200:
            left_out.append(rel)
            continue
        if len(block) > budget:
            block = block[:budget].rsplit("\n", 1)[0] + f"\n[… {rel} cut at the {MAX_TOKENS}-token cap]"
            left_out.append(f"{rel} (cut)")
        parts.append(block)
        sources.append(rel)
        budget -= len(block)
    text = "\n\n".join(parts)
    notes = (f"over the cap: {', '.join(left_out)}",) if left_out else ()
    return ProjectRules(text, tuple(sources), (len(text) + 3) // 4, notes)


def _candidates(root: Path, target: str | None) -> list[str]:
    folders = [""]
    if target:
        parts = PurePosixPath(target).parts[:-1]
        folders += ["/".join(parts[: i + 1]) for i in range(len(parts))]
    out = [f"{d}/{name}".lstrip("/") for name in ("AGENTS.md", "CLAUDE.md") for d in folders]
    out.append(".github/copilot-instructions.md")
    out += _listing(root, ".github/instructions", (".instructions.md",))
    cursor = root / ".cursor" / "rules"
    if cursor.is_dir() and not cursor.is_symlink():
        out += _listing(root, ".cursor/rules", (".mdc", ".md"))
    else:
        out.append(".cursor/rules")
    out.append(".cursorrules")
    return out


def _listing(root: Path, folder: str, suffixes: tuple[str, ...]) -> list[str]:
    path = root / folder
    if path.is_symlink() or not path.is_dir():
        return []
    try:
        names = sorted(n for n in os.listdir(path) if n.endswith(suffixes))
    except OSError:
        return []
    return [f"{folder}/{n}" for n in names]


def _read(root: Path, rel: str, is_excluded: Callable[[str], bool]) -> str | None:
    path = root / rel
    try:
        real = Path(os.path.realpath(path))
        if not path.is_file() or not real.is_relative_to(root) or is_excluded(rel):
            return None
        with open(real, "rb") as f:
            data = f.read(MAX_FILE_BYTES)
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")


def _applies(rel: str, text: str, target: str | None) -> str | None:
    """The body of a rules file if it applies to ``target``, else None."""
    front = _FRONT.match(text)
    meta = _front_matter(front.group(1)) if front else {}
    body = text[front.end() :] if front else text
    if rel.startswith(".github/instructions/"):
        return body if _matches(meta.get("applyTo", ""), target) else None
    if rel.startswith(".cursor/rules/"):
        if meta.get("alwaysApply", "").lower() == "true" or _matches(meta.get("globs", ""), target):
            return body
        return None
    return body


def _front_matter(block: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not line.startswith((" ", "\t")):
            meta[key.strip()] = value.strip().strip("'\"")
    return meta


def _matches(globs: str, target: str | None) -> bool:
    patterns = [g.strip().strip("'\"") for g in globs.strip("[]").split(",") if g.strip().strip("'\"")]
    if not patterns:
        return False
    if target is None:
        return "**" in patterns or "**/*" in patterns
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return spec.match_file(target)
