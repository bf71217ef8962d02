"""The timeline as a picture: an inline SVG with a lane per component and per pod.

Each lane shows when its component (or pod) was healthy, degraded or failing,
where it recovered and which evidence records fell when; every span, mark and
tick carries a ``<title>`` that says in words what the colour shows, failing
and degraded spans are hatched differently, and each lane's label says how it
ended, so colour is never the only signal.

The arithmetic is in ``timeline_lanes`` and ``timeline_axis``, the markup in
``templates/timeline.svg.j2`` (Jinja with autoescaping: every name, id and log
line is escaped on output) and the colours in ``templates/timeline.css``. The
picture has no ``style`` attributes, scripts or event handlers, so a page with
a strict Content Security Policy can show it. Element ids come from indexes,
never from log text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amr_logpatterns.analyse.timeline import Timeline
from amr_logpatterns.formatters.templating import asset, environment
from amr_logpatterns.formatters.timeline_axis import AxisTick, fit_labels, label_width
from amr_logpatterns.formatters.timeline_lanes import (
    WIDTH,
    X0,
    X1,
    Drawing,
    LaneView,
    check_points,
    drawn_points,
    end_words,
    lane_views,
)
from amr_logpatterns.formatters.timeline_place import Placer, placer_for
from amr_logpatterns.models.results import Report
from amr_logpatterns.wording import plural

#: What the picture of an empty timeline says.
EMPTY_MESSAGE = "No AMR component's state shows in the input: nothing to put on a timeline."
_TOP = 34.0
_LABEL_X = 12.0
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class LegendItem:
    kind: str
    x: float
    text: str

    @property
    def mid(self) -> float:
        return round(self.x + 7, 2)

    @property
    def text_x(self) -> float:
        return round(self.x + 20, 2)

    @property
    def check(self) -> str:
        return check_points(self.mid, 15)


@dataclass(frozen=True)
class Picture:
    """Everything the template draws, placed."""

    prefix: str
    height: float
    desc: str
    css: str | None
    lanes: list[LaneView]
    legend: list[LegendItem]
    axis_y: float
    ticks: list[AxisTick]
    caption: str
    caption_y: float
    ordered_by: str
    title: str = "AMR components over time"
    width: int = WIDTH
    x0: float = X0
    x1: float = X1
    label_x: float = _LABEL_X
    top: float = _TOP

    @property
    def axis_y_tick(self) -> float:
        return self.axis_y + 4

    @property
    def axis_y_label(self) -> float:
        return self.axis_y + 16

    @property
    def axis_y_sub(self) -> float:
        return self.axis_y + 29


def timeline_css() -> str:
    """The picture's stylesheet, for a page that shows the SVG inline to put in its ``<style>``."""
    return asset("timeline.css")


def _legend() -> list[LegendItem]:
    items = [
        ("healthy", "healthy"),
        ("degraded", "degraded"),
        ("failing", "failing"),
        ("recovery", "recovered"),
        ("tick", "evidence record"),
    ]
    out, x = [], X0
    for kind, text in items:
        out.append(LegendItem(kind=kind, x=round(x, 2), text=text))
        x += 20 + label_width(text) + 18
    return out


def _summary(timeline: Timeline, at: Placer) -> str:
    """The ``<desc>``: what is drawn, in which order, and how each lane ended."""
    if at.time is not None:
        order = f"by time (UTC) from {at.time.when(at.time.start)} to {at.time.when(at.time.end)}"
    else:
        order = "in input order (file, then line)"
    text = f"{plural(len(timeline.components), 'AMR component')} {order}. "
    text += "; ".join(f"{c.component}: {end_words(c)}" for c in timeline.components) + "."
    if timeline.pods:
        pods = "; ".join(f"{p.component} pod {p.pod}: {end_words(p)}" for p in timeline.pods)
        text += f" {plural(len(timeline.pods), 'pod')}: {pods}."
    return text


def _prefix(id_prefix: str) -> str:
    cleaned = _NOT_ID.sub("-", id_prefix)
    return cleaned if cleaned[:1].isalpha() else "t" + cleaned


def timeline_svg(
    timeline: Timeline, report: Report, *, standalone: bool = False, id_prefix: str = "amr-tl"
) -> str:
    """The timeline as ``<svg>`` markup: inline in a page, or a file of its own (``standalone``).

    Inline, evidence ticks link to the page's evidence lines (``anchors``) and
    the page brings ``timeline_css()``; standalone, the SVG carries that
    stylesheet itself and its ticks are not links. A timeline without
    components is a short picture that says there is nothing to draw (skip it
    by checking ``timeline.components``); ``id_prefix`` keeps ids apart when a
    page shows more than one picture.
    """
    prefix = _prefix(id_prefix)
    css = timeline_css() if standalone else None
    template = environment().get_template("timeline.svg.j2")
    if not timeline.components:
        return template.render(
            empty=True, prefix=prefix, width=WIDTH, css=css, message=EMPTY_MESSAGE
        )
    at = placer_for(timeline, report, drawn_points(timeline, report), X0, X1)
    lanes = lane_views(Drawing(timeline, report, at, links=not standalone), _TOP)
    bottom = lanes[-1].y + lanes[-1].height
    ticks = fit_labels(at.ticks(), X0 - 24, WIDTH - 4)
    second_row = any(t.sub for t in ticks)
    picture = Picture(
        prefix=prefix,
        height=bottom + (62 if second_row else 50),
        desc=_summary(timeline, at),
        css=css,
        lanes=lanes,
        legend=_legend(),
        axis_y=bottom + 4,
        ticks=ticks,
        caption=at.caption(),
        caption_y=bottom + (52 if second_row else 40),
        ordered_by="input" if at.time is None else "time",
    )
    return template.render(empty=False, p=picture)
