"""Make one pod-state record out of the lines that describe a pod or a container.

A pod-state record spans its lines (``line`` to ``end_line``) but shows, as
evidence, only the lines that carry state (``State:``, ``Reason:``, ``Limits:``
...), so a finding's evidence is the few lines a person needs. Its message is
a one-line summary built from its fields; signatures match the fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from amr_logpatterns.models.records import SUMMARISED, LogRecord

#: Encodings of the records this stage makes (their message is a summary, not a line).
POD_STATE_ENCODINGS = SUMMARISED


def group_record(
    records: Sequence[LogRecord],
    shown: Sequence[LogRecord],
    *,
    encoding: str,
    fields: Mapping[str, object],
    context: Mapping[str, str],
    message: str,
) -> LogRecord:
    """One record spanning ``records``, whose evidence text is the ``shown`` ones."""
    head = records[0]
    rest = [r for r in shown if r is not head]
    return replace(
        head,
        encoding=encoding,
        message=message,
        level=None,
        logger=None,
        caller=None,
        fields=dict(fields),
        context=dict(context),
        # each line keeps its indentation under the first, as a person pasted it
        continuation=tuple(" " * max(0, r.indent - head.indent) + r.raw for r in rest),
        end_line=max(r.end_line for r in records),
    )


def _state(kind: object, reason: object, code: object) -> str:
    detail = ", ".join(str(v) for v in (reason, None if code is None else f"exit code {code}") if v)
    return f"{kind} ({detail})" if detail else str(kind)


def container_summary(fields: Mapping[str, object]) -> str:
    """``container manager of pod NS/NAME: Waiting (CrashLoopBackOff); last Terminated (...)``."""
    where = f"{fields.get('namespace')}/" if fields.get("namespace") else ""
    parts = [f"container {fields.get('container')} of pod {where}{fields.get('pod', '?')}"]
    states = []
    if fields.get("state"):
        states.append(
            _state(fields["state"], fields.get("state_reason"), fields.get("state_exit_code"))
        )
    if fields.get("last_state"):
        last = _state(fields["last_state"], fields.get("last_reason"), fields.get("last_exit_code"))
        states.append("last " + last)
    for key, label in (("ready", "ready"), ("restart_count", "restarts")):
        if key in fields:
            value = fields[key]
            states.append(f"{label} {str(value).lower() if isinstance(value, bool) else value}")
    if fields.get("limits_memory"):
        states.append(f"memory limit {fields['limits_memory']}")
    return parts[0] + (": " + "; ".join(states) if states else "")


def pod_summary(fields: Mapping[str, object]) -> str:
    """``pod NS/NAME: Failed (Evicted): The node was low on resource: memory.``."""
    where = f"{fields.get('namespace')}/" if fields.get("namespace") else ""
    text = f"pod {where}{fields.get('pod', '?')}"
    if fields.get("phase"):
        text += f": {fields['phase']}"
        if fields.get("reason"):
            text += f" ({fields['reason']})"
    if fields.get("message"):
        text += f": {fields['message']}"
    conditions = fields.get("conditions")
    if isinstance(conditions, dict) and conditions:
        text += ": " + ", ".join(f"{k}={v}" for k, v in conditions.items())
    return text
