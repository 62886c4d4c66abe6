"""The third front end: Splice over the Model Context Protocol (the only package that imports the ``mcp`` SDK)."""
