"""What the operator's log leaves out, and what it keeps."""

from __future__ import annotations

import logging

import pytest

from bot.app.logs import SkippedWhileRunningFilter


def test_a_tick_skipped_while_a_long_fan_out_runs_is_not_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    scheduler_log = logging.getLogger("test.apscheduler.scheduler")
    scheduler_log.addFilter(SkippedWhileRunningFilter())
    with caplog.at_level(logging.WARNING, logger="test.apscheduler.scheduler"):
        scheduler_log.warning(
            'Execution of job "%s" skipped: maximum number of running instances reached (%d)',
            "reminders:tick", 1,
        )
        scheduler_log.warning("Run time of job %s was missed by %s", "reminders:tick", "0:00:03")

    assert [record.getMessage() for record in caplog.records] == [
        "Run time of job reminders:tick was missed by 0:00:03"
    ]
