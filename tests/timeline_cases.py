"""Incidents built by hand for the timeline's tests: exact times, pods, hostile names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from amr_logpatterns.models.results import (
    Evidence,
    Finding,
    Recovery,
    Report,
    Seen,
    SourceStats,
    Stats,
)

START = datetime(2025, 3, 11, 8, 0, 0, tzinfo=timezone.utc)


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def problem(
    fid: str,
    start: datetime,
    end: datetime | None = None,
    *,
    component: str | None = None,
    severity: str = "error",
    pod: str | None = None,
    source: str = "app.log",
    line: int = 10,
    text: str | None = None,
    stamped: bool = True,
) -> Finding:
    """A finding first seen at ``start`` (line ``line``) and, with ``end``, recovered then.

    Its evidence is the first and the last failing record; the healthy signal
    is ``<component>.ok`` two lines later.
    """
    component = component or fid.split(".")[0]
    last = end - timedelta(seconds=1) if end is not None and end - start > timedelta(seconds=1) else start
    first_seen = Seen(source=source, line=line, ts=stamp(start) if stamped else None)
    last_seen = Seen(source=source, line=line + 1, ts=stamp(last) if stamped else None)
    said = text if text is not None else f"{fid} went wrong"
    evidence = [
        Evidence(source=source, line=s.line, end_line=s.line, text=said, ts=s.ts)
        for s in (first_seen, last_seen)
    ]
    recovery = Recovery(status="ongoing", since=first_seen, last_failure=last_seen)
    if end is not None:
        back = Seen(source=source, line=line + 2, ts=stamp(end) if stamped else None)
        recovery = Recovery(
            status="recovered",
            since=first_seen,
            last_failure=last_seen,
            recovered_at=back,
            signal=f"{component}.ok",
            duration_seconds=(end - start).total_seconds() if stamped else None,
        )
    return Finding(
        id=fid,
        title=f"Title of {fid}",
        severity=severity,  # type: ignore[arg-type]
        component=component,
        category="test",
        count=2,
        first_seen=first_seen,
        last_seen=last_seen,
        evidence=evidence,
        fields={"pod": pod} if pod is not None else {},
        explanation="Why it matters.",
        fingerprint=f"fp-{fid}-{line}-{pod}",
        verify=[f"{component}.ok"],
        recovery=recovery,
    )


def report(*findings: Finding) -> Report:
    sources = list(dict.fromkeys(f.first_seen.source for f in findings))
    return Report(findings=list(findings), stats=Stats(sources=[SourceStats(source=s) for s in sources]))


def lasting(seconds: float) -> Report:
    """An incident of ``seconds``: the observer fails from the start to the end of it."""
    end = START + timedelta(seconds=seconds)
    return report(
        problem("observer.down", START, end, line=10),
        problem("handler.slow", START + timedelta(seconds=seconds / 3), severity="warning", line=20),
    )
