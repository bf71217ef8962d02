"""Read the timestamps records carry, so recovery durations and timelines can use real time.

Records keep their timestamp as written (``LogRecord.ts``): RFC 3339 from zap
and ``kubectl --timestamps``, epoch seconds from zap's production console
encoder, klog's ``mmdd hh:mm:ss.uuuuuu`` (no year) and Go's standard
``YYYY/MM/DD hh:mm:ss``. Everything here turns those into aware UTC datetimes
and never raises: a timestamp that cannot be read is ``None``, and callers fall
back to input order.

klog leaves out the year. A yearless timestamp takes the year that puts it
nearest to the timestamp before it (so a log running from 31 December into
1 January counts forward, not 364 days back); with nothing before it, the
year of the first timestamp that has one; failing that, ``DEFAULT_YEAR``, a
leap year so that ``0229`` stays a valid date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from amr_logpatterns.models.results import Seen

#: The year given to yearless timestamps when nothing in the input names one; a leap year.
DEFAULT_YEAR = 2024

_RFC3339 = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d)[Tt ](?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)"
    r"(?:[.,](?P<frac>\d+))?\s*(?P<tz>[Zz]|[+-]\d\d(?::?\d\d)?)?$"
)
_GOLOG = re.compile(
    r"^(?P<y>\d{4})/(?P<mo>\d\d)/(?P<d>\d\d) (?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)"
    r"(?:\.(?P<frac>\d+))?$"
)
_KLOG = re.compile(
    r"^(?P<mo>\d\d)(?P<d>\d\d) (?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)(?:\.(?P<frac>\d+))?$"
)
_EPOCH = re.compile(r"^(?:\d{9,19}(?:\.\d+)?|\d\.\d+[eE]\+?\d\d)$")


@dataclass(frozen=True)
class _Stamp:
    """A parsed timestamp; ``yearless`` ones hold ``DEFAULT_YEAR`` until resolved."""

    when: datetime
    yearless: bool


def _micros(frac: str | None) -> int:
    return int((frac or "0")[:6].ljust(6, "0"))


def _offset(tz: str | None) -> timezone:
    if tz is None or tz in ("Z", "z"):
        return timezone.utc
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or "0")
    return timezone(sign * timedelta(minutes=minutes))


def _build(m: re.Match[str], year: int, tz: timezone) -> datetime | None:
    try:
        local = datetime(
            year,
            int(m["mo"]),
            int(m["d"]),
            int(m["h"]),
            int(m["mi"]),
            min(int(m["s"]), 59),  # a leap second reads as :59
            _micros(m["frac"]),
            tzinfo=tz,
        )
    except ValueError:
        return None
    return local.astimezone(timezone.utc)


def _epoch(text: str) -> datetime | None:
    try:
        value = float(text)
    except ValueError:
        return None
    # zap's epoch encoders: seconds, or milli-, micro- or nanoseconds as whole numbers
    for limit, scale in ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3)):
        if value >= limit:
            value /= scale
            break
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _parse(ts: str) -> _Stamp | None:
    text = ts.strip()
    m = _RFC3339.match(text)
    if m:
        try:
            tz = _offset(m["tz"])
        except ValueError:
            return None
        when = _build(m, int(m["y"]), tz)
        return None if when is None else _Stamp(when, yearless=False)
    m = _GOLOG.match(text)
    if m:
        when = _build(m, int(m["y"]), timezone.utc)
        return None if when is None else _Stamp(when, yearless=False)
    m = _KLOG.match(text)
    if m:
        when = _build(m, DEFAULT_YEAR, timezone.utc)
        return None if when is None else _Stamp(when, yearless=True)
    if _EPOCH.match(text):
        when = _epoch(text)
        return None if when is None else _Stamp(when, yearless=False)
    return None


def parse_timestamp(ts: str, *, year: int | None = None) -> datetime | None:
    """The timestamp as an aware UTC datetime, or ``None`` when it cannot be read.

    ``year`` completes klog's yearless timestamps (default ``DEFAULT_YEAR``);
    offsets are honoured, and timestamps without one are taken as UTC.
    """
    stamp = _safe_parse(ts)
    if stamp is None or not stamp.yearless or year is None:
        return None if stamp is None else stamp.when
    try:
        return stamp.when.replace(year=year)
    except ValueError:  # 29 February in a common year
        return None


def _nearest(when: datetime, reference: datetime) -> datetime:
    """``when`` moved to the year (around ``reference``'s) that puts it nearest to ``reference``."""
    best: datetime | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = when.replace(year=year)
        except ValueError:  # 29 February in a common year
            continue
        if best is None or abs(candidate - reference) < abs(best - reference):
            best = candidate
    return best if best is not None else when


def _resolve(stamps: Sequence[_Stamp | None]) -> list[datetime | None]:
    """Absolute times for stamps in input order, yearless ones placed by the stamps before."""
    anchor = next((s.when for s in stamps if s is not None and not s.yearless), None)
    previous: datetime | None = None
    out: list[datetime | None] = []
    for stamp in stamps:
        if stamp is None:
            out.append(None)
            continue
        when = stamp.when
        if stamp.yearless:
            reference = previous or anchor
            if reference is not None:
                when = _nearest(when, reference)
        out.append(when)
        previous = when
    return out


def _safe_parse(ts: str | None) -> _Stamp | None:
    if ts is None:
        return None
    try:
        return _parse(ts)
    except (ValueError, OverflowError):
        return None


def input_order(sources: Sequence[str]) -> dict[str, int]:
    """Rank of each source in input order, for sorting points as the input ran."""
    return {source: i for i, source in enumerate(dict.fromkeys(sources))}


def instants(points: Sequence[Seen], sources: Sequence[str] = ()) -> list[datetime | None]:
    """Each point's time (aligned with ``points``), years of klog stamps resolved in input order.

    Input order is source order (``sources``; unknown sources last, in the
    order given) and then line; it decides which stamp a yearless one follows.
    """
    rank = input_order(sources)
    order = sorted(
        range(len(points)),
        key=lambda i: (rank.get(points[i].source, len(rank)), points[i].line, i),
    )
    resolved = _resolve([_safe_parse(points[i].ts) for i in order])
    out: list[datetime | None] = [None] * len(points)
    for i, when in zip(order, resolved, strict=True):
        out[i] = when
    return out


_EPOCH_START = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NEVER = 1 << 62


def _microseconds(when: datetime) -> int:
    """Exact microseconds since 1970, so close stamps never collide as floats might."""
    return (when - _EPOCH_START) // timedelta(microseconds=1)


#: A sort key for points of the input (see ``chronology``).
SeenKey = Callable[[Seen], tuple[int, int, int]]


def chronology(points: Sequence[Seen], sources: Sequence[str]) -> SeenKey:
    """A sort key placing points in time when every one of ``points`` has a timestamp.

    Otherwise the key is input order (source order, then line): comparing
    clocks only when all points carry one keeps a single unstamped record from
    scattering the rest. Ties in time keep input order.
    """
    rank = input_order(sources)
    times = instants(points, sources)
    stamps: dict[tuple[str, int, str | None], int] = {}
    if all(t is not None for t in times):
        stamps = {
            (p.source, p.line, p.ts): _microseconds(t)
            for p, t in zip(points, times, strict=True)
            if t is not None
        }

    def key(point: Seen) -> tuple[int, int, int]:
        place = (rank.get(point.source, len(rank)), point.line)
        if not stamps:
            return (0, *place)
        # a point the key was not built from falls back to its own clock, or goes last
        stamp = stamps.get((point.source, point.line, point.ts))
        if stamp is None:
            own = instants([point])[0]
            stamp = _NEVER if own is None else _microseconds(own)
        return (stamp, *place)

    return key


def duration_between(a: Seen, b: Seen) -> float | None:
    """Seconds from ``a`` to ``b`` (``a`` read first), or ``None`` unless both carry timestamps.

    A klog stamp without a year takes the year that puts it nearest to the
    other point, so a problem from 31 December into 1 January lasts minutes,
    not minus a year.
    """
    first, second = _resolve([_safe_parse(a.ts), _safe_parse(b.ts)])
    if first is None or second is None:
        return None
    return (second - first).total_seconds()


def elapsed(a: Seen, b: Seen) -> float | None:
    """How long something lasted from ``a`` to ``b``; ``None`` without both timestamps.

    Also ``None`` when ``b``'s time is before ``a``'s: within one input that
    happens when older lines were pasted after newer ones, and no duration
    can be told then.
    """
    seconds = duration_between(a, b)
    return None if seconds is None or seconds < 0 else seconds


def format_duration(seconds: float) -> str:
    """A duration as people read one in a log: ``42s``, ``9m08s``, ``2h05m09s``, ``3d04h10m``
    (negative: ``-`` first)."""
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h{minutes:02d}m"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{sign}{minutes}m{secs:02d}s"
    return f"{sign}{secs}s"
