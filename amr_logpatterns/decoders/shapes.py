"""Regex fragments for the shapes of log records, shared by wrappers and decoders."""

from __future__ import annotations

import re

RFC3339 = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
ZAP_LEVEL = r"(?:(?i:debug|info|warn|warning|error|dpanic|panic|fatal)|(?i:level)\(-?\d+\))"
KLOG_HEADER = r"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ [^\s\]]+:\d+\] "
GOLOG_DATE = r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? "
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

#: Where a second record is glued onto the end of another one on the same line.
GLUED_START = re.compile("(?:" + "|".join((JSON_LOG_START, ZAP_CONSOLE_START, KLOG_HEADER)) + ")")
