"""What a reading rule of the peel stage declares, once, for every path that reads lines.

A capture wrapper (``Wrapper``) or a paste marker (``Marker``) is one module
that says how to recognise and peel its lines, which stage-1 patterns find
them in raw bytes, and how ``explain-line`` names it. The exact reader, the
fast path and ``explain-line`` are all built from the tuples in
``peel/registry.py``: adding a capture format is one module and one entry there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.state import PasteState

EMPTY: Mapping[str, str] = {}


@dataclass(frozen=True)
class PeelStep:
    """One wrapper peeled off a line: its name, the text it removed, the context it named."""

    name: str
    removed: str
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Peeling:
    """What peeling one line has found so far.

    ``context`` is what the wrappers named (pod, namespace, container, the
    capture's time); ``cri_flag`` is a CRI or Docker entry's ``F`` (full) or
    ``P`` (partial, continued on the next line). ``steps`` lists each wrapper
    with what it removed, when someone asked (``explain-line``); None otherwise,
    so the exact path builds nothing it does not need.
    """

    context: dict[str, str] = field(default_factory=dict)
    cri_flag: str = ""
    steps: list[PeelStep] | None = None

    def note(
        self, name: str, removed: str | Callable[[], str], context: Mapping[str, str] = EMPTY
    ) -> None:
        """Record a peeled wrapper for ``explain-line`` (``removed`` may be computed lazily)."""
        if self.steps is not None:
            shown = removed() if callable(removed) else removed
            self.steps.append(PeelStep(name, shown, dict(context)))


@dataclass(frozen=True)
class Wrapper:
    """What a capture tool puts around a log line, and how to take it off.

    ``peel`` returns the text after the wrapper (recording what it named in the
    ``Peeling``), or None when the line does not start with it. ``stage1`` finds
    the lines it may wrap in raw bytes; ``empty_hint`` is a byte regex finding a
    raw line that may hold nothing once peeled (so the fast path does not count
    it as a record). ``title`` is what ``explain-line`` calls it.
    """

    name: str
    title: str
    peel: Callable[[str, Peeling], str | None]
    stage1: tuple[Pattern, ...] = ()
    empty_hint: bytes = b""


@dataclass(frozen=True)
class Marker:
    """A line people paste along with logs that is no record (a fence, a command...).

    ``match`` recognises the line (already peeled of colour, quotes and
    indentation); ``apply`` is what it tells about the lines after it, done to
    the paste state. ``stage1`` finds its lines in raw bytes; ``hint`` is a byte
    regex that finds every line it takes (the fast path's look back past lines
    that may be no record). ``title`` is what ``explain-line`` calls it.
    """

    name: str
    title: str
    match: Callable[[str], re.Match[str] | None]
    apply: Callable[[re.Match[str], PasteState], None]
    stage1: tuple[Pattern, ...]
    hint: bytes
    #: Whether the lines after it mean something else (a command, a fence): a ``--jobs``
    #: cut replays these to know the paste state where a piece starts.
    changes_context: bool = True
