"""Decoders, one per log encoding, tried in a fixed order on each line.

A line may hold more than one record (the guide shows a klog line glued onto
another, and a JSON object right after one); each becomes its own record. A
record is glued on only where it follows a non-space character, or a JSON
record; other text after a JSON record stays part of that record's raw text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from amr_logpatterns.decode import (
    events,
    golog,
    kernel,
    klog,
    pods,
    postgres,
    zap_console,
    zap_json,
)
from amr_logpatterns.models.records import Decoded, Line, LogRecord
from amr_logpatterns.models.shapes import JSON_LOG_START_RE, RFC3339, ZAP_LEVEL, glued_start
from amr_logpatterns.models.stage1 import Pattern

Decoder = Callable[[str], "Decoded | None"]

#: The order matters: the most specific shapes first, plain text last.
DECODERS: tuple[Decoder, ...] = (
    zap_json.decode,
    zap_console.decode,
    klog.decode,
    golog.decode,
    postgres.decode,
    events.decode,
    pods.decode,
    kernel.decode,
)

_MAX_RECORDS_PER_LINE = 32

#: The keys a JSON log record may start with.
LOG_KEYS = rb"(?:level|ts|msg|message|time|timestamp|severity|L|T|M)"
_ZAP_START = (RFC3339 + r"(?:\t|[ ]+)" + ZAP_LEVEL).encode()
_TIME_REST = RFC3339.removeprefix(r"\d{4}-").encode()

#: Records glued onto one line (a writer left out the newline): JSON after JSON or after
#: any other character, a zap console or klog record after any character.
STAGE1 = (
    Pattern(rb"\}[^\S\n]*\{[^\S\n]*\"" + LOG_KEYS + rb'"[^\S\n]*:'),
    Pattern(
        rb"\S\{[^\S\n]*\"" + LOG_KEYS + rb'"[^\S\n]*:',
        stdlib=(rb"\{(?<=\S\{)[^\S\n]*\"" + LOG_KEYS + rb'"[^\S\n]*:',),
    ),
    Pattern(
        rb"\S" + _ZAP_START,
        stdlib=(rb"-(?<=\S\d{4}-)" + _TIME_REST + (r"(?:\t|[ ]+)" + ZAP_LEVEL).encode(),),
    ),
    Pattern(
        rb"\S[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}[^\S\n]+\d+ [^\s\]]+:\d+\] ",
        stdlib=(rb"\.(?<=\S[IWEF]\d{4} \d\d:\d\d:\d\d\.)\d{6}[^\S\n]+\d+ [^\s\]]+:\d+\] ",),
    ),
)


def _decode_one(text: str) -> Decoded:
    for decoder in DECODERS:
        decoded = decoder(text)
        if decoded is not None:
            return decoded
    return Decoded(encoding="plain", message=text, raw=text)


def decode_text(text: str, cut: bool = False) -> list[Decoded]:
    """Decode every record in one line of text, glued ones included.

    ``cut``: the line was cut at the line cap, so a JSON record that does not
    close is decoded as far as it goes rather than read as plain text.
    """
    out: list[Decoded] = []
    while text:
        if len(out) == _MAX_RECORDS_PER_LINE - 1:
            out.append(Decoded(encoding="plain", message=text, raw=text))
            break
        if text.startswith("{"):
            decoded = zap_json.decode(text)
            if decoded is None and cut:
                decoded = zap_json.decode_cut(text)
            if decoded is not None:
                rest = text[len(decoded.raw) :].strip()
                if rest and not JSON_LOG_START_RE.match(rest):
                    out.append(replace(decoded, raw=text))
                    break
                out.append(decoded)
                text = rest
                continue
        glued = glued_start(text)
        head, text = (text[:glued], text[glued:]) if glued is not None else (text, "")
        out.append(_decode_one(head.rstrip()))
    return out


def decode_line(line: Line, source: str) -> list[LogRecord]:
    """Decode one physical line into its records; the last one is ``cut`` when the line was."""
    records = []
    decoded = decode_text(line.text, cut=bool(line.truncated_lines))
    for i, d in enumerate(decoded):
        context = {**line.context, **d.context} if d.context else line.context
        records.append(
            LogRecord(
                source=source,
                line=line.number,
                end_line=line.last,
                raw=d.raw,
                encoding=d.encoding,
                message=d.message,
                ts=d.ts,
                level=d.level,
                logger=d.logger,
                caller=d.caller,
                fields=d.fields,
                context=context,
                continuation=d.continuation,
                indent=line.indent,
                cut=bool(line.truncated_lines) and i == len(decoded) - 1,
            )
        )
    return records
