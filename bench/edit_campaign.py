"""Seeded campaign against the edit invariant: whole-file answers over the five languages' benchmark files with
random top-level units (Java: members) kept, dropped without a word, or replaced by a comment (phrasings Splice
knows and does not know), sometimes a run inside the changed unit elided too, and one line changed (in a function,
a method, or outside any definition).

Every outcome must be a refusal, a proposal flagged as not parsing (the CLI refuses it), or exactly the intended
file. Differences that only add comment lines the answer itself wrote (or change blank lines) are counted apart;
anything that loses or alters code is "silently wrong" and makes the run fail. The generator elides whole blocks, as
models do; it does not write answers that drop a definition's header but keep its body.

Run: ``.venv/bin/python bench/edit_campaign.py [--seed N] [--answers N]`` (``make bench-edits`` runs 800).
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from edit_shapes import LANGS, Lang
from splice.edits.errors import EditRefused
from splice.edits.invariant import is_comment_only
from splice.edits.paths import Workspace
from splice.edits.propose import propose

COMMENTS = [
    " ... existing code ...",
    " rest unchanged",
    " (snip)",
    " ~~~",
    " other methods unchanged",
    " ...",
    " TODO: more",
    "",
]


def one(rng: random.Random, tmp: Path, n: int) -> tuple[str, tuple[str, str, str, str] | None]:
    lang: Lang = rng.choice(LANGS)
    text = lang.original
    lines = text.splitlines(keepends=True)
    indent = "    " if lang.key == "java" else ""
    starts = [
        i
        for i, line in enumerate(lines)
        if line.strip() and line.startswith(indent) and not line[len(indent)].isspace() and line.strip() != "}"
    ]
    starts = [i for i in starts if not (is_comment_only(lines[i]) and i + 1 in starts and i > 0)] or starts
    end = len(lines) - 1 if lang.key == "java" else len(lines)
    units = list(zip(starts, [*starts[1:], end], strict=True))
    if lang.key == "java":
        units = [(0, starts[0]), *units]
    pick = rng.random()
    if pick < 0.2:
        changed, new_line = 0, lines[0].rstrip("\n") + f" {lang.comment} checked\n"
    elif pick < 0.6:
        changed = next(i for i, line in enumerate(lines) if line == lang.func_change[0])
        new_line = lang.func_change[1]
    else:
        changed = next(i for i, line in enumerate(lines) if line == lang.method_change[0])
        new_line = lang.method_change[1]
    expected = "".join(new_line if i == changed else line for i, line in enumerate(lines))
    out: list[str] = []
    for s, e in units:
        if s <= changed < e or (lang.key == "java" and s == 0) or (changed == 0 and s < starts[1]):
            seg = [new_line if i == changed else lines[i] for i in range(s, e)]
            # sometimes elide inside the unit too (not the changed line)
            if rng.random() < 0.3 and e - s > 3:
                a = rng.randrange(s + 1, e - 1)
                b = a
                # Models elide whole blocks: extend the run while the next line is nested deeper than its start.
                level = len(lines[a]) - len(lines[a].lstrip())
                while b + 1 < e - 1 and (
                    not lines[b + 1].strip() or len(lines[b + 1]) - len(lines[b + 1].lstrip()) > level
                ):
                    b += 1
                if not (a <= changed <= b):
                    ind = lines[a][: len(lines[a]) - len(lines[a].lstrip())] or indent
                    seg = (
                        [new_line if i == changed else lines[i] for i in range(s, a)]
                        + [ind + lang.comment + rng.choice(COMMENTS) + "\n"]
                        + [new_line if i == changed else lines[i] for i in range(b + 1, e)]
                    )
            out += seg
            continue
        roll = rng.random()
        if roll < 0.4:
            out += lines[s:e]
        elif roll < 0.6:
            continue
        else:
            out += [indent + lang.comment + rng.choice(COMMENTS) + "\n"] + ["\n"] * rng.randint(0, 2)
    if lang.key == "java":
        out.append("}\n")
    ws = tmp / str(n)
    (ws / lang.path).parent.mkdir(parents=True, exist_ok=True)
    (ws / lang.path).write_text(text)
    answer = f"{lang.path}\n```{lang.fence}\n{''.join(out)}```\n"
    try:
        p = propose(answer, Workspace.of(ws))
    except EditRefused:
        return "refused", None
    (c,) = p.changes
    if not p.verification.parses:
        return "noparse", None
    if c.new_text != expected:
        delta = list(difflib.ndiff(expected.splitlines(), (c.new_text or "").splitlines()))
        removed = [d for d in delta if d.startswith("- ") and d[2:].strip()]
        added = [d for d in delta if d.startswith("+ ")]
        if not removed and all(is_comment_only(a[2:]) or not a[2:].strip() for a in added):
            return "extra-comment", None
        return "silently wrong", (lang.key, answer, c.new_text, expected)
    return "ok", None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--answers", type=int, default=800)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="splice-edit-campaign-") as tmp:
        for n in range(args.answers):
            outcome, info = one(rng, Path(tmp), n)
            counts[outcome] = counts.get(outcome, 0) + 1
            if info is not None:
                key, answer, got, expected = info
                diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True)))
                print(f"### silently wrong ({key}), answer {n}:\n{answer}\n{diff}")
    print(f"seed {args.seed}, {args.answers} answers: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if counts.get("silently wrong") else 0


if __name__ == "__main__":
    sys.exit(main())
