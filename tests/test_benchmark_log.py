"""The benchmark's generated log: its planted AMR lines are exactly what is found."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import ROOT

from amr_logpatterns import Classifier

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate


@pytest.mark.parametrize("rate", [0.001, 0.1])
def test_planted_lines_and_only_those_are_found(tmp_path: Path, rate: float) -> None:
    log = tmp_path / "bench.log"
    planted = generate(log, 1_500_000, rate)
    for engine in ("exact", "auto"):
        classifier = Classifier(engine=engine, fast_path_min_bytes=0)
        with log.open("rb") as handle:
            found = sorted({m.line for m in classifier.scan(handle, source_name="bench")})
        assert found == planted, engine
