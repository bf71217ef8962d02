"""``kubectl logs --timestamps``: an RFC 3339 time and a space before each line.

A zap console record starts with a time too: a time followed by a zap level
is the record's own, not the capture's; so is a PostgreSQL line's, followed by its
zone and process id.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.shapes import POSTGRES_PREFIX_REST, RFC3339, ZAP_LEVEL
from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.rules import Peeling, Wrapper

CAPTURE_TS = re.compile(
    r"^(?P<ts>" + RFC3339 + r")[ \t](?=\S|\t)(?!\t*" + ZAP_LEVEL + r"(?:[\t ]|$))"
    r"(?!" + POSTGRES_PREFIX_REST + ")"
)


def peel_capture_time(text: str, peeling: Peeling) -> str | None:
    """The line after the capture's time, which becomes the capture time."""
    m = CAPTURE_TS.match(text)
    if m is None:
        return None
    peeling.context.setdefault("capture_ts", m["ts"])
    peeling.note("kubectl-timestamps", m[0])
    return text[m.end() :]


WRAPPER = Wrapper(
    name="kubectl-timestamps",
    title="kubectl logs --timestamps",
    peel=peel_capture_time,
    # a time with nothing after it is an empty line
    stage1=(
        Pattern(
            rb"\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\r?$",
            multiline=True,
            stdlib=(rb"(?m):(?<=\d\d:)\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\r?$",),
        ),
    ),
)
