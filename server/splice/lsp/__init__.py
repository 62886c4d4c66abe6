"""The language server: the only package that knows LSP (pygls/lsprotocol); handlers are thin dispatch shims."""
