"""What the command does differently at a terminal: colour and width of the text it prints.

Files and pipes always get plain text at the default width, so what a CI job
stores is the same on every machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
from typing import IO

from amr_logpatterns.formatters import PLAIN, Options
from amr_logpatterns.policy.config import LoadedConfig


def is_terminal(stream: object) -> bool:
    """Whether ``stream`` is a terminal (a stream without ``isatty`` is not)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def render_options(
    args: argparse.Namespace, loaded: LoadedConfig, stream: IO[str] | None
) -> Options:
    """Colour and width for the terminal (``stream``); files get plain text at the default width."""
    guide = loaded.config.guide_url or PLAIN.guide_url
    verbose = bool(getattr(args, "verbose", None) or loaded.config.verbose)
    if stream is None:
        return Options(guide_url=guide, verbose=verbose)
    tty = is_terminal(stream)
    color = getattr(args, "color", None)
    if color is None:
        color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = max(40, min(160, shutil.get_terminal_size((100, 24)).columns)) if tty else 100
    return Options(color=bool(color), width=width, guide_url=guide, verbose=verbose)
