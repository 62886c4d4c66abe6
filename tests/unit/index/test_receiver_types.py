"""Attribute chains are typed through what the code says about the receiver — a parameter's annotation, a
constructor assignment (also when the name is reassigned from itself), a return annotation, ``self`` attributes —
and when the type is unknown the member is left unresolved instead of guessing another class's member with the
same name (``url.host`` on an ``httpx.URL`` was resolved to ``ParseResult.host`` in ``_urlparse.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.context.support import index, write

from splice.index.graph import Graph
from splice.index.signatures import python_params, python_return

URLPARSE = '''class ParseResult:
    """The other class with a host: alphabetically nearer than _urls.py."""

    @property
    def host(self) -> str:
        return ""

    def copy_with(self, **kw) -> "ParseResult":
        return self
'''

URLS = """class URL:
    def __init__(self, url: str = "") -> None:
        self._url = url

    @property
    def host(self) -> str:
        return self._url

    @property
    def fragment(self) -> str:
        return ""

    def copy_with(self, **kw: str) -> "URL":
        return URL(self._url)


def parse(text: str) -> "URL | None":
    return URL(text) if text else None
"""

CLIENT = """from typing import Optional

from pkg._urls import URL, parse


class Client:
    def __init__(self, base: URL) -> None:
        self.base = base

    def by_parameter(self, url: URL) -> str:
        return url.host

    def by_optional(self, url: Optional[URL]) -> str:
        return url.fragment if url else ""

    def by_constructor(self, location: str) -> str:
        url = URL(location)
        url = url.copy_with(fragment="")
        return url.host

    def by_return(self, text: str) -> str:
        url = parse(text)
        return url.fragment

    def by_self(self) -> str:
        return self.base.host

    def unknown(self, thing) -> str:
        return thing.host

    def external(self, name: str) -> str:
        return name.upper()
"""


def edges(tmp_path: Path) -> dict[tuple[str, str], str | None]:
    write(
        tmp_path, {"pkg/__init__.py": "", "pkg/_urlparse.py": URLPARSE, "pkg/_urls.py": URLS, "pkg/_client.py": CLIENT}
    )
    graph: Graph = index(tmp_path)
    out: dict[tuple[str, str], str | None] = {}
    for edge in graph.edges_in_file("pkg/_client.py"):
        out[(edge.src.partition("::")[2], edge.name)] = edge.dst
    return out


def test_chains_are_typed_through_what_the_code_says(tmp_path: Path) -> None:
    found = edges(tmp_path)
    assert found[("Client.by_parameter", "host")] == "pkg/_urls.py::URL.host"
    assert found[("Client.by_optional", "fragment")] == "pkg/_urls.py::URL.fragment"
    assert found[("Client.by_constructor", "host")] == "pkg/_urls.py::URL.host"
    assert found[("Client.by_constructor", "copy_with")] == "pkg/_urls.py::URL.copy_with"
    assert found[("Client.by_return", "fragment")] == "pkg/_urls.py::URL.fragment"
    assert found[("Client.by_self", "host")] == "pkg/_urls.py::URL.host"


def test_an_unknown_receiver_is_not_guessed(tmp_path: Path) -> None:
    found = edges(tmp_path)
    assert found[("Client.unknown", "host")] is None  # URL.host or ParseResult.host: it does not say
    assert found[("Client.external", "upper")] is None
    assert not any(dst and "ParseResult" in dst for dst in found.values())


def test_annotations_that_name_one_class() -> None:
    params = python_params(
        "def f(self, a: URL, b: 'URL', c: mod.URL, d: URL | None, e: Optional[URL], f: list[URL], g,"
        " h: Union[URL, int], *args: URL, **kw: URL) -> 'x.URL':"
    )
    assert params == {
        "self": (),
        "a": ("URL",),
        "b": ("URL",),
        "c": ("mod", "URL"),
        "d": ("URL",),
        "e": ("URL",),
        "f": (),
        "g": (),
        "h": (),
        "args": (),
        "kw": (),
    }
    assert python_return("def f() -> 'x.URL':") == ("x", "URL")
    assert python_return("async def f(\n    a,\n) -> Optional['URL']:") == ("URL",)
    assert python_params("def broken(a: ") == {}
    assert python_return("function f(): URL {") == ()
