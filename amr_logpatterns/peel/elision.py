"""Elisions people write where they cut a paste: ``...``, ``…``, ``[snip]`` and the like."""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import literal_pattern
from amr_logpatterns.peel.rules import Marker
from amr_logpatterns.peel.state import PasteState

ELISION = re.compile(r"^(?:\.{3,}|…|\[\.\.\.\]|<\.\.\.>|\(\.\.\.\)|\[snip\]|<snip>)$", re.I)


def _elided(_: re.Match[str], state: PasteState) -> None:
    """An elision tells nothing about the lines after it."""


MARKER = Marker(
    name="elision",
    title="an elision marker",
    match=ELISION.match,
    apply=_elided,
    # the forms without a letter or digit are never taken for records by the fast path
    stage1=(literal_pattern(b"snip", caseless=True),),
    hint=rb"(?i:snip)",
    changes_context=False,
)
