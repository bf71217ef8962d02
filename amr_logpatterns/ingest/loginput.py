"""One input to classify, named as reports name it, and how its bytes are opened.

An input is a file on disk (a regular file or a pipe), the standard input, or
a member of an archive (see ``archives``); each opens as a binary stream,
gunzipped when it starts as gzip does, with an optional wrap (a progress
counter) around the stored bytes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import IO

from amr_logpatterns.errors import InputError
from amr_logpatterns.ingest.compression import Wrap, decompressing

STDIN_NAME = "<stdin>"


class InputSource:
    """How one input is opened."""

    def open(self, name: str, wrap: Wrap | None) -> IO[bytes]:
        raise NotImplementedError


class FileSource(InputSource):
    """A file on disk: a regular file, or a pipe such as ``<(kubectl logs ...)``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def open(self, name: str, wrap: Wrap | None) -> IO[bytes]:
        try:
            raw = open(self.path, "rb")  # noqa: SIM115 - the caller closes the stream
        except IsADirectoryError as exc:
            raise InputError(f"{name}: is a directory, not a log file") from exc
        except FileNotFoundError as exc:
            raise InputError(f"{name}: no such file or directory") from exc
        except OSError as exc:
            raise InputError(f"{name}: cannot open: {exc.strerror or exc}") from exc
        return decompressing(raw, wrap)


class _Stdin(InputSource):
    """The process's standard input, looked up when opened (tests replace it)."""

    def open(self, name: str, wrap: Wrap | None) -> IO[bytes]:
        """Gunzipped when it starts as gzip does (``zcat`` is not needed), never closed."""
        return decompressing(sys.stdin.buffer, wrap, owned=False)


@dataclass(frozen=True)
class LogInput:
    """One input to classify, named as every report will name it.

    ``path`` is set for a regular file on disk, which ``--jobs`` may cut into
    pieces; it is None for stdin, pipes and archive members. ``size`` is the
    number of bytes stored (compressed for ``.gz`` files), None when unknown;
    reading through ``open(wrap)`` passes exactly these bytes through ``wrap``.
    ``found`` is set for a file found by walking a directory and for an archive's
    member: no PATH named it, so it may be left unread as another pod's log
    (see ``pipeline.relevance``); a file named on its own is always read.
    """

    name: str
    path: str | None = None
    size: int | None = None
    source: InputSource | None = field(default=None, compare=False, repr=False)
    found: bool = False

    @property
    def is_stdin(self) -> bool:
        """Standard input: read once, never closed by us."""
        return isinstance(self._source(), _Stdin)

    def _source(self) -> InputSource:
        if self.source is not None:
            return self.source
        return FileSource(self.path) if self.path is not None else _Stdin()

    def open(self, wrap: Wrap | None = None) -> IO[bytes]:
        """The input as a binary stream, gzip decompressed, ready for the fast path.

        ``wrap`` is applied to the stored bytes before decompression (a progress
        counter then counts up to ``size``). Raises ``InputError`` naming the input.
        """
        return self._source().open(self.name, wrap)


def stdin_input() -> LogInput:
    """The standard input, as an input."""
    return LogInput(STDIN_NAME, source=_Stdin())
