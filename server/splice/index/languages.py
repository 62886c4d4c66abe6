"""Which grammar handles which file: extensions → language names → tree-sitter Language objects (loaded lazily)."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import PurePosixPath
from typing import Any

# language name -> (grammar module, function returning the language pointer)
_GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "java": ("tree_sitter_java", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "c_sharp": ("tree_sitter_c_sharp", "language"),
    "ruby": ("tree_sitter_ruby", "language"),
    "php": ("tree_sitter_php", "language_php"),
}

ECMASCRIPT = frozenset({"javascript", "typescript", "tsx"})
"""The languages that share ECMAScript modules (``import``/``export``) and JS scoping."""

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".cs": "c_sharp",
    ".rb": "ruby",
    ".php": "php",
}

LANGUAGES: tuple[str, ...] = tuple(_GRAMMARS)


def language_for_path(path: str) -> str | None:
    """The language name for a file path, or None when no grammar handles it."""
    return EXTENSIONS.get(PurePosixPath(path).suffix.lower())


@cache
def grammar_module(lang: str) -> Any:
    """The imported grammar wheel module (``tree_sitter_python`` …); it also ships ``queries/*.scm``."""
    module_name, _ = _GRAMMARS[lang]
    return importlib.import_module(module_name)


def language_pointer(lang: str) -> object:
    module = grammar_module(lang)
    return getattr(module, _GRAMMARS[lang][1])()
