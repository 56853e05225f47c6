"""The event-loop lag probe sees a stall of the size it was, and exports it."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

import pytest

from bot.app.loop_lag import LoopLagProbe
from bot.app.metrics import Metrics


def _sample(metrics: Metrics, name: str, **labels: str) -> float:
    for family in metrics.registry.collect():
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    raise LookupError(name)


def _block(seconds: float) -> None:
    """What a synchronous scan over many rows does to every chat."""
    time.sleep(seconds)


async def test_a_blocking_call_is_measured_as_a_stall_of_its_length(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = Metrics()
    probe = LoopLagProbe(metrics.loop_lag_observed)
    probe.start()
    await asyncio.sleep(0.1)  # quiet: the probe only sees the loop's normal jitter
    quiet = probe.max_seconds
    with caplog.at_level(logging.WARNING, logger="bot.app.loop_lag"):
        _block(0.3)
        await asyncio.sleep(0.1)
    await probe.stop()

    assert quiet < 0.05
    assert 0.25 <= probe.max_seconds < 0.6
    assert _sample(metrics, "quran_companion_event_loop_lag_max_seconds") == probe.max_seconds
    assert _sample(metrics, "quran_companion_event_loop_lag_seconds_count") >= 5
    # The stall falls in the 0.5 s bucket and not in the 0.25 s one.
    above = _sample(metrics, "quran_companion_event_loop_lag_seconds_count") - _sample(
        metrics, "quran_companion_event_loop_lag_seconds_bucket", le="0.25"
    )
    assert above == 1
    assert any("event loop stalled for" in r.getMessage() for r in caplog.records)


async def test_stop_ends_the_probe_and_a_second_stop_is_harmless() -> None:
    probe = LoopLagProbe()
    probe.start()
    await asyncio.sleep(0.05)
    await probe.stop()
    await probe.stop()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "event-loop-lag-probe"]


async def test_a_stall_from_a_full_garbage_collection_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Thresholds small enough that collecting this heap counts as a stall on any machine.
    probe = LoopLagProbe(warn_after=0.0005)
    heap = [[index] for index in range(300_000)]
    probe.start()
    await asyncio.sleep(0.03)
    with caplog.at_level(logging.WARNING, logger="bot.app.loop_lag"):
        gc.collect()
        await asyncio.sleep(0.03)
    await probe.stop()
    del heap

    assert probe.max_collection_seconds > 0
    assert any("a full garbage collection took" in r.getMessage() for r in caplog.records)
    assert probe._on_collection not in gc.callbacks


async def test_a_stall_before_the_metrics_existed_still_shows_in_them() -> None:
    probe = LoopLagProbe()
    probe.start()
    await asyncio.sleep(0.02)
    _block(0.12)
    await asyncio.sleep(0.05)
    metrics = Metrics()
    probe.attach(metrics.loop_lag_observed)
    await probe.stop()

    assert _sample(metrics, "quran_companion_event_loop_lag_max_seconds") >= 0.1
