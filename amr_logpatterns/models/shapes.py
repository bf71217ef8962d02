"""Regex fragments for the shapes of log records, shared by wrappers and decoders."""

from __future__ import annotations

import re

RFC3339 = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
ZAP_LEVEL = r"(?:(?i:debug|info|warn|warning|error|dpanic|panic|fatal)|(?i:level)\(-?\d+\))"
KLOG_HEADER = r"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ [^\s\]]+:\d+\] "
GOLOG_DATE = r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? "
#: What follows the date and time of a PostgreSQL server log line: a zone and the process
#: id (``UTC [13097] LOG:``), so the time is the record's own, not a capture's.
POSTGRES_PREFIX_REST = r"(?:[A-Z]{2,5} |[+-]\d\d(?::?\d\d)? )?\[\d+\] [A-Z]+[1-5]?:"
JSON_LOG_START = r"\{\s*\"(?:level|ts|msg|message|time|timestamp|severity|L|T|M)\"\s*:"

EPOCH = r"(?:\d{10}(?:\.\d+)?|\d\.\d+e\+\d\d)"
#: zap console's time: RFC 3339 (development mode), or epoch seconds (production mode, TAB only).
ZAP_TIME_AND_LEVEL = (
    r"(?P<ts>"
    + RFC3339
    + r"(?=\t|[ ])|"
    + EPOCH
    + r"(?=\t))(?:\t|[ ]+)(?P<level>"
    + ZAP_LEVEL
    + ")"
)
ZAP_CONSOLE_START = ZAP_TIME_AND_LEVEL.replace("?P<ts>", "?:").replace("?P<level>", "?:") + (
    r"(?=[\t ]|$)"
)

#: A record that starts at this position.
STRUCTURED_START = re.compile(
    "(?:" + "|".join((JSON_LOG_START, ZAP_CONSOLE_START, KLOG_HEADER, GOLOG_DATE)) + ")"
)

#: Where a second record is glued onto the end of another one on the same line: a writer
#: left out the newline, so the new record follows the old one's last character directly.
GLUED_START = re.compile(
    r"(?<=\S)(?:" + "|".join((JSON_LOG_START, ZAP_CONSOLE_START, KLOG_HEADER)) + ")"
)

# The same three starts searched apart, each from a selective first step, which ``re``
# skips to fast (the alternation above tries every digit of a line as a zap time):
# ``{`` for JSON, the severity letter for klog, and a zap level word for zap console,
# without which no zap time can start a record.
_GLUED_JSON = re.compile(r"\{(?<=\S\{)" + JSON_LOG_START.removeprefix(r"\{"))
_GLUED_KLOG = re.compile(r"[IWEF](?<=\S[IWEF])" + KLOG_HEADER.removeprefix("[IWEF]"))
# one blank before the word, not ``[ ]+``: as necessary, and linear on a run of spaces
_ZAP_LEVEL_WORD = re.compile(r"[\t ]" + ZAP_LEVEL + r"(?=[\t ]|$)")
_GLUED_ZAP = re.compile(r"(?<=\S)(?:" + ZAP_CONSOLE_START + ")")


def glued_start(text: str) -> int | None:
    """Where ``GLUED_START`` first matches ``text`` after its first character, found faster."""
    starts = [m.start() for m in (_GLUED_JSON.search(text, 1), _GLUED_KLOG.search(text, 1)) if m]
    if _ZAP_LEVEL_WORD.search(text, 1):
        zap = _GLUED_ZAP.search(text, 1)
        if zap:
            starts.append(zap.start())
    return min(starts, default=None)
JSON_LOG_START_RE = re.compile(JSON_LOG_START)

#: Lines that continue a record: Go stack frames and the CloudEvent dump's lines.
FUNC_FRAME = re.compile(
    r"^(?:created by )?(?:[\w.\-~%]+/)*[\w\-~%]+(?:\.[\w\-~%]+)*"
    r"\.(?:\(\*?[\w.\[\],\- ]+\)\.)?[\w\[\]\-]+(?:\.[\w\[\]\-]+)*"
    r"(?:\([^)]*\))?(?: in goroutine \d+)?$"
)
FILE_FRAME = re.compile(r"^[\w.\-/@~%+]*\.(?:go|s):\d+(?: \+0x[0-9a-f]+)?$")
GOROUTINE = re.compile(r"^goroutine \d+ \[[^\]]*\]:$")
CE_SENT = re.compile(r"^(?:result:\s*(?P<result>.*?):?\s+)?sent:\s*type:\s*(?P<type>\S+)\s*$")
CE_LINE = re.compile(
    r"^(?:(?:result:\s*.*?\s+)?sent:\s*type:|Validation: \w+$|Context Attributes,$|"
    r"(?:source|id|time|specversion|datacontenttype|dataschema|subject|type|result):|"
    r"Extensions[:,]?$|Data,?$|map\[)"
)


#: No Go function line is longer; the length check keeps FUNC_FRAME, whose two dotted
#: runs can split a long ``a.a.a...`` line in many ways, from going quadratic.
MAX_FRAME_CHARS = 4096


def is_func_frame(text: str) -> bool:
    """A Go stack frame's function line (``pkg.(*T).Method``), ``created by`` included."""
    if len(text) > MAX_FRAME_CHARS:
        return False
    return bool(FUNC_FRAME.match(text)) and " " not in text.replace("created by ", "", 1)


def is_continuation_shape(text: str) -> bool:
    """Whether a line has the shape of a stack frame or of a CloudEvent dump line."""
    return bool(
        FILE_FRAME.match(text) or GOROUTINE.match(text) or CE_LINE.match(text)
    ) or is_func_frame(text)
