"""Every capture wrapper and paste marker, in the order they are tried: the one list the exact
reader, the fast path's stage 1 and ``explain-line`` are built from.

A new capture format is a module declaring a ``Wrapper`` (or ``Marker``) and
one entry here.
"""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import Pattern
from amr_logpatterns.peel import (
    command,
    cri,
    csv_table,
    describe_header,
    dmesg,
    elision,
    envelope,
    fence,
    journal,
    json_member,
    kubectl_prefix,
    kubectl_timestamps,
    log_labels,
    name_prefix,
    tail_header,
)
from amr_logpatterns.peel.ansi import STAGE1 as ANSI_STAGE1
from amr_logpatterns.peel.documents import STAGE1 as DOCUMENT_STAGE1
from amr_logpatterns.peel.rejoin import STAGE1 as REJOIN_STAGE1
from amr_logpatterns.peel.rules import Marker, Wrapper

#: Peeled in this order, again and again while one of them changes the line (they stack:
#: a CRI prefix around ``kubectl --prefix`` around ``--timestamps``...).
WRAPPERS: tuple[Wrapper, ...] = (
    cri.WRAPPER,
    envelope.WRAPPER,
    json_member.WRAPPER,
    log_labels.WRAPPER,
    journal.WRAPPER,
    dmesg.WRAPPER,
    kubectl_prefix.WRAPPER,
    kubectl_timestamps.WRAPPER,
    name_prefix.WRAPPER,
)

#: Tried in this order on a line that is no record at its start.
MARKERS: tuple[Marker, ...] = (
    fence.MARKER,
    elision.MARKER,
    command.MARKER,
    tail_header.MARKER,
    csv_table.MARKER,
)

#: A line that ends in a space or tab may be empty once a wrapper is peeled.
_TRAILING_SPACE = Pattern(
    rb"[ \t]\r?$", multiline=True, stdlib=(rb"\n(?<=[ \t]\n)", rb"\n(?<=[ \t]\r\n)")
)

#: What stage 1 must find for this stage: every wrapper's and marker's lines, the describe
#: header, colour remnants, lines that may be empty once peeled, and wrapped records.
STAGE1: tuple[Pattern, ...] = (
    *(p for m in MARKERS for p in m.stage1),
    *describe_header.STAGE1,
    *ANSI_STAGE1,
    _TRAILING_SPACE,
    *(p for w in WRAPPERS for p in w.stage1),
    *REJOIN_STAGE1,
    *DOCUMENT_STAGE1,
)

#: The lines that change what the lines after them mean (commands, fences, tail and
#: describe headers): where a piece of a file starts, they decide its paste state.
CONTEXT_STAGE1: tuple[Pattern, ...] = (
    *(p for m in MARKERS if m.changes_context for p in m.stage1),
    *describe_header.STAGE1,
)

#: A raw line any marker may take (given it has a letter or digit): no record, maybe.
MARKER_HINT = re.compile(b"(?m)" + b"|".join(m.hint for m in MARKERS))
#: A raw line that may hold nothing once its wrappers are peeled.
EMPTY_HINT = re.compile(
    b"|".join([rb"[ \t]\r?$", *(w.empty_hint for w in WRAPPERS if w.empty_hint)])
)

TITLES: dict[str, str] = {
    "ansi": "ANSI colour",
    "quote": "e-mail quote marker",
    "indentation": "indentation",
    **{w.name: w.title for w in WRAPPERS},
}
