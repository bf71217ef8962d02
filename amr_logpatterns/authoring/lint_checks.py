"""The checks of a loaded pack that loading itself does not make, each placed where it points.

Examples are run, their promised fields compared, stage-1 literals, slow
regexes, undeclared overlaps and ``{field}`` placeholders checked, and every
problem becomes a ``LintEntry`` at the line and column of what it names.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from amr_logpatterns.analyse.aggregate import derivable
from amr_logpatterns.authoring.lint_report import Level, LintEntry
from amr_logpatterns.authoring.selftest import ExampleResult, extracted_fields
from amr_logpatterns.decode.podstate import opens_block
from amr_logpatterns.packs.literals import signature_literals
from amr_logpatterns.packs.loader import Pack, PackRead
from amr_logpatterns.packs.marked_yaml import Marks, position
from amr_logpatterns.packs.regexsafety import find_quadratic
from amr_logpatterns.packs.schema import RemediationStep

#: The placeholders ``aggregate.fill`` replaces; ``${NAME}`` is a shell variable, left alone.
_PLACEHOLDER = re.compile(r"(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}")

#: What an ``unless_reason`` may name besides the finding's fields (see ``verdicts``).
_UNLESS_REASON_FIELDS = frozenset(("failed_id", "failed_title", "failed_at"))

_NEVER = "that the signature never extracts"


class PackChecker:
    """Checks that need the loaded pack, each adding entries at the position of what it names."""

    def __init__(self, read: PackRead) -> None:
        self.read = read
        self.pack: Pack = read.pack
        self.entries: list[LintEntry] = []
        self.fields = {s.id: _fillable(extracted_fields(s)) for s in self.pack.signatures}

    def add(
        self, item_id: str, loc: tuple[Any, ...], level: Level, code: str, message: str
    ) -> None:
        path = self.pack.origins.get(item_id, "")
        marks: Marks = self.read.marks.get(path, {})
        line, column = position(marks, loc)
        self.entries.append(
            LintEntry(
                path=path,
                line=line,
                column=column,
                level=level,
                code=code,
                message=message,
                field=".".join(map(str, loc)),
                item_id=item_id,
            )
        )

    def where(self, item_id: str, loc: tuple[Any, ...]) -> str:
        path = self.pack.origins.get(item_id, "")
        line, column = position(self.read.marks.get(path, {}), loc)
        return f"{path}:{line}:{column}"

    def examples(self, results: Sequence[ExampleResult]) -> None:
        """Examples that do not behave, the fields they promise, and stage-1 literals."""
        for r in results:
            loc: tuple[Any, ...] = ("examples", r.kind, r.index)
            if r.kind == "no_match":
                if not r.passed:
                    self.add(r.signature_id, loc, "error", "example-matched", r.detail)
                continue
            if not r.matched:
                self.add(r.signature_id, loc, "error", "example-no-match", r.detail)
                continue
            sig = self.pack.signature(r.signature_id)
            assert sig is not None
            for check in r.fields:
                message = check.describe(dict(sig.types))
                self.add(sig.id, (*loc, "fields", check.name), "error", "example-field", message)
            if not r.passed and not r.fields:
                self.add(sig.id, loc, "error", "example-no-match", r.detail)
            literals = signature_literals(sig)
            context = sig.examples.match[r.index].context or ""
            if not any(lit in r.line for lit in literals) and not opens_block(context + r.line):
                shown = ", ".join(repr(lit) for lit in sorted(literals))
                self.add(
                    sig.id,
                    loc,
                    "warning",
                    "prefilter-literal",
                    f"holds none of the signature's stage-1 literals ({shown}), derived from"
                    " its regexes: the fast path (inputs of 1 MiB and more) may skip such lines",
                )

    def slow_regexes(self, ids: Collection[str] | None) -> None:
        """Regexes quadratic on a long run of one character: no hang (the time limit ends
        the search), but a lost match on a padded line, so a warning with the fix."""
        for sig in self.pack.signatures:
            if ids is not None and sig.id not in ids:
                continue
            for loc, pattern in sig.match.patterns(("match",)):
                for issue in find_quadratic(pattern):
                    self.add(sig.id, loc, "warning", "slow-regex", str(issue))

    def overlaps(self, results: Sequence[ExampleResult], ids: Collection[str] | None) -> None:
        """Pairs of signatures that match the same example line without declaring it.

        With ``ids`` (the signatures reported on), an overlap between two other
        signatures is not reported, and one of theirs whose example a reported
        signature matches is reported at that signature.
        """
        shown: dict[tuple[str, str], list[int]] = {}
        for r in results:
            mine = ids is None or r.signature_id in ids
            for other in r.others:
                if mine or (ids is not None and other in ids):
                    shown.setdefault((r.signature_id, other), []).append(r.index)
        for (sig_id, other_id), indexes in shown.items():
            first, second = self.pack.signature(sig_id), self.pack.signature(other_id)
            if first is None or second is None:
                continue
            if other_id in first.overlaps or sig_id in second.overlaps:
                continue
            which = ", ".join(f"match[{i}]" for i in indexes)
            loc = ("examples", "match", indexes[0])
            if ids is None or sig_id in ids:
                message = (
                    f"{which} also matched by {other_id}; if both are meant to fire on"
                    f" such lines, declare `overlaps: [{other_id}]`"
                )
                self.add(sig_id, loc, "warning", "overlap", message)
            else:
                message = (
                    f"also matches {which} of {sig_id} ({self.where(sig_id, loc)}); if both"
                    f" are meant to fire on such lines, declare `overlaps: [{sig_id}]`"
                )
                self.add(other_id, ("match",), "warning", "overlap", message)

    def _placeholders(
        self,
        item_id: str,
        texts: Iterable[tuple[tuple[Any, ...], str | None]],
        allowed: frozenset[str],
        owner: str,
    ) -> None:
        for loc, text in texts:
            for name in dict.fromkeys(_PLACEHOLDER.findall(text or "")):
                if name not in allowed:
                    known = ", ".join(sorted(allowed)) or "none"
                    self.add(
                        item_id,
                        loc,
                        "error",
                        "template-field",
                        f"{{{name}}} names a field {owner}, so it would be shown as written"
                        f" (fields: {known})",
                    )

    def templates(self) -> None:
        """``{field}`` placeholders that no match could fill; fields named but never extracted."""
        for sig in self.pack.signatures:
            fields = self.fields[sig.id]
            texts = [(("explanation",), sig.explanation), *_step_texts(sig.remediation)]
            self._placeholders(sig.id, texts, fields, _NEVER)
            if sig.benign is not None:
                benign = sig.benign
                texts = [(("benign", "reason"), benign.reason)]
                texts.append((("benign", "condition"), benign.condition))
                self._placeholders(sig.id, texts, fields, _NEVER)
                self._placeholders(
                    sig.id,
                    [(("benign", "unless_reason"), benign.unless_reason)],
                    fields | _UNLESS_REASON_FIELDS,
                    _NEVER,
                )
            named: list[tuple[tuple[Any, ...], str]] = [
                (("group_by", i), n) for i, n in enumerate(sig.group_by)
            ]
            named += [(("types", n), n) for n in sig.types]
            if sig.benign is not None:
                same = sig.benign.same_fields
                named += [(("benign", "same_fields", i), n) for i, n in enumerate(same)]
            for loc, name in named:
                if name not in fields:
                    self.add(
                        sig.id,
                        loc,
                        "warning",
                        "unknown-field",
                        f"{name!r} is not a field the signature extracts (it has no regex group"
                        f" (?P<{name}>...))",
                    )
        for diag in self.pack.diagnoses:
            rests_on = [self.pack.signature(i) for i in diag.when.finding_ids()]
            if any(s is None for s in rests_on):
                continue
            # symptoms give their values too (when they are about the same workload)
            rests_on += [self.pack.signature(i) for i in diag.symptoms]
            allowed = frozenset().union(*(self.fields[s.id] for s in rests_on if s is not None))
            texts = [(("summary",), diag.summary), (("explanation",), diag.explanation)]
            texts += _step_texts(diag.remediation)
            self._placeholders(
                diag.id,
                texts,
                _fillable(allowed),
                "that no signature of its `when` rule or symptoms extracts",
            )


def _fillable(fields: frozenset[str]) -> frozenset[str]:
    """The placeholders a signature's fields can fill: themselves, and what they derive."""
    return fields | derivable(fields)


def _step_texts(steps: Sequence[RemediationStep]) -> Iterator[tuple[tuple[Any, ...], str | None]]:
    for i, step in enumerate(steps):
        yield ("remediation", i, "text"), step.text
        yield ("remediation", i, "command"), step.command
        yield ("remediation", i, "config"), step.config
