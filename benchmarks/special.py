"""Count the lines a checkout's stage 1 flags as special in a log.

Run with the checkout first on ``PYTHONPATH``:
``PYTHONPATH=CHECKOUT python benchmarks/special.py LOG [ENGINE]``. It uses only
``Classifier(engine=...).stage1().scan(buf)``, which older checkouts have too, and
scans 4 MiB of whole lines at a time, as the fast path does. A line counts once however
many patterns it holds; a buffer stage 1 gives up on (too many matches, so the fast
path reads all of it) counts whole. Every engine finds the same lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHUNK = 4 << 20


def special_lines(path: Path, engine: str = "auto") -> int:
    from amr_logpatterns import Classifier

    stage1 = Classifier(engine=engine).stage1()
    count = 0
    carry = b""
    with path.open("rb") as src:
        while True:
            data = src.read(CHUNK)
            buf = carry + data
            end = buf.rfind(b"\n") + 1 if data else len(buf)
            buf, carry = buf[:end], buf[end:]
            scanned = stage1.scan(buf) if buf else ([], [])
            if scanned is None:
                count += buf.count(b"\n")
            else:
                line_end = -1  # offsets inside one line (its newline included) count once
                size = len(buf)  # an engine may report the empty end of the buffer
                for offset in sorted(scanned[0] + scanned[1]):
                    if line_end < offset < size:
                        count += 1
                        line_end = buf.find(b"\n", offset)
                        if line_end < 0:
                            line_end = len(buf)
            if not data:
                return count


if __name__ == "__main__":
    print(special_lines(Path(sys.argv[1]), *sys.argv[2:3]))
