"""How ``explain-line`` quotes log text and values in its sentences: escaped, cut, quoted."""

from __future__ import annotations

import json
from collections.abc import Mapping

from amr_logpatterns.wording import shorten


def short(text: str, limit: int = 160) -> str:
    """Cut long text for a one-line report."""
    return shorten(text, limit)


def show(text: str, limit: int = 200) -> str:
    """Text for a terminal: control characters escaped, long values cut."""
    out = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    return short(out, limit)


def quoted(text: str, limit: int = 200) -> str:
    """A value in a sentence, quoted so its edges show."""
    return f'"{show(text, limit)}"'


def value_text(value: object) -> str:
    """A field value as JSON spells it, strings quoted."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def fields_line(fields: Mapping[str, object]) -> str:
    """Fields as ``key=value`` pairs on one line."""
    return ", ".join(f"{k}={short(value_text(v), 120)}" for k, v in fields.items()) or "none"
