"""A log store's label set before the line, as Loki's ``logcli`` prints it:
``{namespace="metadata-store", pod="amr-persister-..."} <line>``."""

from __future__ import annotations

import re

from amr_logpatterns.peel.metadata import known_context
from amr_logpatterns.peel.rules import Peeling, Wrapper

_LABEL_PAIR = r'[A-Za-z_][\w.]*\s*=\s*"(?:[^"\\]|\\.)*"'
LABEL_SET = re.compile(
    r"^\{(?P<labels>\s*" + _LABEL_PAIR + r"(?:\s*,\s*" + _LABEL_PAIR + r")*\s*)\}[ \t]+"
)
LABEL = re.compile(r'(?P<key>[A-Za-z_][\w.]*)\s*=\s*"(?P<value>(?:[^"\\]|\\.)*)"')


def peel_label_set(text: str, peeling: Peeling) -> str | None:
    """The line after the labels; the Kubernetes ones become context."""
    m = LABEL_SET.match(text)
    if m is None:
        return None
    found = known_context({k["key"]: k["value"] for k in LABEL.finditer(m["labels"])})
    peeling.context.update(found)
    peeling.note("loki-labels", m[0], found)
    return text[m.end() :]


WRAPPER = Wrapper(name="loki-labels", title="Loki label set", peel=peel_label_set)
