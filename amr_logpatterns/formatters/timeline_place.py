"""Where a point of the input goes on the timeline picture, and how a tooltip names it.

By clocks every point is looked up in one ``instants`` pass over everything the
picture draws (so klog's yearless stamps resolve against the same neighbours);
a change's own ``time`` wins, as the timeline was built from it. By input
order a point is its ``file:line`` slot. Both answer the same questions, so
the picture is drawn the same way whichever order the timeline has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from amr_logpatterns.analyse.timeline import Timeline, report_sources
from amr_logpatterns.analyse.timestamps import format_duration, instants
from amr_logpatterns.formatters.timeline_axis import AxisTick, OrderScale, TimeScale, where
from amr_logpatterns.models.results import Evidence, Finding, Report, Seen

#: A point's identity, as the timeline keys it: source, line and timestamp text.
PointKey = tuple[str, int, str | None]


def point_key(seen: Seen) -> PointKey:
    return (seen.source, seen.line, seen.ts)


def evidence_point(ev: Evidence) -> Seen:
    return Seen(source=ev.source, line=ev.line, ts=ev.ts)


def point_times(
    timeline: Timeline, points: Sequence[Seen], sources: Sequence[str] = ()
) -> dict[PointKey, datetime]:
    """Each point's time, from one ``instants`` pass over them all; a change's own ``time``
    wins, as the timeline was built from it."""
    times = {
        point_key(p): t
        for p, t in zip(points, instants(points, sources), strict=True)
        if t is not None
    }
    for change in [*timeline.changes, *timeline.pod_changes]:
        if change.time is not None:
            times[point_key(change.at)] = change.time
    return times


@dataclass(frozen=True)
class Placer:
    """Answers where a point is drawn and how it is named, by time or by input order."""

    time: TimeScale | None
    order: OrderScale | None
    times: dict[PointKey, datetime]

    def instant(self, seen: Seen | None) -> datetime | None:
        return None if seen is None else self.times.get(point_key(seen))

    def start(self, seen: Seen) -> float:
        """The left edge of what begins at ``seen`` (the axis's start when its time is unknown)."""
        if self.time is not None:
            t = self.instant(seen)
            return self.time.x0 if t is None else self.time.x(t)
        assert self.order is not None
        return self.order.x((seen.source, seen.line))

    def end(self, seen: Seen | None) -> float:
        """The right edge of what ends at ``seen``; ``None`` or unknown: the end of the input."""
        if self.time is not None:
            t = self.instant(seen)
            return self.time.x1 if t is None else self.time.x(t)
        assert self.order is not None
        return self.order.x(None if seen is None else (seen.source, seen.line))

    def evidence(self, ev: Evidence, finding: Finding) -> float | None:
        """Where an evidence record is; by clocks, ``None`` when no time can be told for it."""
        if self.order is not None:
            return self.order.centre((ev.source, ev.line))
        assert self.time is not None
        t = self.instant(evidence_point(ev))
        for seen in (finding.first_seen, finding.last_seen):
            if t is None and (seen.source, seen.line) == (ev.source, ev.line):
                t = self.instant(seen)
        return None if t is None else self.time.x(t)

    def words(self, seen: Seen | None) -> str:
        """A point as a tooltip says it: its time, else ``file:line``."""
        if seen is None:
            return "the end of the input"
        t = self.instant(seen)
        if self.time is not None and t is not None:
            return self.time.when(t)
        return where(seen.source, seen.line)

    def lasted(self, start: Seen, end: Seen | None) -> str | None:
        """How long from ``start`` to ``end``, when both have a time (``None`` end: still going)."""
        a, b = self.instant(start), self.instant(end)
        if a is None or b is None or b < a:
            return None
        return format_duration((b - a).total_seconds())

    def ticks(self) -> list[AxisTick]:
        return self.time.ticks() if self.time is not None else self._order().ticks()

    def caption(self) -> str:
        return self.time.caption() if self.time is not None else OrderScale.caption()

    def _order(self) -> OrderScale:
        assert self.order is not None
        return self.order


def placer_for(
    timeline: Timeline,
    report: Report,
    points: Sequence[Seen],
    x0: float,
    x1: float,
) -> Placer:
    """The placer for a timeline: by time when it is ordered by time and any point has one."""
    sources = report_sources(report)
    times = point_times(timeline, points, sources) if timeline.ordered_by == "time" else {}
    known = list(times.values())
    if timeline.last_time is not None and known:
        known.append(timeline.last_time)
    if known:
        return Placer(TimeScale.over(known, x0, x1), None, times)
    places = [(p.source, p.line) for p in points]
    return Placer(None, OrderScale.over(places, sources, x0, x1), {})
