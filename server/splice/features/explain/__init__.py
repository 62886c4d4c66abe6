"""Explain error: parse stack traces, map their frames to workspace symbols, key explanations by error signature."""
