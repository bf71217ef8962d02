"""Every example line in every signature's YAML is a test, run as `amr-logpatterns test` runs it."""

from __future__ import annotations

import pytest

from amr_logpatterns import load_packs
from amr_logpatterns.authoring.selftest import ExampleResult, run_pack_tests

_RESULTS = run_pack_tests(None, builtin=True)


@pytest.mark.parametrize(
    "result", _RESULTS, ids=[f"{r.signature_id}-{r.kind}-{r.index}" for r in _RESULTS]
)
def test_example(result: ExampleResult) -> None:
    assert result.passed, f"{result.where}: {result.signature_id} {result.kind} #{result.index}: {result.detail}\n{result.line}"


def test_every_signature_is_tested_with_enough_examples() -> None:
    pack = load_packs()
    assert {r.signature_id for r in _RESULTS} == {s.id for s in pack.signatures}
    for sig in pack.signatures:
        examples = sig.examples
        assert len(examples.match) >= 2 and len(examples.no_match) >= 2, sig.id


def test_every_result_points_at_its_example() -> None:
    for r in _RESULTS:
        assert r.path.endswith(f"{r.signature_id}.yaml") and r.yaml_line > 1, r
