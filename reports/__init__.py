"""Reports: summary.json, report.md and report.html (headline, charts, cost, a failure gallery),
``compare`` of two runs and ``history`` over many. Reads run directories (files) only, through
:class:`t2vbase.rundir.RunDir`; never generators or metrics."""

from reports.build import build_report, build_summary
from reports.stats import mean_ci, rate_ci
from reports.summary import summarize_rows

__all__ = ["build_report", "build_summary", "mean_ci", "rate_ci", "summarize_rows"]
