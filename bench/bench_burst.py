"""N linked users send `/goal 15 min` at the same moment: how long until the last one is answered?

Reproduces the performance issue's black-box measurement against the project's own fakes, over
real HTTP with the real `python -m bot` process: the fake Telegram enforces about 30 messages in
any rolling second (429 + retry_after, as Telegram does), and the fake Quran.com answers every
User API call after `--latency` seconds. Every user is linked and has a timezone, so each action
needs one answer.

For each N it reports T1 (one user alone, measured first in the same run), the sequential
Quran.com round trips and messages per action, the floor T1 + ⌊(N×m − 1)/30⌋ s (message 31 can
only leave once message 1 is a second old), TN (the last answer), TN/floor, p50/p95 and the 429s.
Targets: TN ≤ 1.2 × floor, round trips ≤ 2, 0 × 429.

    python bench/bench_burst.py [--users 1 40 200] [--latency 0.3] [--command "/goal 15 min"]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from e2e_support import running_bot

from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.round_trips import sequential_round_trips
from sandbox.telegram import FakeUser, TelegramWorld
from storage import AccountRepository, ChatRepository, Database, TokenCipher

ZONE = "Asia/Riyadh"
#: Telegram's flood control: about this many messages in any rolling second.
PER_SECOND = 30


async def link_users(data_dir: Path, fake: FakeQuranFoundation, users: list[FakeUser],
                     key: str) -> None:
    """Every user linked and with a timezone, written before the bot starts."""
    database = Database.connect(f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}")
    try:
        await database.migrate()
        accounts = AccountRepository(database, TokenCipher([key]))
        chats = ChatRepository(database)
        for user in users:
            sub = f"qf-{user.id}"
            fake.seed_user(sub, name=user.first_name)
            tokens = fake.issue_tokens(sub)
            await accounts.save(
                user.id, qf_sub=sub, display_name=user.first_name,
                access_token=tokens["access_token"], refresh_token=tokens.get("refresh_token"),
                expires_at=datetime.now(UTC) + timedelta(seconds=int(tokens["expires_in"])),
                scopes=str(tokens.get("scope", "")).split(),
            )
            await chats.ensure(user.id, "private", None)
            await chats.update(user.id, timezone=ZONE)
    finally:
        await database.close()


async def burst(users_count: int, latency: float, command: str) -> dict[str, float]:
    users = [FakeUser(900_000 + i, f"User {i}") for i in range(users_count)]
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        # Responses are the fake's own (checked by its tests); checking each again here would
        # make the benchmark measure the fake's CPU instead of the bot's waiting.
        fake = FakeQuranFoundation(check_responses=False)
        key = Fernet.generate_key().decode()
        await link_users(data_dir, fake, users, key)
        world = TelegramWorld()
        world.flood_control = True
        async with running_bot(data_dir, world=world, fake_qf=fake,
                               extra_env={"TOKEN_ENCRYPTION_KEY": key, "LOG_LEVEL": "WARNING"}):
            for user in users:
                world.add_private_chat(user)
            fake.latency = latency
            first_request = len(fake.requests)
            first_call = len(world.calls)
            began = time.monotonic()
            sent = await asyncio.gather(*(world.user_sends(u.id, u, command) for u in users))
            await asyncio.gather(*(
                world.wait_for_message(u.id, after=s["message_id"], timeout=120)
                for u, s in zip(users, sent, strict=True)
            ))
            await asyncio.sleep(0.5)  # let any trailing edit or second message arrive
            answered: dict[int, float] = {}
            messages = 0
            for call in world.calls[first_call:]:
                if call.status != 200 or call.method not in ("sendMessage", "editMessageText"):
                    continue
                chat_id = int(call.params.get("chat_id", 0))
                messages += 1
                answered.setdefault(chat_id, call.time - began)
            first_user_token = None
            for request in fake.requests[first_request:]:
                if request.api_path is not None:
                    first_user_token = request.headers.get("x-auth-token")
                    break
            trips = sequential_round_trips(
                r for r in fake.requests[first_request:]
                if r.headers.get("x-auth-token") == first_user_token
            )
            waits = sorted(answered.values())
            return {
                "TN": max(waits),
                "p50": statistics.median(waits),
                "p95": waits[max(0, math.ceil(0.95 * len(waits)) - 1)],
                "round_trips": trips.sequential,
                "messages_per_action": messages / users_count,
                "429s": world.flood_429s,
            }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 40, 200])
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--command", default="/goal 15 min")
    args = parser.parse_args()
    counts = sorted(set([1, *args.users]))
    print(f"{args.command!r}, Quran.com latency {args.latency * 1000:.0f} ms, "
          f"flood control {PER_SECOND}/s rolling")
    print(f"{'N':>5} {'trips':>5} {'msgs':>5} {'TN s':>7} {'floor s':>8} {'TN/floor':>8} "
          f"{'p50 s':>6} {'p95 s':>6} {'429s':>5}")
    t1 = None
    for count in counts:
        result = await burst(count, args.latency, args.command)
        if t1 is None:
            t1 = result["TN"]
        m = result["messages_per_action"]
        floor = t1 + math.floor((count * m - 1) / PER_SECOND)
        print(f"{count:>5} {result['round_trips']:>5.0f} {m:>5.2f} {result['TN']:>7.2f} "
              f"{floor:>8.2f} {result['TN'] / floor:>8.2f} {result['p50']:>6.2f} "
              f"{result['p95']:>6.2f} {result['429s']:>5.0f}")


if __name__ == "__main__":
    asyncio.run(main())
