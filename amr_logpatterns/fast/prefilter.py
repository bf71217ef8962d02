"""Stage 1 of the fast path: find, at C speed, the few lines the exact pipeline must read.

A line is *special* when it holds a signature's stage-1 literal, may be a
record at warning level or above (error records are counted; unexplained
warnings and errors become unknown templates), changes what later lines mean
(a pasted command, a fence, a ``tail`` header, a ``describe`` header), spans
or joins lines (stack frames, CloudEvent dumps, partial entries, wrapped JSON,
glued records), or needs careful reading (blank-looking, NUL bytes). Every
other line is one record below warning level that matches nothing, so stage 2
only counts it. *Frame* lines also need the two
lines before them (the record a trace belongs to).

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from amr_logpatterns.models.shapes import RFC3339, ZAP_LEVEL

LOG_KEYS = rb"(?:level|ts|msg|message|time|timestamp|severity|L|T|M)"
_ZAP_START = (RFC3339 + r"(?:\t|[ ]+)" + ZAP_LEVEL).encode()
_TIME_REST = RFC3339.removeprefix(r"\d{4}-").encode()
#: A line that opens a JSON object and does not close it (``{"`` may end it): it may go
#: on in the lines after it
_WRAPPED_JSON = rb'\{"(?:[^\n]*[^}\s])?[ \t\r]*$'


@dataclass(frozen=True)
class Pattern:
    """One stage-1 pattern (a regex over bytes); ``frame`` lines need two lines before them."""

    regex: bytes
    caseless: bool = False
    multiline: bool = False
    frame: bool = False
    literal: bytes = b""
    stdlib: tuple[bytes, ...] = ()
    """Equivalent regexes for ``re`` that start with a literal, which ``re`` skips to fast."""


def _escape(text: bytes) -> bytes:
    """Escape every byte that is not a letter or digit as ``\\xHH`` (all engines read it)."""
    return b"".join(bytes([b]) if chr(b).isalnum() and b < 128 else b"\\x%02x" % b for b in text)


def literal_pattern(text: bytes, *, caseless: bool = False, frame: bool = False) -> Pattern:
    return Pattern(_escape(text), caseless=caseless, frame=frame, literal=text)


#: Literals of the lines that change what later lines mean: pasted commands (``oc`` only
#: after a line start, a space or a quote marker), fences, tail and describe headers.
CONTEXT_LITERALS: tuple[bytes, ...] = (
    *(b"kubectl", b"kctrl", b"tanzu", b"stern"),
    *(b" oc ", b" oc\t", b"\noc ", b"\noc\t", b">oc ", b">oc\t"),
    *(b"==> ", b"```", b"~~~", b"Name:", b"Namespace:"),
)

#: Literals of the lines that open a multi-line pod state: a ``describe`` output (whose
#: ``Name:`` is a context literal already) or a pod document.
POD_STATE_OPENERS: tuple[bytes, ...] = (b"Containers:", b"State:", b"apiVersion")
_BINARY_UNITS = (b"K", b"M", b"G", b"T")

STRUCTURAL: tuple[Pattern, ...] = (
    # pasted context, and what a copy leaves behind
    *(literal_pattern(t) for t in (*CONTEXT_LITERALS, b"[0m", b"\x00")),
    literal_pattern(b"snip", caseless=True),
    # lines that may be empty once a capture tool's wrapper is peeled off
    Pattern(rb"[ \t]\r?$", multiline=True, stdlib=(rb"\n(?<=[ \t]\n)", rb"\n(?<=[ \t]\r\n)")),
    Pattern(rb"\]\r?$", multiline=True, stdlib=(rb"\n(?<=\]\n)", rb"\n(?<=\]\r\n)")),
    Pattern(
        rb"(?:stdout|stderr) [FP]\r?$", multiline=True, stdlib=(rb"(?m)std(?:out|err) [FP]\r?$",)
    ),
    Pattern(
        rb"\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\r?$",
        multiline=True,
        stdlib=(rb"(?m):(?<=\d\d:)\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\r?$",),
    ),
    # records that may be at warning level or above: every spelling that
    # ``normalise_level`` folds into warn, error, dpanic, panic or fatal
    *(
        literal_pattern(t, caseless=True)
        for t in (b"warn", b"error", b"panic", b"fatal", b"critical", b'"err"')
    ),
    Pattern(
        rb"[EFW]\d{4} \d\d:\d\d:\d\d\.\d{6}",
        stdlib=(rb"\.(?<=[EFW]\d{4} \d\d:\d\d:\d\d\.)\d{6}",),
    ),
    # a JSON level of one letter or ``err`` (spaces around it are stripped), or one
    # written with escapes, which the literals above cannot see (bounded: an unbounded
    # scan to the next quote costs Hyperscan a quarter of its speed)
    Pattern(
        rb'"(?:level|severity|lvl|L)"[^\S\n]*:[^\S\n]*"'
        rb'(?:[^\S\n]*(?:[EeFfWw]|[Ee][Rr][Rr])[^\S\n]*"|[^"\n]{0,60}\\)'
    ),
    # records glued onto one line
    Pattern(rb"\}[^\S\n]*\{[^\S\n]*\"" + LOG_KEYS + rb'"[^\S\n]*:'),
    Pattern(
        rb"\S\{[^\S\n]*\"" + LOG_KEYS + rb'"[^\S\n]*:',
        stdlib=(rb"\{(?<=\S\{)[^\S\n]*\"" + LOG_KEYS + rb'"[^\S\n]*:',),
    ),
    Pattern(
        rb"\S" + _ZAP_START,
        stdlib=(rb"-(?<=\S\d{4}-)" + _TIME_REST + (r"(?:\t|[ ]+)" + ZAP_LEVEL).encode(),),
    ),
    Pattern(
        rb"\S[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}[^\S\n]+\d+ [^\s\]]+:\d+\] ",
        stdlib=(rb"\.(?<=\S[IWEF]\d{4} \d\d:\d\d:\d\d\.)\d{6}[^\S\n]+\d+ [^\s\]]+:\d+\] ",),
    ),
    # lines that join: CRI and Docker partial entries, wrapped JSON, CloudEvent dumps
    literal_pattern(b"stdout P ", frame=True),  # the joined line may be a stack frame
    literal_pattern(b"stderr P ", frame=True),
    # Docker json-file and Fluent Bit records escape the line they carry, which hides
    # its shape from the patterns here: each such record is read in full, and the two
    # lines before it too, since it may carry a stack frame of the record before them
    Pattern(rb'"log"[^\S\n]*:', frame=True),
    Pattern(
        _WRAPPED_JSON,
        multiline=True,
        # lines that end in spaces or tabs are special through the pattern above; only
        # a line's last ``{"`` is tried (the test is on the line's end), so a line full
        # of them costs two passes, not one per ``{"``
        stdlib=(rb'(?m)\{"(?![^\n]*?\{")[^\n]*(?:(?<![}\s])|(?<=[^}\s]\r))$',),
    ),
    *(literal_pattern(t) for t in (b"sent:", b"Context Attributes,", b"Validation: ")),
    # pod state: what opens a ``describe`` output or a pod document (read on while open),
    # rows of ``kubectl get pods`` and ``kubectl top pod``, event rows, the kernel's OOM
    # killer and the kubelet's lines about a pod (which link a kernel line to its pod)
    *(literal_pattern(t) for t in POD_STATE_OPENERS),
    Pattern(
        rb"\d/\d+[ \t]+[A-Za-z][\w:/\-]*[ \t]+\d",
        stdlib=(rb"/(?<=\d/)\d+[ \t]+[A-Za-z][\w:/\-]*[ \t]+\d",),
    ),
    Pattern(
        rb"\d[KMGT]i[ \t]*\r?$",
        multiline=True,
        stdlib=tuple(rb"(?m)" + u + rb"i(?<=\d" + u + rb"i)[ \t]*\r?$" for u in _BINARY_UNITS),
    ),
    Pattern(rb"Normal[ \t]+[A-Z][A-Za-z]+[ \t]"),
    *(
        literal_pattern(t)
        for t in (b"ed process ", b"ll process ", b"oom-kill:", b"Task in /", b"System OOM")
    ),
    literal_pattern(b'pod="'),
    # stack frames
    Pattern(rb"\.(?:go|s):\d+(?: \+0x[0-9a-f]+)?[ \t\r]*$", multiline=True, frame=True),
    Pattern(rb"goroutine \d+ \[", frame=True),
    literal_pattern(b"created by ", frame=True),
)

#: What a line-aligned cut between worker processes must keep away from: the lines
#: that start or continue a multi-line record, and describe output (its context).
BOUNDARY: tuple[Pattern, ...] = tuple(
    p
    for p in STRUCTURAL
    if p.frame
    or p.literal
    in (
        *(b"sent:", b"Context Attributes,", b"Validation: ", b"Name:", b"Namespace:"),
        *(b"```", b"~~~", *POD_STATE_OPENERS),
    )
    or p.regex in (rb'"log"[^\S\n]*:', _WRAPPED_JSON)
)

BLANKISH = re.compile(rb"\n(?=[^A-Za-z0-9\n]*\n)")


def patterns_for(literals: Iterable[str]) -> tuple[Pattern, ...]:
    """The structural patterns plus the signatures' literals."""
    sig = tuple(literal_pattern(lit.encode("utf-8")) for lit in sorted(set(literals)))
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


class Engine(Protocol):
    """Finds special lines in a buffer: byte offsets inside them, plain and frame ones,
    or None when there are too many to be worth it (read the whole buffer then)."""

    name: str

    def scan(self, buf: bytes) -> tuple[list[int], list[int]] | None: ...


class StdlibEngine:
    """``bytes.find`` per literal (case-blind ones on a lower-cased copy); ``re`` for the rest."""

    name = "stdlib"

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.literals: list[tuple[bytes, bool, bool]] = []
        self.regexes: list[tuple[re.Pattern[bytes], bool]] = []
        for p in patterns:
            if p.literal:
                text = p.literal.lower() if p.caseless else p.literal
                self.literals.append((text, p.caseless, p.frame))
            elif p.stdlib:
                self.regexes += [(re.compile(alt), p.frame) for alt in p.stdlib]
            else:
                flags = (re.IGNORECASE if p.caseless else 0) | (re.MULTILINE if p.multiline else 0)
                self.regexes.append((re.compile(p.regex, flags), p.frame))

    def scan(self, buf: bytes) -> tuple[list[int], list[int]] | None:
        plain: list[int] = []
        frames: list[int] = []
        lowered: bytes | None = None
        budget = match_budget(buf)
        for text, caseless, frame in self.literals:
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
        return plain, frames


class HyperscanEngine:
    """Every pattern in one Hyperscan database, one pass per buffer."""

    name = "hyperscan"

    def __init__(self, patterns: Iterable[Pattern], cache_dir: Path | None = None) -> None:
        import hyperscan

        self._hs = hyperscan
        pats = list(patterns)
        self.frame_ids = {i for i, p in enumerate(pats) if p.frame}
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

    def scan(self, buf: bytes) -> tuple[list[int], list[int]] | None:
        plain: list[int] = []
        frames: list[int] = []
        frame_ids = self.frame_ids
        budget = [match_budget(buf)]

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: Any) -> bool:
            (frames if pattern_id in frame_ids else plain).append(end - 1)
            budget[0] -= 1
            return budget[0] < 0  # True stops the scan

        try:
            self.db.scan(buf, match_event_handler=on_match, scratch=self.scratch)
        except self._hs.ScanTerminated:
            return None
        return plain, frames


class Re2Engine:
    """Two RE2 alternations (plain and frame patterns), matched in linear time."""

    name = "re2"

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        import re2

        def alternation(items: list[Pattern]) -> Any:
            parts = []
            for p in items:
                flags = ("i" if p.caseless else "") + ("m" if p.multiline else "")
                body = p.regex.decode("latin-1")
                if p.literal.startswith(b"\n"):
                    # matches do not overlap here: a literal that took the newline before
                    # its line would hide that newline's own line (say, an empty one)
                    body = "(?m:^)" + _escape(p.literal[1:]).decode("latin-1")
                parts.append(f"(?{flags}:{body})" if flags else f"(?:{body})")
            options = re2.Options()
            options.encoding = re2.Options.Encoding.LATIN1
            return re2.compile("|".join(parts).encode("latin-1"), options)

        pats = [*patterns, Pattern(rb"(?m:^[^A-Za-z0-9\n]*$)")]
        self.plain = alternation([p for p in pats if not p.frame])
        self.frames = alternation([p for p in pats if p.frame])

    def scan(self, buf: bytes) -> tuple[list[int], list[int]] | None:
        budget = match_budget(buf)
        plain = list(itertools.islice(self._ends(self.plain, buf), budget + 1))
        frames = list(itertools.islice(self._ends(self.frames, buf), budget + 1 - len(plain)))
        return None if len(plain) + len(frames) > budget else (plain, frames)

    @staticmethod
    def _ends(pattern: Any, buf: bytes) -> Iterator[int]:
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
