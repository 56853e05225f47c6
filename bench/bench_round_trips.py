"""How many Quran.com round trips each command waits for, one after another.

Every Quran.com call costs a full round trip to a distant server, so what a user waits for is
the number of calls made one after another, not the number of calls. This drives the real
Application in process (`sandbox.harness.BotHarness`) against the fake Quran Foundation with a
fixed latency on every User API call, so calls made side by side overlap and calls made one
after another do not, and `sandbox.round_trips.sequential_round_trips` counts the waves.

The commands run in order for one linked user with a timezone, as a person would send them
(the first `/goal` replaces nothing; `/goal 2 pages` replaces it in place).

Targets (performance issue): `/goal` one-liners and `/today` ≤ 2, a `/read` of time 2 (the
credit, then the plan and streak side by side).

A `/read` of verses or pages waits for 3, on purpose: activity days require `seconds`, and
the bot credits the time Quran.com itself estimates for those verses
(`GET /v1/activity-days/estimate-reading-time`), so the estimate must answer before the credit
can be sent; the plan and streak shown after it must be read after the credit, or they would
not include it. Folding the estimate away would mean crediting a time of our own making, and
reading the plan beside the estimate would mean computing Quran.com's progress and streak
ourselves; both could say something Quran.com does not. The estimate does not depend on the
reader, though (Quran.com's average speed), so it is remembered for a day: the next reader of
the same verses (a group's portion, al-Kahf on a Friday) waits for 2, shown as "2nd reader".
`tests/test_round_trips.py` holds these counts.

    python bench/bench_round_trips.py [--latency 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import warnings
from datetime import date
from pathlib import Path

from sandbox.harness import BotHarness
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.round_trips import RoundTrips, sequential_round_trips
from sandbox.telegram import FakeUser

COMMANDS = (
    "/goal 15 min",
    "/goal 2 pages",
    "/today",
    "/read 10 min",
    "/read 2:1-2:5",
    "/read page 5",
)
#: The most sequential round trips each command may wait for (see the module docstring).
TARGETS = {"/read 2:1-2:5": 3, "/read page 5": 3}
#: Then another linked user reads verses the first one read.
SECOND_READER = FakeUser(2002, "Bilal")
SECOND_READ = "/read 2:1-2:5"
ZONE = "Asia/Riyadh"


async def measure(latency: float) -> list[tuple[str, RoundTrips, str]]:
    """Each command's waves of Quran.com calls, and the start of the answer it got."""
    fake = FakeQuranFoundation()
    fake.set_today(date(2026, 3, 29), timezone=ZONE)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        async with BotHarness(Path(folder), fake_qf=fake, clock=fake.now) as bot:
            await bot.link_account()
            await bot.set_timezone(ZONE)
            fake.latency = latency
            for command in COMMANDS:
                first = len(fake.requests)
                await bot.send(command)
                trips = sequential_round_trips(fake.requests[first:])
                answer = bot.texts()[-1].splitlines()[0] if bot.texts() else ""
                results.append((command, trips, answer))
            fake.latency = 0
            await bot.link_account(SECOND_READER, sub="second-reader")
            await bot.set_timezone(ZONE, chat_id=SECOND_READER.id)
            fake.latency = latency
            first = len(fake.requests)
            await bot.send(SECOND_READ, user=SECOND_READER)
            trips = sequential_round_trips(fake.requests[first:])
            answer = bot.texts(SECOND_READER.id)[-1].splitlines()[0]
            results.append((f"{SECOND_READ} (2nd reader)", trips, answer))
            assert fake.validation_errors == [], fake.validation_errors
    return results


async def main() -> None:
    # The harness runs without a JobQueue on purpose; PTB says so once per conversation.
    warnings.filterwarnings("ignore", message="Ignoring `conversation_timeout`")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    print(f"Quran.com latency {args.latency * 1000:.0f} ms on every User API call\n")
    print(f"{'command':<28} {'trips':>5} {'target':>6} {'calls':>5}  waves")
    total = 0
    results = await measure(args.latency)
    for command, trips, answer in results:
        target = TARGETS.get(command, 2)
        flag = "" if trips.sequential <= target else "  OVER TARGET"
        total += trips.calls
        print(f"{command:<28} {trips.sequential:>5} {target:>6} {trips.calls:>5}  "
              f"{trips.describe()}{flag}")
        print(f"{'':<28} answer: {answer[:70]}")
    print(f"\n{total} Quran.com calls for the {len(results)} commands")


if __name__ == "__main__":
    asyncio.run(main())
