from __future__ import annotations

import time

import pytest
import torch

from bench.profile import Profiler, current_rss_bytes, peak_rss_bytes, summarize


def test_stages_are_counted_and_summarized() -> None:
    prof = Profiler()
    for d in (0.001, 0.002, 0.003, 0.004, 0.010):
        with prof.stage("work"):
            time.sleep(d)
    with prof.stage("other"):
        pass
    samples = prof.take()
    assert prof.take() == {}
    s = summarize(samples)
    assert s["work"]["count"] == 5 and s["other"]["count"] == 1
    w = s["work"]["wall_s"]
    assert w["median"] >= 0.003 and w["p90"] >= w["median"] and w["total"] >= 0.02
    assert s["work"]["cuda_ms"] is None and s["work"]["peak_allocated_bytes"] is None
    assert s["work"]["peak_rss_bytes"] > 0


def test_stage_records_even_when_it_raises() -> None:
    prof = Profiler()
    with pytest.raises(ValueError), prof.stage("boom"):
        raise ValueError
    assert len(prof.take()["boom"]) == 1


def test_rss_readings() -> None:
    assert 0 < current_rss_bytes() <= peak_rss_bytes() * 1.1


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_peaks_reset_per_stage() -> None:
    prof = Profiler(cuda=True)
    with prof.stage("big"):
        x = torch.empty(64 * 2**20, dtype=torch.uint8, device="cuda")
        del x
    with prof.stage("small"):
        y = torch.empty(2**20, dtype=torch.uint8, device="cuda")
        del y
    s = summarize(prof.take())
    assert s["big"]["peak_allocated_bytes"] >= 64 * 2**20
    assert s["small"]["peak_allocated_bytes"] < 8 * 2**20
    assert s["big"]["cuda_ms"]["total"] >= 0
