"""Shared fixtures: one compiled classifier for the whole session (compiling is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amr_logpatterns import Classifier

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier()
