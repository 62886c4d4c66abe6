"""An in-memory BM25 index over the graph's definitions: name parts (snake_case and camelCase split), signature
identifiers and docstring words.

LanceDB's full-text index is the persistent one (``store.fts_search``), but its tokenizer keeps ``parse_header`` and
``parseHeader`` whole and every query costs a few milliseconds; this index splits identifiers, answers in well
under a millisecond for a few thousand definitions and is updated per file, only when that file's hash changes.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from splice.index.graph import Graph
from splice.index.model import Symbol, SymbolKind

_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NOISE_WORDS = (
    "self cls this the and for with from import not none true false return def class str int bool any dict list "
    "get set is of to in on or an a as by it be"
)
_NOISE = frozenset(_NOISE_WORDS.split())
K1 = 1.2
B = 0.75
MIN_WORD = 3
"""Shortest word a run-together identifier is split into."""
COMPOUND = 0.6
"""A query word matching part of a run-together term counts this much of a whole match."""
NAME_BOOST = 3
"""Name parts count this many times: a definition is mostly about what its name says."""


def _words(text: str) -> Iterator[str]:
    """Lower-cased parts of every identifier in ``text`` (``parseHeader_v2`` → parse, header, v, 2)."""
    for ident in _IDENT.findall(text):
        for p in _PART.findall(ident):
            yield p.lower()


def surface_forms(texts: list[str]) -> dict[str, str]:
    """Term → the word it was written as first in ``texts`` (``proxi`` → ``proxies``), for explanations."""
    out: dict[str, str] = {}
    for text in texts:
        for word in _words(text):
            out.setdefault(singular(word), word)
    return out


def parts(text: str) -> list[str]:
    """The index terms of ``text``: its identifiers' word parts (``_words``) without noise words and single
    letters, each in the form singular and plural share (``proxies`` → ``proxi``, see ``singular``) so a
    docstring's words meet the names they describe."""
    return [singular(w) for w in _words(text) if len(w) > 1 and w not in _NOISE]


def singular(word: str) -> str:
    """A canonical form shared by an English word's singular and plural (``proxy``/``proxies`` → ``proxi``,
    ``cookie``/``cookies`` → ``cooki``, ``headers`` → ``header``); deliberately crude (``status`` stays)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-2]
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 3 and word.endswith("ie"):
        return word[:-1]
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "i"
    return word


def document(sym: Symbol) -> Counter[str]:
    terms: Counter[str] = Counter()
    for p in parts(sym.name):
        terms[p] += NAME_BOOST
    terms.update(parts(sym.signature))
    terms.update(parts(sym.doc[:600]))
    return terms


@dataclass
class _FileDocs:
    hash: str
    docs: dict[str, Counter[str]]
    texts: dict[str, tuple[str, str, str]]
    """What each document was made from: an edit leaves most of a file's definitions as they were."""


_INDEXED = frozenset(SymbolKind) - {SymbolKind.MODULE}


class LexicalIndex:
    """BM25 over definitions; call ``search`` freely — it refreshes itself from the graph when files changed."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._files: dict[str, _FileDocs] = {}
        self._lengths: dict[str, int] = {}
        self._total = 0
        self._avg = 1.0
        self._postings: dict[str, dict[str, int]] = {}
        """term → {symbol id: term frequency}; a term's document frequency is its posting's size."""
        self._version = -1
        """The graph version the index reflects."""
        self._compounds: dict[str, set[str]] = {}
        """word → terms that run it together with another word (``cookie`` → ``cookiejar``, ``url`` →
        ``urldefragauth``): identifiers written without separators still meet the words they are made of."""
        self._words_of: dict[str, tuple[str, ...]] = {}
        """compound term → the words it was registered under (to unregister it)."""

    def refresh(self) -> None:
        """Bring the index up to date with the graph, touching only the files whose hash changed."""
        with self.graph.lock:
            if self.graph.version == self._version:
                return
            self._version = self.graph.version
            current = {path: rec.hash for path, rec in self.graph.files.items()}
            before: dict[str, _FileDocs] = {}
            for path in list(self._files):
                if current.get(path) != self._files[path].hash:
                    before[path] = old = self._files.pop(path)
                    self._remove(old)
            known = set(self._postings)
            for path, digest in current.items():
                if path not in self._files:
                    self._files[path] = fd = self._documents(path, digest, before.get(path))
                    self._add(fd)
            for term in self._postings.keys() - known:
                self._register(term)
        self._avg = self._total / max(len(self._lengths), 1)

    def _register(self, term: str) -> None:
        """Index a run-together term under the longest known word it starts with and the longest it ends with."""
        if len(term) < 2 * MIN_WORD or not term.isalpha():
            return
        head = next((term[:i] for i in range(len(term) - MIN_WORD, MIN_WORD - 1, -1) if self._word(term[:i])), None)
        tail = next((term[i:] for i in range(MIN_WORD, len(term) - MIN_WORD + 1) if self._word(term[i:])), None)
        words = tuple(w for w in (head, tail) if w is not None)
        if words:
            self._words_of[term] = words
            for word in words:
                self._compounds.setdefault(word, set()).add(term)

    def _word(self, text: str) -> bool:
        posting = self._postings.get(text)
        return posting is not None and len(posting) >= 2  # seen on its own in two definitions: a real word here

    def _unregister(self, term: str) -> None:
        for word in self._words_of.pop(term, ()):
            terms = self._compounds.get(word)
            if terms is not None:
                terms.discard(term)
                if not terms:
                    del self._compounds[word]

    def _documents(self, path: str, digest: str, old: _FileDocs | None) -> _FileDocs:
        fd = _FileDocs(digest, {}, {})
        for sym in self.graph.symbols_in(path):
            if sym.kind not in _INDEXED:
                continue
            text = fd.texts[sym.id] = (sym.name, sym.signature, sym.doc[:600])
            reuse = old is not None and old.texts.get(sym.id) == text
            fd.docs[sym.id] = old.docs[sym.id] if old is not None and reuse else document(sym)
        return fd

    def _add(self, fd: _FileDocs) -> None:
        for sid, terms in fd.docs.items():
            length = sum(terms.values())
            self._lengths[sid] = length
            self._total += length
            for term, tf in terms.items():
                self._postings.setdefault(term, {})[sid] = tf

    def _remove(self, fd: _FileDocs) -> None:
        # incremental: one edited file must not cost a rebuild of the whole repository's postings
        for sid, terms in fd.docs.items():
            self._total -= self._lengths.pop(sid, 0)
            for term in terms:
                posting = self._postings.get(term)
                if posting is not None:
                    posting.pop(sid, None)
                    if not posting:
                        del self._postings[term]
                        self._unregister(term)

    def search(self, query: dict[str, float], limit: int = 60) -> list[tuple[str, float]]:
        """Weighted query terms (already split with ``parts``) → best (symbol id, score)."""
        self.refresh()
        n = max(len(self._lengths), 1)
        scores: dict[str, float] = {}
        looked_up = [(term, weight) for term, weight in query.items()]
        looked_up += [(c, w * COMPOUND) for t, w in query.items() for c in self._compounds.get(t, ()) if c not in query]
        for term, weight in looked_up:
            posting = self._postings.get(term)
            if not posting:
                continue
            df = len(posting)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for sid, tf in posting.items():
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self._lengths[sid] / self._avg))
                scores[sid] = scores.get(sid, 0.0) + weight * idf * norm
        return heapq.nlargest(limit, scores.items(), key=lambda kv: kv[1])


def query_terms(weighted_text: list[tuple[str, float]]) -> dict[str, float]:
    """Merge (text, weight) pieces into term → weight (max over pieces)."""
    out: dict[str, float] = {}
    for text, weight in weighted_text:
        for p in parts(text):
            out[p] = max(out.get(p, 0.0), weight)
    return out
