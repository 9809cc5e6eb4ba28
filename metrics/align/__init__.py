"""Text–video alignment metrics (``align.*``)."""
