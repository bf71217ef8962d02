"""``kubectl logs --prefix``: ``[pod/NAME/CONTAINER] `` before each line."""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.rules import Peeling, Wrapper

KUBECTL_PREFIX = re.compile(r"^\[pod/(?P<pod>[^/\]\s]+)/(?P<container>[^\]\s]+)\]\s?")


def peel_kubectl_prefix(text: str, peeling: Peeling) -> str | None:
    """The line after the prefix; the pod and container become context."""
    m = KUBECTL_PREFIX.match(text)
    if m is None:
        return None
    found = {"workload": m["pod"], "container": m["container"]}
    peeling.context.update(found)
    peeling.note("kubectl-prefix", m[0], found)
    return text[m.end() :]


WRAPPER = Wrapper(
    name="kubectl-prefix",
    title="kubectl logs --prefix",
    peel=peel_kubectl_prefix,
    # a prefix with nothing after it is an empty line
    stage1=(Pattern(rb"\]\r?$", multiline=True, stdlib=(rb"\n(?<=\]\n)", rb"\n(?<=\]\r\n)")),),
    empty_hint=rb"\]\r?$",
)
