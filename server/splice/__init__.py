"""Splice: an LLM coding assistant that lives in the language server."""

__version__ = "0.1.0"
