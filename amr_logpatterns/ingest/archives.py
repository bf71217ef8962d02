"""Bundles read in place: the members of a tar or zip archive as inputs of their own.

A ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz`` or ``.zip`` bundle is
read member by member without extracting anything to disk; the globs select
its members (regular files only, in the archive's own order so a compressed
tar is read forwards). A member is named ``<archive>:<member path>``
(``ARCHIVE_SEPARATOR``), the path ``path_context`` reads the pod, namespace
and container from.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, cast

from amr_logpatterns.errors import InputError
from amr_logpatterns.ingest.compression import GZIP_MAGIC, Wrap, decompressing
from amr_logpatterns.ingest.globs import matches
from amr_logpatterns.ingest.loginput import InputSource, LogInput

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Between an archive's path and a member's path in an input's name.
ARCHIVE_SEPARATOR = ":"
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
_ZIP_SUFFIXES = (".zip",)
_BUFFER_BYTES = 1 << 20
_ARCHIVE_ERRORS = (
    tarfile.TarError,
    zipfile.BadZipFile,
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
)
#: Errors a damaged archive raises mid-read that the engine would not catch: they
#: become ``OSError``, which it reports as a read error of that input.
_UNCAUGHT_READ_ERRORS = (zipfile.BadZipFile, lzma.LZMAError, tarfile.TarError)

#: How a compressed tar starts, and what decompresses it (each opens the file itself).
_COMPRESSED_TAR: tuple[tuple[bytes, Callable[[str], io.BufferedIOBase]], ...] = (
    (GZIP_MAGIC, gzip.GzipFile),
    (b"BZh", bz2.BZ2File),
    (b"\xfd7zXZ\x00", lzma.LZMAFile),
)


def is_archive(path: str) -> bool:
    """Whether a path names a bundle read member by member (by its suffix)."""
    return path.lower().endswith(_TAR_SUFFIXES + _ZIP_SUFFIXES)


class _Archive:
    """An archive opened once for all its members, so reading them in order reads it once."""

    def __init__(self, path: str) -> None:
        self.path = path

    def open_member(self, member: ArchiveMember) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class ArchiveMember(InputSource):
    """One regular file inside an archive: where its data starts and how long it is."""

    archive: _Archive
    path: str
    offset: int
    size: int
    last: bool

    def open(self, name: str, wrap: Wrap | None) -> IO[bytes]:
        try:
            raw = self.archive.open_member(self)
        except _ARCHIVE_ERRORS as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
        return decompressing(raw, wrap)


class _TarArchive(_Archive):
    """A tar file, compressed or not, read through one decompressing stream.

    Member streams read their byte range of that stream, seeking it only when
    reading out of order (a backward seek in a compressed tar decompresses it
    again from the start). The stream closes once the last member has been opened
    and no member stream is open any more, or on ``close``.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._stream: io.BufferedIOBase | None = None
        self._pos = 0
        self._readers = 0
        self._last_opened = False

    def _open_stream(self) -> io.BufferedIOBase:
        with open(self.path, "rb") as f:
            magic = f.read(6)
        for prefix, opener in _COMPRESSED_TAR:
            if magic.startswith(prefix):
                return opener(self.path)
        return open(self.path, "rb")

    def open_member(self, member: ArchiveMember) -> IO[bytes]:
        if self._stream is None:
            self._stream, self._pos = self._open_stream(), 0
        self._readers += 1
        self._last_opened = self._last_opened or member.last
        raw = _TarMember(self, member.offset, member.size)
        return io.BufferedReader(raw, _BUFFER_BYTES)

    def read_at(self, pos: int, view: memoryview) -> int:
        """Read into ``view`` from offset ``pos`` of the (decompressed) tar stream."""
        if self._stream is None:
            self._stream, self._pos = self._open_stream(), 0
        try:
            if self._pos != pos:
                self._stream.seek(pos)
                self._pos = pos
            n = self._stream.readinto(view)
        except _UNCAUGHT_READ_ERRORS as exc:
            self._pos = -1  # unknown: seek again next time
            raise OSError(f"{self.path}: {exc}") from exc
        self._pos += n
        return n

    def release(self) -> None:
        """A member stream was closed."""
        self._readers = max(0, self._readers - 1)
        if self._readers == 0 and self._last_opened:
            self.close()

    def close(self) -> None:
        stream, self._stream = self._stream, None
        self._readers, self._last_opened = 0, False
        if stream is not None:
            stream.close()


class _TarMember(io.RawIOBase):
    """A member's byte range of its archive's tar stream."""

    def __init__(self, archive: _TarArchive, offset: int, size: int) -> None:
        super().__init__()
        self._archive = archive
        self._offset = offset
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer).cast("B")[: self._left]
        done = self._archive.read_at(self._offset, view)
        if done == 0:
            raise EOFError(f"{self._archive.path}: the archive ends inside a member")
        self._offset += done
        self._left -= done
        return done

    def close(self) -> None:
        if not self.closed:
            self._archive.release()
        super().close()


class _ZipArchive(_Archive):
    """A zip file. Open member streams keep its file open (``zipfile`` counts them),
    so the archive itself is closed as soon as its last member has been opened."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._zip: zipfile.ZipFile | None = None

    def open_member(self, member: ArchiveMember) -> IO[bytes]:
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.path)
        stream = cast(zipfile.ZipExtFile, self._zip.open(member.path))
        if member.last:
            self.close()
        return io.BufferedReader(_ZipMember(stream), _BUFFER_BYTES)

    def close(self) -> None:
        archive, self._zip = self._zip, None
        if archive is not None:
            archive.close()


class _ZipMember(io.RawIOBase):
    """A zip member's stream, with a damaged member's errors turned into ``OSError``."""

    def __init__(self, inner: zipfile.ZipExtFile) -> None:
        super().__init__()
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        try:
            return self._inner.readinto(buffer)
        except _UNCAUGHT_READ_ERRORS as exc:
            raise OSError(str(exc)) from exc

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


def _hidden(relative: str) -> bool:
    """Inside a hidden directory (``.git/``)."""
    return any(
        part.startswith(".") and part not in (".", "..") for part in relative.split("/")[:-1]
    )


def _member_path(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def _tar_members(path: str, name: str, globs: Sequence[str]) -> list[LogInput]:
    archive = _TarArchive(path)
    found: list[tuple[str, int, int]] = []
    try:
        with tarfile.open(path, "r:*") as tar:
            for info in tar:
                member = _member_path(info.name)
                if not info.isfile() or _hidden(member) or not matches(member, globs):
                    continue
                if info.issparse():
                    raise InputError(
                        f"{name}{ARCHIVE_SEPARATOR}{member}: a sparse tar member cannot be "
                        "read in place; extract the archive, or leave it out with --glob"
                    )
                found.append((member, info.offset_data, info.size))
    except _ARCHIVE_ERRORS as exc:
        raise InputError(f"{name}: cannot read archive: {exc}") from exc
    return [
        LogInput(
            f"{name}{ARCHIVE_SEPARATOR}{member}",
            size=size,
            source=ArchiveMember(archive, member, offset, size, last=i == len(found) - 1),
            found=True,
        )
        for i, (member, offset, size) in enumerate(found)
    ]


def _zip_members(path: str, name: str, globs: Sequence[str]) -> list[LogInput]:
    archive = _ZipArchive(path)
    try:
        with zipfile.ZipFile(path) as listing:
            infos = listing.infolist()
    except _ARCHIVE_ERRORS as exc:
        raise InputError(f"{name}: cannot read archive: {exc}") from exc
    found = sorted(
        (_member_path(info.filename), info)
        for info in infos
        if not info.is_dir()
        and not stat.S_ISLNK(info.external_attr >> 16)
        and not _hidden(_member_path(info.filename))
        and matches(_member_path(info.filename), globs)
    )
    for member, info in found:
        if info.flag_bits & 0x1:
            raise InputError(
                f"{name}{ARCHIVE_SEPARATOR}{member}: the member is encrypted; "
                "decrypt the archive, or leave the member out with --glob"
            )
    return [
        LogInput(
            f"{name}{ARCHIVE_SEPARATOR}{member}",
            size=info.file_size,
            source=ArchiveMember(
                archive, info.filename, 0, info.file_size, last=i == len(found) - 1
            ),
            found=True,
        )
        for i, (member, info) in enumerate(found)
    ]


def archive_members(path: str, name: str, globs: Sequence[str]) -> list[LogInput]:
    """The inputs the members of the archive at ``path`` (named ``name``) stand for that
    ``globs`` select; raises ``InputError`` when the archive cannot be read."""
    if path.lower().endswith(_ZIP_SUFFIXES):
        return _zip_members(path, name, globs)
    return _tar_members(path, name, globs)
