"""Names of the places in an HTML report that other parts link to, so the timeline's ticks
and the evidence lines agree on them.

An id is built from the source's digest and the line, never from log text,
so a hostile file name cannot break out of an attribute or collide on purpose.
"""

from __future__ import annotations

import hashlib


def evidence_anchor(source: str, line: int) -> str:
    """The id of the evidence line at ``source``:``line`` (``ev-<digest>-<line>``)."""
    digest = hashlib.blake2s(source.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"ev-{digest}-{line}"
