"""The systemd journal's short formats (``journalctl``, ``-o short-iso``, ``-o short-precise``)
and syslog files: time, host, the program and its pid, then the line it wrote."""

from __future__ import annotations

import re

from amr_logpatterns.models.shapes import RFC3339, ZAP_LEVEL
from amr_logpatterns.peel.rules import Peeling, Wrapper

JOURNAL = re.compile(
    r"^(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|" + RFC3339 + r") "
    r"(?!" + ZAP_LEVEL + r" )(?P<host>[A-Za-z0-9][\w.\-]*) "
    r"(?P<ident>[A-Za-z_][\w.\-/@]*?)(?:\[\d+\])?: "
)
_RFC3339_ONLY = re.compile("^" + RFC3339 + "$")


def journal_context(m: re.Match[str]) -> dict[str, str]:
    """The node and program a journal or syslog prefix names (its time, when it has a year)."""
    context = {"node": m["host"], "ident": m["ident"]}
    if _RFC3339_ONLY.match(m["ts"]):
        context["capture_ts"] = m["ts"]
    return context


def peel_journal(text: str, peeling: Peeling) -> str | None:
    """The line after the prefix; the node and program become context."""
    m = JOURNAL.match(text)
    if m is None:
        return None
    found = journal_context(m)
    peeling.context.update(found)
    peeling.note("journal", m[0], found)
    return text[m.end() :]


WRAPPER = Wrapper(name="journal", title="journal/syslog prefix", peel=peel_journal)
