"""Operational metrics in Prometheus' text format, served at `/metrics` (see `bot.app.web`).

Each Application owns one `Metrics` with its own `CollectorRegistry` (in `bot_data`), never the
process-wide default registry: the tests and the restart drills run several Applications in one
process, and their counters must not add up or collide.

What is measured, and where:
* updates by kind and outcome, and handler latency: `bot.app.processor`, with an error handler
  registered here marking the update as failed;
* Quran.com calls by operation and status, with latency, and token refreshes: the adapter's
  observer hook (`bot.qf.observer`), so bot/qf needs no Prometheus;
* Telegram flood control (429 `RetryAfter`), as the send budget meets it
  (`bot.app.send_budget.SendBudget(on_retry_after=…)`);
* reminders sent, sent late, skipped, failed: `bot.app.scheduler`;
* event-loop lag, from the probe `bot.app.runner` runs for the process lifetime
  (`bot.app.loop_lag`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.qf.observer import RefreshOutcome

METRICS_KEY = "metrics"
CONTENT_TYPE = CONTENT_TYPE_LATEST
_PREFIX = "quran_companion"
#: Seconds; a handler waits on Quran.com (up to its 10 s budget) more often than on itself.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Seconds; loop lag is normally well under a millisecond, and 50 ms is already a stall.
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
#: The update fields that name its kind, in PTB's order of precedence.
_UPDATE_KINDS = (
    "message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
    "inline_query", "chosen_inline_result", "my_chat_member", "chat_member",
    "chat_join_request", "poll", "poll_answer", "message_reaction", "pre_checkout_query",
    "shipping_query",
)


class UpdateOutcome:
    """Set by the error handler while an update is processed: did a handler fail?"""

    __slots__ = ("failed",)

    def __init__(self) -> None:
        self.failed = False


#: The outcome of the update being processed in this task (set by the processor).
current_outcome: ContextVar[UpdateOutcome | None] = ContextVar("update_outcome", default=None)


def update_kind(update: object) -> str:
    """"command", "message", "callback_query", …; events of our own by their class name."""
    if not isinstance(update, Update):
        return type(update).__name__
    for kind in _UPDATE_KINDS:
        value = getattr(update, kind, None)
        if value is None:
            continue
        if kind == "message" and (getattr(value, "text", None) or "").startswith("/"):
            return "command"
        return kind
    return "other"


class Metrics:
    """The registry and every metric the bot exports; also the Quran.com adapter's observer."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates = Counter(
            f"{_PREFIX}_updates", "Updates handled, by kind and outcome (ok or error).",
            ["kind", "outcome"], registry=registry,
        )
        self.update_seconds = Histogram(
            f"{_PREFIX}_update_seconds", "Time the handlers took per update, by kind.",
            ["kind"], buckets=LATENCY_BUCKETS, registry=registry,
        )
        self.qf_requests = Counter(
            f"{_PREFIX}_qf_requests",
            "HTTP attempts to Quran.com, by operation and status (HTTP status, timeout or "
            "network_error).",
            ["operation", "status"], registry=registry,
        )
        self.qf_seconds = Histogram(
            f"{_PREFIX}_qf_request_seconds", "Quran.com attempt latency, by operation.",
            ["operation"], buckets=LATENCY_BUCKETS, registry=registry,
        )
        self.token_refreshes = Counter(
            f"{_PREFIX}_qf_token_refreshes", "Quran.com access-token refreshes, by outcome.",
            ["outcome"], registry=registry,
        )
        self.telegram_retry_after = Counter(
            f"{_PREFIX}_telegram_retry_after",
            "Flood-control answers (429 RetryAfter) from Telegram.", registry=registry,
        )
        self.reminders = Counter(
            f"{_PREFIX}_reminders",
            "Reminder deliveries, by outcome: sent, late (sent after its time), skipped "
            "(goal already met, sent by another instance, chat inactive), failed, blocked.",
            ["outcome"], registry=registry,
        )
        self.revocations_queued = Gauge(
            f"{_PREFIX}_qf_revocations_queued",
            "Grants dropped by the bot and not yet revoked at Quran.com (after the last drain).",
            registry=registry,
        )
        self.loop_lag = Histogram(
            f"{_PREFIX}_event_loop_lag_seconds",
            "How late the event loop woke a short sleep: the time it could run nothing else.",
            buckets=LAG_BUCKETS, registry=registry,
        )
        self.loop_lag_max = Gauge(
            f"{_PREFIX}_event_loop_lag_max_seconds",
            "The longest event-loop stall since the process started.", registry=registry,
        )
        self._loop_lag_max = 0.0

    def loop_lag_observed(self, seconds: float) -> None:
        self.loop_lag.observe(seconds)
        if seconds > self._loop_lag_max:
            self._loop_lag_max = seconds
            self.loop_lag_max.set(seconds)

    # -- the Quran.com adapter's observer (bot.qf.observer.QFObserver) --------------------------

    def request_finished(self, operation: str, status: str, seconds: float) -> None:
        self.qf_requests.labels(operation, status).inc()
        self.qf_seconds.labels(operation).observe(seconds)

    def token_refreshed(self, outcome: RefreshOutcome) -> None:
        self.token_refreshes.labels(outcome).inc()

    # -- updates -------------------------------------------------------------------------------

    def update_finished(self, update: object, seconds: float, *, failed: bool) -> None:
        kind = update_kind(update)
        self.updates.labels(kind, "error" if failed else "ok").inc()
        self.update_seconds.labels(kind).observe(seconds)

    def retry_after_seen(self, seconds: float) -> None:
        """The send budget met a flood-control answer (it then waits `seconds`)."""
        self.telegram_retry_after.inc()

    def reminder_delivered(self, outcome: str, *, late: bool) -> None:
        """Count a reminder delivery attempt (`bot.app.scheduler.DeliveryOutcome`)."""
        if outcome == "sent":
            self.reminders.labels("late" if late else "sent").inc()
        elif outcome in ("goal_done", "duplicate", "disabled", "snoozed"):
            self.reminders.labels("skipped").inc()
        elif outcome in ("failed", "blocked"):
            self.reminders.labels(outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


def metrics_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Metrics:
    """The Application's metrics (created on first use, e.g. by Applications built by hand)."""
    found = application.bot_data.get(METRICS_KEY)
    if isinstance(found, Metrics):
        return found
    metrics = application.bot_data[METRICS_KEY] = Metrics()
    return metrics


async def mark_update_failed(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An error handler: PTB calls it (after `handlers.errors`) when a handler raised."""
    outcome = current_outcome.get()
    if outcome is not None:
        outcome.failed = True
