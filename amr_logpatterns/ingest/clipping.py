"""Cut a physical line at the line cap, and clip every line of a byte stream as it is read.

A line longer than ``max_line_length`` is read on its first ``max_line_length``
units and marked truncated (``cut_line``). Readers keep ``clip_length`` units
of each line (``LineClipper``), which changes nothing ``cut_line`` decides, so
the rest of a long line is never held in memory and every path agrees.
"""

from __future__ import annotations


def clip_length(max_line_length: int) -> int:
    """How much of a line a reader must keep so ``cut_line`` still decides as on the whole line.

    One unit more for a trailing CR (not counted), one more to see the line is longer.
    """
    return max_line_length + 2


def _whole_utf8(head: bytes) -> bytes:
    """``head`` without a UTF-8 sequence that its end cut in two: a cut is no decode error."""
    for back in range(1, min(4, len(head)) + 1):
        byte = head[-back]
        if byte < 0x80:
            return head
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return head[:-back] if need > back else head
    return head


def cut_line(item: str | bytes, max_line_length: int) -> tuple[str | bytes, bool]:
    """The part of a physical line that is read, and whether the line was cut.

    A line is cut when it is longer than ``max_line_length`` without one trailing
    CR; it then keeps its first ``max_line_length`` units (bytes: never half a
    character). The result depends only on the first ``clip_length`` units.
    """
    size = len(item)
    if size <= max_line_length:
        return item, False
    if size == max_line_length + 1 and item[-1:] in ("\r", b"\r"):
        return item, False
    head = item[:max_line_length]
    if isinstance(head, bytes):
        return _whole_utf8(head), True
    return head, True


class LineClipper:
    """Cuts every line of a byte stream to its first ``keep`` bytes, one chunk at a time.

    The column carries over from chunk to chunk, so a line of any length costs
    at most ``keep`` bytes of memory. A chunk without a long line is returned as is.
    """

    def __init__(self, keep: int) -> None:
        self.keep = max(2, keep)
        self.column = 0

    def __call__(self, data: bytes) -> bytes:
        keep, size = self.keep, len(data)
        if not size:
            return data
        first = data.find(b"\n")
        head_end = size if first < 0 else first
        drops: list[tuple[int, int]] = []
        if self.column + head_end > keep:
            drops.append((max(0, keep - self.column), head_end))
        if first < 0:
            self.column += size
        else:
            self.column = size - data.rfind(b"\n") - 1
            # a line longer than keep holds a newline-free window of keep // 2 bytes
            # aligned to the step: only those windows need a closer look
            step = keep // 2
            done = first + 1
            for start in range(first + 1, size, step):
                if start < done or data.find(b"\n", start, start + step) >= 0:
                    continue
                begin = data.rfind(b"\n", 0, start) + 1
                end = data.find(b"\n", start)
                done = size if end < 0 else end
                if done - begin > keep:
                    drops.append((begin + keep, done))
        if not drops:
            return data
        parts: list[bytes] = []
        pos = 0
        for begin, end in drops:
            parts.append(data[pos:begin])
            pos = end
        parts.append(data[pos:])
        return b"".join(parts)
