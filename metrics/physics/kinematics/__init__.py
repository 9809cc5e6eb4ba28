"""``physics.kinematics``: gravity, bounces, uniform motion and collisions behave physically.

One module per kind of motion: :mod:`.flight` (falls, projectiles, rises, bounces),
:mod:`.uniform`, :mod:`.collision`; :mod:`.fits` holds the polynomial fits they share and
:mod:`.check` the check that dispatches to them.
"""

from metrics.physics.kinematics.check import KinematicsCheck

__all__ = ["KinematicsCheck"]
