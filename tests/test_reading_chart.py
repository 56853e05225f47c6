"""The /progress chart: a real PNG of the right window, rendered quickly."""

from __future__ import annotations

import struct
import time
from datetime import date, timedelta

from bot.presentation.progress_chart import FIGURE_SIZE, render_activity_chart, seconds_by_day
from bot.qf import ActivityDay

END = date(2026, 3, 29)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_window_is_thirty_days_ending_today_and_sums_duplicates() -> None:
    days = [
        ActivityDay(date=END, seconds_read=120),
        ActivityDay(date=END, seconds_read=60),  # a second record for the same day
        ActivityDay(date=END - timedelta(days=29), seconds_read=300),
        ActivityDay(date=END - timedelta(days=30), seconds_read=900),  # outside
        ActivityDay(date=END + timedelta(days=1), seconds_read=900),  # outside
    ]
    totals = seconds_by_day(days, end=END)
    assert len(totals) == 30
    assert min(totals) == END - timedelta(days=29)
    assert totals[END] == 180
    assert totals[END - timedelta(days=29)] == 300
    assert sum(totals.values()) == 480


def test_chart_is_a_small_png() -> None:
    days = [ActivityDay(date=END - timedelta(days=i), seconds_read=60 * i) for i in range(12)]
    png = render_activity_chart(days, end=END, target_minutes=10)
    assert png.startswith(PNG_MAGIC)
    width, height = _png_size(png)
    assert (width, height) == (round(FIGURE_SIZE[0] * 100), round(FIGURE_SIZE[1] * 100))
    assert len(png) < 60_000


def test_chart_renders_without_any_reading() -> None:
    assert render_activity_chart([], end=END).startswith(PNG_MAGIC)


def test_chart_renders_fast_once_matplotlib_is_loaded() -> None:
    render_activity_chart([], end=END)
    started = time.perf_counter()
    render_activity_chart([ActivityDay(date=END, seconds_read=600)], end=END)
    assert time.perf_counter() - started < 1.0
