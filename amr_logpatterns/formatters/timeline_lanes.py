"""The lanes of the timeline picture, worked out as plain values for its template.

One lane per component and, under it, one per pod (``Timeline.lanes()``).
Each holds its spans (with where they start and end and which findings held
them, in words, for their tooltips), a mark where it got better, and a tick
per evidence record of its findings. Strings are still raw here: the template
escapes them. The picture is ``WIDTH`` user units wide, labels left of ``X0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amr_logpatterns.analyse.timeline import STATE_RANK, ComponentTimeline, Timeline, pod_of
from amr_logpatterns.analyse.timestamps import format_duration
from amr_logpatterns.formatters.anchors import evidence_anchor
from amr_logpatterns.formatters.timeline_axis import LABEL_EM, label_width
from amr_logpatterns.formatters.timeline_place import Placer, evidence_point
from amr_logpatterns.models.results import Finding, Report, Seen
from amr_logpatterns.wording import shorten

WIDTH = 960
LABEL_X = 12.0
X0, X1 = 310.0, 944.0
#: The narrowest a span is drawn, so an instant's failure still shows.
MIN_SPAN = 4.0
#: How much of an evidence line a tick's tooltip shows.
TICK_TEXT = 120
_LANE = {"component": 42.0, "pod": 34.0}
_BAR = {"component": 20.0, "pod": 14.0}
_NAME_FONT = {"component": 13.0, "pod": 12.0}
_SPAN_FONT = {"component": 11.0, "pod": 10.0}
_POD_INDENT = 16.0
_BAR_TOP = 6.0


def check_points(x: float, y: float) -> str:
    """The points of a check mark centred on ``x``, ``y`` (geometry only)."""
    return f"{x - 3:g},{y:g} {x - 1:g},{y + 2.5:g} {x + 3:g},{y - 2.5:g}"


@dataclass(frozen=True)
class SpanView:
    x: float
    y: float
    width: float
    height: float
    state: str
    title: str
    label: str | None
    label_x: float
    label_y: float


@dataclass(frozen=True)
class MarkView:
    x: float
    y: float
    title: str

    @property
    def check(self) -> str:
        return check_points(self.x, self.y)


@dataclass(frozen=True)
class TickView:
    x: float
    y1: float
    y2: float
    severity: str
    title: str
    href: str | None

    @property
    def hit_x(self) -> float:
        """The left of the wider, invisible box that makes a thin tick easy to hover and click."""
        return round(self.x - 3, 2)

    @property
    def hit_y(self) -> float:
        return self.y1 - 1

    @property
    def hit_height(self) -> float:
        return self.y2 - self.y1 + 2


@dataclass(frozen=True)
class LaneView:
    index: int
    kind: str
    component: str
    pod: str | None
    final_state: str
    outcome: str
    y: float
    height: float
    band: bool
    name: str
    name_x: float
    name_y: float
    words: str
    words_y: float
    full: str
    spans: list[SpanView] = field(default_factory=list)
    marks: list[MarkView] = field(default_factory=list)
    ticks: list[TickView] = field(default_factory=list)


@dataclass(frozen=True)
class Drawing:
    """What every lane is drawn against: the timeline, its report, where points go, and
    whether ticks link to the page's evidence lines."""

    timeline: Timeline
    report: Report
    at: Placer
    links: bool


def end_words(lane: ComponentTimeline) -> str:
    """How a lane ended, in words: ``failing, ongoing``, ``recovered`` or ``no problems``."""
    if lane.outcome == "ongoing":
        return f"{lane.final_state}, ongoing"
    return "recovered" if lane.outcome == "recovered" else "no problems"


def clip_middle(text: str, limit: int) -> str:
    """``text`` in ``limit`` characters, cut in the middle: a pod's name ends in its hash."""
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 2
    return text[: limit - 1 - tail] + "…" + text[len(text) - tail :]


def lane_findings(lane: ComponentTimeline, report: Report) -> list[Finding]:
    """The lane's findings that count: neither harmless here nor set aside."""
    return [
        f
        for f in report.findings
        if f.component == lane.component
        and (lane.pod is None or pod_of(f) == lane.pod)
        and f.suppressed is None
        and not (f.verdict is not None and f.verdict.benign)
    ]


def drawn_points(timeline: Timeline, report: Report) -> list[Seen]:
    """Every point the picture draws, so one pass can place them all."""
    points: list[Seen] = []
    for lane in timeline.lanes():
        for s in lane.spans:
            points += [s.start] if s.end is None else [s.start, s.end]
        for f in lane_findings(lane, report):
            points += [f.first_seen, f.last_seen, *map(evidence_point, f.evidence)]
    return points + [c.at for c in [*timeline.changes, *timeline.pod_changes]]


def _span_title(state: str, start: Seen, end: Seen | None, ids: list[str], at: Placer) -> str:
    lasted = at.lasted(start, end)
    text = f"{state} from {at.words(start)} to {at.words(end)}"
    text += f" ({lasted})" if lasted else ""
    return text + (f": {', '.join(ids)}" if ids else "")


def _spans(lane: ComponentTimeline, kind: str, y: float, at: Placer) -> list[SpanView]:
    height, font = _BAR[kind], _SPAN_FONT[kind]
    out = []
    for s in lane.spans:
        x = at.start(s.start)
        width = max(at.end(s.end) - x, MIN_SPAN)
        x = min(x, X1 - width)
        word = s.state.upper() if s.state != "healthy" else None
        fits = word is not None and width >= label_width(word, font) + 8
        out.append(
            SpanView(
                x=round(x, 2),
                y=y + _BAR_TOP,
                width=round(width, 2),
                height=height,
                state=s.state,
                title=_span_title(s.state, s.start, s.end, s.finding_ids, at),
                label=word if fits else None,
                label_x=round(x + width / 2, 2),
                label_y=round(y + _BAR_TOP + height / 2 + font * 0.35, 2),
            )
        )
    return out


def _marks(lane: ComponentTimeline, name: str, y: float, d: Drawing) -> list[MarkView]:
    """A mark where the lane got better, naming the healthy signal and how long it was unwell."""
    out = []
    for c in d.timeline.lane_changes(lane):
        if STATE_RANK[c.state] >= STATE_RANK[c.previous]:
            continue
        moved = "recovered" if c.state == "healthy" else f"better ({c.previous} to {c.state})"
        title = f"{name} {moved} at {d.at.words(c.at)}"
        title += f", shown by {c.recovered_by}" if c.recovered_by else ""
        if c.lasted_seconds is not None:
            title += f", after {format_duration(c.lasted_seconds)} unwell"
        out.append(MarkView(x=round(d.at.start(c.at), 2), y=y + _BAR_TOP, title=title))
    return out


def _ticks(lane: ComponentTimeline, kind: str, y: float, d: Drawing) -> list[TickView]:
    """A tick per evidence record of the lane's findings, linking to its line in the page."""
    top = y + _BAR_TOP + _BAR[kind] + 3
    out = []
    for f in lane_findings(lane, d.report):
        for ev in f.evidence:
            x = d.at.evidence(ev, f)
            if x is None:
                continue
            text = shorten(" ".join(ev.text.split()), TICK_TEXT)
            out.append(
                TickView(
                    x=round(x, 2),
                    y1=top,
                    y2=top + 7,
                    severity=f.severity,
                    title=f"{f.id} at {ev.source}:{ev.line}: {text}",
                    href="#" + evidence_anchor(ev.source, ev.line) if d.links else None,
                )
            )
    return out


def _lane_view(index: int, group: int, lane: ComponentTimeline, y: float, d: Drawing) -> LaneView:
    kind = "component" if lane.pod is None else "pod"
    name = lane.component if lane.pod is None else lane.pod
    name_x = LABEL_X + (0 if lane.pod is None else _POD_INDENT)
    fits = int((X0 - 12 - name_x) / (_NAME_FONT[kind] * LABEL_EM))
    words = end_words(lane) if lane.pod is None else f"pod · {end_words(lane)}"
    full = f"{lane.component}{'' if lane.pod is None else f' pod {lane.pod}'} — {end_words(lane)}"
    return LaneView(
        index=index,
        kind=kind,
        component=lane.component,
        pod=lane.pod,
        final_state=lane.final_state,
        outcome=lane.outcome,
        y=y,
        height=_LANE[kind],
        band=group % 2 == 1,
        name=clip_middle(name, fits),
        name_x=name_x,
        name_y=y + (17 if lane.pod is None else 15),
        words=words,
        words_y=y + (33 if lane.pod is None else 28),
        full=full,
        spans=_spans(lane, kind, y, d.at),
        marks=_marks(lane, name, y, d),
        ticks=_ticks(lane, kind, y, d),
    )


def lane_views(d: Drawing, top: float) -> list[LaneView]:
    """Every lane, stacked from ``top``: components' lanes banded alternately with their pods."""
    out: list[LaneView] = []
    y, group = top, -1
    for index, lane in enumerate(d.timeline.lanes()):
        group += lane.pod is None
        out.append(_lane_view(index, group, lane, y, d))
        y += out[-1].height
    return out
