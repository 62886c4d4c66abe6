"""The layer rules of DESIGN.md §1, enforced on the source: who may import pygls, litellm, lancedb, tree_sitter,
and which Splice packages may depend on which."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "server" / "splice"

# third-party module -> the only files/folders allowed to import it
EXCLUSIVE = {
    "pygls": ("lsp/",),
    "lsprotocol": ("lsp/",),
    "litellm": ("llm/client.py",),
    "lancedb": ("index/store.py",),
    "pyarrow": ("index/store.py",),
    "tree_sitter": ("index/parser.py",),
    "mcp": ("mcp/",),
    "mcp_types": ("mcp/",),
}

# splice package -> splice packages it may import (besides itself)
# Leaves every layer may use: config, trust (is a workspace trusted?), state (safe writes under .splice), redaction
# (the one secret detector) and invisible (hidden and look-alike characters).
_BASE = {"config", "trust", "state", "redaction", "invisible"}
ALLOWED = {
    "index": _BASE,
    "context": _BASE | {"index"},
    "edits": _BASE | {"index"},
    "llm": _BASE,
    "features": _BASE | {"index", "context", "llm", "edits"},
    "lsp": _BASE | {"index", "context", "llm", "edits", "features"},
    "cli": _BASE | {"index", "context", "llm", "edits", "features"},
    "mcp": _BASE | {"index", "context", "llm", "edits", "features"},
}
# The CLI's `serve` command is the one place the CLI starts the language server.
CLI_MAY_IMPORT_LSP = {"cli/serve.py"}
# `splice mcp` starts the MCP front end; `splice doctor` probes it.
CLI_MAY_IMPORT_MCP = {"cli/mcp.py", "cli/doctor.py"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _sources() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def test_package_is_found() -> None:
    assert len(_sources()) > 10


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PKG)))
def test_layer_rules(path: Path) -> None:
    rel = path.relative_to(PKG).as_posix()
    layer = rel.split("/", 1)[0] if "/" in rel else None
    for name in _imports(path):
        top = name.split(".")[0]
        if top in EXCLUSIVE:
            assert rel.startswith(EXCLUSIVE[top]), f"{rel} imports {name}; only {EXCLUSIVE[top]} may"
        if top == "splice" and layer in ALLOWED:
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else None
            if target is None or target == layer or target == "__init__":
                continue
            if layer == "cli" and target == "lsp" and rel in CLI_MAY_IMPORT_LSP:
                continue
            if layer == "cli" and target == "mcp" and rel in CLI_MAY_IMPORT_MCP:
                continue
            if target == "cli":
                assert layer == "cli", f"{rel} imports the CLI ({name})"
                continue
            assert target in ALLOWED[layer], f"{rel} ({layer}) imports {name}; it may import {sorted(ALLOWED[layer])}"


def test_the_rules_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import lancedb\nfrom splice.lsp import server\n")
    assert _imports(bad) == ["lancedb", "splice.lsp"]
