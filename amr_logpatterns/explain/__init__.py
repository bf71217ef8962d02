"""``explain-line``: why a line gave (or did not give) a finding, stage by stage."""

from __future__ import annotations

from amr_logpatterns.explain.line import explain_file_line, explain_line
from amr_logpatterns.explain.report import format_explanation
from amr_logpatterns.explain.results import LineExplanation

__all__ = ["LineExplanation", "explain_file_line", "explain_line", "format_explanation"]
