"""Checks across a pack's items that no single item's schema can make.

Each file validates on its own; only the merged pack shows whether the ids one
item names (components, signatures, diagnoses) exist.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from amr_logpatterns.errors import Problem
from amr_logpatterns.packs.marked_yaml import Marks, problem_at
from amr_logpatterns.packs.schema import Component, DiagnosisSpec, Signature


def benign_reference_problems(
    signatures: Iterable[Signature],
) -> list[tuple[str, tuple[Any, ...], str]]:
    """``(signature id, field path, message)`` for each ``unless_before`` id no signature has.

    For ``reference_problems``, which turns each into a positioned problem.
    """
    sigs = list(signatures)
    known = {s.id for s in sigs}
    problems: list[tuple[str, tuple[Any, ...], str]] = []
    for sig in sigs:
        if sig.benign is None:
            continue
        for i, name in enumerate(sig.benign.unless_before):
            if name not in known:
                problems.append(
                    (sig.id, ("benign", "unless_before", i), f"unknown signature id {name!r}")
                )
            elif name == sig.id:
                problems.append(
                    (sig.id, ("benign", "unless_before", i), "a signature cannot break itself")
                )
    return problems


def reference_problems(
    signatures: Sequence[Signature],
    diagnoses: Sequence[DiagnosisSpec],
    components: Iterable[Component],
    origins: Mapping[str, str],
    marks: Mapping[str, Marks],
    broken: Collection[str] = (),
) -> list[Problem]:
    """References between items: components, verify, overlaps, benign and diagnosis ids.

    ``origins`` maps each id to its file and ``marks`` each file's key positions,
    for the problems to point at. Ids in ``broken`` belong to files that did not
    validate; naming them is not reported again.
    """
    problems: list[Problem] = []

    def add(item_id: str, loc: tuple[Any, ...], message: str, code: str = "unknown-id") -> None:
        path = origins.get(item_id, "")
        problems.append(problem_at(path, marks.get(path, {}), loc, item_id, message, code))

    by_id = {s.id: s for s in signatures}
    known = set(by_id) | set(broken)
    component_ids = {c.id for c in components}
    for sig in signatures:
        for i, owner in enumerate(sig.owners):
            if owner not in component_ids:
                loc = ("attribution", i) if sig.attribution is not None else ("component",)
                known_components = sorted(component_ids)
                message = f"unknown component {owner!r}; known: {known_components}"
                add(sig.id, loc, message, "unknown-component")
        for key, ids in (("verify", sig.verify), ("overlaps", sig.overlaps)):
            for i, name in enumerate(ids):
                if name not in known:
                    add(sig.id, (key, i), f"unknown signature id {name!r}")
                elif key == "overlaps" and name == sig.id:
                    add(sig.id, (key, i), "a signature always overlaps itself")
    for item_id, where, message in benign_reference_problems(signatures):
        breaker = by_id.get(item_id)
        named = breaker.benign.unless_before[where[2]] if breaker and breaker.benign else ""
        if named not in broken:
            add(item_id, where, message)
    for diag in diagnoses:
        named_at: list[tuple[tuple[Any, ...], str]] = [
            (("when",), n) for n in diag.when.finding_ids()
        ]
        if diag.stronger_when is not None:
            named_at += [(("stronger_when",), n) for n in diag.stronger_when.finding_ids()]
        named_at += [(("symptoms", i), n) for i, n in enumerate(diag.symptoms)]
        named_at += [(("verify", i), n) for i, n in enumerate(diag.verify)]
        for loc, finding_id in named_at:
            if finding_id not in known:
                add(diag.id, loc, f"names unknown signature id {finding_id!r}")
        diagnosis_ids = {d.id for d in diagnoses}
        for i, other in enumerate(diag.superseded_by):
            if other not in diagnosis_ids:
                add(diag.id, ("superseded_by", i), f"names unknown diagnosis id {other!r}")
            elif other == diag.id:
                add(diag.id, ("superseded_by", i), "a diagnosis cannot supersede itself")
    return problems
