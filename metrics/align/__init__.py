"""Text–video alignment metrics (``align.*``) and the alignment models they score with."""
