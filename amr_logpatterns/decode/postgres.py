"""PostgreSQL's server log with the default prefix (``log_line_prefix = '%m [%p] '``), as the
Store's database, ``metadata-store-db``, writes it:
``2022-09-19 18:05:26.576 UTC [13097] FATAL:  password authentication failed for user "…"``.

Its severities become the record's level (``FATAL`` and ``PANIC`` end a session or the
server, so they count as error records), the process id a field.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.records import Decoded

POSTGRES = re.compile(
    r"^(?P<date>\d{4}-\d\d-\d\d) (?P<time>\d\d:\d\d:\d\d(?:\.\d+)?)"
    r"(?: (?P<zone>[A-Z]{2,5}|[+-]\d\d(?::?\d\d)?))? \[(?P<pid>\d+)\] "
    r"(?P<severity>DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC"
    r"|DETAIL|HINT|QUERY|CONTEXT|STATEMENT|LOCATION):[ \t]+(?P<msg>.*)$"
)
#: What PostgreSQL calls each severity, as the levels the reports use.
LEVELS = {
    "WARNING": "warn",
    "ERROR": "error",
    "FATAL": "fatal",
    "PANIC": "panic",
}
#: Zones that are UTC; another zone's name is kept out of the time (it has no offset).
_UTC = frozenset(("UTC", "GMT", "Z"))


def decode(text: str) -> Decoded | None:
    """Decode a PostgreSQL server log line."""
    m = POSTGRES.match(text)
    if m is None:
        return None
    zone = m["zone"] or ""
    ts = f"{m['date']}T{m['time']}" + ("Z" if zone in _UTC else zone if zone[:1] in "+-" else "")
    severity = m["severity"]
    return Decoded(
        encoding="postgres",
        message=m["msg"],
        ts=ts,
        level=LEVELS.get(severity, "debug" if severity.startswith("DEBUG") else "info"),
        fields={"pid": m["pid"], "severity": severity},
        raw=text,
    )
