"""Messages per action: what one thing a user does costs in Telegram messages, edits and presses.

Telegram allows about 30 messages a second overall, so every extra message in an answer is paid
for in a crowd (issue 17: "an answer is one message"). Each scenario runs on a fresh in-process
harness (fake Telegram and Quran.com) and counts the Bot API calls that put or change a message.

    python bench/bench_messages_per_action.py

Run it on main for the baseline: `/goal 15 min` before the timezone was known cost 4 messages,
an edit and a Continue press there (question; confirmation; "Now, where were we" with Continue;
the press took the button off and sent the goal).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from sandbox.harness import BotHarness
from sandbox.quran_foundation import FakeQuranFoundation

_SENDS = frozenset({"sendmessage", "sendphoto"})
_EDITS = frozenset({"editmessagetext", "editmessagereplymarkup", "editmessagecaption"})

Scenario = Callable[[BotHarness], Awaitable[int]]


async def goal_with_timezone_question(bot: BotHarness) -> int:
    """Returns the presses needed before the goal was set."""
    await bot.send("/goal 15 min")
    await bot.send("Cairo")
    if any(user.goals for user in bot.fake_qf.users.values()):
        return 0
    await bot.press("Continue")  # the baseline's extra step
    return 1


async def read_with_timezone_question(bot: BotHarness) -> int:
    await bot.send("/read 2:255")
    await bot.send("Cairo")
    if any(user.activity_days for user in bot.fake_qf.users.values()):
        return 0
    await bot.press("Continue")
    return 1


async def read_a_bare_number(bot: BotHarness) -> int:
    await bot.set_timezone("Africa/Cairo")
    await bot.send("/read 18")
    await bot.press("Juz 18")
    return 1


async def note_in_the_wizard(bot: BotHarness) -> int:
    await bot.send("/note 2:255")
    await bot.send("The Throne Verse, read slowly tonight.")
    await bot.press("Done")
    if any(user.notes for user in bot.fake_qf.users.values()):
        return 1
    await bot.press("Keep private")  # the baseline's extra steps
    await bot.press("Save")
    return 3


SCENARIOS: dict[str, Scenario] = {
    "/goal 15 min, timezone asked": goal_with_timezone_question,
    "/read 2:255, timezone asked": read_with_timezone_question,
    "/read 18 → Juz 18": read_a_bare_number,
    "/note 2:255 → text → Done": note_in_the_wizard,
}


async def measure(scenario: Scenario) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        async with BotHarness(Path(tmp), fake_qf=FakeQuranFoundation()) as bot:
            await bot.link_account()
            start = len(bot.world.calls)
            presses = await scenario(bot)
            calls = bot.world.calls[start:]
            sends = sum(call.method.lower() in _SENDS for call in calls)
            edits = sum(call.method.lower() in _EDITS for call in calls)
            return sends, edits, presses


async def main() -> None:
    print(f"{'action':34} {'messages':>8} {'edits':>5} {'presses':>7}")
    for name, scenario in SCENARIOS.items():
        sends, edits, presses = await measure(scenario)
        print(f"{name:34} {sends:>8} {edits:>5} {presses:>7}")


if __name__ == "__main__":
    asyncio.run(main())
