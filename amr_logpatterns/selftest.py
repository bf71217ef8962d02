"""Run every signature's own examples through the whole pipeline.

The test suite calls this for the built-in packs; pack authors can call it for theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Classifier
from .models import FieldValue


@dataclass(frozen=True)
class ExampleResult:
    """The outcome of one example line of one signature."""

    signature_id: str
    kind: str
    index: int
    line: str
    passed: bool
    detail: str


def _same(expected: FieldValue, got: FieldValue) -> bool:
    return type(expected) is type(got) and expected == got


def check_examples(classifier: Classifier) -> list[ExampleResult]:
    """Check each signature's ``match`` and ``no_match`` examples; one result per example."""
    results: list[ExampleResult] = []
    for cs in classifier.signatures:
        sig = cs.signature
        for i, example in enumerate(sig.examples.match):
            matches = [
                m for m in classifier.scan(example.line, source_name="example") if m.id == sig.id
            ]
            if not matches:
                results.append(
                    ExampleResult(sig.id, "match", i, example.line, False, "did not match")
                )
                continue
            got = matches[0].fields
            wrong = {
                k: (v, got.get(k)) for k, v in example.fields.items() if not _same(v, got.get(k))
            }
            detail = "; ".join(f"{k}: expected {e!r}, got {g!r}" for k, (e, g) in wrong.items())
            if matches[0].line != 1:
                detail = f"matched at line {matches[0].line}, not 1; {detail}"
            results.append(
                ExampleResult(sig.id, "match", i, example.line, not detail, detail or "ok")
            )
        for i, line in enumerate(sig.examples.no_match):
            hits = [m for m in classifier.scan(line, source_name="example") if m.id == sig.id]
            detail = f"matched with fields {hits[0].fields}" if hits else "ok"
            results.append(ExampleResult(sig.id, "no_match", i, line, not hits, detail))
    return results
