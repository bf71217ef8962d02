"""The timeline as a Mermaid gantt chart, for Markdown that GitHub draws as a picture.

A section per lane that was ever unwell (a component's, then its pods'), a
task per stretch of trouble: failing is ``crit``, degraded ``active``. Healthy
time is left out: the chart is about the trouble, a component that never had
any adds nothing to it, and when no lane was unwell there is no chart at all
(``""``). Each task's name starts with its state in words, so the chart does
not rely on colour either.

By clocks the axis is UTC wall time, its labels as fine as the incident's
length needs. By input order (not every record had a timestamp) tasks are
placed by rank, the places where a state changed numbered in input order
(file, then line), and the axis counts those ranks; a comment lists them.
Ranks are written as epoch milliseconds (``dateFormat x``) and labelled by
their milliseconds (``%-L``), the one numeric form Mermaid 10 and 11 read
alike (11 reads a ``dateFormat X`` start as milliseconds but its end as
seconds), with whole ticks however few the ranks; past 999 ranks a rank is a
second, labelled ``%s``.

Names come from packs and logs, and Mermaid's syntax breaks on ``:``, ``#``,
``;``, ``%%``, line breaks and more, so every name keeps letters, digits and
``. _ / -`` only; task ids are indexes. The fence (``markdown_escape.fence``)
is longer than any run of backticks inside it, so nothing can close the block.
"""

from __future__ import annotations

import bisect
import re
from datetime import datetime, timedelta

from amr_logpatterns.analyse.timeline import ComponentTimeline, Span, Timeline
from amr_logpatterns.analyse.timestamps import input_order
from amr_logpatterns.formatters.markdown_escape import fence
from amr_logpatterns.formatters.timeline_lanes import clip_middle
from amr_logpatterns.formatters.timeline_place import point_key, point_times
from amr_logpatterns.wording import plural, shorten

#: How long a name in the chart may be.
NAME_CHARS = 60
#: How long a section's name may be.
SECTION_CHARS = 40
#: How long a finding id in a task's name may be.
ID_CHARS = 40
#: How many ranks the comment of an input-ordered chart lists.
LISTED_PLACES = 40
_UNSAFE = re.compile(r"[^\w./-]+")
_TAGS = {"failing": "crit", "degraded": "active"}


def mermaid_name(text: str, limit: int = NAME_CHARS, *, middle: bool = False) -> str:
    """``text`` made safe as a Mermaid section or task name: letters, digits, ``. _ / -``.

    Cut at ``limit`` at its end, or in the ``middle`` (a pod's name ends in its hash).
    """
    cleaned = " ".join(_UNSAFE.sub(" ", text).split())
    return (clip_middle(cleaned, limit) if middle else shorten(cleaned, limit)) or "unnamed"


def _task_name(span: Span) -> str:
    """``FAILING`` or ``DEGRADED`` and the findings that held the span (two, and a count)."""
    ids = [mermaid_name(i, ID_CHARS) for i in span.finding_ids[:2]]
    rest = len(span.finding_ids) - len(ids)
    named = " and ".join(ids) + (f" and {rest} more" if rest else "")
    return mermaid_name(f"{span.state.upper()} {named}", NAME_CHARS + 30)


def _section(lane: ComponentTimeline) -> str:
    """The lane's name, short: Mermaid leaves a section's name little room left of its bars."""
    if lane.pod is None:
        return mermaid_name(lane.component, SECTION_CHARS, middle=True)
    return mermaid_name(f"pod {lane.pod}", SECTION_CHARS, middle=True)


#: d3's tick steps for time scales, in seconds (``d3-scale``'s ``tickIntervals``).
D3_STEPS = (1, 5, 15, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 172800, 604800)


def d3_step(seconds: float, count: int = 10) -> float:
    """The tick step d3 picks for ``count`` ticks over ``seconds`` (under a second: about so)."""
    target = seconds / count
    i = bisect.bisect_right(D3_STEPS, target)
    if i == 0 or i == len(D3_STEPS):
        return target
    low, high = D3_STEPS[i - 1], D3_STEPS[i]
    return low if target / low < high / target else high


def axis_format(start: datetime, end: datetime) -> str:
    """d3's format for the axis labels: as fine as the ticks Mermaid will draw, no finer.

    Mermaid asks d3 for ten ticks over its tasks; a coarser format would
    repeat a label (``08:00:04`` twice when the ticks are half a second apart).
    """
    step = d3_step((end - start).total_seconds())
    if step < 1:
        return "%H:%M:%S.%L"
    if step < 60:
        return "%H:%M:%S"
    if step < 86400:
        return "%H:%M" if start.date() == end.date() else "%m-%d %H:%M"
    return "%m-%d" if start.year == end.year else "%Y-%m-%d"


_Bar = tuple[ComponentTimeline, Span, str, str]


def _by_time(timeline: Timeline, unwell: list[tuple[ComponentTimeline, Span]]) -> list[str] | None:
    """Header and tasks on a UTC clock, or ``None`` when some stretch has no time to place it."""
    points = [p for _, s in unwell for p in (s.start, s.end) if p is not None]
    times = point_times(timeline, points)
    starts = [times.get(point_key(s.start)) for _, s in unwell]
    if timeline.ordered_by != "time" or any(t is None for t in starts):
        return None
    known = [*times.values(), *([timeline.last_time] if timeline.last_time else [])]
    last = max(known)
    stretches = [
        (start, last if span.end is None else times.get(point_key(span.end), last))
        for (_, span), start in zip(unwell, starts, strict=True)
        if start is not None
    ]
    first = min(start for start, _ in stretches)
    seconds = (max(end for _, end in stretches) - first).total_seconds()
    short = seconds < 60
    least = timedelta(seconds=max(seconds / 100, 0.001 if short else 1))
    ends = [max(end, start + least) for start, end in stretches]
    clock = "%Y-%m-%d %H:%M:%S.%f" if short else "%Y-%m-%d %H:%M:%S"

    def write(t: datetime) -> str:
        return t.strftime(clock)[:-3] if short else t.strftime(clock)

    bars: list[_Bar] = [
        (lane, span, write(start), write(end))
        for (lane, span), (start, _), end in zip(unwell, stretches, ends, strict=True)
    ]
    return [
        "    title AMR components over time (UTC)",
        f"    dateFormat {'YYYY-MM-DD HH:mm:ss.SSS' if short else 'YYYY-MM-DD HH:mm:ss'}",
        f"    axisFormat {axis_format(first, max(ends))}",
        *_tasks(bars),
    ]


def _by_rank(timeline: Timeline, unwell: list[tuple[ComponentTimeline, Span]]) -> list[str]:
    """Header and tasks placed by rank in input order, with a comment naming each rank."""
    seen = [c.at for c in [*timeline.changes, *timeline.pod_changes]]
    seen += [p for _, s in unwell for p in (s.start, s.end) if p is not None]
    rank = input_order([p.source for p in seen])
    places = sorted({(p.source, p.line) for p in seen}, key=lambda p: (rank[p[0]], p[1]))
    slot = {p: i for i, p in enumerate(places)}
    unit = 1 if len(places) < 1000 else 1000
    bars: list[_Bar] = []
    for lane, span in unwell:
        start = slot[(span.start.source, span.start.line)]
        end = len(places) if span.end is None else slot[(span.end.source, span.end.line)]
        bars.append((lane, span, str(start * unit), str(max(end, start + 1) * unit)))
    listed = [
        f"    %% rank {i} is {mermaid_name(source.rsplit('/', 1)[-1])} line {line}"
        for i, (source, line) in enumerate(places[:LISTED_PLACES])
    ]
    if len(places) > LISTED_PLACES:
        listed.append(f"    %% and {plural(len(places) - LISTED_PLACES, 'more place')}")
    listed.append(f"    %% rank {len(places)} is the end of the input")
    header = [
        "    title AMR components in input order (file then line), not time",
        "    dateFormat x",
        f"    axisFormat {'%-L' if unit == 1 else '%s'}",
    ]
    return header + listed + _tasks(bars)


def _tasks(bars: list[_Bar]) -> list[str]:
    out: list[str] = []
    section: ComponentTimeline | None = None
    for i, (lane, span, start, end) in enumerate(bars):
        if lane is not section:
            out.append(f"    section {_section(lane)}")
            section = lane
        out.append(f"    {_task_name(span)} :{_TAGS[span.state]}, t{i}, {start}, {end}")
    return out


def timeline_mermaid(timeline: Timeline) -> str:
    """A fenced ```` ```mermaid ```` gantt block of the timeline's trouble, or ``""`` if none."""
    unwell = [(lane, s) for lane in timeline.lanes() for s in lane.spans if s.state != "healthy"]
    if not unwell:
        return ""
    lanes = len({(lane.component, lane.pod) for lane, _ in unwell})
    body = [
        "gantt",
        "    %% AMR components over time: each failing (crit) or degraded (active) stretch of"
        " each component and pod; healthy time is left out",
        "    accTitle: AMR components over time",
        f"    accDescr: failing and degraded stretches of {plural(lanes, 'lane')}",
        "    todayMarker off",
        *(_by_time(timeline, unwell) or _by_rank(timeline, unwell)),
    ]
    return "\n".join(fence(body, "mermaid")) + "\n"
