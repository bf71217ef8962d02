"""Whether an input can take the fast path: a binary stream read in chunks, and its size.

Stage 1 reads bytes, so only bytes and binary file objects can take it; text
and iterables of lines are read line by line. How many bytes are left decides
whether building stage 1 pays (``Classifier.fast_path_min_bytes``).
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
from typing import IO


def binary_stream(source: object) -> IO[bytes] | None:
    """The source as a binary stream the fast path can read in chunks, if it is one
    (UTF-16 bytes are not: they are decoded as text)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        return io.BytesIO(data)
    if isinstance(source, (io.BufferedIOBase, io.RawIOBase)):
        return source  # type: ignore[return-value]
    return None


def bytes_left(stream: IO[bytes]) -> int | None:
    """Bytes left in a stream when that is cheap to know; None for a compressed stream or
    one that cannot tell (taken to be large)."""
    if isinstance(stream, io.BytesIO):
        return len(stream.getbuffer()) - stream.tell()
    if isinstance(stream, gzip.GzipFile):
        return None
    try:
        return os.fstat(stream.fileno()).st_size - stream.tell()
    except (OSError, AttributeError, io.UnsupportedOperation):
        return None
