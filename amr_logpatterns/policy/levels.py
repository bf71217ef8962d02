"""How much a report is redacted: named apart from ``redact`` so that offering the choice
costs no compilation of the secret patterns."""

from __future__ import annotations

from typing import Literal

Level = Literal["secrets", "all"]
LEVELS: tuple[Level, ...] = ("secrets", "all")
