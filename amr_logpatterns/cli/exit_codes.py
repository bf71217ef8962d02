"""The command's exit codes, and the help text that says what each means.

Scripts and CI jobs branch on these numbers, so they live in one place that
every subcommand and the top-level ``--help`` read from.
"""

from __future__ import annotations

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

#: The ``--help`` epilog of the command and of ``scan``.
EXIT_CODES_HELP = """\
exit codes:
  0  the gate passed: nothing at or above --fail-on remains after suppressions
  1  the gate failed: a finding or diagnosis at or above --fail-on (default: error),
     a component named by --expect with no record, or at --fail-on info a
     warning-or-worse message no signature knows (signals and harmless findings
     never fail it)
  2  usage error, unreadable input, or a bad signature pack, config or baseline
"""
