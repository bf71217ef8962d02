"""The gate's verdict in the words every format uses, and the headline of a report without one.

``failed (--fail-on error): 1 finding, 1 root cause; 2 recovered`` reads the
same in the terminal, a SARIF notification, a JUnit property and a Markdown
comment: what failed the gate, then what it let pass and set aside.
"""

from __future__ import annotations

from amr_logpatterns.formatters.story import Story, is_benign
from amr_logpatterns.models.results import Gate, Report
from amr_logpatterns.wording import plural


def _component(name: str) -> str:
    return "any AMR component" if name == "any" else name


def missing_phrase(gate: Gate) -> str:
    """``no record of observer, handler in the input (--expect)``: why the gate failed."""
    named = ", ".join(_component(c) for c in gate.missing)
    return f"no record of {named} in the input (--expect)"


def expected_sentence(component: str) -> str:
    """Why one expected component fails the gate, as a sentence of its own."""
    return (
        f"Expected records of {_component(component)} (--expect {component}), but the input"
        " holds none: no log line and no pod state of it. Was the collection empty, the"
        " namespace wrong, or the kubectl command failed?"
    )


def gate_story(gate: Gate) -> list[str]:
    """The gate's benign and recovered counts, and whether recovered problems were let pass."""
    parts: list[str] = []
    if gate.benign:
        parts.append(f"{gate.benign} benign")
    if gate.recovered or gate.ignore_recovered:
        recovered = f"{gate.recovered} recovered"
        parts.append(recovered + (" (recovered problems ignored)" if gate.ignore_recovered else ""))
    return parts


def set_aside(gate: Gate) -> list[str]:
    """What the gate did not count and why, one phrase per non-zero reason."""
    parts = []
    if gate.suppressed:
        parts.append(f"{gate.suppressed} suppressed")
    if gate.baselined:
        parts.append(f"{gate.baselined} baselined")
    if gate.hidden:
        parts.append(f"{gate.hidden} hidden below --min-severity {gate.min_severity}")
    if gate.excluded:
        parts.append(f"{gate.excluded} excluded by --only/--exclude")
    return parts


def gate_state(gate: Gate) -> str:
    """``failed`` or ``passed``: the word every format paints or marks."""
    return "failed" if gate.failed else "passed"


def gate_sentence(gate: Gate) -> str:
    """The gate's verdict in the words every format uses, e.g.
    ``failed (--fail-on error): 1 finding, 1 root cause; 2 recovered, 1 suppressed``.

    What failed it (findings, root causes, warning-or-worse records no signature
    knows at ``--fail-on info``, components missing from the input), then what
    it let pass and set aside.
    """
    text = f"{gate_state(gate)} (--fail-on {gate.fail_on})"
    if gate.fail_on == "never":
        text += ": the gate is off"
    elif gate.failed:
        counts = [plural(gate.failing_findings, "finding")] if gate.failing_findings else []
        if gate.failing_root_causes:
            counts.append(plural(gate.failing_root_causes, "root cause"))
        if gate.failing_unknown:
            counts.append(
                plural(gate.failing_unknown, "warning-or-worse record") + " no signature knows"
            )
        if gate.missing:
            counts.append(missing_phrase(gate))
        if counts:
            text += ": " + ", ".join(counts)
    elif gate.fail_on == "info":
        text += ": nothing needs attention"
    else:
        above = "" if gate.fail_on == "error" else " or above"
        text += f": nothing at {gate.fail_on}{above} remains"
    parts = [*gate_story(gate), *set_aside(gate)]
    return text + ("; " + ", ".join(parts) if parts else "")


def headline(report: Report, story: Story) -> str:
    """What the report found, in one line, for a report that was not gated.

    ``1 root cause, 2 problems, 5 signals; worst severity error``.
    """
    if report.unreadable:
        return "nothing readable in the input"
    findings = [f for f in report.findings if f.suppressed is None]
    problems = sum(1 for f in findings if f.severity != "info" and not is_benign(f))
    signals = sum(1 for f in findings if f.severity == "info" and not is_benign(f))
    tally = [
        (sum(1 for c in story.chapters if c.diagnosis.severity != "info"), "root cause"),
        (problems, "problem"),
        (len(story.harmless), "harmless finding"),
        (signals, "signal"),
    ]
    counts = ", ".join(plural(n, word) for n, word in tally if n)
    worst = report.max_severity
    if worst is None:
        return "no known problem found"
    if worst == "info":
        return f"nothing to fix (worst severity info): {counts}"
    return f"worst severity {worst}: {counts}"
