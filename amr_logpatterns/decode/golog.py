"""Go's standard ``log`` package: ``2006/01/02 15:04:05 message``."""

from __future__ import annotations

import re

from amr_logpatterns.models.records import Decoded

_GOLOG = re.compile(r"^(?P<ts>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (?P<msg>.*)$")


def decode(text: str) -> Decoded | None:
    """Decode a Go standard-library log line."""
    m = _GOLOG.match(text)
    if m is None:
        return None
    return Decoded(encoding="golog", message=m["msg"], ts=m["ts"], raw=text)
