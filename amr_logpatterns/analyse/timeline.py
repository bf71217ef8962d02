"""When each AMR component was healthy, degraded or failing, drawn from a report's findings.

A report keeps, per finding, where the problem started and (``Finding.recovery``)
where its healthy signal showed it was over. That is enough to tell each
component's story: a component is *failing* while one of its error findings
is active, *degraded* while only warnings are, and *healthy* otherwise. A
finding is active from its first occurrence until its recovery; one that
never recovered (or has no healthy signal to recover by) stays active to the
end of the input. Recoveries in between (a problem that came and went twice)
are not in the report, so one finding is one stretch of time. Findings judged
harmless (a benign ``verdict``) never make a component unwell.

Changes are ordered by their timestamps when every start and recovery of a
problem has one, else by input order (the order of the sources, then line), so
a single record without a timestamp cannot misplace the rest. Informational
signals only say where a component was first seen, so they do not decide it.

Pod state (``kubectl get pods``, ``describe``, events) names the pod a finding
is about (``pod`` in its distinguishing or its extracted fields). Each pod so
named also gets a lane of its own under its component (``Timeline.pods``),
walked the same way over that pod's findings alone, so a crash-looping pod
shows apart from its healthy neighbour. Pod lanes' changes are kept apart
(``Timeline.pod_changes``) so the component changes read as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from amr_logpatterns.analyse.timestamps import SeenKey, chronology, elapsed, instants
from amr_logpatterns.models.results import Finding, Report, Seen

State = Literal["healthy", "degraded", "failing"]
Outcome = Literal["healthy", "recovered", "ongoing"]

#: How unwell each state is: a change to a higher rank is a change for the worse.
STATE_RANK: dict[State, int] = {"healthy": 0, "degraded": 1, "failing": 2}
_STATE_OF_SEVERITY: dict[str, State] = {"warning": "degraded", "error": "failing"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Cause(_Frozen):
    """A signature whose findings were active, with how often it occurred in the whole input."""

    id: str
    count: int


class Span(_Frozen):
    """A stretch of one state; ``end`` is where the next began (``None``: the end of the input)."""

    state: State
    start: Seen
    end: Seen | None = None
    finding_ids: list[str] = Field(default_factory=list)


class Change(_Frozen):
    """One component (or, with ``pod``, one of its pods) entering a state, and why.

    Entering ``failing`` or ``degraded`` names the active findings in
    ``causes``. Getting better names the healthy signal that ended the last
    problem (``recovered_by``) and how long the component had been unwell
    (``lasted_seconds``, when the records carry timestamps).
    """

    at: Seen
    time: datetime | None = None
    component: str
    state: State
    previous: State
    causes: list[Cause] = Field(default_factory=list)
    recovered_by: str | None = None
    lasted_seconds: float | None = None
    pod: str | None = None


class ComponentTimeline(_Frozen):
    """One component's spans in order and where it stood when the input ended.

    A pod lane (in ``Timeline.pods``) names its ``pod``; a component lane has none.
    """

    component: str
    spans: list[Span]
    final_state: State
    outcome: Outcome
    ongoing: list[Cause] = Field(default_factory=list)
    pod: str | None = None


class Timeline(_Frozen):
    """Every component's state over time; ``ordered_by``: by clocks or by input order.

    ``last_time`` is the latest time any finding was seen at: an incident that
    changes state on one day but goes on into the next still spans two days.
    ``pods`` are the lanes of the pods findings name, grouped in the order of
    ``components`` and then by when each pod was first seen; ``pod_changes``
    their changes, in order.
    """

    ordered_by: Literal["time", "input"]
    changes: list[Change] = Field(default_factory=list)
    components: list[ComponentTimeline] = Field(default_factory=list)
    last_time: datetime | None = None
    pods: list[ComponentTimeline] = Field(default_factory=list)
    pod_changes: list[Change] = Field(default_factory=list)

    def lanes(self) -> list[ComponentTimeline]:
        """Every lane as a picture stacks them: each component's, then its pods' under it."""
        out: list[ComponentTimeline] = []
        for c in self.components:
            out += [c, *(p for p in self.pods if p.component == c.component)]
        return out + [p for p in self.pods if p not in out]

    def lane_changes(self, lane: ComponentTimeline) -> list[Change]:
        """The changes of one lane (a component's, or one of its pods')."""
        changes = self.changes if lane.pod is None else self.pod_changes
        return [c for c in changes if c.component == lane.component and c.pod == lane.pod]


@dataclass(frozen=True)
class _Problem:
    finding: Finding
    state: State
    start: Seen
    end: Seen | None
    signal: str | None


def _problem(f: Finding) -> _Problem | None:
    """The stretch a finding keeps its component unwell, or ``None`` for signals and benign ones."""
    state = _STATE_OF_SEVERITY.get(f.severity)
    if state is None or (f.verdict is not None and f.verdict.benign):
        return None
    if f.recovery is None:
        return _Problem(f, state, f.first_seen, None, None)
    end = f.recovery.recovered_at if f.recovery.status == "recovered" else None
    return _Problem(f, state, f.recovery.since, end, f.recovery.signal)


def _causes(problems: Iterable[_Problem], state: State) -> list[Cause]:
    counts: dict[str, int] = {}
    for p in problems:
        if p.state == state:
            counts[p.finding.id] = counts.get(p.finding.id, 0) + p.finding.count
    return [Cause(id=i, count=n) for i, n in counts.items()]


def _state(active: Iterable[_Problem]) -> State:
    return max((p.state for p in active), key=STATE_RANK.__getitem__, default="healthy")


@dataclass
class _Walk:
    """One lane's walk (a component's or one of its pods') through its events, collecting spans
    and changes."""

    component: str
    pod: str | None = None
    spans: list[Span] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    active: dict[int, _Problem] = field(default_factory=dict)
    in_span: list[_Problem] = field(default_factory=list)
    unwell_since: Seen | None = None

    @property
    def state(self) -> State:
        return _state(self.active.values())

    def close(self, end: Seen | None) -> None:
        """End the current span, naming the findings that held it in its state."""
        if self.spans:
            last = self.spans[-1]
            ids = [p.finding.id for p in self.in_span if p.state == last.state]
            self.spans[-1] = last.model_copy(
                update={"end": end, "finding_ids": list(dict.fromkeys(ids))}
            )

    def open(self, state: State, at: Seen) -> None:
        self.close(at)
        self.spans.append(Span(state=state, start=at))
        self.in_span = list(self.active.values())

    def change(
        self, before: State, at: Seen, ended: Sequence[_Problem], time: datetime | None
    ) -> None:
        """Record entering the current state from ``before`` at ``at``."""
        after = self.state
        causes = _causes(self.active.values(), after)
        recovered_by = None
        lasted = None
        if STATE_RANK[after] > STATE_RANK[before]:
            if before == "healthy":
                self.unwell_since = at
        else:
            recovered_by = next((p.signal for p in reversed(ended) if p.signal), None)
            lasted = None if self.unwell_since is None else elapsed(self.unwell_since, at)
            if after == "healthy":
                self.unwell_since = None
        self.changes.append(
            Change(
                at=at,
                time=time,
                component=self.component,
                state=after,
                previous=before,
                causes=causes,
                recovered_by=recovered_by,
                lasted_seconds=lasted,
                pod=self.pod,
            )
        )


_Event = tuple[tuple[int, int, int], int, int, _Problem, Seen]


def _walk(
    component: str,
    first: Seen,
    problems: Sequence[tuple[int, _Problem]],
    key: SeenKey,
    times: dict[tuple[str, int, str | None], datetime],
    pod: str | None = None,
) -> _Walk:
    events: list[_Event] = []
    for index, p in problems:
        start_key = key(p.start)
        events.append((start_key, 0, index, p, p.start))
        if p.end is not None:
            # a recovery stamped before its problem began still ends it, no earlier than its start
            events.append((max(key(p.end), start_key), 1, index, p, p.end))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    walk = _Walk(component, pod)
    if not events or key(first) < events[0][0]:
        walk.open("healthy", first)
    i = 0
    while i < len(events):
        group_key, at = events[i][0], events[i][4]
        before = walk.state
        started: list[_Problem] = []
        ended: list[_Problem] = []
        while i < len(events) and events[i][0] == group_key:
            _, kind, index, p, _ = events[i]
            if kind == 0:
                walk.active[index] = p
                started.append(p)
            else:
                walk.active.pop(index, None)
                ended.append(p)
            i += 1
        if walk.spans and walk.state == before:
            walk.in_span.extend(started)
            continue
        walk.open(walk.state, at)
        if walk.state != before:
            walk.change(before, at, ended, times.get((at.source, at.line, at.ts)))
    walk.close(None)
    return walk


#: A lane: its component, and its pod (``None`` for the component's own lane).
_Lane = tuple[str, str | None]


def pod_of(finding: Finding) -> str | None:
    """The pod a finding is about: its distinguishing ``pod`` field, else the one it extracted.

    A finding grouped by workload keeps the fields of its first match, so it
    counts for the first pod it named.
    """
    value = finding.group_fields.get("pod") or finding.fields.get("pod")
    return value if isinstance(value, str) and value.strip() else None


def _lane_problems(
    problems: Sequence[tuple[int, _Problem | None]], component: str, pod: str | None
) -> list[tuple[int, _Problem]]:
    """The problems of one lane: its component's, and of those, its pod's for a pod lane."""
    return [
        (i, p)
        for i, p in problems
        if p is not None
        and p.finding.component == component
        and (pod is None or pod_of(p.finding) == pod)
    ]


def _lane_of(walk: _Walk) -> ComponentTimeline:
    """A walked lane's spans, where it ended and, if unwell, the findings that kept it so."""
    final = walk.state
    unwell = any(s.state != "healthy" for s in walk.spans)
    outcome: Outcome = "ongoing" if final != "healthy" else "recovered" if unwell else "healthy"
    return ComponentTimeline(
        component=walk.component,
        spans=walk.spans,
        final_state=final,
        outcome=outcome,
        ongoing=_causes(walk.active.values(), final) if final != "healthy" else [],
        pod=walk.pod,
    )


def report_sources(report: Report) -> list[str]:
    """The report's sources in input order (those read, then any a finding names), as the
    timeline ranks them."""
    sources = [s.source for s in report.stats.sources]
    for f in report.findings:
        sources += [*f.first_seen_in, f.first_seen.source]
    return sources


def build_timeline(report: Report) -> Timeline:
    """Each component's state over the input, from the report's findings and their recoveries."""
    sources = report_sources(report)
    problems = [(i, _problem(f)) for i, f in enumerate(report.findings)]
    events = [
        point
        for _, p in problems
        if p is not None
        for point in ((p.start,) if p.end is None else (p.start, p.end))
    ]
    starts = [f.first_seen for f in report.findings]
    stamped = instants([*events, *starts], sources)
    # the problems' points decide the order; a signal without a timestamp cannot overrule them
    by_time = all(t is not None for t in stamped[: len(events)]) and (
        bool(events) or (bool(starts) and all(t is not None for t in stamped))
    )
    if by_time:
        starts = [p for p, t in zip(starts, stamped[len(events) :], strict=True) if t is not None]
    points = [*events, *starts]
    key = chronology(points, sources)
    times = {
        (p.source, p.line, p.ts): t
        for p, t in zip(points, instants(points, sources), strict=True)
        if t is not None
    }
    usable = {(p.source, p.line, p.ts) for p in starts}
    firsts: dict[_Lane, Seen] = {}
    for (_, problem), f in zip(problems, report.findings, strict=True):
        # where the lane first shows up: its earliest finding the order can place
        candidates = [problem.start] if problem is not None else []
        if (f.first_seen.source, f.first_seen.line, f.first_seen.ts) in usable:
            candidates.append(f.first_seen)
        pod = pod_of(f)
        for lane in [(f.component, None)] + ([(f.component, pod)] if pod else []):
            held = firsts.get(lane)
            for point in candidates or [f.first_seen]:
                if held is None or key(point) < key(held):
                    held = point
            if held is not None:
                firsts[lane] = held
    by_start = sorted(firsts, key=lambda lane: key(firsts[lane]))
    lanes = [lane for lane in by_start if lane[1] is None]
    rank = {component: i for i, (component, _) in enumerate(lanes)}
    lanes += sorted((lane for lane in by_start if lane[1] is not None), key=lambda la: rank[la[0]])
    clocks = times if by_time else {}
    walks = [
        _walk(c, firsts[(c, pod)], _lane_problems(problems, c, pod), key, clocks, pod)
        for c, pod in lanes
    ]
    mains = [w for w in walks if w.pod is None]
    pods = [w for w in walks if w.pod is not None]
    lasts = [t for t in instants([f.last_seen for f in report.findings], sources) if t]
    return Timeline(
        ordered_by="time" if by_time else "input",
        changes=sorted((c for w in mains for c in w.changes), key=lambda c: key(c.at)),
        components=[_lane_of(w) for w in mains],
        last_time=max(lasts, default=None) if by_time else None,
        pods=[_lane_of(w) for w in pods],
        pod_changes=sorted((c for w in pods for c in w.changes), key=lambda c: key(c.at)),
    )
