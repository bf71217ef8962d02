"""A timeline as text for the terminal, or as Markdown tables for a ticket.

Each state change is one line (one row): where it happened (its time, when the
timeline is ordered by clocks, else the file and line), the component, its new
state and why; then where each component stood at the end of the input.
"""

from __future__ import annotations

from collections.abc import Sequence

from amr_logpatterns.analyse.timeline import (
    STATE_RANK,
    Cause,
    Change,
    ComponentTimeline,
    State,
    Timeline,
)
from amr_logpatterns.analyse.timestamps import format_duration
from amr_logpatterns.wording import shorten


def change_place(change: Change, timeline: Timeline, clock: str) -> str:
    if change.time is not None and timeline.ordered_by == "time":
        return change.time.strftime(clock)
    return f"{change.at.source.rsplit('/', 1)[-1]}:{change.at.line}"


def clock_format(timeline: Timeline) -> str:
    """``HH:MM:SS`` when the incident falls on one day; the date too, the year if they differ.

    The incident runs from its first change to the last time a finding was
    seen, which may be a later day than any change.
    """
    days = {c.time.date() for c in timeline.changes if c.time is not None}
    if timeline.last_time is not None and days:
        days.add(timeline.last_time.date())
    if len(days) <= 1:
        return "%H:%M:%S"
    return "%m-%d %H:%M:%S" if len({d.year for d in days}) == 1 else "%Y-%m-%d %H:%M:%S"


def _causes_text(causes: Sequence[Cause], code: bool = False) -> str:
    tick = "`" if code else ""
    return ", ".join(f"{tick}{c.id}{tick} (x{c.count})" for c in causes)


def change_what(change: Change, code: bool = False) -> str:
    tick = "`" if code else ""
    if STATE_RANK[change.state] > STATE_RANK[change.previous]:
        return _causes_text(change.causes, code)
    parts = []
    if change.recovered_by is not None:
        text = f"recovered: {tick}{change.recovered_by}{tick}"
        if change.lasted_seconds is not None:
            text += f" ({format_duration(change.lasted_seconds)})"
        parts.append(text)
    elif change.lasted_seconds is not None:
        parts.append(f"after {format_duration(change.lasted_seconds)}")
    if change.causes:
        parts.append("still " + _causes_text(change.causes, code))
    return "; ".join(parts)


def _outcome(c: ComponentTimeline, code: bool = False) -> str:
    if c.outcome == "ongoing":
        return "ongoing: " + _causes_text(c.ongoing, code)
    return "recovered" if c.outcome == "recovered" else "no problems"


def _label(state: State) -> str:
    return state if state == "healthy" else state.upper()


def _fit(line: str, width: int) -> str:
    return shorten(line.rstrip(), width)


#: What an empty timeline says in text and Markdown, rather than nothing.
_EMPTY = "No AMR component's state shows in the input: nothing to put on a timeline.\n"


def format_timeline_text(t: Timeline, width: int = 100) -> str:
    """One line per state change, then where each component stood at the end of the input."""
    if not t.changes and not t.components:
        return _EMPTY
    clock = clock_format(t)
    places = [change_place(c, t, clock) for c in t.changes]
    place_width = max([len(p) for p in places] + [len("end")])
    name_width = max([len(c.component) for c in t.components] + [1])
    lines = []
    for change, place in zip(t.changes, places, strict=True):
        lines.append(
            f"{place:<{place_width}}  {change.component:<{name_width}}  "
            f"{_label(change.state):<8}  {change_what(change)}"
        )
    for c in t.components:
        lines.append(
            f"{'end':<{place_width}}  {c.component:<{name_width}}  "
            f"{_label(c.final_state):<8}  {_outcome(c)}"
        )
    return "".join(_fit(line, width) + "\n" for line in lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_timeline_markdown(t: Timeline) -> str:
    """A table of the state changes and one of where each component ended, for a ticket."""
    if not t.changes and not t.components:
        return _EMPTY
    clock = clock_format(t)
    out = ["| when | component | state | what |", "| --- | --- | --- | --- |"]
    for change in t.changes:
        state = _label(change.state)
        out.append(
            f"| {_cell(change_place(change, t, clock))} | {_cell(change.component)} | "
            f"{state if change.state == 'healthy' else f'**{state}**'} | "
            f"{_cell(change_what(change, code=True))} |"
        )
    out += ["", "| component | at the end | outcome |", "| --- | --- | --- |"]
    for c in t.components:
        out.append(
            f"| {_cell(c.component)} | {_label(c.final_state)} | {_cell(_outcome(c, code=True))} |"
        )
    order = "their timestamps" if t.ordered_by == "time" else "input order (file, then line)"
    out += ["", f"Changes are in {order}."]
    return "\n".join(out) + "\n"
