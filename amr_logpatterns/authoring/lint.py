"""Pack authoring: every problem of a pack in one run, and JSON Schemas for editors.

``lint_packs`` goes past what loading refuses: it runs every example, checks
the fields each promises, the stage-1 literals the fast path searches for,
overlaps between signatures and the ``{field}`` placeholders of the texts, so
an author fixes everything in one round instead of one error per run.
``signature_json_schema`` and ``config_json_schema`` are generated from the
same Pydantic models the loader validates with, so an editor flags a typo'd
key as the loader would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import models_json_schema

from amr_logpatterns.analyse.aggregate import derivable
from amr_logpatterns.authoring.selftest import (
    ExampleResult,
    check_examples,
    extracted_fields,
    read_for_authoring,
)
from amr_logpatterns.decode.podstate import opens_block
from amr_logpatterns.errors import Problem
from amr_logpatterns.packs.literals import signature_literals
from amr_logpatterns.packs.loader import Marks, Pack, PackRead, position
from amr_logpatterns.packs.regexsafety import find_quadratic
from amr_logpatterns.packs.schema import Component, DiagnosisSpec, RemediationStep, Signature
from amr_logpatterns.pipeline.classifier import Classifier
from amr_logpatterns.policy.config import Config
from amr_logpatterns.wording import plural

Level = Literal["error", "warning"]

#: The placeholders ``aggregate.fill`` replaces; ``${NAME}`` is a shell variable, left alone.
_PLACEHOLDER = re.compile(r"(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}")

#: What an ``unless_reason`` may name besides the finding's fields (see ``verdicts``).
_UNLESS_REASON_FIELDS = frozenset(("failed_id", "failed_title", "failed_at"))

_NEVER = "that the signature never extracts"


class LintEntry(BaseModel):
    """One problem: where (``path:line:column``, field path, item id), how bad, and what."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    path: str
    line: int
    column: int
    level: Level
    code: str
    message: str
    field: str = ""
    item_id: str = ""

    def __str__(self) -> str:
        item = f" [{self.item_id}]" if self.item_id else ""
        field = f" {self.field}:" if self.field else ""
        where = f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.level}:{item}{field} {self.message} ({self.code})"


class LintReport(BaseModel):
    """Every problem found, and what was checked (the files reported on, and their contents)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    entries: tuple[LintEntry, ...] = ()
    files: int = 0
    signatures: int = 0
    diagnoses: int = 0
    components: int = 0
    examples: int = 0

    @property
    def errors(self) -> int:
        """How many entries are errors."""
        return sum(1 for e in self.entries if e.level == "error")

    @property
    def warnings(self) -> int:
        """How many entries are warnings."""
        return sum(1 for e in self.entries if e.level == "warning")


def _from_problem(p: Problem) -> LintEntry:
    return LintEntry(
        path=p.path,
        line=p.line,
        column=p.column,
        level="error",
        code=p.code or "schema",
        message=p.message,
        field=p.field,
        item_id=p.item_id,
    )


class _Checker:
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


def _lint_read(read: PackRead, focus: frozenset[str] | None) -> tuple[list[LintEntry], int]:
    """Every entry for one read of the packs (loader problems first) and the examples run."""
    entries = [_from_problem(p) for p in read.problems]
    checker = _Checker(read)
    ids = None if focus is None else {i for i, p in read.pack.origins.items() if p in focus}
    results = check_examples(Classifier(read.pack, engine="exact"))
    mine = [r for r in results if ids is None or r.signature_id in ids]
    checker.examples(mine)
    checker.slow_regexes(ids)
    checker.overlaps(results, ids)
    checker.templates()
    return entries + checker.entries, len(mine)


def _key(e: LintEntry) -> tuple[str, int, int, str, str, str, str]:
    return (e.path, e.line, e.column, e.code, e.field, e.item_id, e.message)


def lint_packs(
    paths: Sequence[str | Path] | None, *, builtin: bool, entry_points: bool = False
) -> LintReport:
    """Every problem of the packs at ``paths`` (None: the built-in packs), errors and warnings.

    Never raises for a broken pack: what the loader refuses becomes entries
    too. With paths and ``builtin=True`` the built-in packs are loaded as a run
    would load them (duplicate ids, overrides and overlaps are judged against
    them), but only problems in the given files, or that the given files cause
    in the others, are reported.
    """
    read, focus = read_for_authoring(paths, builtin=builtin, entry_points=entry_points)
    entries, examples = _lint_read(read, focus)
    if focus is not None:
        context = set(read.marks) - focus
        if any(e.path in context for e in entries):
            alone, _ = read_for_authoring(
                None if builtin else [], builtin=builtin, entry_points=entry_points
            )
            before = {_key(e) for e in _lint_read(alone, None)[0]}
            entries = [e for e in entries if e.path not in context or _key(e) not in before]
    entries.sort(key=lambda e: (e.path, e.line, e.column, e.level != "error", e.code))
    reported = set(read.marks) if focus is None else focus
    origins = read.pack.origins
    return LintReport(
        entries=tuple(dict.fromkeys(entries)),
        files=len(reported),
        signatures=sum(1 for s in read.pack.signatures if origins.get(s.id) in reported),
        diagnoses=sum(1 for d in read.pack.diagnoses if origins.get(d.id) in reported),
        components=sum(1 for c in read.pack.components if origins.get(c.id) in reported),
        examples=examples,
    )


def _shown_path(path: str) -> str:
    """A path inside the working directory as a relative one, which is shorter and still opens."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def format_lint(report: LintReport) -> str:
    """Entries grouped by file, one ``file:line:col: level: ...`` line each, and a summary line."""
    lines: list[str] = []
    current: str | None = None
    for entry in report.entries:
        if current is not None and entry.path != current:
            lines.append("")
        current = entry.path
        lines.append(str(entry.model_copy(update={"path": _shown_path(entry.path)})))
    checked = (
        f"checked {plural(report.files, 'file')} ({plural(report.signatures, 'signature')},"
        f" {plural(report.diagnoses, 'diagnosis', 'diagnoses')},"
        f" {plural(report.components, 'component')}) and {plural(report.examples, 'example')}"
    )
    if report.entries:
        files = len({e.path for e in report.entries})
        summary = (
            f"lint: {plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}"
            f" in {plural(files, 'file')}; {checked}"
        )
        lines += ["", summary]
    else:
        lines.append(f"lint: no problems; {checked}")
    return "\n".join(lines) + "\n"


def lint_exit_code(report: LintReport, strict: bool = False) -> int:
    """2 when there are errors, 1 when there are warnings and ``strict``, else 0."""
    if report.errors:
        return 2
    return 1 if strict and report.warnings else 0


# --- JSON Schemas ---------------------------------------------------------------------

SchemaKind = Literal["pack", "signature", "diagnosis", "component"]

_DRAFT = "http://json-schema.org/draft-07/schema#"

#: Property descriptions editors show on hover, by model; the models stay the single
#: source of structure, and a test keeps every name here in step with them.
DESCRIPTIONS: Mapping[str, Mapping[str, str]] = {
    "Signature": {
        "id": "component.name; public API, never changes; the file is named after it",
        "title": "One line: what the log line means",
        "component": "A component of components/*.yaml",
        "severity": "info | warning | error",
        "category": "A free-form group such as connectivity, tls, data",
        "explanation": "Our own words; {field} placeholders are filled from the match",
        "remediation": "Ordered steps of the fix",
        "verify": "Signature ids whose lines show the problem is fixed",
        "references": "Sections of the AMR troubleshooting guide, such as '#health-check'",
        "attribution": "Components whose records it may describe (default: its component)",
        "benign": "When the line is harmless; such findings never fail the gate",
        "group_by": "Fields whose values split findings",
        "types": "Types of named groups (str unless given): int, float, bool",
        "match": "How to recognise the line: keywords, then a condition tree",
        "examples": "Lines that must match (with the fields they yield) and must not",
        "overrides": "Repeat this signature's id to replace a built-in signature of that id",
        "overlaps": "Signatures expected to match some of the same lines (lint stays quiet)",
    },
    "MatchSpec": {
        "keywords": "Literal texts, one of which every matching line holds (a prefilter)",
    },
    "Condition": {
        "message": "Regex searched in the decoded message",
        "text": "Regex searched in the message followed by every field as key=value",
        "raw": "Regex searched in the line as written",
        "fields": "Regexes on record attributes (level, logger, caller, ...) or JSON keys",
        "any": "At least one of these conditions holds",
        "all": "Every one of these conditions holds",
        "none": "None of these conditions holds",
        "optional": "Never fails; adds the named groups of those that hold",
    },
    "Example": {
        "line": "A log line exactly as it appears",
        "fields": "The fields the signature must extract from it, with their types",
    },
    "Examples": {
        "match": "At least two lines the signature must match",
        "no_match": "At least two near misses it must not match",
    },
    "RemediationStep": {
        "text": "What to do; {field} placeholders are filled from the match",
        "command": "A command to run, rendered apart",
        "config": "A configuration snippet, rendered apart",
        "tap": "The TAP releases the step applies to, such as '>=1.7' or '>=1.6, <1.8'",
    },
    "DiagnosisSpec": {
        "id": "diagnosis.name; public API, never changes",
        "summary": "What went wrong, in one or two sentences",
        "when": "The rule over findings that concludes this root cause",
        "confidence": "low | medium | high",
        "stronger_when": "A rule that raises the confidence to high",
        "symptoms": "Findings folded under this root cause when present",
        "overrides": "Repeat this diagnosis's id to replace a built-in diagnosis of that id",
    },
    "Rule": {
        "finding": "A signature id that must have a finding",
        "min_count": "How many matches the finding needs at least",
        "errors_only_from": "Every error-level record comes from these signatures",
    },
    "Component": {
        "namespaces": "Namespaces whose records belong to the component",
        "workloads": "Pod or workload name globs of the component",
        "foreign_containers": "Containers in its pods whose records are not its own",
        "logs_command": "How to read the component's log",
    },
    "Config": {
        "patterns": "Extra pack directories, relative to this file",
        "disabled": "Signature and diagnosis ids to leave out entirely",
        "ignore": "Accepted findings: an id or fingerprint, a reason, an optional expiry",
        "baseline": "An earlier JSON report whose findings do not fail the gate",
    },
}


def _describe(defs: dict[str, Any]) -> None:
    """Add the property descriptions to the generated ``$defs`` (in place)."""
    for model, props in DESCRIPTIONS.items():
        schema = defs.get(model)
        if schema is None:
            continue
        for name, text in props.items():
            if name in schema.get("properties", {}):
                schema["properties"][name].setdefault("description", text)


def _kind_models() -> dict[str, type[BaseModel]]:
    return {"signature": Signature, "diagnosis": DiagnosisSpec, "component": Component}


def signature_json_schema(kind: SchemaKind = "pack") -> dict[str, Any]:
    """The JSON Schema (draft-07) of a pack file, generated from the models the loader uses.

    ``pack`` (the default) accepts any pack file: a file with ``when`` or
    ``summary`` is checked as a diagnosis, one with ``match``, ``severity``,
    ``component`` or ``examples`` as a signature, any other as a component, so
    an editor reports the errors of the kind the author meant.
    """
    models = _kind_models()
    chosen = list(models.values()) if kind == "pack" else [models[kind]]
    refs, top = models_json_schema([(m, "validation") for m in chosen], by_alias=True)
    defs: dict[str, Any] = top.get("$defs", {})
    _describe(defs)
    ref = {m.__name__: refs[(m, "validation")]["$ref"] for m in chosen}
    schema: dict[str, Any] = {"$schema": _DRAFT}
    if kind == "pack":
        schema |= {
            "title": "amr-logpatterns pack file",
            "description": "A signature, a diagnosis (diagnoses/) or a component (components/)",
            "if": {"anyOf": [{"required": ["when"]}, {"required": ["summary"]}]},
            "then": {"$ref": ref["DiagnosisSpec"]},
            "else": {
                "if": {
                    "anyOf": [
                        {"required": [key]}
                        for key in ("match", "severity", "component", "examples")
                    ]
                },
                "then": {"$ref": ref["Signature"]},
                "else": {"$ref": ref["Component"]},
            },
        }
    else:
        schema |= {"title": f"amr-logpatterns {kind}", "$ref": ref[chosen[0].__name__]}
    schema["$defs"] = defs
    return schema


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of ``.amr-logpatterns.yaml``."""
    generated = Config.model_json_schema(by_alias=True)
    defs = generated.pop("$defs", {})
    defs["Config"] = generated
    _describe(defs)
    return {
        "$schema": _DRAFT,
        "title": "amr-logpatterns config file (.amr-logpatterns.yaml)",
        "$ref": "#/$defs/Config",
        "$defs": defs,
    }


#: What ``schema_text`` can print: a pack file of any kind or one kind, or the config file.
SCHEMA_KINDS = ("pack", "signature", "diagnosis", "component", "config")


def schema_text(kind: str = "pack") -> str:
    """A JSON Schema as the ``schema`` command prints it (``ValueError`` for an unknown kind)."""
    kinds = {k: k for k in get_args(SchemaKind)}
    if kind == "config":
        schema = config_json_schema()
    elif kind in kinds:
        schema = signature_json_schema(kinds[kind])
    else:
        raise ValueError(f"unknown schema {kind!r}; choose from {', '.join(SCHEMA_KINDS)}")
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
