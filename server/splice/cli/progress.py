"""What a command shows while the model works: a spinner with the elapsed time and the tokens received on a
terminal, a plain line every few seconds on stderr when piped, nothing for an answer that comes at once (a cache
hit). It never writes to stdout, so ``splice generate … > fix.diff`` stays a clean diff.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from splice.llm.model import Progress

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
QUIET_S = 0.4
"""Nothing is shown before this: a cached answer arrives sooner and needs no spinner."""
PIPED_EVERY_S = 5.0
"""When stderr is not a terminal, one line at the start and one every this many seconds."""


class ModelWait:
    """``with ModelWait(model) as wait: await service.run(..., progress=wait.update)``."""

    def __init__(
        self,
        model: str,
        *,
        stream: IO[str] | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        tick_s: float = 0.1,
    ) -> None:
        self.model = model
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.tick_s = tick_s
        self.tokens = 0
        self.waiting = ""
        self.started = clock()
        self.shown = False
        self._last_line = -PIPED_EVERY_S
        self._frame = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def update(self, progress: Progress) -> None:
        """The gateway's progress callback for a single request (streamed chunks and tokens so far)."""
        self.tokens = max(self.tokens, progress.tokens)
        self.waiting = progress.waiting  # what the gateway waits for: the server, a retry's backoff

    def feed(self) -> Callable[[Progress], None]:
        """A progress callback for one of several concurrent requests: the tokens shown are their sum."""
        seen = [0]

        def update(progress: Progress) -> None:
            with self._lock:
                self.tokens += max(progress.tokens - seen[0], 0)
                seen[0] = max(seen[0], progress.tokens)

        return update

    def status(self) -> str:
        elapsed = self.clock() - self.started
        if self.tokens:
            return f"{self.model}: receiving the answer — {elapsed:.1f} s, {self.tokens} tokens"
        if self.waiting.startswith("retrying"):
            return f"{self.model}: {self.waiting} — {elapsed:.1f} s"
        return f"{self.model}: waiting for the first token — {elapsed:.1f} s"

    def tick(self) -> None:
        """Draw once (called by the background thread; public so tests drive it with a fake clock)."""
        with self._lock:
            elapsed = self.clock() - self.started
            if elapsed < QUIET_S:
                return
            if self.tty:
                self._frame = (self._frame + 1) % len(FRAMES)
                self._write(f"\r\x1b[2K{FRAMES[self._frame]} {self.status()}  (Ctrl+C cancels)")
            elif elapsed - self._last_line >= PIPED_EVERY_S:
                self._last_line = elapsed
                self._write(f"splice: {self.status()}\n")
            else:
                return
            self.shown = True

    def finish(self) -> None:
        with self._lock:
            if not self.shown:
                return
            elapsed = self.clock() - self.started
            tokens = f", {self.tokens} tokens" if self.tokens else ""
            prefix = "\r\x1b[2K" if self.tty else ""
            self._write(f"{prefix}splice: {self.model} answered in {elapsed:.1f} s{tokens}\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not fail the command
            self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.tick_s):
            self.tick()

    def __enter__(self) -> ModelWait:
        self.started = self.clock()
        self._thread = threading.Thread(target=self._run, name="splice-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if kind is None:
            self.finish()
        elif self.shown and self.tty:
            self._write("\r\x1b[2K")
