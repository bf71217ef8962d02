"""A short prefix of names before a line we recognise: stern's ``POD CONTAINER``, and the
like from other tools.

What follows must be a log record, or a stack-frame or CloudEvent line: the
decision rests on the line alone, never on earlier lines.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.shapes import STRUCTURED_START, is_continuation_shape
from amr_logpatterns.peel.rules import Peeling, Wrapper

_PREFIX_TOKENS = re.compile(r"^(?:[\w.\-:/\[\]@]+[ \t]+){1,3}$")
_LEADING_TOKENS = re.compile(r"^(?:[a-z0-9][-a-z0-9.]*[ \t]+){2,3}")
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$")
_TIMESTAMPISH = re.compile(r"^\d{4}-\d\d-\d\d|^\d\d:\d\d")


def _prefix_context(prefix: str) -> dict[str, str]:
    """Read pod and container names from a stern-like prefix of names."""
    names = [t for t in prefix.split() if _DNS_LABEL.match(t) and not _TIMESTAMPISH.match(t)]
    if len(names) >= 3:
        return {"namespace": names[-3], "workload": names[-2], "container": names[-1]}
    if len(names) == 2:
        return {"workload": names[0], "container": names[1]}
    if len(names) == 1 and "-" in names[0]:
        return {"workload": names[0]}
    return {}


def _unprefixed(text: str) -> tuple[str, dict[str, str]] | None:
    """The line after a prefix of names, and what the names say; None when it has none."""
    if not text or STRUCTURED_START.match(text):
        return None
    m = STRUCTURED_START.search(text, 1, 400)
    if m is not None:
        prefix = text[: m.start()]
        if not _PREFIX_TOKENS.match(prefix):
            return None
        return text[m.start() :], _prefix_context(prefix)
    tokens = _LEADING_TOKENS.match(text)
    if tokens is None:
        return None
    rest = text[tokens.end() :]
    found = _prefix_context(text[: tokens.end()])
    if not found or not is_continuation_shape(rest):
        return None
    return rest, found


def peel_name_prefix(text: str, peeling: Peeling) -> str | None:
    """The line after the names; the pod, container (and namespace) become context."""
    unprefixed = _unprefixed(text)
    if unprefixed is None:
        return None
    rest, found = unprefixed
    peeling.context.update(found)
    peeling.note("name-prefix", text[: len(text) - len(rest)], found)
    return rest


WRAPPER = Wrapper(name="name-prefix", title="stern-style name prefix", peel=peel_name_prefix)
