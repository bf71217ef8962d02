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


@pytest.fixture(autouse=True)
def _private_pack_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command caches packs; tests keep that cache out of the user's home."""
    monkeypatch.setenv("AMR_LOGPATTERNS_CACHE", str(tmp_path_factory.getbasetemp() / "pack-cache"))
