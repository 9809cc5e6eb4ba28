"""Fault operators (labelled edits of a timeline) and their registry; see :mod:`.base`."""

from model.world.faults import appearance, causal, movement, permanence  # noqa: F401  (registers)
from model.world.faults.base import CAMERA, FAULTS, Fault, FaultLabel, inject

__all__ = ["CAMERA", "FAULTS", "Fault", "FaultLabel", "inject"]
