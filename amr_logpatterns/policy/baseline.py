"""Baselines: an earlier JSON report whose findings are known, so only new ones fail the gate.

A baseline is the ``--format json`` report itself (``--write-baseline`` writes
one), so any archived CI report can serve. Only ids and fingerprints are read;
fingerprints hold no line numbers or timestamps, so a shifted log still matches.
"""

from __future__ import annotations

import json
from pathlib import Path

from amr_logpatterns.errors import BaselineError


def read_baseline(path: str | Path) -> frozenset[str]:
    """The ``id:fingerprint`` keys of every finding and diagnosis in a JSON report."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise BaselineError(f"{name}: no such baseline file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{name}: cannot read the baseline: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg}); "
            "a baseline is a report written by --format json or --write-baseline"
        ) from exc
    except RecursionError as exc:
        raise BaselineError(f"{name}: JSON nested too deeply to be a report") from exc
    if not isinstance(data, dict) or "schema_version" not in data:
        raise BaselineError(
            f"{name}: not an amr-logpatterns JSON report (no schema_version); "
            "write one with --write-baseline"
        )
    keys = set()
    for section in ("findings", "diagnoses"):
        items = data.get(section, [])
        if not isinstance(items, list):
            raise BaselineError(f"{name}: {section!r} must be a list")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise BaselineError(f"{name}: {section}[{i}] has no 'id'")
            fingerprint = item.get("fingerprint")
            if not isinstance(fingerprint, str):
                raise BaselineError(f"{name}: {section}[{i}] ({item['id']}) has no 'fingerprint'")
            keys.add(f"{item['id']}:{fingerprint}")
    return frozenset(keys)
