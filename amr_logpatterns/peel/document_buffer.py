"""A pretty-printed JSON document's lines, held while its brackets are open.

The peel stage opens one at a line that is a lone ``{`` or ``[``; its first key
tells a log store's answer (``documents.DOCUMENT_KEYS``) from another document
(a pod's ``apiVersion``), which is handed back at once, to be read line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from amr_logpatterns.models.records import Flaws

#: The keys that open a document: a one-line document holds one of them; a pretty one
#: has one at its first level.
DOCUMENT_KEYS = frozenset(
    (
        "status",
        "data",
        "streams",
        "took",
        "timed_out",
        "_shards",
        "hits",
        "responses",
        "events",
        "nextForwardToken",
        "nextBackwardToken",
        "searchedLogStreams",
        "results",
        "statistics",
        "resourceLogs",
    )
)
#: A JSON string, escapes included.
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
#: A pretty-printed document's first key, or an array's first object's.
_KEY = re.compile(r'^"(?P<key>[^"\\]{1,64})"\s*:')
#: A log store's answer names its first key by this line (``[``, ``{``, ``"key": ...``).
_DECIDE_BY = 3
#: Lines a pretty-printed document is collected for at most, and its characters.
MAX_LINES = 50_000
MAX_CHARS = 16 * 1024 * 1024


def opens_document(text: str) -> bool:
    """Whether a line (peeled, stripped) may open a pretty-printed document."""
    return text in ("{", "[")


def _depth_change(text: str) -> int:
    bare = JSON_STRING.sub("", text)
    return sum(bare.count(c) for c in "{[") - sum(bare.count(c) for c in "}]")


@dataclass
class DocumentBuffer:
    """A pretty-printed document's lines while its brackets are open.

    ``push`` answers "more" (still open), "done" (closed: ``documents.buffered_records``
    reads it) or "no" (its first key says it is another document, such as a pod's, or
    it grew past the limits): the lines held are then read as the lines they are.
    """

    first: int
    #: The physical lines as they came, with their flaws (to read again as lines if it is
    #: none)
    raw: list[tuple[int, str, Flaws]] = field(default_factory=list)
    #: Each line peeled of colour, quotes and indentation (what is parsed once it closes):
    #: where it starts in its raw line when it is the raw line's end, else the text
    starts: list[int | str] = field(default_factory=list)
    opener: str = ""
    depth: int = 0
    chars: int = 0
    decided: bool = False
    #: It grew past ``MAX_LINES`` or ``MAX_CHARS`` before it closed
    overflowed: bool = False

    def push(self, number: int, text: str, raw: str, flaws: Flaws) -> Literal["more", "done", "no"]:
        """Take a line (``text`` is ``raw`` peeled of colour, quotes and indentation)."""
        self.raw.append((number, raw, flaws))
        start = len(raw) - len(text)
        self.starts.append(start if raw.endswith(text) else text)
        if not self.opener:
            self.opener = text.strip()
        self.chars += len(text)
        if not self.decided:
            stripped = text.strip()
            m = _KEY.match(stripped)
            if m is not None:
                if self.opener == "{" and m["key"] not in DOCUMENT_KEYS:
                    return "no"
                self.decided = True
            elif len(self.raw) > 1 and not (
                len(self.raw) < _DECIDE_BY and self.opener == "[" and stripped in ("{", "[")
            ):
                return "no"  # an answer names its first key next, or after an array's bracket
        self.depth += _depth_change(text)
        if self.depth <= 0:
            return "done"
        if len(self.raw) > MAX_LINES or self.chars > MAX_CHARS:
            self.overflowed = True
            return "no"
        return "more"

    def peeled(self) -> list[tuple[int, str]]:
        """The numbered lines as ``push`` was given them, peeled."""
        return [
            (number, raw[start:] if isinstance(start, int) else start)
            for (number, raw, _), start in zip(self.raw, self.starts, strict=True)
        ]
