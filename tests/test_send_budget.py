"""The one send budget: Telegram's rolling limits kept, replies first, 429s honoured.

Time is scaled down (a 0.2 s "second") so the properties are checked on real asyncio timing in
a fraction of a second; the arithmetic is the same at Telegram's scale.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.app.send_budget import Priority, SendBudget, SendLimits, counts_as_message

WINDOW = 0.2
LIMITS = SendLimits(
    per_second=5, group_per_minute=3, private_burst=100, private_per_second=1000.0,
    overall_window=WINDOW, group_window=1.0,
)


class Recorder:
    """A stand-in for PTB's request callback that notes when each send left and was answered."""

    def __init__(self, latency: float = 0.01) -> None:
        self.latency = latency
        self.spans: list[tuple[float, float, str]] = []
        self.fail_with: list[BaseException] = []

    def callback(self, label: str) -> Any:
        async def send() -> dict[str, Any]:
            start = time.monotonic()
            await asyncio.sleep(self.latency)
            if self.fail_with:
                raise self.fail_with.pop(0)
            self.spans.append((start, time.monotonic(), label))
            return {"ok": label}

        return send


async def send(
    budget: SendBudget, recorder: Recorder, label: str, *, chat_id: int = 1,
    priority: Priority | None = None, endpoint: str = "sendMessage",
) -> Any:
    return await budget.process_request(
        recorder.callback(label), (), {}, endpoint, {"chat_id": chat_id}, priority
    )


def most_in_any_window(instants: list[float], window: float) -> int:
    instants = sorted(instants)
    best = 0
    for i, start in enumerate(instants):
        best = max(best, sum(1 for t in instants[i:] if t < start + window))
    return best


async def test_a_burst_never_exceeds_the_limit_in_any_rolling_window() -> None:
    budget, recorder = SendBudget(LIMITS), Recorder()
    await asyncio.gather(*(send(budget, recorder, f"m{i}", chat_id=i + 1) for i in range(23)))
    starts = [span[0] for span in recorder.spans]
    ends = [span[1] for span in recorder.spans]
    assert len(recorder.spans) == 23
    # Telegram counts a send somewhere between request and answer: both ends stay in budget.
    assert most_in_any_window(starts, WINDOW) <= LIMITS.per_second
    assert most_in_any_window(ends, WINDOW) <= LIMITS.per_second
    # … and the budget is used, not wasted: 23 sends at 5 a window need a little over 4 windows.
    assert max(ends) - min(starts) < 6 * WINDOW


async def test_replies_go_before_reminders_already_waiting() -> None:
    budget, recorder = SendBudget(LIMITS), Recorder()
    bulk = [
        asyncio.create_task(send(budget, recorder, f"bulk{i}", chat_id=100 + i,
                                 priority=Priority.BULK))
        for i in range(15)
    ]
    await asyncio.sleep(0.05)  # the first window's slots are taken by reminders
    replies = [send(budget, recorder, f"reply{i}", chat_id=i + 1) for i in range(3)]
    await asyncio.gather(*replies, *bulk)
    order = [label for _, _, label in sorted(recorder.spans)]
    last_reply = max(order.index(f"reply{i}") for i in range(3))
    # The replies take the next free slots, ahead of the ten reminders still waiting.
    assert last_reply < 5 + 3


async def test_a_group_at_its_cap_does_not_hold_up_other_chats() -> None:
    budget, recorder = SendBudget(LIMITS), Recorder()
    group = [asyncio.create_task(send(budget, recorder, f"g{i}", chat_id=-500)) for i in range(5)]
    await asyncio.sleep(0.02)
    private = [send(budget, recorder, f"p{i}", chat_id=7 + i) for i in range(3)]
    await asyncio.gather(*private)
    sent_to_group = [label for _, _, label in recorder.spans if label.startswith("g")]
    assert len(sent_to_group) == LIMITS.group_per_minute  # the other two wait for the minute
    await asyncio.gather(*group)
    group_starts = sorted(start for start, _, label in recorder.spans if label.startswith("g"))
    assert group_starts[3] - group_starts[0] >= LIMITS.group_window * 0.9


@pytest.fixture(autouse=True)
def _retry_after_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's coming RetryAfter.retry_after type, so no deprecation warning is raised."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_a_429_pauses_everything_and_the_send_is_retried() -> None:
    seen: list[float] = []
    budget, recorder = SendBudget(LIMITS, on_retry_after=seen.append), Recorder()
    recorder.fail_with.append(RetryAfter(1))
    started = time.monotonic()
    result = await send(budget, recorder, "once")
    assert result == {"ok": "once"}
    assert seen == [1.0] and budget.retry_afters == 1
    assert time.monotonic() - started >= 1.0


async def test_a_429_after_the_last_retry_reaches_the_caller() -> None:
    budget, recorder = SendBudget(LIMITS, max_retries=0), Recorder()
    recorder.fail_with.append(RetryAfter(0))
    with pytest.raises(RetryAfter):
        await send(budget, recorder, "never")


async def test_callback_answers_and_lookups_are_not_counted() -> None:
    assert not counts_as_message("answerCallbackQuery")
    assert not counts_as_message("getChatMember")
    assert not counts_as_message("sendChatAction")
    assert counts_as_message("sendMessage") and counts_as_message("editMessageText")
    budget, recorder = SendBudget(LIMITS), Recorder(latency=0.0)
    started = time.monotonic()
    await asyncio.gather(*(
        send(budget, recorder, f"a{i}", endpoint="answerCallbackQuery") for i in range(40)
    ))
    assert time.monotonic() - started < WINDOW


async def test_a_cancelled_send_gives_its_place_back() -> None:
    budget, recorder = SendBudget(LIMITS), Recorder(latency=0.0)
    await asyncio.gather(*(send(budget, recorder, f"m{i}", chat_id=i + 1) for i in range(5)))
    waiting = asyncio.create_task(send(budget, recorder, "cancelled", chat_id=50))
    await asyncio.sleep(0.01)
    assert budget.waiting == 1
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert budget.waiting == 0
    await send(budget, recorder, "after", chat_id=51)
    assert [label for *_, label in recorder.spans][-1] == "after"
