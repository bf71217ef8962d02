"""Merge the items of several packs in load order, then take out the disabled ones.

A later pack replaces an item only when it says ``overrides: ID``, so an id
reused by accident stays an error; ``disabled`` ids are removed last, and a
diagnosis that rests on a disabled signature is an error rather than a rule
that silently changes meaning.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from amr_logpatterns.errors import Problem
from amr_logpatterns.packs.marked_yaml import Marks, problem_at
from amr_logpatterns.packs.schema import Component, DiagnosisSpec, Signature
from amr_logpatterns.wording import did_you_mean

Item = Signature | DiagnosisSpec | Component


class Disable(BaseModel):
    """A signature or diagnosis to leave out, and where that was asked (problems point there)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    path: str = "<disabled>"
    line: int = 0
    column: int = 0
    field: str = "disabled"

    def problem(self, item_id: str, message: str) -> Problem:
        """A problem with disabling ``item_id``, pointing where the disabling was asked."""
        return Problem(
            path=self.path,
            line=self.line,
            column=self.column,
            field=self.field,
            item_id=item_id,
            message=message,
            code="disabled",
        )


def _kind_name(item: Item) -> str:
    return {Signature: "signature", DiagnosisSpec: "diagnosis", Component: "component"}[type(item)]


@dataclass
class Merge:
    """Items of every root in load order; later roots may replace earlier items they override."""

    marks: Mapping[str, Marks]
    items: dict[str, Item] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    root_of: dict[str, int] = field(default_factory=dict)
    overridden: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)

    def problem(self, path: str, item_id: str, loc: tuple[Any, ...], message: str) -> None:
        """A problem with the item of ``path``, at the position of ``loc``."""
        code = "duplicate-id" if loc == ("id",) else "override"
        self.problems.append(
            problem_at(path, self.marks.get(path, {}), loc, item_id, message, code)
        )

    def add(self, item: Item, path: str, root: int) -> None:
        """Keep ``item`` (of ``path``, in the root numbered ``root``), or say why it cannot be."""
        item_id = item.id
        overrides = None if isinstance(item, Component) else item.overrides
        if overrides is not None and overrides != item_id:
            self.problem(
                path,
                item_id,
                ("overrides",),
                f"overrides must repeat this file's id {item_id!r}, not {overrides!r}: a"
                " replacement keeps the public id that diagnoses, baselines and ignore entries"
                f" use; to retire {overrides!r} under another id, disable it and add yours",
            )
            self.broken.add(item_id)
            return
        old = self.origins.get(item_id)
        if old is None:
            if overrides is not None:
                self.problem(
                    path,
                    item_id,
                    ("overrides",),
                    f"overrides {item_id!r}, but no pack loaded before this one defines it",
                )
            self._keep(item, path, root)
            return
        earlier = self.items[item_id]
        if overrides is None:
            hint = ""
            if self.root_of[item_id] < root and not isinstance(item, Component):
                hint = f"; to replace it, add `overrides: {item_id}`"
            self.problem(path, item_id, ("id",), f"duplicate id, already defined in {old}{hint}")
        elif self.root_of[item_id] == root:
            self.problem(
                path,
                item_id,
                ("overrides",),
                f"overrides {item_id!r} of the same pack ({old}); edit that file instead",
            )
        elif type(earlier) is not type(item):
            self.problem(
                path,
                item_id,
                ("overrides",),
                f"a {_kind_name(item)} cannot override the {_kind_name(earlier)} {item_id!r}"
                f" of {old}",
            )
        else:
            self.overridden[item_id] = old
            self._keep(item, path, root)

    def _keep(self, item: Item, path: str, root: int) -> None:
        self.items[item.id] = item
        self.origins[item.id] = path
        self.root_of[item.id] = root


def _soft_references_dropped(item: Item, gone: Collection[str]) -> Item:
    """The item without references that only mean "never seen" once their target is disabled.

    ``verify``, ``symptoms``, ``overlaps`` and ``benign.unless_before`` name
    findings that, when disabled, can never occur; dropping them changes nothing
    at run time and keeps the pack free of dangling ids.
    """
    update: dict[str, Any] = {}
    if isinstance(item, Signature):
        if any(v in gone for v in item.verify):
            update["verify"] = [v for v in item.verify if v not in gone]
        if any(v in gone for v in item.overlaps):
            update["overlaps"] = [v for v in item.overlaps if v not in gone]
        benign = item.benign
        if benign is not None and any(v in gone for v in benign.unless_before):
            left = [v for v in benign.unless_before if v not in gone]
            changes: dict[str, Any] = {"unless_before": left}
            if not left:
                changes |= {"same_fields": [], "unless_reason": None}
            update["benign"] = benign.model_copy(update=changes)
    elif isinstance(item, DiagnosisSpec):
        if any(v in gone for v in item.symptoms):
            update["symptoms"] = [v for v in item.symptoms if v not in gone]
        if any(v in gone for v in item.verify):
            update["verify"] = [v for v in item.verify if v not in gone]
        if any(v in gone for v in item.superseded_by):
            update["superseded_by"] = [v for v in item.superseded_by if v not in gone]
    return item.model_copy(update=update) if update else item


def remove_disabled(merge: Merge, disabled: Sequence[Disable]) -> tuple[str, ...]:
    """Remove the disabled signatures and diagnoses; the ids removed.

    A diagnosis whose ``when`` or ``stronger_when`` names a disabled signature
    is an error rather than disabled with it: its rule would silently change
    meaning (never hold, or hold more often through ``none``), so the config
    must disable that diagnosis too, in so many words.
    """
    gone: dict[str, Disable] = {}
    for entry in disabled:
        item = merge.items.get(entry.id)
        if item is None and entry.id in merge.broken:
            continue
        if item is None or isinstance(item, Component):
            known = [i for i, v in merge.items.items() if not isinstance(v, Component)]
            why = (
                "is a component; only signatures and diagnoses can be disabled"
                if item is not None
                else "is not the id of any signature or diagnosis" + did_you_mean(entry.id, known)
            )
            merge.problems.append(entry.problem(entry.id, f"cannot disable {entry.id!r}: it {why}"))
            continue
        gone.setdefault(entry.id, entry)
    for item_id in gone:
        del merge.items[item_id]
    for item_id, item in list(merge.items.items()):
        if isinstance(item, DiagnosisSpec):
            needs = item.when.finding_ids()
            if item.stronger_when is not None:
                needs += item.stronger_when.finding_ids()
            for needed in dict.fromkeys(needs):
                if needed in gone:
                    merge.problems.append(
                        gone[needed].problem(
                            needed,
                            f"diagnosis {item_id!r} ({merge.origins[item_id]}) rests on"
                            f" {needed!r}; disable {item_id!r} too",
                        )
                    )
        merge.items[item_id] = _soft_references_dropped(item, gone)
    return tuple(gone)
