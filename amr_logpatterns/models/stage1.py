"""Stage-1 patterns: how the fast path finds, in raw bytes, the lines a reading rule needs.

Each reading rule (a capture wrapper, a paste marker, a record encoding, a
multi-line block) declares the patterns that find its lines next to the code
that reads them; the fast path gathers them, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    """One stage-1 pattern (a regex over bytes).

    ``frame`` lines need the two lines before them read too (the record a stack
    trace belongs to); ``boundary`` lines start or continue a multi-line record,
    so a ``--jobs`` cut between worker processes keeps away from them.
    ``stdlib`` are equivalent regexes for ``re`` that start with a literal,
    which ``re`` skips to fast. ``hit`` patterns are also reported apart
    (``Engine.scan_hits``): a signature's literals are, since every match of a
    signature holds one of them, so a record on lines where none matched can match
    no signature (see ``fast.hits``).
    """

    regex: bytes
    caseless: bool = False
    multiline: bool = False
    frame: bool = False
    boundary: bool = False
    literal: bytes = b""
    stdlib: tuple[bytes, ...] = ()
    hit: bool = False


def escape(text: bytes) -> bytes:
    """Escape every byte that is not a letter or digit as ``\\xHH`` (all engines read it)."""
    return b"".join(bytes([b]) if chr(b).isalnum() and b < 128 else b"\\x%02x" % b for b in text)


def literal_pattern(
    text: bytes,
    *,
    caseless: bool = False,
    frame: bool = False,
    boundary: bool = False,
    hit: bool = False,
) -> Pattern:
    """A pattern that finds ``text`` itself."""
    return Pattern(
        escape(text),
        caseless=caseless,
        frame=frame,
        boundary=boundary,
        literal=text,
        hit=hit,
    )
