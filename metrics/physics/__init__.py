"""Physics checks (``physics.*``): verdicts with located events."""
