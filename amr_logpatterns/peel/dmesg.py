"""``dmesg``: seconds since boot in brackets, or a date with ``dmesg -T``."""

from __future__ import annotations

import re

from amr_logpatterns.peel.rules import Peeling, Wrapper

DMESG = re.compile(
    r"^\[(?:\s*\d+\.\d+|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\] ?"
)


def peel_dmesg(text: str, peeling: Peeling) -> str | None:
    """The kernel's line after its time; the line is the kernel's."""
    m = DMESG.match(text)
    if m is None:
        return None
    peeling.context.setdefault("ident", "kernel")
    peeling.note("dmesg", m[0], {"ident": "kernel"})
    return text[m.end() :]


WRAPPER = Wrapper(name="dmesg", title="dmesg timestamp", peel=peel_dmesg)
