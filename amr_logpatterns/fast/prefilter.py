"""Stage 1 of the fast path: find, at C speed, the few lines the exact pipeline must read.

A line is *special* when it holds the stage-1 literal of a signature that can
match a log line (``CompiledSignature.reads_raw``: pod state has patterns of its
own), may be a record at warning level or above (error records are counted;
unexplained warnings and errors become unknown templates), changes what later
lines mean (a pasted command, a fence, a ``tail`` header, a ``describe`` header),
spans or joins lines (stack frames, CloudEvent dumps, partial entries, wrapped
JSON, glued records), or needs careful reading (blank-looking, NUL bytes). Every
other line is one record below warning level that matches nothing, so stage 2
only counts it. *Frame* lines also need the two lines before them (the record a
trace belongs to).

Three engines find the same lines: Hyperscan and RE2 when installed, and the
standard library (``bytes.find`` per literal plus a few regexes) always.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from amr_logpatterns.decode.stage1 import STAGE1 as DECODE_STAGE1
from amr_logpatterns.ingest.reading import STAGE1 as READING_STAGE1
from amr_logpatterns.models.stage1 import Pattern, escape, literal_pattern
from amr_logpatterns.peel.registry import STAGE1 as PEEL_STAGE1

#: Every structural pattern, as the reading rules declare them: NUL bytes (reading),
#: wrappers, markers and wrapped records (peel), levels, glued records, blocks and pod
#: state (decode).
STRUCTURAL: tuple[Pattern, ...] = (*READING_STAGE1, *PEEL_STAGE1, *DECODE_STAGE1)

#: What a line-aligned cut between worker processes must keep away from: the lines
#: that start or continue a multi-line record, and describe output (its context).
BOUNDARY: tuple[Pattern, ...] = tuple(p for p in STRUCTURAL if p.frame or p.boundary)

BLANKISH = re.compile(rb"\n(?=[^A-Za-z0-9\n]*\n)")


def patterns_for(literals: Iterable[str]) -> tuple[Pattern, ...]:
    """The structural patterns plus the signatures' literals (reported apart as hits)."""
    sig = tuple(
        literal_pattern(lit.encode("utf-8"), hit=True) for lit in sorted(set(literals))
    )
    return STRUCTURAL + sig


#: Stage 1 gives up on a buffer (``scan`` returns None) past this many matches for each
#: of its lines, plus ``MATCH_ALLOWANCE``: a line of a million NUL bytes or repeated
#: ``error`` words would otherwise cost a callback and a list entry each, and reading
#: such a buffer exactly is cheaper.
MATCHES_PER_LINE = 8
MATCH_ALLOWANCE = 1024


def match_budget(buf: bytes) -> int:
    """How many matches a scan of ``buf`` may report before it gives up."""
    return MATCHES_PER_LINE * (buf.count(b"\n") + 1) + MATCH_ALLOWANCE


#: What a scan finds: offsets inside plain special lines, inside frame lines, and the
#: matches of ``hit`` patterns (a signature's literals) as (offset, hit number), where the
#: hit number counts the ``hit`` patterns in the order the engine was given them
#: (``UNKNOWN_HIT`` when the engine cannot tell which one matched).
Found = tuple[list[int], list[int], list[tuple[int, int]]]
UNKNOWN_HIT = -1


class Engine(Protocol):
    """Finds special lines in a buffer: byte offsets inside them, plain and frame ones,
    or None when there are too many to be worth it (read the whole buffer then).
    ``scan_hits`` also says which of them a ``hit`` pattern found."""

    name: str

    def scan(self, buf: bytes) -> tuple[list[int], list[int]] | None: ...

    def scan_hits(self, buf: bytes) -> Found | None: ...


class _Scans:
    """``scan`` as the first two lists of ``scan_hits``."""

    def scan_hits(self, buf: bytes) -> Found | None:
        raise NotImplementedError

    def scan(self, buf: bytes) -> tuple[list[int], list[int]] | None:
        found = self.scan_hits(buf)
        return None if found is None else (found[0], found[1])


class StdlibEngine(_Scans):
    """``bytes.find`` per literal (case-blind ones on a lower-cased copy); ``re`` for the rest."""

    name = "stdlib"

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.literals: list[tuple[bytes, bool, bool, int]] = []
        self.regexes: list[tuple[re.Pattern[bytes], bool]] = []
        hit = 0
        for p in patterns:
            if p.hit and not p.literal:
                raise ValueError(f"a hit pattern must be a literal: {p.regex!r}")
            if p.literal:
                text = p.literal.lower() if p.caseless else p.literal
                self.literals.append((text, p.caseless, p.frame, hit if p.hit else -1))
                hit += p.hit
            elif p.stdlib:
                self.regexes += [(re.compile(alt), p.frame) for alt in p.stdlib]
            else:
                flags = (re.IGNORECASE if p.caseless else 0) | (re.MULTILINE if p.multiline else 0)
                self.regexes.append((re.compile(p.regex, flags), p.frame))

    def scan_hits(self, buf: bytes) -> Found | None:
        plain: list[int] = []
        frames: list[int] = []
        hits: list[tuple[int, int]] = []
        lowered: bytes | None = None
        budget = match_budget(buf)
        for text, caseless, frame, hit in self.literals:
            if len(plain) + len(frames) > budget:
                return None
            if caseless:
                if lowered is None:
                    lowered = buf.lower()
                hay = lowered
            else:
                hay = buf
            out = frames if frame else plain
            find = hay.find
            last = len(text) - 1  # a match is reported at its last byte, as Hyperscan does
            pos = find(text)
            while pos >= 0:
                out.append(pos + last)
                if hit >= 0:
                    hits.append((pos + last, hit))
                end = find(b"\n", pos + last)
                if end < 0:
                    break
                # from the line's own newline: a literal such as ``\noc `` starts there
                pos = find(text, max(end, pos + 1))
        for rx, frame in self.regexes:
            if len(plain) + len(frames) > budget:
                return None
            out = frames if frame else plain
            search = rx.search
            m = search(buf)
            while m is not None:
                at = max(m.start(), m.end() - 1)
                out.append(at)
                # on past the reported line only: a match may end with the newline after it
                nl = buf.find(b"\n", at)
                if nl < 0:
                    break
                m = search(buf, nl + 1)
        plain += [m.start() + 1 for m in BLANKISH.finditer(buf)]
        return plain, frames, hits


class HyperscanEngine(_Scans):
    """Every pattern in one Hyperscan database, one pass per buffer."""

    name = "hyperscan"

    def __init__(self, patterns: Iterable[Pattern], cache_dir: Path | None = None) -> None:
        import hyperscan

        self._hs = hyperscan
        pats = list(patterns)
        self.frame_ids = {i for i, p in enumerate(pats) if p.frame}
        self.hit_ids = {i: n for n, i in enumerate(i for i, p in enumerate(pats) if p.hit)}
        flags = []
        for p in pats:
            f = 0
            if p.caseless:
                f |= hyperscan.HS_FLAG_CASELESS
            if p.multiline:
                f |= hyperscan.HS_FLAG_MULTILINE
            flags.append(f)
        exprs = [p.regex for p in pats] + [rb"\n[^A-Za-z0-9\n]*\n"]
        flags.append(0)
        db: Any = self._load(cache_dir, exprs, flags) if cache_dir is not None else None
        if db is None:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(expressions=exprs, ids=list(range(len(exprs))), flags=flags)
            if cache_dir is not None:
                self._store(cache_dir, exprs, flags, db)
        self.db = db
        self.scratch = hyperscan.Scratch(db)
        self.blank_id = len(exprs) - 1

    def _cache_file(self, cache_dir: Path, exprs: list[bytes], flags: list[int]) -> Path:
        version = getattr(self._hs, "__version__", "")
        digest = hashlib.sha256(repr((version, exprs, flags)).encode())
        return cache_dir / f"hyperscan-{digest.hexdigest()[:32]}.db"

    def _load(self, cache_dir: Path, exprs: list[bytes], flags: list[int]) -> Any:
        """A database compiled earlier for exactly these patterns, if the cache has one."""
        try:
            data = self._cache_file(cache_dir, exprs, flags).read_bytes()
            return self._hs.loadb(data, self._hs.HS_MODE_BLOCK)
        except (OSError, self._hs.error):
            return None

    def _store(self, cache_dir: Path, exprs: list[bytes], flags: list[int], db: Any) -> None:
        target = self._cache_file(cache_dir, exprs, flags)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(self._hs.dumpb(db))
            tmp.replace(target)
        except OSError:
            pass

    def scan_hits(self, buf: bytes) -> Found | None:
        plain: list[int] = []
        frames: list[int] = []
        hits: list[tuple[int, int]] = []
        frame_ids = self.frame_ids
        hit_ids = self.hit_ids
        budget = [match_budget(buf)]

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: Any) -> bool:
            (frames if pattern_id in frame_ids else plain).append(end - 1)
            hit = hit_ids.get(pattern_id)
            if hit is not None:
                hits.append((end - 1, hit))
            budget[0] -= 1
            return budget[0] < 0  # True stops the scan

        try:
            self.db.scan(buf, match_event_handler=on_match, scratch=self.scratch)
        except self._hs.ScanTerminated:
            return None
        return plain, frames, hits


class Re2Engine(_Scans):
    """Three RE2 alternations (``hit`` patterns, other plain patterns, frame patterns),
    matched in linear time. An alternation reports one of overlapping matches, so a
    hit's pattern is not told (``UNKNOWN_HIT``): only that the line holds one."""

    name = "re2"

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        import re2

        def alternation(items: list[Pattern]) -> Any:
            if not items:
                return None  # finds nothing (an empty alternation would match everywhere)
            parts = []
            for p in items:
                flags = ("i" if p.caseless else "") + ("m" if p.multiline else "")
                body = p.regex.decode("latin-1")
                if p.literal.startswith(b"\n"):
                    # matches do not overlap here: a literal that took the newline before
                    # its line would hide that newline's own line (say, an empty one)
                    body = "(?m:^)" + escape(p.literal[1:]).decode("latin-1")
                parts.append(f"(?{flags}:{body})" if flags else f"(?:{body})")
            options = re2.Options()
            options.encoding = re2.Options.Encoding.LATIN1
            return re2.compile("|".join(parts).encode("latin-1"), options)

        pats = [*patterns, Pattern(rb"(?m:^[^A-Za-z0-9\n]*$)")]
        self.literals = alternation([p for p in pats if p.hit])
        self.plain = alternation([p for p in pats if not p.frame and not p.hit])
        self.frames = alternation([p for p in pats if p.frame])

    def scan_hits(self, buf: bytes) -> Found | None:
        budget = match_budget(buf)
        found = list(itertools.islice(self._ends(self.literals, buf), budget + 1))
        plain = list(itertools.islice(self._ends(self.plain, buf), budget + 1 - len(found)))
        left = budget + 1 - len(found) - len(plain)
        frames = list(itertools.islice(self._ends(self.frames, buf), max(0, left)))
        if len(found) + len(plain) + len(frames) > budget:
            return None
        return plain + found, frames, [(at, UNKNOWN_HIT) for at in found]

    @staticmethod
    def _ends(pattern: Any, buf: bytes) -> Iterator[int]:
        if pattern is None:
            return iter(())
        return (max(m.start(), m.end() - 1) for m in pattern.finditer(buf))


ENGINES = ("hyperscan", "re2", "stdlib")


def available_engines() -> list[str]:
    """The engines that can run here, fastest first."""
    installed = [name for name in ("hyperscan", "re2") if importlib.util.find_spec(name)]
    return [*installed, "stdlib"]


def best_literal_engine() -> str:
    """The engine for small literal-heavy scans: Hyperscan when installed, else the stdlib."""
    return "hyperscan" if "hyperscan" in available_engines() else "stdlib"


def make_engine(name: str, patterns: Iterable[Pattern], cache_dir: Path | None = None) -> Engine:
    """Build the named engine ('auto' picks the fastest available); Hyperscan databases
    are kept in ``cache_dir`` when one is given, keyed by the patterns."""
    if name == "auto":
        name = available_engines()[0]
    if name == "hyperscan":
        return HyperscanEngine(patterns, cache_dir)
    if name == "re2":
        return Re2Engine(patterns)
    if name == "stdlib":
        return StdlibEngine(patterns)
    raise ValueError(f"unknown engine {name!r}; choose from auto, {', '.join(ENGINES)}")
