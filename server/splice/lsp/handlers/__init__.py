"""LSP handlers, one module per area; each exposes ``register(server)`` and stays a thin shim over features."""
