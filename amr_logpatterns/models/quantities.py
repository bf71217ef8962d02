"""Kubernetes quantities and kubectl's durations, read and written the way kubectl spells them.

Pod-state readers turn ``256Mi`` into bytes and ``14m`` or ``3d4h`` into seconds
so signatures can compare them; the advice turns bytes back into a limit a
person would write (``512Mi``, ``3Gi``).
"""

from __future__ import annotations

import re

_BINARY = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50, "Ei": 1 << 60}
_DECIMAL = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_QUANTITY = re.compile(
    r"^(?P<number>\d+(?:\.\d+)?|\.\d+)(?:e(?P<exp>[+-]?\d+))?(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[kMGTPE]|m)?$"
)
_DURATION_PART = re.compile(r"(?P<n>\d+)(?P<unit>[ywdhms])")
_DURATION = re.compile(r"^(?:\d+[ywdhms])+$")
_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


def memory_bytes(text: str) -> int | None:
    """Bytes of a memory quantity (``256Mi``, ``1G``, ``2.5Gi``, ``134217728``), or None."""
    m = _QUANTITY.match(text.strip())
    if m is None or m["suffix"] == "m":
        return None
    value = float(m["number"]) * 10 ** int(m["exp"] or 0)
    suffix = m["suffix"] or ""
    scale = _BINARY.get(suffix) or _DECIMAL[suffix]
    return int(value * scale)


def cpu_millicores(text: str) -> int | None:
    """Millicores of a CPU quantity (``100m``, ``1``, ``0.5``); None if unreadable."""
    m = _QUANTITY.match(text.strip())
    if m is None:
        return None
    value = float(m["number"]) * 10 ** int(m["exp"] or 0)
    if m["suffix"] == "m":
        return int(value)
    if m["suffix"]:
        return None
    return int(value * 1000)


def duration_seconds(text: str) -> int | None:
    """Seconds of a kubectl age or interval (``92s``, ``47m``, ``3d4h``, ``2y``), or None."""
    text = text.strip()
    if not _DURATION.match(text):
        return None
    return sum(int(m["n"]) * _SECONDS[m["unit"]] for m in _DURATION_PART.finditer(text))


def format_memory(size: int) -> str:
    """A memory limit as a person writes it: whole ``Gi`` when it is one, else ``Mi``."""
    mib = -(-size // (1 << 20))
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def raised_memory_limit(limit: int) -> int:
    """A memory limit worth trying after an out-of-memory kill: twice the old one, rounded up
    to 256 MiB and at least 512 MiB."""
    step = 256 << 20
    doubled = max(2 * limit, 512 << 20)
    return -(-doubled // step) * step
