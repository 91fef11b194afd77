"""Length-prefixed frames over pipes: the only channel between judge and sandbox."""

from __future__ import annotations

import os
import select
import struct
import time
from typing import Any

from graders.sandbox import codec

HEADER = struct.Struct(">I")
MAX_FRAME = 32 * 1024 * 1024


class ChannelClosed(Exception):
    """The other side went away before a whole frame arrived."""


class ChannelTimeout(Exception):
    """No whole frame arrived before the deadline."""


def write_frame(fd: int, message: dict[str, Any]) -> None:
    """Send one message as a length-prefixed JSON frame."""
    payload = codec.dumps(message)
    data = HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise ChannelTimeout
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise ChannelTimeout
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, timeout: float | None = None) -> dict[str, Any]:
    """Receive one message; raise ChannelTimeout or ChannelClosed when none comes."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = HEADER.unpack(_read_exact(fd, HEADER.size, deadline))
    if size > MAX_FRAME:
        raise ChannelClosed(f"frame of {size} bytes is larger than allowed")
    return codec.loads(_read_exact(fd, size, deadline))
