"""Gzip told apart by its first bytes, and undone, in one place.

A log may come gzipped whatever its name (``kubectl logs | gzip``, a rotated
``.log.1`` compressed in place), so every way in (a file, stdin, an archive
member, a file the classifier opens, a file cut into pieces) decides by the
stream's first two bytes, here.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import IO, cast

from amr_logpatterns.errors import InputError

#: How every gzip stream starts (RFC 1952).
GZIP_MAGIC = b"\x1f\x8b"

#: Wraps the stored bytes of an input before decompression (a progress counter).
Wrap = Callable[[IO[bytes]], IO[bytes]]


def looks_gzipped(head: bytes) -> bool:
    """Whether a stream that starts with ``head`` is gzip."""
    return head.startswith(GZIP_MAGIC)


class _GzipStream(gzip.GzipFile):
    """Gzip over a stream, closed with it when ``owned`` (``GzipFile(fileobj=...)`` alone
    leaves it open), and seekable only when that stream is: ``GzipFile`` says it always
    is, and a reader that trusts it seeks a pipe when a truncated file fails."""

    def __init__(self, inner: IO[bytes], *, owned: bool = True) -> None:
        super().__init__(fileobj=inner, mode="rb")
        self._inner = inner
        self._owned = owned

    def seekable(self) -> bool:
        return self._inner.seekable()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._owned:
                self._inner.close()


def decompressing(raw: IO[bytes], wrap: Wrap | None, *, owned: bool = True) -> IO[bytes]:
    """``raw`` (wrapped first, so a counter sees the stored bytes), gunzipped if it is gzip
    (closing ``raw`` with it when ``owned``)."""
    peek = getattr(raw, "peek", None)
    head: bytes = peek(2)[:2] if peek is not None else b""
    stream = raw if wrap is None else wrap(raw)
    if looks_gzipped(head):
        return cast(IO[bytes], _GzipStream(stream, owned=owned))
    return stream


def open_log(path: str | Path) -> IO[bytes]:
    """Open a log file for reading as bytes, decompressing ``.gz`` files."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a log file")
    try:
        handle = p.open("rb")
    except OSError as exc:
        raise InputError(f"{p}: cannot open: {exc.strerror or exc}") from exc
    compressed = looks_gzipped(handle.read(2))
    handle.seek(0)
    if compressed:
        handle.close()
        return gzip.open(p, "rb")  # type: ignore[return-value]  # closes its own file
    return handle
