"""Reports: summary.json, report.md and report.html with provenance, tables, a figure, the
profile and a failure gallery. Reads run directories (files) only; never generators or metrics."""

from reports.build import build_report, build_summary
from reports.summary import mean_ci, rate_ci, summarize_rows

__all__ = ["build_report", "build_summary", "mean_ci", "rate_ci", "summarize_rows"]
