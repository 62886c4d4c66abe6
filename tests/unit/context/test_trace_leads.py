"""The trace's data flow when the index cannot type a receiver: the definitions a call could mean are offered
with a reason that says the type is unknown, and only when they are few."""

from __future__ import annotations

from pathlib import Path

from tests.unit.context.support import index, line_of, write

from splice.context.trace import leads, places

STORE = '''class Store:
    def fetch(self, key):
        """Returns None for a missing key."""
        return None


class Cache:
    def fetch(self, key):
        return key
'''

JOB = """def run(store, key):
    value = store.fetch(key)
    return value.upper()


def many(thing):
    value = thing.get(1)
    return value.upper()
"""

OTHERS = "".join(f"class C{i}:\n    def get(self, k):\n        return k\n\n\n" for i in range(5))


def test_a_name_only_match_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/store.py": STORE.split("\n\n\nclass Cache")[0], "pkg/job.py": JOB})
    graph = index(tmp_path)
    lines = JOB.splitlines()
    found = leads(graph, places(graph, [("pkg/job.py", line_of(JOB, "return value.upper()"))]), lambda p, n: lines[n])
    fetch = next(lead for lead in found if lead.sid == "pkg/store.py::Store.fetch")
    assert fetch.reason.startswith("produces value") and "by name only" in fetch.reason


def test_an_untyped_receiver_suggests_the_few_definitions_of_that_name(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/store.py": STORE, "pkg/job.py": JOB, "pkg/others.py": OTHERS})
    graph = index(tmp_path)
    lines = JOB.splitlines()

    def text(path: str, line: int) -> str | None:
        return lines[line] if path == "pkg/job.py" and 0 <= line < len(lines) else None

    found = leads(graph, places(graph, [("pkg/job.py", line_of(JOB, "return value.upper()"))]), text)
    # two classes define fetch(): the index leaves store.fetch unresolved, the trace offers both and says why
    for sid in ("pkg/store.py::Store.fetch", "pkg/store.py::Cache.fetch"):
        lead = next(lead for lead in found if lead.sid == sid)
        assert "maybe" in lead.reason and "unknown" in lead.reason
    # five classes define get(): no suggestion at all
    many = leads(graph, places(graph, [("pkg/job.py", len(lines) - 1)]), text)
    assert not any(lead.sid.endswith(".get") for lead in many)
