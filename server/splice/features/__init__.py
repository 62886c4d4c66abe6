"""Use cases (generate, explain error, migrate, sessions) built on index, context, llm and edits — free of LSP types."""
