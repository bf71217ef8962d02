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
  archive's own order so a compressed tar is read forwards; see ``archives``).

A member is named ``<archive>:<member path>`` (``ARCHIVE_SEPARATOR``): the name
every report shows and the path ``paths.path_context`` reads the pod,
namespace and container from, so a foreign pod's log in a support bundle is
attributed away from AMR.

Files found in a walk and archive members are marked ``found``: no PATH named
them, so ``pipeline.relevance`` may leave another pod's log unread. A file
named on its own never is.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, cast

from amr_logpatterns.errors import InputError
from amr_logpatterns.ingest.archives import ArchiveMember, archive_members, is_archive
from amr_logpatterns.ingest.compression import Wrap
from amr_logpatterns.ingest.globs import DEFAULT_GLOBS, matches
from amr_logpatterns.ingest.loginput import FileSource, LogInput, stdin_input

if TYPE_CHECKING:
    from amr_logpatterns.ingest.progress import ProgressBar


def _describe(globs: Sequence[str]) -> str:
    return " ".join(globs)


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
            out += archive_members(found.path, name, globs)
        elif matches(found.relative, globs):
            source = FileSource(found.path)
            out.append(LogInput(name, found.path, found.size, source, found=True))
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
        return [stdin_input()]
    out: list[LogInput] = []
    stdin_given = False
    for given in paths:
        if given == "-":
            if stdin_given:
                raise InputError("-: standard input can be read only once")
            stdin_given = True
            out.append(stdin_input())
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
            found = archive_members(given, given, selected)
            if not found:
                raise InputError(f"{given}: no archive member matches {_describe(selected)}")
        elif stat.S_ISREG(info.st_mode):
            found = [LogInput(given, given, info.st_size, FileSource(given))]
        else:
            found = [LogInput(given, source=FileSource(given))]
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
        if isinstance(inp.source, ArchiveMember):
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
