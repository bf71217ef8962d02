"""Colour and wrapping on a terminal, the two things every terminal rendering does.

Apart from ``terminal`` (the blocks the two terminal reports share) so that
fix steps, which ``explain`` prints on their own, wrap and paint the same way
without pulling in the reports. Prose wraps at ``options.width``; colour is
an SGR style, and nothing at all when ``options.color`` is off.
"""

from __future__ import annotations

import textwrap

from amr_logpatterns.formatters.options import Options

INDENT = "  "
#: Below this, wrapped prose would be mostly indentation.
MIN_WIDTH = 40
BOLD = "1"
COMMAND_SGR = "32"
WARNING_SGR = "33"

_RESET = "\x1b[0m"


def paint(text: str, sgr: str, options: Options) -> str:
    """``text`` in an SGR style when colour is on; unchanged otherwise, so plain output is exact."""
    return f"\x1b[{sgr}m{text}{_RESET}" if options.color and text else text


def wrap(text: str, indent: str, options: Options, first: str | None = None) -> list[str]:
    """``text`` as lines of at most ``options.width`` (never below ``MIN_WIDTH``)."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=max(options.width, MIN_WIDTH),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]
