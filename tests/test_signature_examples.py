"""Every example line in every signature's YAML is a test."""

from __future__ import annotations

import pytest

from amr_logpatterns import Classifier
from amr_logpatterns.selftest import ExampleResult, check_examples

_CLASSIFIER = Classifier()
_RESULTS = check_examples(_CLASSIFIER)


@pytest.mark.parametrize(
    "result", _RESULTS, ids=[f"{r.signature_id}-{r.kind}-{r.index}" for r in _RESULTS]
)
def test_example(result: ExampleResult) -> None:
    assert result.passed, f"{result.signature_id} {result.kind} #{result.index}: {result.detail}\n{result.line}"


def test_every_signature_has_enough_examples() -> None:
    for cs in _CLASSIFIER.signatures:
        examples = cs.signature.examples
        assert len(examples.match) >= 2 and len(examples.no_match) >= 2, cs.signature.id
