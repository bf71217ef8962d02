"""Turn the command's PATH arguments into the inputs to classify, in a stable order.

- A file is read as given (gzip is decompressed); ``-`` is stdin, at most once;
  no path at all means stdin as well.
- A directory is walked in sorted order, hidden directories (``.git``) skipped,
  every directory and file taken once however symlinks lead to it (a real file
  wins over a link to it, so a bundle's layout path names it), keeping the
  files the globs select (``DEFAULT_GLOBS`` when none are given).
- A ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz`` or ``.zip`` bundle,
  given or met in a walk, is read member by member without extracting anything
  to disk; the same globs select its members (regular files only, in the
  archive's own order so a compressed tar is read forwards).

A member is named ``<archive>:<member path>`` (``ARCHIVE_SEPARATOR``): the name
every report shows and the path ``wrappers.path_context`` reads the pod,
namespace and container from, so a foreign pod's log in a support bundle is
attributed away from AMR.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import sys
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import IO, TYPE_CHECKING, cast

from amr_logpatterns.errors import InputError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from amr_logpatterns.ingest.progress import ProgressBar

#: Between an archive's path and a member's path in an input's name.
ARCHIVE_SEPARATOR = ":"
STDIN_NAME = "<stdin>"
#: Log-like files: plain and rotated logs (``0.log.20240301-101010``, ``.gz``), text
#: dumps and JSON lines. A cluster dump's ``*.json`` and ``*.yaml`` manifests are left out.
DEFAULT_GLOBS: tuple[str, ...] = ("*.log", "*.log.*", "*.txt", "*.jsonl", "*.out", "*.gz")
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
_ZIP_SUFFIXES = (".zip",)
_GZIP_MAGIC = b"\x1f\x8b"
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

Wrap = Callable[[IO[bytes]], IO[bytes]]
#: How a compressed tar starts, and what decompresses it (each opens the file itself).
_COMPRESSED_TAR: tuple[tuple[bytes, Callable[[str], io.BufferedIOBase]], ...] = (
    (_GZIP_MAGIC, gzip.GzipFile),
    (b"BZh", bz2.BZ2File),
    (b"\xfd7zXZ\x00", lzma.LZMAFile),
)


def is_archive(path: str) -> bool:
    """Whether a path names a bundle read member by member (by its suffix)."""
    return path.lower().endswith(_TAR_SUFFIXES + _ZIP_SUFFIXES)


def matches(relative: str, globs: Sequence[str]) -> bool:
    """Whether a path relative to a walked directory (or archive) is selected.

    ``fnmatch`` on the whole path, where ``*`` also crosses ``/`` (``*.log`` finds
    nested logs); ``**/`` at the start also matches at the top; a pattern with no
    ``/`` also matches the file name alone (``current.log``).
    """
    base = relative.rsplit("/", 1)[-1]
    return any(_match(relative, base, pattern) for pattern in globs)


def _match(relative: str, base: str, pattern: str) -> bool:
    if fnmatchcase(relative, pattern):
        return True
    if pattern.startswith("**/"):
        return _match(relative, base, pattern[3:])
    return "/" not in pattern and fnmatchcase(base, pattern)


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


def _decompressing(raw: IO[bytes], wrap: Wrap | None, *, owned: bool = True) -> IO[bytes]:
    """``raw`` (wrapped first, so a counter sees the stored bytes), gunzipped if it is gzip
    (closing ``raw`` with it when ``owned``)."""
    peek = getattr(raw, "peek", None)
    head: bytes = peek(2)[:2] if peek is not None else b""
    stream = raw if wrap is None else wrap(raw)
    if head == _GZIP_MAGIC:
        return cast(IO[bytes], _GzipStream(stream, owned=owned))
    return stream


class _Source:
    """How one input is opened."""

    def open(self, name: str, wrap: Wrap | None) -> IO[bytes]:
        raise NotImplementedError


class _File(_Source):
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
        return _decompressing(raw, wrap)


class _Stdin(_Source):
    """The process's standard input, looked up when opened (tests replace it)."""

    def open(self, name: str, wrap: Wrap | None) -> IO[bytes]:
        """Gunzipped when it starts as gzip does (``zcat`` is not needed), never closed."""
        return _decompressing(sys.stdin.buffer, wrap, owned=False)


class _Archive:
    """An archive opened once for all its members, so reading them in order reads it once."""

    def __init__(self, path: str) -> None:
        self.path = path

    def open_member(self, member: _Member) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class _Member(_Source):
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
        return _decompressing(raw, wrap)


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

    def open_member(self, member: _Member) -> IO[bytes]:
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

    def open_member(self, member: _Member) -> IO[bytes]:
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


@dataclass(frozen=True)
class LogInput:
    """One input to classify, named as every report will name it.

    ``path`` is set for a regular file on disk, which ``--jobs`` may cut into
    pieces; it is None for stdin, pipes and archive members. ``size`` is the
    number of bytes stored (compressed for ``.gz`` files), None when unknown;
    reading through ``open(wrap)`` passes exactly these bytes through ``wrap``.
    """

    name: str
    path: str | None = None
    size: int | None = None
    source: _Source | None = field(default=None, compare=False, repr=False)

    @property
    def is_stdin(self) -> bool:
        """Standard input: read once, never closed by us."""
        return isinstance(self._source(), _Stdin)

    def _source(self) -> _Source:
        if self.source is not None:
            return self.source
        return _File(self.path) if self.path is not None else _Stdin()

    def open(self, wrap: Wrap | None = None) -> IO[bytes]:
        """The input as a binary stream, gzip decompressed, ready for the fast path.

        ``wrap`` is applied to the stored bytes before decompression (a progress
        counter then counts up to ``size``). Raises ``InputError`` naming the input.
        """
        return self._source().open(self.name, wrap)


def _stdin() -> LogInput:
    return LogInput(STDIN_NAME, source=_Stdin())


def _describe(globs: Sequence[str]) -> str:
    return " ".join(globs)


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
            source=_Member(archive, member, offset, size, last=i == len(found) - 1),
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
            source=_Member(archive, info.filename, 0, info.file_size, last=i == len(found) - 1),
        )
        for i, (member, info) in enumerate(found)
    ]


def _archive_members(path: str, name: str, globs: Sequence[str]) -> list[LogInput]:
    if path.lower().endswith(_ZIP_SUFFIXES):
        return _zip_members(path, name, globs)
    return _tar_members(path, name, globs)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@dataclass(frozen=True)
class _Found:
    relative: str
    path: str
    linked: bool
    size: int


def _walk(top: str, skipped: list[tuple[str, str]]) -> list[_Found]:
    """Every file under ``top``: each directory once (symlink loops end), hidden ones skipped.

    Entries that cannot be read as a file (a dangling link, a socket or FIFO, a file that
    vanished) are listed in ``skipped``: relative path, and what to say of it.
    """
    root = os.path.realpath(top)
    visited: set[tuple[int, int]] = set()
    files: dict[tuple[int, int], _Found] = {}
    stack: list[tuple[str, str]] = [("", top)]
    while stack:
        relative_dir, directory = stack.pop()
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"{directory}: cannot read directory: {exc.strerror or exc}") from exc
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            relative = relative_dir + entry.name
            try:
                if entry.is_dir():
                    if entry.name.startswith("."):
                        continue
                    if entry.is_symlink():
                        target = os.path.realpath(entry.path)
                        if _inside(target, root) or _inside(root, target):
                            continue  # reached anyway, or an ancestor: a loop
                    subdirs.append((relative + "/", entry.path))
                elif entry.is_file():
                    st = entry.stat()
                    found = _Found(relative, entry.path, entry.is_symlink(), st.st_size)
                    key = (st.st_dev, st.st_ino)
                    known = files.get(key)
                    if known is None or (known.linked, known.relative) > (found.linked, relative):
                        files[key] = found
                elif not entry.name.startswith("."):
                    skipped.append((relative, f"{entry.path}: {_not_a_file(entry)}"))
            except OSError as exc:
                skipped.append((relative, f"{entry.path}: {exc.strerror or exc}"))
        stack.extend(reversed(subdirs))
    return sorted(files.values(), key=lambda f: f.relative.split("/"))


def _not_a_file(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "a link to nothing (dangling symlink)"
    return "not a regular file (a FIFO, socket or device is never read in a walk)"


def _directory_inputs(given: str, globs: Sequence[str], skipped: list[str]) -> list[LogInput]:
    prefix = given if given.endswith("/") else given + "/"
    out: list[LogInput] = []
    unread: list[tuple[str, str]] = []
    found_files = _walk(given, unread)
    skipped += [said for relative, said in unread if matches(relative, globs)]
    for found in found_files:
        name = prefix + found.relative
        if is_archive(found.relative):
            out += _archive_members(found.path, name, globs)
        elif matches(found.relative, globs):
            out.append(LogInput(name, found.path, found.size, _File(found.path)))
    return out


def expand_inputs(
    paths: Sequence[str], globs: Sequence[str] = (), *, skipped: list[str] | None = None
) -> list[LogInput]:
    """The inputs that PATH arguments stand for, in a stable order (see the module doc).

    ``globs`` select files in directories and members of archives (``DEFAULT_GLOBS``
    when empty); a file given by name is always read. Raises ``InputError`` for a
    missing path, ``-`` given twice, an unreadable archive, or a directory or
    archive in which no file matches. Entries of walked directories that cannot be
    read as files are appended to ``skipped``, each as ``path: reason``.
    """
    skipped = [] if skipped is None else skipped
    selected = tuple(globs) or DEFAULT_GLOBS
    if not paths:
        return [_stdin()]
    out: list[LogInput] = []
    stdin_given = False
    for given in paths:
        if given == "-":
            if stdin_given:
                raise InputError("-: standard input can be read only once")
            stdin_given = True
            out.append(_stdin())
            continue
        try:
            info = os.stat(given)
        except FileNotFoundError as exc:
            raise InputError(f"{given}: no such file or directory") from exc
        except OSError as exc:
            raise InputError(f"{given}: cannot open: {exc.strerror or exc}") from exc
        if stat.S_ISDIR(info.st_mode):
            found = _directory_inputs(given, selected, skipped)
            if not found:
                raise InputError(f"{given}: no file matches {_describe(selected)}")
        elif stat.S_ISREG(info.st_mode) and is_archive(given):
            found = _archive_members(given, given, selected)
            if not found:
                raise InputError(f"{given}: no archive member matches {_describe(selected)}")
        elif stat.S_ISREG(info.st_mode):
            found = [LogInput(given, given, info.st_size, _File(given))]
        else:
            found = [LogInput(given, source=_File(given))]
        out += found
    return out


def all_plain_files(inputs: Sequence[LogInput]) -> bool:
    """Whether every input is a regular file on disk, so ``--jobs`` may split them."""
    return bool(inputs) and all(inp.path is not None for inp in inputs)


def total_size(inputs: Iterable[LogInput]) -> int | None:
    """The bytes all inputs store, None when one of them (stdin, a pipe) cannot tell."""
    total = 0
    for inp in inputs:
        if inp.size is None:
            return None
        total += inp.size
    return total


def close_inputs(inputs: Iterable[LogInput]) -> None:
    """Close the archives that members of ``inputs`` opened (safe to call more than once)."""
    for inp in inputs:
        if isinstance(inp.source, _Member):
            inp.source.archive.close()


def open_inputs(
    inputs: Sequence[LogInput], *, progress: ProgressBar | None = None
) -> Iterator[tuple[str, IO[bytes]]]:
    """``(name, stream)`` pairs for ``Classifier.classify_many``, each opened only when
    the one before it is done and closed after it (stdin is left open).

    With ``progress`` every stream counts into the bar and names itself on it.
    An ``InputError`` surfaces when the failing input's turn comes.
    """
    try:
        for inp in inputs:
            wrap: Wrap | None = None
            if progress is not None:
                wrap = _counting(progress, inp)
            stream = inp.open(wrap)
            try:
                yield inp.name, stream
            finally:
                if not inp.is_stdin:
                    stream.close()
    finally:
        close_inputs(inputs)


def _counting(progress: ProgressBar, inp: LogInput) -> Wrap:
    def wrap(stream: IO[bytes]) -> IO[bytes]:
        reader = progress.wrap(stream, inp.name, close_inner=not inp.is_stdin)
        return cast(IO[bytes], reader)

    return wrap
