"""Checks across a pack's signatures that no single signature's schema can make."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from amr_logpatterns.packs.schema import Signature


def benign_reference_problems(
    signatures: Iterable[Signature],
) -> list[tuple[str, tuple[Any, ...], str]]:
    """``(signature id, field path, message)`` for each ``unless_before`` id no signature has.

    For the loader's cross-check, which turns each into a positioned problem.
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
