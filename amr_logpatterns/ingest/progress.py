"""A progress bar on stderr for large inputs, fed by the bytes the classifier reads.

``ProgressReader`` wraps the binary stream the classifier reads and counts bytes
as they go by; it is an ``io.BufferedIOBase`` that passes ``fileno``, ``tell`` and
``seek`` through, so the engine still takes its fast path and sizes the input
the same way. ``ProgressBar.advance`` also takes increments from elsewhere (the
pieces ``classify_parallel`` finishes). On a terminal the bar redraws one line
with ``\\r`` at most ``1 / interval`` times a second; elsewhere (CI logs) it prints
a plain line at every tenth. It writes only to stderr, never to stdout, where
the report goes.
"""

from __future__ import annotations

import io
import shutil
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: ``--progress auto`` shows a bar only for this much input or more.
PROGRESS_MIN_BYTES = 32 << 20
#: At most eight redraws a second: enough to look alive, cheap on slow terminals.
REDRAW_SECONDS = 0.125
#: A rate (and an eta) is shown only after this long: the first read is a whole chunk
#: read ahead of the work, which would show an absurd rate.
RATE_AFTER_SECONDS = 1.0

Mode = Literal["auto", "always", "never"]
MODES: tuple[Mode, ...] = ("auto", "always", "never")

_UNITS = ((10**9, "GB"), (10**6, "MB"), (10**3, "KB"))


def should_show(mode: str, total_bytes: int | None, stderr_isatty: bool) -> bool:
    """Whether to draw a bar: ``auto`` only on a terminal and for inputs of 32 MiB or more."""
    if mode not in MODES:
        raise ValueError(f"unknown progress mode {mode!r}; choose from {', '.join(MODES)}")
    if mode == "never":
        return False
    if mode == "always":
        return True
    return stderr_isatty and total_bytes is not None and total_bytes >= PROGRESS_MIN_BYTES


def _unit(value: float, least: int = 10) -> tuple[int, str]:
    """The largest unit in which ``value`` is at least ``least``: ``1000 MB``, not ``1.0 GB``."""
    for scale, name in _UNITS:
        if value >= least * scale:
            return scale, name
    return 1, "B"


def _number(value: float, scale: int) -> str:
    scaled = value / scale
    return f"{scaled:.0f}" if scale == 1 or scaled >= 10 else f"{scaled:.1f}"


def _duration(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class ProgressBar:
    """Bytes done out of ``total`` (None: unknown), drawn on ``stream`` (stderr by default).

    ``tty`` picks ``\\r`` redraws (a terminal) or a plain line per tenth (a log);
    it defaults to whether ``stream`` is a terminal. ``clock`` is injectable so
    tests need no sleeps.
    """

    def __init__(
        self,
        total: int | None,
        *,
        stream: IO[str] | None = None,
        tty: bool | None = None,
        label: str = "",
        clock: Callable[[], float] = time.monotonic,
        interval: float = REDRAW_SECONDS,
        width: int = 20,
        columns: int | None = None,
    ) -> None:
        out = sys.stderr if stream is None else stream
        if out is sys.stdout or out is sys.__stdout__:
            raise ValueError("the progress bar writes to stderr, never to stdout")
        self.total = total
        self.done = 0
        self.label = label
        self.stream = out
        self.tty = out.isatty() if tty is None else tty
        self.clock = clock
        self.interval = interval
        self.width = width
        self.columns = shutil.get_terminal_size().columns if columns is None else columns
        self.start = clock()
        self._last_draw: float | None = None
        self._drawn_width = 0
        self._last_tenth = 0
        self._finished = False

    def advance(self, n: int) -> None:
        """Count ``n`` more bytes done (a reader's chunk or a finished piece) and maybe redraw."""
        if n <= 0 or self._finished:
            return
        self.done += n
        if self.tty:
            now = self.clock()
            if self._last_draw is None or now - self._last_draw >= self.interval:
                self._redraw(now)
            return
        tenth = self._tenth()
        if tenth > self._last_tenth:
            self._last_tenth = tenth
            self._print_line()

    def wrap(
        self, stream: IO[bytes], name: str | None = None, *, close_inner: bool = True
    ) -> ProgressReader:
        """``stream`` counted into this bar; ``name`` becomes the label once reading starts."""
        return ProgressReader(stream, self, name, close_inner=close_inner)

    def render(self, now: float | None = None) -> str:
        """The bar's text: ``[####......] 45% 450/1000 MB 120 MB/s eta 5s <label>``."""
        now = self.clock() if now is None else now
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed >= RATE_AFTER_SECONDS else None
        parts: list[str] = []
        if self.total:
            fraction = min(1.0, self.done / self.total)
            filled = int(fraction * self.width)
            parts.append("[" + "#" * filled + "." * (self.width - filled) + "]")
            parts.append(f"{int(fraction * 100)}%")
            scale, unit = _unit(self.total)
            parts.append(f"{_number(self.done, scale)}/{_number(self.total, scale)} {unit}")
        else:
            scale, unit = _unit(self.done)
            parts.append(f"{_number(self.done, scale)} {unit}")
        if rate is not None and rate > 0:
            scale, unit = _unit(rate, least=1)
            parts.append(f"{_number(rate, scale)} {unit}/s")
            if self.total and self.done < self.total:
                parts.append(f"eta {_duration((self.total - self.done) / rate)}")
        if self.label:
            parts.append(self.label)
        return " ".join(parts)

    def finish(self) -> None:
        """End the bar: a terminal's line is cleared, a log gets its last line. Idempotent."""
        if self._finished:
            return
        self._finished = True
        if self.tty:
            if self._drawn_width:
                self.stream.write("\r" + " " * self._drawn_width + "\r")
                self.stream.flush()
        elif self._last_tenth < 10:
            self._print_line()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.finish()

    def _tenth(self) -> int:
        if not self.total:
            return 0
        return min(10, self.done * 10 // self.total)

    def _fit(self, text: str) -> str:
        """Shorten the label from the left so the line never wraps (a wrap breaks ``\\r``)."""
        room = self.columns - 1
        if len(text) <= room or not self.label:
            return text[:room]
        head = text[: len(text) - len(self.label)]
        keep = room - len(head) - 1
        if keep < 8:
            return head.rstrip()[:room]
        return head + "…" + self.label[-keep:]

    def _redraw(self, now: float) -> None:
        text = self._fit(self.render(now))
        pad = max(0, self._drawn_width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._drawn_width = len(text)
        self._last_draw = now

    def _print_line(self) -> None:
        self.stream.write(self.render() + "\n")
        self.stream.flush()


class ProgressReader(io.BufferedIOBase):
    """A binary stream that counts into a ``ProgressBar`` the bytes read through it.

    Rereading after a backward seek is not counted twice. ``fileno``, ``tell``,
    ``seek`` and ``seekable`` are the wrapped stream's, so the engine's fast path
    and its size check see the file itself. Closing closes the wrapped stream
    unless ``close_inner`` is False (stdin).
    """

    def __init__(
        self,
        inner: IO[bytes],
        bar: ProgressBar,
        name: str | None = None,
        *,
        close_inner: bool = True,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._bar = bar
        self._name = name
        self._close_inner = close_inner
        self._labelled = False
        try:
            start = inner.tell() if inner.seekable() else 0
        except (OSError, ValueError):
            start = 0
        self._pos = start
        self._high = start

    @property
    def name(self) -> str | None:
        """The input's name, else the wrapped stream's."""
        if self._name is not None:
            return self._name
        inner_name = getattr(self._inner, "name", None)
        return inner_name if isinstance(inner_name, str) else None

    def _count(self, n: int) -> None:
        if not self._labelled and self._name is not None:
            self._labelled = True
            self._bar.label = self._name
        if n <= 0:
            return
        self._pos += n
        if self._pos > self._high:
            self._bar.advance(self._pos - self._high)
            self._high = self._pos

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        data = self._inner.read(-1 if size is None else size)
        self._count(len(data))
        return data

    def read1(self, size: int = -1, /) -> bytes:
        read1 = getattr(self._inner, "read1", None)
        data: bytes = read1(size) if read1 is not None else self._inner.read(size)
        self._count(len(data))
        return data

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        return self._into(buffer, "readinto")

    def readinto1(self, buffer: WriteableBuffer, /) -> int:
        return self._into(buffer, "readinto1")

    def _into(self, buffer: WriteableBuffer, method: str) -> int:
        view = memoryview(buffer).cast("B")
        into = getattr(self._inner, method, None) or getattr(self._inner, "readinto", None)
        if into is not None:
            n = into(view) or 0
        else:
            data = self._inner.read(len(view))
            n = len(data)
            view[:n] = data
        self._count(n)
        return int(n)

    def readline(self, size: int | None = -1, /) -> bytes:
        line = self._inner.readline(-1 if size is None else size)
        self._count(len(line))
        return line

    def fileno(self) -> int:
        return self._inner.fileno()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def seekable(self) -> bool:
        return self._inner.seekable()

    def tell(self) -> int:
        return self._inner.tell()

    def seek(self, offset: int, whence: int = 0, /) -> int:
        self._pos = self._inner.seek(offset, whence)
        return self._pos

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._close_inner:
                self._inner.close()
        finally:
            super().close()
