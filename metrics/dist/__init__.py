"""Set-level distances to a reference set: ``dist.fvd``, ``dist.kvd``, ``dist.motion``.

:mod:`~metrics.dist.stats` (float64 sums that merge), :mod:`~metrics.dist.kernel` (unbiased
polynomial MMD²), :mod:`~metrics.dist.estimate` (value, floor, bootstrap CIs),
:mod:`~metrics.dist.backbones` (``tiny``, ``i3d``, ``videomae``), :mod:`~metrics.dist.motion`
(optical-flow statistics), :mod:`~metrics.dist.distances` (the registered metrics). Importing
this package imports no torch.
"""

from metrics.dist.distances import FVD, KVD, Distance, MotionDistance, ReferenceHalves
from metrics.dist.stats import GaussianStats, frechet

__all__ = ["FVD", "KVD", "Distance", "GaussianStats", "MotionDistance", "ReferenceHalves", "frechet"]
