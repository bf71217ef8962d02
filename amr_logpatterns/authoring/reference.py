"""The signature reference: a Markdown page drawn from the packs, so the docs cannot drift.

``render_reference`` lists every signature (id, severity, component, title, what
it matches and an example it matches) and every diagnosis (id, severity, title,
the rule over findings it rests on, its symptoms and what supersedes it). The
page in ``docs/reference/signatures.md`` is this function's output; a test
compares the two. Regenerate it with::

    python -m amr_logpatterns.authoring.reference > docs/reference/signatures.md
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import yaml

from amr_logpatterns.packs.loader import Pack, load_packs
from amr_logpatterns.packs.schema import DiagnosisSpec, Rule, Signature

COMMAND = "python -m amr_logpatterns.authoring.reference > docs/reference/signatures.md"

#: A rule rendered for reading: a line, or a line with the lines under it.
Item = str | tuple[str, list["Item"]]


def index_table(pack: Pack) -> str:
    """The table of every id, as ``amr-logpatterns list --format markdown`` prints it."""
    rows = ["| id | severity | component | what it means |", "| --- | --- | --- | --- |"]
    for sig in sorted(pack.signatures, key=lambda s: s.id):
        rows.append(f"| `{sig.id}` | {sig.severity} | {sig.component} | {sig.title} |")
    for diag in sorted(pack.diagnoses, key=lambda d: d.id):
        rows.append(f"| `{diag.id}` | {diag.severity} | diagnosis | {diag.title} |")
    return "\n".join(rows) + "\n"


def code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, info: str = "") -> list[str]:
    """``text`` as a fenced code block, its fence longer than any backtick run inside."""
    longest = max((len(part) - len(part.lstrip("`")) for part in text.split("\n")), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *text.rstrip("\n").split("\n"), fence]


class _Links:
    """Ids of the page, linked to their own headings; any other id stays plain code."""

    def __init__(self, pack: Pack) -> None:
        self.ids = {s.id for s in pack.signatures} | {d.id for d in pack.diagnoses}

    def __call__(self, item_id: str) -> str:
        return f"[{code(item_id)}](#{item_id})" if item_id in self.ids else code(item_id)

    def join(self, ids: Iterable[str]) -> str:
        return ", ".join(self(i) for i in ids)


def _match_yaml(sig: Signature) -> str:
    """The signature's ``match:`` block as its pack would write it, keywords first."""
    spec: dict[str, Any] = sig.match.model_dump(by_alias=True, exclude_none=True)
    ordered = {"keywords": spec.pop("keywords"), **spec}
    dumped: str = yaml.safe_dump(
        {"match": ordered},
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        default_flow_style=None,
    )
    return dumped


def _signature(sig: Signature, links: _Links) -> list[str]:
    lines = [
        f"#### {sig.id} {{#{sig.id}}}",
        "",
        f"**{sig.title}**",
        "",
        f"Severity `{sig.severity}`, component `{sig.component}`, category `{sig.category}`.",
    ]
    facts = []
    if sig.attribution is not None:
        facts.append(f"Its records may come from: {', '.join(code(c) for c in sig.attribution)}.")
    if sig.attribution_required:
        facts.append(
            "A record counts only when it names a pod or namespace of its component"
            " (`attribution_required`)."
        )
    if sig.benign is not None:
        facts.append("Harmless where its line is expected (it carries a `benign` verdict).")
    if sig.verify:
        facts.append(f"Fixed when you see: {links.join(sig.verify)}.")
    if facts:
        lines += ["", " ".join(facts)]
    lines += [
        "",
        "A line must hold one of the keywords; then the conditions must hold:",
        "",
        *fenced(_match_yaml(sig), "yaml"),
    ]
    example = sig.examples.match[0]
    if example.context:
        count = len(example.context.split("\n"))
        lines += [
            "",
            f"It matches, for example, the record after the first {count} lines (the context"
            " pasted before it):",
            "",
            *fenced(f"{example.context}\n{example.line}", "text"),
        ]
    else:
        lines += ["", "It matches, for example:", "", *fenced(example.line, "text")]
    return lines


def _conditions(rule: Rule, links: _Links) -> list[Item]:
    """Every condition of one rule node; all of them must hold."""
    items: list[Item] = []
    if rule.finding is not None:
        times = f" at least {rule.min_count} times" if rule.min_count > 1 else ""
        items.append(f"{links(rule.finding)} was found{times}")
    if rule.errors_only_from is not None:
        items.append(
            "every error record is explained by one of " + links.join(rule.errors_only_from)
        )
    for child in rule.all_ or ():
        items += _conditions(child, links)
    if rule.any_:
        items.append(("any of:", [_one(child, links) for child in rule.any_]))
    if rule.none:
        items.append(("none of:", [_one(child, links) for child in rule.none]))
    return items


def _one(rule: Rule, links: _Links) -> Item:
    items = _conditions(rule, links)
    return items[0] if len(items) == 1 else ("all of:", items)


def _bullets(items: list[Item], depth: int = 0) -> list[str]:
    lines = []
    for item in items:
        text, children = (item, []) if isinstance(item, str) else item
        lines.append(f"{'    ' * depth}- {text}")
        lines += _bullets(children, depth + 1)
    return lines


def _diagnosis(diag: DiagnosisSpec, links: _Links) -> list[str]:
    lines = [
        f"### {diag.id} {{#{diag.id}}}",
        "",
        f"**{diag.title}**",
        "",
        f"Severity `{diag.severity}`, confidence `{diag.confidence}`.",
        "",
        "Drawn when all of these hold:",
        "",
        *_bullets(_conditions(diag.when, links)),
    ]
    if diag.stronger_when is not None:
        lines += ["", "Its confidence is `high` when all of these hold:", ""]
        lines += _bullets(_conditions(diag.stronger_when, links))
    if diag.symptoms:
        lines += ["", f"Symptoms it explains: {links.join(diag.symptoms)}."]
    if diag.superseded_by:
        lines += ["", f"Not drawn when one of these holds: {links.join(diag.superseded_by)}."]
    if diag.verify:
        lines += ["", f"Fixed when you see: {links.join(diag.verify)}."]
    return lines


def render_reference(pack: Pack | None = None) -> str:
    """The Markdown of ``docs/reference/signatures.md`` for ``pack`` (the built-in packs)."""
    pack = pack if pack is not None else load_packs()
    links = _Links(pack)
    titles = {c.id: c.title for c in pack.components}
    lines = [
        f"<!-- Generated from the packs by `{COMMAND}`; do not edit by hand:",
        "     tests/test_docs.py fails when this page and the packs differ. -->",
        "",
        "# Signature reference",
        "",
        "Every signature and diagnosis of the built-in packs. The ids are public API and never",
        "change. `amr-logpatterns explain ID` shows one in full, with its explanation, its fix",
        "and its example lines; [Writing signatures](../writing-signatures.md) describes the",
        "fields used here.",
        "",
        "## Every id",
        "",
        "The same table as `amr-logpatterns list --format markdown` prints.",
        "",
        index_table(pack).rstrip("\n"),
        "",
        "## Signatures",
        "",
        "Grouped by component. Each shows its `match:` block as the pack writes it, and the",
        "first of its own examples.",
    ]
    by_component: dict[str, list[Signature]] = {}
    for sig in sorted(pack.signatures, key=lambda s: s.id):
        by_component.setdefault(sig.component, []).append(sig)
    for component in sorted(by_component):
        title = titles.get(component, component)
        lines += ["", f"### Component `{component}`: {title} {{#component-{component}}}"]
        for sig in by_component[component]:
            lines += ["", *_signature(sig, links)]
    lines += [
        "",
        "## Diagnoses",
        "",
        "A diagnosis is a root cause drawn over the findings of the whole input. The findings",
        "its rule names are what it rests on; its symptoms are folded under it when present.",
    ]
    for diag in sorted(pack.diagnoses, key=lambda d: d.id):
        lines += ["", *_diagnosis(diag, links)]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Print the reference page for the built-in packs."""
    sys.stdout.write(render_reference())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
