"""The CRI (containerd, CRI-O) node-log prefix: ``TIME stdout|stderr F|P `` before each line.

``P`` marks a partial entry: the kubelet split a long line, and the next
entry continues it (the driver joins them).
"""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import Pattern, literal_pattern
from amr_logpatterns.peel.rules import Peeling, Wrapper

CRI = re.compile(r"^(?P<ts>\d{4}-\d\d-\d\dT\S+)\s(?P<stream>stdout|stderr)\s(?P<flag>[FP])(?:\s|$)")


def peel_cri(text: str, peeling: Peeling) -> str | None:
    """The line after the prefix; its time becomes the capture time."""
    if peeling.cri_flag:
        return None
    m = CRI.match(text)
    if m is None:
        return None
    peeling.cri_flag = m["flag"]
    peeling.context["capture_ts"] = m["ts"]
    peeling.note("cri", m[0], {"capture_ts": m["ts"]})
    return text[m.end() :]


WRAPPER = Wrapper(
    name="cri",
    title="CRI/containerd node-log prefix",
    peel=peel_cri,
    stage1=(
        # a partial entry joins the next line, which may be a stack frame once joined
        literal_pattern(b"stdout P ", frame=True),
        literal_pattern(b"stderr P ", frame=True),
        # an entry with nothing after its prefix is an empty line
        Pattern(
            rb"(?:stdout|stderr) [FP]\r?$",
            multiline=True,
            stdlib=(rb"(?m)std(?:out|err) [FP]\r?$",),
        ),
    ),
)
