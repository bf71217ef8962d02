"""SARIF rules: one per signature or diagnosis that fired, with its explanation and fix.

A viewer shows a result's rule beside it, so the rule carries what the
signature means (title, description), how to fix it (the steps as plain text
and Markdown help), what shows it fixed, and the guide section it comes from.
"""

from __future__ import annotations

import re

from amr_logpatterns.formatters.options import Options, guide_link
from amr_logpatterns.formatters.sarif_locations import JSON
from amr_logpatterns.formatters.steps import markdown_steps, plain_steps
from amr_logpatterns.formatters.story import signal_names
from amr_logpatterns.models.results import Diagnosis, Finding, Report
from amr_logpatterns.wording import shorten

#: A result's level by severity: SARIF has no "info", its "note" is the nearest.
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
#: GitHub's ``problem.severity`` has no "info"; a signal is the nearest thing to a recommendation.
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
#: A diagnosis's confidence is what GitHub calls precision (how often such a result is right),
#: and its values are among GitHub's.
PRECISIONS = ("low", "medium", "high")

#: GitHub cuts rule descriptions at this length; we cut first and keep the whole text in the help.
MAX_DESCRIPTION = 1024


def rule_name(rule_id: str) -> str:
    """``observer.health-check-failed`` as ``ObserverHealthCheckFailed``: SARIF's name style."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id))


def _help(item: Finding | Diagnosis, description: str, options: Options) -> JSON:
    """The fix in plain text and Markdown. Never empty, since GitHub rejects an empty help
    text; it starts with the description when that had to be clipped, so no word is lost."""
    steps = item.remediation
    verify = item.verify if isinstance(item, Finding) else []
    named = signal_names(item) if isinstance(item, Finding) else []
    links = [guide_link(r, options) for r in item.references]
    text: list[str] = []
    markdown: list[str] = []
    if len(description) > MAX_DESCRIPTION:
        text, markdown = [description, ""], [description, ""]
    if steps:
        text += plain_steps(steps)
        markdown += markdown_steps(steps)
    else:
        none = (
            "Informational: nothing to fix."
            if item.severity == "info"
            else "No fix steps are known; see the troubleshooting guide."
        )
        text += [none]
        markdown += [none, ""]
    if verify:
        text.append(f"Fixed when you see: {', '.join(named)}")
        titled = [
            f"`{v}` ({item.verify_titles[v]})" if v in item.verify_titles else f"`{v}`"
            for v in verify
            if isinstance(item, Finding)
        ]
        markdown += [f"Fixed when you see: {', '.join(titled)}", ""]
    if links:
        text.append("See: " + " ".join(links))
        markdown += ["See:", "", *(f"- <{link}>" for link in links), ""]
    return {"text": "\n".join(text), "markdown": "\n".join(markdown).rstrip() + "\n"}


def _rule(item: Finding | Diagnosis, description: str, properties: JSON, options: Options) -> JSON:
    """The rule of a finding's or diagnosis's id; GitHub's limits kept."""
    first = item.references[0] if item.references else None
    return {
        "id": item.id,
        "name": rule_name(item.id),
        "shortDescription": {"text": shorten(item.title, MAX_DESCRIPTION)},
        "fullDescription": {"text": shorten(description, MAX_DESCRIPTION)},
        "help": _help(item, description, options),
        "helpUri": options.guide_url if first is None else guide_link(first, options),
        "defaultConfiguration": {"level": LEVELS[item.severity]},
        "properties": {**properties, "problem.severity": PROBLEM_SEVERITY[item.severity]},
    }


def finding_rule(f: Finding, options: Options) -> JSON:
    """A signature's rule, tagged with its component and category."""
    tags = list(dict.fromkeys([f.component, f.category]))
    return _rule(f, f.explanation, {"tags": tags}, options)


def diagnosis_rule(d: Diagnosis, report: Report, options: Options) -> JSON:
    """A diagnosis's rule, tagged with the components it rests on; its confidence as precision."""
    components = [f.component for f in report.findings if f.id in d.finding_ids]
    properties = {
        "tags": list(dict.fromkeys(["diagnosis", *components])),
        "precision": d.confidence if d.confidence in PRECISIONS else "medium",
    }
    return _rule(d, f"{d.summary} {d.explanation}", properties, options)
