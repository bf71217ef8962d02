"""Where things go along a timeline picture's x axis, and which labels its axis gets.

Two scales, as a timeline has two orders. By clocks, x is real time and the
tick step is picked from round steps (seconds up to weeks) so the labels never
crowd: an incident of five seconds and one of four days both read. By input
order (some record had no timestamp), x is an even rank of the places of the
input (file, then line), so nothing pretends to know how far apart they were.

Labels are estimated at ``LABEL_EM`` of the font size per character: no font
is measured, so the spacing keeps a margin.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from amr_logpatterns.analyse.timestamps import input_order
from amr_logpatterns.wording import shorten

#: The width of an average character, in ems, for estimating label widths (generous).
LABEL_EM = 0.62
#: The axis labels' font size, in user units.
AXIS_FONT = 11.0
#: The least space between two axis labels' centres.
MIN_TICK_GAP = 96.0
#: The least space between two labels of input order (``file:line``, longer).
MIN_PLACE_GAP = 170.0
#: How many characters a ``file:line`` axis label keeps.
PLACE_CHARS = 24

_DAY = 86400
#: Round steps in seconds, smallest first: seconds, minutes, hours, days, a week.
STEPS = (
    *(1, 2, 5, 10, 15, 30),
    *(60, 120, 300, 600, 900, 1800),
    *(3600, 7200, 10800, 21600, 43200),
    *(_DAY, 2 * _DAY, 7 * _DAY),
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class AxisTick:
    """One labelled place on the axis, with a second row (``sub``) where the day or file turns.

    ``label_x`` is where its labels are centred: under the tick, moved in from
    the picture's edges so they are never cut off (``fit_labels``).
    """

    x: float
    label: str
    sub: str | None = None
    label_x: float | None = None


def fit_labels(ticks: Sequence[AxisTick], left: float, right: float) -> list[AxisTick]:
    """The ticks with their labels moved in (if need be) to fit between ``left`` and ``right``."""
    out = []
    for t in ticks:
        half = max(label_width(t.label), label_width(t.sub or "")) / 2
        out.append(replace(t, label_x=round(min(max(t.x, left + half), right - half), 2)))
    return out


def label_width(text: str, font: float = AXIS_FONT) -> float:
    """An estimate of how wide ``text`` is drawn at ``font``."""
    return len(text) * font * LABEL_EM


def choose_step(seconds: float, width: float, gap: float = MIN_TICK_GAP) -> int:
    """The smallest round step whose ticks are at least ``gap`` apart over ``width``."""
    per_second = width / max(seconds, 1e-9)
    for step in STEPS:
        if step * per_second >= gap:
            return step
    # longer than the steps go: whole weeks
    return 7 * _DAY * math.ceil(gap / (7 * _DAY * per_second))


def _tick_format(step: int, years: bool) -> str:
    if step < 60:
        return "%H:%M:%S"
    if step < _DAY:
        return "%H:%M"
    return "%Y-%m-%d" if years else "%m-%d"


def _day_format(start: datetime, end: datetime) -> str:
    return "%m-%d" if start.year == end.year else "%Y-%m-%d"


@dataclass(frozen=True)
class TimeScale:
    """Real time from ``start`` to ``end`` (aware UTC) across ``x0``..``x1``."""

    start: datetime
    end: datetime
    x0: float
    x1: float

    @classmethod
    def over(cls, times: Iterable[datetime], x0: float, x1: float) -> TimeScale:
        """The scale that holds every one of ``times`` (at least a second long)."""
        ordered = sorted(times)
        start, end = ordered[0], ordered[-1]
        return cls(start, max(end, start + timedelta(seconds=1)), x0, x1)

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def x(self, when: datetime) -> float:
        """Where ``when`` is, kept within the axis."""
        share = (when - self.start).total_seconds() / self.seconds
        return self.x0 + min(max(share, 0.0), 1.0) * (self.x1 - self.x0)

    @property
    def spans_days(self) -> bool:
        return self.start.date() != self.end.date()

    def clock(self) -> str:
        """How to write an instant in a tooltip: the time, the date too when days differ."""
        fmt = "%H:%M:%S" if not self.spans_days else "%m-%d %H:%M:%S"
        if self.start.year != self.end.year:
            fmt = "%Y-" + fmt
        return fmt

    def when(self, t: datetime) -> str:
        """``t`` as the tooltips say it; milliseconds too when the incident lasts under a minute."""
        text = t.strftime(self.clock())
        return text + f".{t.microsecond // 1000:03d}" if self.seconds < 60 else text

    def ticks(self) -> list[AxisTick]:
        """Round instants within the axis, labelled at a granularity its length can hold."""
        step = choose_step(self.seconds, self.x1 - self.x0)
        fmt = _tick_format(step, self.start.year != self.end.year)
        first = math.ceil((self.start - _EPOCH).total_seconds() / step) * step
        instants = []
        at = _EPOCH + timedelta(seconds=first)
        while at <= self.end:
            instants.append(at)
            at += timedelta(seconds=step)
        if len(instants) < 2:  # shorter than a step: its two ends
            instants = [self.start]
            if self.x(self.end) - self.x(self.start) >= MIN_TICK_GAP:
                instants.append(self.end)
            fmt = "%H:%M:%S"
        days = self.spans_days and step < _DAY
        day_fmt = _day_format(self.start, self.end)
        out: list[AxisTick] = []
        for i, t in enumerate(instants):
            turned = days and (i == 0 or t.date() != instants[i - 1].date())
            out.append(
                AxisTick(self.x(t), t.strftime(fmt), t.strftime(day_fmt) if turned else None)
            )
        return out

    def caption(self) -> str:
        """What the axis is: UTC time, and the day (or days) it covers, written once."""
        first, last = self.start.strftime("%Y-%m-%d"), self.end.strftime("%Y-%m-%d")
        days = first if first == last else f"{first} to {last}"
        return f"time (UTC), {days}"


#: A place of the input: its source and line.
Place = tuple[str, int]


@dataclass(frozen=True)
class OrderScale:
    """Input order: each distinct place gets an equal slot across ``x0``..``x1``."""

    slots: dict[Place, int]
    x0: float
    x1: float

    @classmethod
    def over(
        cls, places: Iterable[Place], sources: Sequence[str], x0: float, x1: float
    ) -> OrderScale:
        """Slots for ``places`` in input order: the order of ``sources``, then line."""
        rank = input_order(sources)
        ordered = sorted(set(places), key=lambda p: (rank.get(p[0], len(rank)), p[0], p[1]))
        return cls({p: i for i, p in enumerate(ordered)}, x0, x1)

    @property
    def count(self) -> int:
        return max(len(self.slots), 1)

    @property
    def slot_width(self) -> float:
        return (self.x1 - self.x0) / self.count

    def x(self, place: Place | None) -> float:
        """The start of ``place``'s slot; ``None`` (the end of the input) is the right edge."""
        if place is None:
            return self.x1
        return self.x0 + self.slots.get(place, self.count) * self.slot_width

    def centre(self, place: Place) -> float:
        return self.x(place) + self.slot_width / 2

    def ticks(self) -> list[AxisTick]:
        """``line N`` under evenly chosen slots, with the file's name under the first of each file.

        Labels are never closer than they are wide (wider when files are named).
        """
        files = {source for source, _ in self.slots}
        gap = MIN_TICK_GAP if len(files) == 1 else MIN_PLACE_GAP
        every = max(1, math.ceil(gap / self.slot_width))
        by_slot = sorted(self.slots.items(), key=lambda item: item[1])
        out: list[AxisTick] = []
        shown: str | None = None
        for (source, line), slot in by_slot:
            if slot % every:
                continue
            name = source.rsplit("/", 1)[-1]
            sub = shorten(name, PLACE_CHARS) if source != shown else None
            out.append(AxisTick(self.centre((source, line)), f"line {line}", sub))
            shown = source
        return out

    @staticmethod
    def caption() -> str:
        return "input order (file, then line): not every record has a timestamp"


def where(source: str, line: int) -> str:
    """``file:line`` with the file's name alone, as the timeline's tables write a place."""
    return f"{source.rsplit('/', 1)[-1]}:{line}"
