"""The /progress picture: minutes read per day over the last 30 days, as PNG bytes.

Rendered with matplotlib's Agg canvas on a bare `Figure` (no pyplot, so no global state and
no GUI backend), imported on first use so the bot starts fast and only pays for matplotlib when
someone asks for a chart. The picture carries numbers only (minutes, day of the month): words go
in the message caption, where they are translated and shaped properly for right-to-left text,
which matplotlib does not do.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from bot.qf import ActivityDay

#: Days shown; /progress promises "the last 30 days".
DEFAULT_SPAN_DAYS = 30
#: Small on purpose: Telegram shows it inline, and a small canvas renders in tens of ms.
FIGURE_SIZE = (6.4, 2.6)
DPI = 100

_BAR = "#2e7d6b"
_TODAY = "#e0a100"
_TARGET = "#9e9e9e"


def seconds_by_day(
    days: Iterable[ActivityDay], *, end: date, span: int = DEFAULT_SPAN_DAYS
) -> dict[date, int]:
    """Seconds read on each of the `span` days ending with `end` (0 for days without reading).

    Several records for one date (one per mushaf or type) add up; records outside the window
    are ignored.
    """
    start = end - timedelta(days=span - 1)
    totals = {start + timedelta(days=offset): 0 for offset in range(span)}
    for day in days:
        if day.date in totals:
            totals[day.date] += max(int(day.seconds_read or 0), 0)
    return totals


def render_activity_chart(
    days: Sequence[ActivityDay],
    *,
    end: date,
    span: int = DEFAULT_SPAN_DAYS,
    target_minutes: float | None = None,
) -> bytes:
    """PNG bytes of a bar chart of minutes per day; today's bar highlighted, and the daily
    target drawn as a dashed line for time goals."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    totals = seconds_by_day(days, end=end, span=span)
    dates = list(totals)
    minutes = [seconds / 60 for seconds in totals.values()]

    figure = Figure(figsize=FIGURE_SIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(dates)))
    colours = [_TODAY if day == end else _BAR for day in dates]
    axes.bar(positions, minutes, color=colours, width=0.75)
    if target_minutes:
        axes.axhline(target_minutes, color=_TARGET, linestyle="--", linewidth=1)
    top = max([*minutes, target_minutes or 0.0, 1.0])
    axes.set_ylim(0, top * 1.15)
    axes.set_xlim(-0.6, len(dates) - 0.4)
    # Every fifth day and the last one, labelled with the day of the month.
    ticks = sorted({*range(len(dates) - 1, -1, -5)})
    axes.set_xticks(ticks)
    axes.set_xticklabels([str(dates[i].day) for i in ticks], fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.tick_params(axis="y", labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", linewidth=0.4, alpha=0.5)
    axes.set_axisbelow(True)
    figure.tight_layout(pad=0.4)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
