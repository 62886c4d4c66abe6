"""Show Context's page as a person reads it in the Markdown preview: a table with links and reasons, the code of
each item, no ranking internals (the target's "score 0.000"), names like ``__init__`` intact."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from tests.unit.context.support import span

from splice.context.model import ContextItem, ContextResult
from splice.lsp.handlers.context import markdown


def test_page_has_links_reasons_and_code_without_scores(tmp_path: Path) -> None:
    target = ContextItem(
        "src/requests/models.py", span(10, 20), "src/requests/models.py::Request.__init__", "target",
        "    def __init__(self):\n        pass\n", "the target: Request.__init__ (line 11)", 0.0, 40,
    )  # fmt: skip
    card = ContextItem(
        "src/requests/hooks.py", span(3, 5), "src/requests/hooks.py::default_hooks", "card",
        "def default_hooks():\n    return {}\n", "called by the target; words match (hook|s)", 7.25, 12,
    )  # fmt: skip
    page = markdown(ContextResult((target, card), 4000, 52, candidates=31), "src/requests/models.py:12", tmp_path)
    assert "score" not in page
    md = MarkdownIt().enable("table")
    md.validateLink = lambda url: not url.startswith(("javascript:", "vbscript:"))  # file: links, as VS Code's preview
    html = md.render(page)
    assert "Request.__init__" in html and "<strong>init</strong>" not in html
    assert f'href="{(tmp_path / "src/requests/hooks.py").as_uri()}#L4"' in html
    assert "(the code at the cursor)" in html and "words match (hook|s)" in html
    assert '<code class="language-python">def default_hooks():' in html
