"""The index: tree-sitter parsing, symbol/edge extraction, resolution, the in-memory graph and its LanceDB store."""
