"""``tail`` headers between files (``==> /var/log/pods/.../0.log <==``): the file's path
names whose log follows."""

from __future__ import annotations

import re

from amr_logpatterns.models.stage1 import literal_pattern
from amr_logpatterns.peel.paths import path_context
from amr_logpatterns.peel.rules import Marker
from amr_logpatterns.peel.state import PasteState

TAIL_HEADER = re.compile(r"^==> (?P<file>.+) <==$")


def _file_follows(m: re.Match[str], state: PasteState) -> None:
    state.session = {"file": m["file"], **path_context(m["file"])}
    state.describe = {}
    state.capturing = True


MARKER = Marker(
    name="tail-header",
    title="a tail header",
    match=TAIL_HEADER.match,
    apply=_file_follows,
    stage1=(literal_pattern(b"==> "),),
    hint=rb"==> ",
)
