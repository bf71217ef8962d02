"""Run every signature's own examples through the whole pipeline, and tabulate the outcome.

The test suite runs ``run_pack_tests`` on the built-in packs, ``amr-logpatterns
test`` on any pack, and ``lint`` reads the same results: an example means the
same thing everywhere, and a pack author sees exactly what CI will see.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Literal

import regex
from pydantic import BaseModel, ConfigDict

from amr_logpatterns.analyse.matcher import render_value
from amr_logpatterns.explain import explain_line
from amr_logpatterns.models.results import FieldValue
from amr_logpatterns.packs.loader import PackRead, read_packs
from amr_logpatterns.packs.marked_yaml import Marks, position
from amr_logpatterns.packs.schema import Condition, Signature
from amr_logpatterns.packs.sources import pack_files, pack_roots
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.wording import shorten

#: The source name example lines are classified under.
EXAMPLE_SOURCE = "example"


class FieldCheck(BaseModel):
    """A field an example promises that the signature did not extract as written.

    ``extracted`` tells a wrong value (or type) from a field the line did not
    yield; ``declared`` whether any regex of the signature has that group at all.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    expected: FieldValue
    got: FieldValue = None
    extracted: bool = False
    declared: bool = True

    def describe(self, types: dict[str, str] | None = None) -> str:
        """What is wrong, and the likely fix when it is a missing ``types`` entry."""
        want = f"{self.expected!r} ({type(self.expected).__name__})"
        if not self.declared:
            return f"no regex of the signature has a group (?P<{self.name}>...)"
        if not self.extracted:
            return f"not extracted from this line (expected {want})"
        text = f"expected {want}, got {self.got!r} ({type(self.got).__name__})"
        expected_type = type(self.expected).__name__
        if (
            isinstance(self.got, str)
            and expected_type in ("int", "float", "bool")
            and (types or {}).get(self.name) != expected_type
            and render_value(self.expected) == self.got.strip().lower()
        ):
            text += f"; declare `types: {{{self.name}: {expected_type}}}`"
        return text


class ExampleResult(BaseModel):
    """The outcome of one example line of one signature, and where the example is written.

    ``others`` are the other signatures that matched the example's text
    (``lint`` reports undeclared ones as overlaps).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    signature_id: str
    kind: Literal["match", "no_match"]
    index: int
    line: str
    passed: bool
    detail: str
    matched: bool = False
    fields: tuple[FieldCheck, ...] = ()
    others: tuple[str, ...] = ()
    path: str = ""
    yaml_line: int = 0
    yaml_column: int = 0

    @property
    def where(self) -> str:
        """``file:line:column`` of the example, when known."""
        return f"{self.path}:{self.yaml_line}:{self.yaml_column}" if self.path else ""


def _same(expected: FieldValue, got: FieldValue) -> bool:
    return type(expected) is type(got) and expected == got


def _conditions(cond: Condition) -> Iterable[Condition]:
    """The condition and every nested one that can add fields (``none`` never does)."""
    yield cond
    for child in (*(cond.any_ or ()), *(cond.all_ or ()), *(cond.optional or ())):
        yield from _conditions(child)


def extracted_fields(sig: Signature) -> frozenset[str]:
    """Every field the signature can extract: the named groups of its regexes outside ``none``,
    and the record fields it takes."""
    names: set[str] = set(sig.record_fields)
    for cond in _conditions(sig.match):
        patterns = [cond.message, cond.text, cond.raw, *(cond.fields or {}).values()]
        for pattern in patterns:
            if pattern is not None:
                names.update(regex.compile(pattern).groupindex)
    return frozenset(names)


def _why_not(classifier: Classifier, sig: Signature, line: str) -> str:
    """The closest reason the signature did not match the line, as ``explain-line`` gives it."""
    expl = explain_line(classifier, line, source_name=EXAMPLE_SOURCE, signature_id=sig.id)
    for record in expl.records:
        for miss in record.near_misses:
            if miss.id == sig.id:
                return f"did not match: {miss.summary}"
    return "did not match"


def _match_result(classifier: Classifier, sig: Signature, index: int) -> ExampleResult:
    example = sig.examples.match[index]
    context = example.context.rstrip("\n").split("\n") if example.context else []
    pasted = "\n".join([*context, example.line])
    first = len(context) + 1
    matches = list(classifier.scan(pasted, source_name=EXAMPLE_SOURCE))
    others = tuple(dict.fromkeys(m.id for m in matches if m.id != sig.id))
    own = [m for m in matches if m.id == sig.id]
    if not own:
        return ExampleResult(
            signature_id=sig.id,
            kind="match",
            index=index,
            line=example.line,
            passed=False,
            detail=_why_not(classifier, sig, pasted),
            others=others,
        )
    own = [m for m in own if m.line == first] or own  # the context may match too
    got = own[0].fields
    declared = extracted_fields(sig)
    wrong = tuple(
        FieldCheck(
            name=name,
            expected=value,
            got=got.get(name),
            extracted=name in got,
            declared=name in declared,
        )
        for name, value in example.fields.items()
        if not _same(value, got.get(name))
    )
    problems = [f"{w.name}: {w.describe(dict(sig.types))}" for w in wrong]
    if own[0].line != first:
        where = f"{first}, the line after its context" if context else "1"
        problems.insert(0, f"matched at line {own[0].line} of the example, not {where}")
    detail = "; ".join(problems) or "ok"
    return ExampleResult(
        signature_id=sig.id,
        kind="match",
        index=index,
        line=example.line,
        passed=not problems,
        detail=detail,
        matched=True,
        fields=wrong,
        others=others,
    )


def check_examples(
    classifier: Classifier, ids: Collection[str] | None = None
) -> list[ExampleResult]:
    """Check each signature's ``match`` and ``no_match`` examples; one result per example.

    ``ids`` limits the check to those signatures (the others still take part
    in classifying, as they do in a real run).
    """
    results: list[ExampleResult] = []
    for cs in classifier.signatures:
        sig = cs.signature
        if ids is not None and sig.id not in ids:
            continue
        results += [_match_result(classifier, sig, i) for i in range(len(sig.examples.match))]
        for i, line in enumerate(sig.examples.no_match):
            hits = [m for m in classifier.scan(line, source_name=EXAMPLE_SOURCE) if m.id == sig.id]
            detail = f"matched, with fields {hits[0].fields}" if hits else "ok"
            results.append(
                ExampleResult(
                    signature_id=sig.id,
                    kind="no_match",
                    index=i,
                    line=line,
                    passed=not hits,
                    detail=detail,
                    matched=bool(hits),
                )
            )
    return results


def locate(results: Iterable[ExampleResult], read: PackRead) -> list[ExampleResult]:
    """The results with the file, line and column where each example is written."""
    out = []
    for r in results:
        path = read.pack.origins.get(r.signature_id, "")
        marks: Marks = read.marks.get(path, {})
        line, column = position(marks, ("examples", r.kind, r.index))
        out.append(r.model_copy(update={"path": path, "yaml_line": line, "yaml_column": column}))
    return out


def files_under(paths: Iterable[str | Path]) -> frozenset[str]:
    """The pack files of the given roots, as the loader names them in ``Pack.origins``."""
    names: set[str] = set()
    for root in paths:
        listed = pack_files(Path(root))
        if listed is not None:
            names.update(str(p) for p in listed[0])
    return frozenset(names)


def read_for_authoring(
    paths: Sequence[str | Path] | None, *, builtin: bool, entry_points: bool = False
) -> tuple[PackRead, frozenset[str] | None]:
    """Read the packs an author asks about, and the files to report on (None: all of them).

    ``paths=None`` means the built-in packs. With paths, ``builtin=True`` loads
    the built-ins too, as a run would, but only the given files are reported.
    """
    given = None if paths is None else [Path(p) for p in paths]
    roots, problems = pack_roots(
        given or [], builtin=builtin or given is None, entry_points=entry_points
    )
    read = read_packs(roots, problems=problems)
    return read, None if given is None else files_under(given)


def run_pack_tests(
    paths: Sequence[str | Path] | None, *, builtin: bool, entry_points: bool = False
) -> list[ExampleResult]:
    """Every example of the packs at ``paths`` (None: the built-in packs), located in its file.

    Raises ``PackError`` when the packs do not load: examples of a broken pack
    prove nothing (``lint`` reports both at once).
    """
    read, focus = read_for_authoring(paths, builtin=builtin, entry_points=entry_points)
    pack = read.checked()
    ids = None if focus is None else {i for i, p in pack.origins.items() if p in focus}
    return locate(check_examples(Classifier(pack, engine="exact"), ids), read)


def pack_tests_exit_code(results: Sequence[ExampleResult]) -> int:
    """0 when every example passed, 1 otherwise (a pack that does not load: ``PackError``, 2)."""
    return 0 if all(r.passed for r in results) else 1


def _short(text: str, limit: int = 160) -> str:
    return shorten(text.replace("\n", "\\n"), limit)


def format_test_table(results: Sequence[ExampleResult]) -> str:
    """A pass/fail row per signature, then every failure with its example and why."""
    rows: dict[str, list[int]] = {}
    for r in results:
        counts = rows.setdefault(r.signature_id, [0, 0, 0, 0])
        offset = 0 if r.kind == "match" else 2
        counts[offset] += r.passed
        counts[offset + 1] += 1
    table = [("signature", "match", "no_match", "status")]
    for sig_id, (mp, mt, np_, nt) in rows.items():
        status = "ok" if mp == mt and np_ == nt else "FAIL"
        table.append((sig_id, f"{mp}/{mt}", f"{np_}/{nt}", status))
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    lines = [
        f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}  {d}".rstrip()
        for a, b, c, d in table
    ]
    failed = [r for r in results if not r.passed]
    if failed:
        lines += ["", "Failures:"]
    for r in failed:
        where = f"  ({r.where})" if r.where else ""
        lines += [
            f"  {r.signature_id} {r.kind}[{r.index}]{where}",
            f"    line: {_short(r.line)}",
            f"    {r.detail}",
        ]
    failing = sum(1 for counts in rows.values() if counts[0] < counts[1] or counts[2] < counts[3])
    lines += [
        "",
        f"{len(rows)} signature(s), {len(results)} example(s): {len(results) - len(failed)}"
        f" passed, {len(failed)} failed" + (f" in {failing} signature(s)" if failing else ""),
    ]
    return "\n".join(lines) + "\n"
