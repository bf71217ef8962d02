"""Keep validated packs on disk as plain JSON, so that a later identical load skips the YAML.

The cache directory is wherever ``$AMR_LOGPATTERNS_CACHE`` points, so whoever
can write there must not be able to run code in a scan: a cache file is only
data, and it is validated on the way in as a pack file is (schema, compiled
regexes, the backtracking check), except that the regexes it lists as proven
safe (``verified.CONTEXT_KEY``) are taken at their word: a forged list can only
make a hostile line slow, never run code. A file that does not validate (garbage,
another shape, an older format, a pickle from an older version, a write cut
short) is ignored, and the caller rebuilds it.

A file is named by a digest of every pack file's path and contents, the
disabled ids and the package version, and repeats that key inside; it is
written whole or not at all (a temporary file, then a rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from amr_logpatterns.about import __version__
from amr_logpatterns.packs.marked_yaml import MAX_PACK_FILE_BYTES
from amr_logpatterns.packs.sources import pack_files
from amr_logpatterns.packs.verified import CONTEXT_KEY

#: Changes whenever the file's layout does; part of every key.
CACHE_FORMAT = 6

ModelT = TypeVar("ModelT", bound=BaseModel)


def pack_key(roots: Sequence[Path], disabled: Iterable[str]) -> str | None:
    """A digest of the roots, every pack file's path and contents, the disabled ids, the
    cache format and the package version (whose code built the pack).

    None when a root is missing or a file unreadable: such a load fails and is never cached.
    """
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{__version__}".encode())
    try:
        for root in roots:
            listed = pack_files(root)
            if listed is None:
                return None
            digest.update(b"root\0" + str(root).encode() + b"\0")
            for path in listed[0]:
                size = path.stat().st_size
                # an oversized file is refused by the loader: never read it whole to hash it
                body = path.read_bytes() if size <= MAX_PACK_FILE_BYTES else b"size=%d" % size
                digest.update(str(path).encode() + b"\0" + body + b"\0")
    except OSError:
        return None
    digest.update(b"disabled\0" + "\0".join(sorted(set(disabled))).encode())
    return digest.hexdigest()[:32]


def cache_file(cache_dir: str | Path, key: str) -> Path:
    """The file in ``cache_dir`` that holds the pack of ``key``."""
    return Path(cache_dir) / f"pack-{key}.json"


def _as_data(value: object) -> object:
    """``value`` as JSON-ready data, every field of a model included.

    Not ``model_dump``: it leaves out fields marked ``exclude`` (a remediation
    step's ``if_known``), which a report must not show but a pack must keep.
    """
    if isinstance(value, BaseModel):
        return {name: _as_data(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, (list, tuple)):
        return [_as_data(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_as_data(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, dict):
        return {k: _as_data(v) for k, v in value.items()}
    return value


def read_cached(path: Path, model: type[ModelT], key: str) -> ModelT | None:
    """The ``model`` kept in ``path`` for ``key``; None when absent or not valid.

    A cache file is ``{"format": CACHE_FORMAT, "key": key, "value": {...}}``
    and nothing else; the value is validated as ``model``.
    """
    try:
        entry = json.loads(path.read_bytes())
        if not isinstance(entry, dict) or set(entry) != {"format", "key", "value"}:
            return None
        value: Any = entry["value"]
        if entry["format"] != CACHE_FORMAT or entry["key"] != key or not isinstance(value, dict):
            return None
        proven = value.get(CONTEXT_KEY)
        vouched = (
            frozenset(p for p in proven if isinstance(p, str))
            if isinstance(proven, list)
            else frozenset()
        )
        return model.model_validate(value, context={CONTEXT_KEY: vouched})
    except (OSError, ValueError, RecursionError):  # pydantic's ValidationError is a ValueError
        return None


def write_cached(path: Path, value: BaseModel, key: str) -> None:
    """Keep ``value`` in ``path`` for ``key``, readable by this user only; failures are ignored."""
    entry = {"format": CACHE_FORMAT, "key": key, "value": _as_data(value)}
    try:
        text = json.dumps(entry, separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.stem}.", suffix=".tmp")
    except (OSError, TypeError, ValueError):
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
