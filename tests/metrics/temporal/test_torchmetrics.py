"""Each new temporal metric as a torchmetrics ``Metric``: the scorer's protocol, the mean of its
per-clip values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from metrics import Clip, build_metric
from metrics.torchmetric import torchmetric
from tests.conftest import blank_prompt
from tests.metrics.temporal.clips import blob, pan


@pytest.mark.parametrize("name", ["temporal.warp_error", "temporal.smoothness", "temporal.dynamic_degree"])
def test_update_compute_is_the_mean(name: str) -> None:
    clips = [pan(T=8, size=64, dx=2), blob([20 + 3 * t for t in range(8)], size=64, radius=8)]
    m = torchmetric(name)()
    assert m.protocol() == build_metric(name).protocol()
    m.update(torch.from_numpy(np.stack(clips)), fps=8.0)
    want = np.mean([build_metric(name).score(Clip(c, 8.0, blank_prompt())).value for c in clips])
    assert float(m.compute()) == pytest.approx(want, abs=1e-6)
