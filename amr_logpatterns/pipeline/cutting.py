"""When cutting files between worker processes pays.

Kept apart from ``parallel`` so that deciding costs no import of the process
pool: a paste of a few kilobytes never loads ``multiprocessing``.
"""

from __future__ import annotations

#: The smallest piece worth a worker: below two of these, one process is faster.
MIN_PIECE_BYTES = 16 << 20


def worth_cutting(total_bytes: int, jobs: int) -> bool:
    """Whether ``jobs`` workers can beat one process on ``total_bytes`` of plain files."""
    return jobs >= 2 and total_bytes >= 2 * MIN_PIECE_BYTES
