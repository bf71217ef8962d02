"""The ``Name:`` and ``Namespace:`` header of a pasted ``kubectl describe pod``: they name
the pod the lines after them describe, until log records follow."""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import literal_pattern
from amr_logpatterns.peel.state import PasteState

_DESCRIBE_NAME = re.compile(r"^Name:\s+(?P<name>\S+)\s*$")
_DESCRIBE_NAMESPACE = re.compile(r"^Namespace:\s+(?P<namespace>\S+)\s*$")

#: The header changes what the lines after it mean: stage 1 reads it, and a ``--jobs``
#: cut keeps away from it.
STAGE1 = (literal_pattern(b"Name:", boundary=True), literal_pattern(b"Namespace:", boundary=True))


def note_describe_header(text: str, state: PasteState) -> None:
    """Remember the pod (and namespace) a describe header names."""
    m = _DESCRIBE_NAME.match(text)
    if m:
        state.describe["workload"] = m["name"]
        return
    m = _DESCRIBE_NAMESPACE.match(text)
    if m:
        state.describe["namespace"] = m["namespace"]
