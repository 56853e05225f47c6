"""A linked bot on a fixed day, for in-process flow tests.

Leaving the block also checks that every request the bot made matched the official spec and that
the fake answered to spec, so each flow test validates its traffic without saying so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from sandbox.harness import BotHarness
from sandbox.quran_foundation import FakeContract, FakeQuranFoundation

TODAY = date(2026, 3, 29)
ZONE = "Asia/Riyadh"


@asynccontextmanager
async def linked_bot(
    data_dir: Path,
    *,
    today: date = TODAY,
    zone: str = ZONE,
    contract: FakeContract = "production",
) -> AsyncIterator[BotHarness]:
    fake = FakeQuranFoundation(contract=contract)
    fake.set_today(today, timezone=zone)
    async with BotHarness(data_dir, contract=contract, fake_qf=fake, clock=fake.now) as harness:
        await harness.link_account()
        await harness.set_timezone(zone)
        yield harness
        assert fake.validation_errors == []
        assert fake.response_errors == []
