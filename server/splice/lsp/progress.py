"""Work-done progress for long requests, with the client's cancel button cancelling the running task."""

from __future__ import annotations

import asyncio
import uuid
from types import TracebackType

from lsprotocol import types

from splice.lsp.server import SpliceServer


class WorkProgress:
    """``async with WorkProgress(ls, "Explaining…") as p: p.report("calling model")``.

    When the client does not support work-done progress it does nothing; when the user cancels, the task that
    entered the block is cancelled (its ``await`` raises CancelledError, which propagates to the HTTP request)."""

    def __init__(self, ls: SpliceServer, title: str) -> None:
        self.ls = ls
        self.title = title
        self.token = str(uuid.uuid4())
        self.active = False

    async def __aenter__(self) -> WorkProgress:
        window = self.ls.client_capabilities.window
        if not (window and window.work_done_progress):
            return self
        try:
            await self.ls.work_done_progress.create_async(self.token)
        except Exception:
            return self
        self.active = True
        self.ls.work_done_progress.begin(self.token, types.WorkDoneProgressBegin(title=self.title, cancellable=True))
        task = asyncio.current_task()
        future = self.ls.work_done_progress.tokens.get(self.token)
        if future is not None and task is not None:
            loop = asyncio.get_running_loop()
            future.add_done_callback(lambda f: loop.call_soon_threadsafe(task.cancel) if f.cancelled() else None)
        return self

    def report(self, message: str, percentage: int | None = None) -> None:
        if self.active:
            self.ls.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.active:
            message = "cancelled" if exc_type is asyncio.CancelledError else ("failed" if exc else "done")
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.active = False
