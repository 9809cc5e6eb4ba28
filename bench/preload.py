"""Imported by ``launch``'s fork server (:mod:`bench.local_shards`): every built-in metric and
bundled generator registers here, once, so the shards forked from the server find them imported."""

from metrics.registry import resolve_metrics
from model.registry import load_bundled

resolve_metrics("all")
load_bundled()
