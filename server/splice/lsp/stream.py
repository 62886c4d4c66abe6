"""Reading LSP frames from stdin: bounded, resynchronising, on a thread of its own.

pygls's reader (``pygls.io_.run_async``) trusts the ``Content-Length`` header: a huge value makes it allocate that
much (MemoryError, the process aborts), a value past 2**63 raises OverflowError out of the loop, and a wrong value
leaves the stream out of step for every later message. It also reads stdin on the pygls thread pool, so busy
``@server.thread()`` handlers delay reading (cancellation included). This reader:

- reads raw bytes on its own daemon thread and hands complete bodies to the event loop through a queue;
- accepts a header line ``Content-Length: N`` (any case, any padding) and ignores other headers;
- refuses a body larger than ``MAX_MESSAGE_BYTES`` without buffering it: ``on_oversize`` reports it and the bytes
  are skipped until the next header — valid JSON cannot contain ``Content-Length: N`` followed by a raw CR LF, so
  the next header is found whether the huge length was honest or a lie;
- resynchronises after junk: a header may follow garbage on the same line (a body shorter than its header said);
- keeps memory bounded while skipping (a line longer than ``MAX_HEADER_BYTES`` is dropped but its tail kept).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""The largest body read (VS Code stops syncing files past 50 MB; JSON escaping adds a little)."""
MAX_HEADER_BYTES = 16 * 1024
_HEADER = re.compile(rb"content-length[ \t]*:[ \t]*(\d{1,30})[ \t]*\r?$", re.IGNORECASE)
_TAIL = 64
"""Bytes kept from a dropped run of junk, in case a header starts inside them."""


@dataclass(frozen=True)
class Oversize:
    """A frame whose header announced more than the limit; its body was skipped."""

    length: int


Frame = bytes | Oversize


class FrameParser:
    """The framing state machine, fed with chunks; pure, so it is tested without pipes."""

    def __init__(self, limit: int = MAX_MESSAGE_BYTES) -> None:
        self.limit = limit
        self._buf = bytearray()
        self._length: int | None = None
        self._in_body = False
        self._skipping = False

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while True:
            if self._in_body:
                assert self._length is not None
                if len(self._buf) < self._length:
                    break
                frames.append(bytes(self._buf[: self._length]))
                del self._buf[: self._length]
                self._in_body, self._length = False, None
                continue
            newline = self._buf.find(b"\n")
            if newline < 0:
                if len(self._buf) > MAX_HEADER_BYTES:  # junk without line breaks: keep only a possible header start
                    del self._buf[:-_TAIL]
                break
            line = bytes(self._buf[:newline])
            del self._buf[: newline + 1]
            frame = self._header_line(line)
            if frame is not None:
                frames.append(frame)
        return frames

    def _header_line(self, line: bytes) -> Frame | None:
        match = _HEADER.search(line[-(MAX_HEADER_BYTES):])
        if match is not None:
            if match.start() > 0 or self._skipping:
                log.warning("skipped %d bytes of junk before a message header", match.start())
            self._skipping = False
            length = int(match.group(1))
            if length > self.limit:
                log.error("a message announced %d bytes (limit %d): skipped", length, self.limit)
                self._length = None
                self._skipping = True
                return Oversize(length)
            self._length = length
            return None
        if line.strip(b"\r") == b"":
            if self._length is not None:
                self._in_body = True
            return None
        if not self._skipping and line.strip() and b":" not in line[:80]:
            log.warning("ignored a line that is not a message header (%d bytes)", len(line))
        return None


async def read_frames(fd: int, on_frame: Callable[[Frame], None], stop: threading.Event, chunk: int = 1 << 16) -> None:
    """Read ``fd`` on a daemon thread until EOF or ``stop``; call ``on_frame`` on the loop for each frame.

    Exceptions from ``on_frame`` other than SystemExit/KeyboardInterrupt are the caller's to contain.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Frame | None] = asyncio.Queue()
    parser = FrameParser()

    def pump() -> None:
        try:
            while not stop.is_set():
                data = os.read(fd, chunk)
                if not data:
                    break
                for frame in parser.feed(data):
                    loop.call_soon_threadsafe(queue.put_nowait, frame)
        except OSError as exc:
            log.error("reading the client's messages failed: %s", exc)
        except RuntimeError:  # the loop closed under us: the process is leaving
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="splice-stdin", daemon=True).start()
    while not stop.is_set():
        frame = await queue.get()
        if frame is None:
            break
        on_frame(frame)
