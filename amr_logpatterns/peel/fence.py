"""Markdown code fences around a paste (```` ``` ````, ``~~~``, with a language or not).

A closing fence ends what the paste said about its lines: the session and a
``describe`` output stop there.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import literal_pattern
from amr_logpatterns.peel.rules import Marker
from amr_logpatterns.peel.state import PasteState

FENCE = re.compile(r"^(?:```|~~~)[\w+-]*\s*$")


def _fenced(_: re.Match[str], state: PasteState) -> None:
    if state.in_fence:
        state.session = {}
        state.describe = {}
        state.capturing = False
    state.in_fence = not state.in_fence


MARKER = Marker(
    name="fence",
    title="a Markdown fence",
    match=FENCE.match,
    apply=_fenced,
    stage1=(literal_pattern(b"```", boundary=True), literal_pattern(b"~~~", boundary=True)),
    hint=rb"```|~~~",
)
