"""Temporal quality metrics (``temporal.*``)."""
