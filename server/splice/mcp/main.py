"""Running the MCP server: start indexing in the background, serve until the client goes away, close the index."""

from __future__ import annotations

import logging
from pathlib import Path

import anyio

from splice.config import LoadedSettings
from splice.mcp.server import build
from splice.mcp.session import SpliceSession

log = logging.getLogger(__name__)


def serve(root: Path, loaded: LoadedSettings, *, http_port: int | None = None, headless_apply: bool = False) -> int:
    """Serve over stdio (or streamable HTTP on 127.0.0.1); returns the exit code once the client disconnects."""
    for problem in loaded.problems:
        log.warning("settings: %s", problem)
    session = SpliceSession(root, loaded, headless_apply=headless_apply)
    session.start()
    server = build(session)
    try:
        if http_port is None:
            anyio.run(server.run_stdio_async)
        else:
            anyio.run(lambda: server.run_streamable_http_async(host="127.0.0.1", port=http_port))
    except KeyboardInterrupt:
        pass
    except Exception:
        log.exception("the MCP server stopped")
        return 1
    finally:
        session.close()
    return 0
