"""A line of a pretty-printed JSON document that holds one record as a JSON string.

A Loki answer printed by ``jq`` has each record alone on a line (``"{\\"level\\": ...}",``),
the AWS CLI has ``"message": "...",``. When such lines come without their document (a
fragment pasted into a ticket, or an answer past the size ``DocumentBuffer`` holds), the
string is still a record: unescaped, it is read as one (without the envelope's labels,
which are elsewhere in the document).
"""

from __future__ import annotations

import json
import re

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel.envelope import ENVELOPE_FIELDS, MESSAGE_FIELDS
from amr_logpatterns.peel.rules import Peeling, Wrapper

MEMBER = re.compile(
    r'^(?:"(?P<key>[^"\\]{1,64})"\s*:\s*)?(?P<value>"(?:[^"\\]|\\.)*")\s*,?\s*$', re.DOTALL
)
#: The members whose string is a record: an envelope's fields, OpenTelemetry's value.
RECORD_KEYS = frozenset((*ENVELOPE_FIELDS, *MESSAGE_FIELDS, "stringValue"))


def peel_member(text: str, peeling: Peeling) -> str | None:
    """The record a lone JSON string (with a space in it: a sentence, not a label or a time)
    or a record field's member holds, unescaped."""
    if not text.startswith('"'):
        return None
    m = MEMBER.match(text)
    if m is None or (m["key"] is not None and m["key"] not in RECORD_KEYS):
        return None
    try:
        value = json.loads(m["value"])
    except ValueError:
        return None
    if not isinstance(value, str) or (m["key"] is None and " " not in value.strip()):
        return None
    peeling.note("json-member", text[: m.start("value")] + '"…"')
    return value.rstrip("\r\n")


WRAPPER = Wrapper(
    name="json-member",
    title="JSON string of a pretty-printed document",
    peel=peel_member,
    # the string escapes the record it holds, hiding its shape (a level) from stage 1
    stage1=(
        Pattern(
            rb'^[ \t]*"[^\n]*"[ \t]*,?[ \t]*\r?$',
            multiline=True,
            stdlib=(rb'(?m)"[ \t]*,?[ \t]*\r?$',),
        ),
    ),
)
