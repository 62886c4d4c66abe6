"""Incremental extraction (``extract_incr``) against a fresh full extraction, under many random edits.

Every step applies one to three random edits (insertions of real-looking snippets — definitions, duplicates,
imports, decorators, doc comments, module-level code, class members, builtin names —, deletions and
replacements of random byte ranges or whole lines, line duplication) to a real-looking file and checks that the
incremental extract equals ``extract`` of the new text, field by field. Sequences run through the Indexer too, so
edges after resolution are compared with a freshly indexed copy.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from splice.config import Settings
from splice.index import extract_incr
from splice.index.extract import extract
from splice.index.indexer import Indexer
from splice.index.parser import diff_hunks, parse

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"

PYTHON_EXTRA = b'''

# Helpers for the client.
# Second line of the comment.
def helper(a, b=None):
    """Join two things."""
    total = join(a, b)
    return Session().send(total)


class Pool(Base, metaclass=Meta):
    """A pool."""

    size = Limits()

    def __init__(self):
        self.session = Session()
        self.items = []

    @property
    def count(self):
        return len(self.items)

    @staticmethod
    def build(x):
        return helper(x, x)

    # The closing method.
    def close(self):
        self.session.close()
        for item in self.items:
            item.release()


MAX_SIZE = 10
registry = Registry()
registry.register(Pool)
'''

TS_EXTRA = b"""

/** A cache of values. */
export class Cache<T> extends Store<T> implements Sized {
  private repo = new Repo();
  size = 0;

  /** Get one value. */
  get(key: string): T | undefined {
    return this.repo.find(key);
  }

  set(key: string, value: T): void {
    this.repo.save(key, value);
    this.size += 1;
  }
}

// A helper.
export function makeCache(): Cache<number> {
  return new Cache<number>();
}

export interface Sized {
  size: number;
}

export const Sized = { of: (x: Sized) => x.size };
const local = makeCache();
local.set("a", 1);
"""

GO_EXTRA = b"""

// Pool holds connections.
type Pool struct {
	conns []Conn
	size  int
}

// Get returns a connection.
func (p *Pool) Get() Conn {
	c := p.conns[0]
	return c.Open()
}

func (p *Pool) Put(c Conn) {
	p.conns = append(p.conns, c)
}

// NewPool builds a pool.
func NewPool(size int) *Pool {
	return &Pool{size: size}
}

var DefaultPool = NewPool(4)
"""

RUST_EXTRA = b"""

/// A pool of connections.
#[derive(Debug, Clone)]
pub struct Pool {
    conns: Vec<Conn>,
}

impl Pool {
    /// A new pool.
    pub fn new() -> Self {
        Pool { conns: Vec::new() }
    }

    pub fn get(&self) -> Option<&Conn> {
        self.conns.first()
    }
}

impl Display for Pool {
    fn fmt(&self, f: &mut Formatter) -> Result {
        write!(f, "pool")
    }
}

pub const LIMIT: usize = 4;

fn helper(p: &Pool) -> usize {
    p.conns.len()
}
"""

SNIPPETS: dict[str, list[bytes]] = {
    "python": [
        b"def helper(x):\n    return x\n",
        b"def extra_%d():\n    return helper(1)\n",
        b"class Pool:\n    pass\n",
        b"class Extra%d(Pool):\n    def go(self):\n        return self.size\n",
        b"import os\nfrom .util import thing as other\n",
        b"@decorate\ndef decorated():\n    pass\n",
        b"# A doc comment for what follows.\n",
        b"    # indented comment\n",
        b"    def member(self):\n        return self.session.send(1)\n",
        b"helper(2)\nregistry.register(helper)\n",
        b"def len(x):\n    return 0\n",
        b'"""Docstring."""\n',
        b"X%d = Factory()\n",
        b"    size = Limits()\n",
        b"if True:\n    def cond():\n        pass\n",
        b'x = """\n',
        b"(\n",
        b"\n",
    ],
    "typescript": [
        b"export function makeCache() { return 1; }\n",
        b"function extra%d(): number { return makeCache(); }\n",
        b"export class Cache { }\n",
        b"class Extra%d extends Cache { run() { return this.size; } }\n",
        b'import { a as b, c } from "./x";\n',
        b"/** Doc comment. */\n",
        b"// line comment\n",
        b"  method%d(): void { this.repo.save(1); }\n",
        b"makeCache();\nlocal.set('b', 2);\n",
        b"export interface Cache { n: number }\n",
        b"export const Cache = 1;\n",
        b"export default Cache;\n",
        b"const { q } = require('./q');\n",
        b"{\n",
        b"}\n",
        b"\n",
    ],
    "go": [
        b"func NewPool() *Pool { return nil }\n",
        b"func Extra%d() int { return NewPool(1).size }\n",
        b"type Pool struct{}\n",
        b"func (p *Pool) Extra%d() { p.Put(nil) }\n",
        b'import "fmt"\n',
        b"// A doc comment.\n",
        b"var X%d = NewPool(1)\n",
        b"func len(x int) int { return x }\n",
        b"{\n",
        b"}\n",
        b"\n",
    ],
    "rust": [
        b"fn helper(p: &Pool) -> usize { 0 }\n",
        b"fn extra_%d() -> usize { helper(&Pool::new()) }\n",
        b"struct Pool;\n",
        b"impl Pool { fn more_%d(&self) {} }\n",
        b"impl Marker for Pool {}\n",
        b"use std::fmt::{self, Display as D};\n",
        b"/// A doc comment.\n",
        b"#[inline]\n",
        b"//! inner doc\n",
        b"    fn member(&self) -> usize { self.conns.len() }\n",
        b"const LIMIT: usize = 5;\n",
        b"{\n",
        b"}\n",
        b"\n",
    ],
}

FILES = {
    "python": ("pkg/mod.py", GOLDEN / "python" / "classes_and_imports.py", PYTHON_EXTRA),
    "typescript": ("src/mod.ts", GOLDEN / "typescript" / "types.ts", TS_EXTRA),
    "go": ("pkg/server.go", GOLDEN / "go" / "server.go", GO_EXTRA),
    "rust": ("src/lib.rs", GOLDEN / "rust" / "lib.rs", RUST_EXTRA),
}


def _base(lang: str) -> tuple[str, bytes]:
    path, fixture, extra = FILES[lang]
    return path, fixture.read_bytes() + extra


def _edit(rng: random.Random, text: bytes, lang: str, step: int) -> bytes:
    lines = text.split(b"\n")
    choice = rng.random()
    if choice < 0.45 or not text:
        snippet = rng.choice(SNIPPETS[lang])
        if b"%d" in snippet:
            snippet = snippet % step
        at = rng.randrange(len(lines) + 1)
        if rng.random() < 0.2:  # inside a line, not at its start
            pos = rng.randrange(len(text) + 1)
            return text[:pos] + snippet + text[pos:]
        return b"\n".join([*lines[:at], snippet.rstrip(b"\n"), *lines[at:]])
    if choice < 0.6:  # delete whole lines
        at = rng.randrange(len(lines))
        n = rng.randint(1, 4)
        return b"\n".join(lines[:at] + lines[at + n :])
    if choice < 0.75:  # delete or replace a random byte range
        a = rng.randrange(len(text) + 1)
        b = min(len(text), a + rng.randint(0, 40))
        filler = rng.choice([b"", b"x", b"(", b"\n", b" = 1", b"def ", b"class ", b"//", b"#", b"}", b"'"])
        return text[:a] + filler + text[b:]
    if choice < 0.85:  # duplicate a line (duplicate names, repeated uses)
        at = rng.randrange(len(lines))
        return b"\n".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])
    # rename an identifier-looking word on a random line
    at = rng.randrange(len(lines))
    words = lines[at].split(b" ")
    k = rng.randrange(len(words))
    words[k] = words[k] + b"_r"
    lines[at] = b" ".join(words)
    return b"\n".join(lines)


def _step(rng: random.Random, text: bytes, lang: str, step: int) -> bytes:
    # Several edits between two updates: the change arrives as several hunks (or one wide one).
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        text = _edit(rng, text, lang, step)
    return text


def _check(fx: object, path: str, lang: str, text: bytes, note: str) -> None:
    full = extract(path, lang, text)
    for name in ("symbols", "references", "imports", "assignments", "error_count"):
        assert getattr(fx, name) == getattr(full, name), f"{name} differ after {note}"


@pytest.mark.parametrize("lang", sorted(FILES))
@pytest.mark.parametrize("seed", range(6))
def test_random_edits_match_a_full_extraction(lang: str, seed: int) -> None:
    path, text = _base(lang)
    rng = random.Random(seed * 1000 + len(lang))
    fx, state = extract_incr.start(path, lang, text)
    incremental = 0
    for step in range(60):
        if step % 20 == 0:
            text = _base(lang)[1]  # back to a clean file now and then: errors accumulate otherwise
        new = _step(rng, text, lang, step)
        before = state.incremental
        fx, state = extract_incr.update(state, new)
        incremental += state.incremental > before
        _check(fx, path, lang, new, f"step {step} (seed {seed}): {state.notes[-1:]}")
        # The kept tree is what a fresh parse gives (error recovery may differ after an incremental one).
        assert str(state.tree.root_node) == str(parse(lang, new).root_node)
        text = new
    assert incremental >= 5, f"only {incremental} of 60 updates were incremental: {state.notes}"


def test_an_edit_inside_a_method_reextracts_only_that_member() -> None:
    path, text = _base("python")
    _, state = extract_incr.start(path, "python", text)
    new = text.replace(b"return len(self.items)", b"return len(self.items) + extra(1)")
    fx, state = extract_incr.update(state, new)
    assert state.incremental == 1 and state.fallbacks == 0
    _check(fx, path, "python", new, "a method edit")
    assert any(r.name == "extra" and r.scope == f"{path}::Pool.count" for r in fx.references)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        (b"def helper(a, b=None):", b"def Pool(a, b=None):", "also defined elsewhere"),
        (b"MAX_SIZE = 10", b"print = 10", "builtin"),
    ],
)
def test_edits_that_touch_whole_file_rules_fall_back(old: bytes, new: bytes, why: str) -> None:
    path, text = _base("python")
    _, state = extract_incr.start(path, "python", text)
    changed = text.replace(old, new)
    fx, state = extract_incr.update(state, changed)
    assert state.fallbacks == 1 and why in state.notes[-1]
    _check(fx, path, "python", changed, why)


def test_module_level_uses_are_de_duplicated_across_the_whole_file() -> None:
    path, text = _base("python")
    text += b"\nregistry.register(helper)\n"
    _, state = extract_incr.start(path, "python", text)
    # The first `registry.register` call goes: the one further down is now the first occurrence and stays.
    steps = [
        text.replace(b"registry.register(Pool)\n", b""),
        text.replace(b"registry.register(Pool)\n", b"registry.register(Pool)\nregistry.register(Pool)\n"),
        text.replace(b"registry = Registry()\n", b"registry = Registry()\nregistry.unregister(x)\n"),
    ]
    for new in steps:
        fx, state = extract_incr.update(state, new)
        _check(fx, path, "python", new, "a module-level edit")
    assert state.fallbacks == 0 and state.incremental == len(steps)
    register = [r for r in fx.references if r.name == "register" and r.scope == f"{path}::"]
    assert len(register) == 1


def test_diff_hunks_split_far_apart_edits_and_rebuild_the_new_text() -> None:
    rng = random.Random(3)
    base = b"".join(b"line %d of some text\n" % i for i in range(400))
    undone = base.replace(b"line 20 of", b"line 20 of the")
    redone = base.replace(b"line 300 of", b"line 300 off")
    hunks = diff_hunks(undone, redone)
    assert len(hunks) == 2 and hunks[0].old_lines == (20, 20) and hunks[1].new_lines == (300, 300)
    for _ in range(200):
        old = bytes(rng.choice(b"ab\n ") for _ in range(rng.randrange(0, 600)))
        new = bytearray(old)
        for _ in range(rng.randrange(0, 4)):
            a = rng.randrange(len(new) + 1)
            new[a : a + rng.randrange(0, 30)] = bytes(rng.choice(b"abc\n") for _ in range(rng.randrange(0, 30)))
        rebuilt, at = b"", 0
        for h in diff_hunks(old, bytes(new)):
            assert old[at : h.old_start] == bytes(new[len(rebuilt) : h.new_start])
            rebuilt += old[at : h.old_start] + bytes(new[h.new_start : h.new_end])
            at = h.old_end
        assert rebuilt + old[at:] == bytes(new)


@pytest.mark.parametrize("lang", ["python", "typescript"])
def test_indexer_edges_after_random_edits_equal_a_fresh_index(tmp_path: Path, lang: str) -> None:
    path, text = _base(lang)
    other = "pkg/other.py" if lang == "python" else "src/other.ts"
    other_text = (
        b"from pkg.mod import helper, Pool\n\ndef use():\n    return helper(Pool())\n"
        if lang == "python"
        else b'import { makeCache, Cache } from "./mod";\nexport function use() { return makeCache(); }\n'
    )
    for rel, data in ((path, text), (other, other_text)):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    ix = Indexer(tmp_path, Settings(), persist=False, background=False)
    ix.index_all()
    rng = random.Random(11)
    for step in range(25):
        text = _step(rng, text, lang, step)
        ix.update_text(tmp_path / path, text)
        assert ix.graph.extracts[path] == extract(path, lang, text)
    ix.settle()
    fresh_root = tmp_path / "fresh"
    for rel, data in ((path, text), (other, other_text)):
        (fresh_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (fresh_root / rel).write_bytes(data)
    fresh = Indexer(fresh_root, Settings(), persist=False, background=False)
    fresh.index_all()
    for rel in (path, other):
        assert ix.graph.edges_in_file(rel) == fresh.graph.edges_in_file(rel), rel
    ix.close()
    fresh.close()


def test_did_open_prepares_the_buffer_so_the_first_change_is_incremental(tmp_path: Path) -> None:
    path, text = _base("python")
    (tmp_path / "pkg").mkdir()
    (tmp_path / path).write_bytes(text)
    ix = Indexer(tmp_path, Settings(), persist=False, background=False)
    ix.index_all()
    ix.update_text(tmp_path / path, text)  # didOpen: same text as indexed
    changed = text.replace(b"return len(self.items)", b"return len(self.items) - 1")
    ix.update_text(tmp_path / path, changed)
    state = ix._buffers[path]
    assert (state.incremental, state.fallbacks) == (1, 0)
    assert ix.graph.extracts[path] == extract(path, "python", changed)
    ix.update_from_disk(tmp_path / path)  # didClose: the buffer state goes with the overlay
    assert path not in ix._buffers
    ix.close()
