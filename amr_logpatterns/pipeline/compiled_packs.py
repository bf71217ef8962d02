"""Packs loaded and compiled once per process, shared by every ``Classifier`` of them.

Compiling the built-in packs takes far longer than classifying a short paste, so
the built-in packs are loaded once, and each pack object is compiled once and
kept (a few at most), under a lock so threads share one compilation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from amr_logpatterns.analyse.compiling import (
    CompiledSignature,
    KeywordIndex,
    compile_signature,
    keyword_index,
)
from amr_logpatterns.packs.loader import Pack, load_packs


@dataclass(frozen=True)
class CompiledPack:
    """A pack's signatures compiled and indexed: what every ``Classifier`` of it shares."""

    pack: Pack
    signatures: tuple[CompiledSignature, ...]
    index: KeywordIndex


_LOCK = threading.Lock()
_BUILTIN: list[Pack] = []
#: Packs compiled in this process, by identity (each entry holds its pack, so an id is
#: never reused while it is here); the oldest goes past ``_MAX_COMPILED``.
_COMPILED: dict[int, CompiledPack] = {}
_MAX_COMPILED = 8


def builtin_pack() -> Pack:
    """The built-in packs, loaded once per process (the first caller pays, under a lock)."""
    with _LOCK:
        if not _BUILTIN:
            _BUILTIN.append(load_packs())
        return _BUILTIN[0]


def compiled_pack(pack: Pack) -> CompiledPack:
    """``pack`` compiled, once per process for the same pack object (thread-safe)."""
    with _LOCK:
        held = _COMPILED.get(id(pack))
        if held is not None and held.pack is pack:
            return held
    components = {c.id: c for c in pack.components}
    signatures = tuple(compile_signature(s, components, pack.proven_safe) for s in pack.signatures)
    compiled = CompiledPack(pack, signatures, keyword_index(signatures))
    with _LOCK:
        if len(_COMPILED) >= _MAX_COMPILED:
            del _COMPILED[next(iter(_COMPILED))]
        return _COMPILED.setdefault(id(pack), compiled)
