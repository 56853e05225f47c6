"""Can N reminders due at the same minute go out at Telegram's rate, once each, without a 429?

Sets up N reminders (groups and private chats, in several time zones, all due at the same
instant), starts the real Application (AIORateLimiter on, our JobQueue wiring, SQLite) against
the fake Telegram Bot API served over real HTTP with flood control on (30 messages/s overall,
20/min per group, ~1/s per private chat), and measures what arrives:

* rate reached while the fan-out runs, against 30/s (target >= 95 %): the mean number of sends
  in the one-second windows starting at each send, which is how Telegram counts,
* 429 answers (target 0),
* duplicates, i.e. a chat receiving the same slot twice (target 0),
* how long after the due time the last reminder arrived.

Modes: `jobs` (default) waits for the next minute boundary and lets the JobQueue fire, as in
production; `catch-up` makes the slot one minute old and restarts, so the start-up catch-up sends
everything. `--instances 2` runs two bot instances on one database at once, each with half
the send limit (Telegram counts per bot token); give them a PostgreSQL database.

    python bench/bench_reminders.py [--reminders 300] [--private-share 0.5] [--mode jobs]
                                    [--instances 1] [--database-url postgresql://…/empty_db]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cryptography.fernet import Fernet

from bot.app.application import BotApplication, build_application, close_deps, create_deps
from bot.app.application import start_services as start_bot_services
from bot.domain.pacing import FANOUT_LIMIT_PER_SECOND, GROUP_JITTER_SECONDS
from bot.services.deps import Deps
from bot.services.reminder_delivery import delivery_of
from handlers.reminders.buttons import CheckIn, Snooze
from sandbox.fake_telegram import FakeTelegramServer
from sandbox.harness import QF_TEST_HOST, sandbox_settings
from sandbox.quran_foundation import FakeQuranFoundation, Goal
from sandbox.telegram import FakeUser, RecordedCall, TelegramWorld

TELEGRAM_LIMIT = 30.0
#: Zones the reminders are spread over; each gets the local time of the same instant.
ZONES = ("UTC", "Africa/Cairo", "Asia/Riyadh", "Asia/Karachi", "Asia/Jakarta", "Europe/London")


@dataclass
class Instance:
    deps: Deps
    application: BotApplication


def due_instant(mode: str) -> datetime:
    now = datetime.now(UTC)
    if mode == "catch-up":
        return now.replace(second=0, microsecond=0) - timedelta(minutes=1)
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (boundary - now).total_seconds() < 5:  # too close to schedule reliably
        boundary += timedelta(minutes=1)
    return boundary


async def seed(
    deps: Deps, fake_qf: FakeQuranFoundation, world: TelegramWorld, *, count: int,
    private_share: float, due: datetime,
) -> tuple[list[int], list[int]]:
    """Reminders due at `due`; half the private users are linked with an unfinished goal so
    the goal check really calls the (fake) Quran Foundation."""
    private_count = round(count * private_share)
    groups: list[int] = []
    users: list[int] = []
    admin = FakeUser(900_000, "Admin")
    for index in range(count):
        zone = ZONES[index % len(ZONES)]
        local = due.astimezone(ZoneInfo(zone))
        hhmm = local.strftime("%H:%M")
        if index < private_count:
            user = FakeUser(500_000 + index, f"Reader {index}")
            world.add_private_chat(user)
            await deps.chats.ensure(user.id, "private", None)
            await deps.chats.update(user.id, timezone=zone)
            await deps.reminders.create(
                chat_id=user.id, user_id=user.id, times=[hhmm], weekdays=range(7),
                timezone=zone, kind="private",
            )
            if index % 2 == 0:
                sub = f"bench-{user.id}"
                fake_qf.seed_user(sub, name=user.first_name)
                fake_qf.users[sub].goals["g"] = Goal("g", "QURAN_TIME", 600, None, "QURAN", 1,
                                                     local.date())
                tokens = fake_qf.issue_tokens(sub)
                await deps.accounts.save(
                    user.id, qf_sub=sub, display_name=user.first_name,
                    access_token=tokens["access_token"],
                    refresh_token=tokens.get("refresh_token"),
                    expires_at=datetime.now(UTC) + timedelta(hours=1),
                    scopes=str(tokens.get("scope", "")).split(),
                )
            users.append(user.id)
        else:
            chat_id = -1_000_000 - index
            world.add_group(chat_id, f"Circle {index}", admins=[admin])
            await deps.chats.ensure(chat_id, "group", f"Circle {index}")
            await deps.chats.update(chat_id, timezone=zone)
            await deps.reminders.create(
                chat_id=chat_id, times=[hhmm], weekdays=range(7), timezone=zone,
                portion="juz 1", kind="group",
            )
            groups.append(chat_id)
    return groups, users


def is_reminder(call: RecordedCall) -> bool:
    if call.method != "sendMessage" or call.status != 200:
        return False
    markup = call.response["result"].get("reply_markup") or {}
    return any(
        CheckIn.parse(data) is not None or Snooze.parse(data) is not None
        for row in markup.get("inline_keyboard", [])
        for data in (button.get("callback_data") for button in row)
    )


def per_second_windows(times: list[float]) -> list[int]:
    """Sends in the one-second window starting at each send (Telegram's measure), for the
    windows that lie wholly inside the fan-out."""
    counts: list[int] = []
    end = 0
    for start, moment in enumerate(times):
        if moment + 1.0 > times[-1]:
            break
        while end < len(times) and times[end] < moment + 1.0:
            end += 1
        counts.append(end - start)
    return counts


def busiest_second(times: list[float]) -> int:
    """The most sends Telegram saw within any one second (it answers 429 above 30)."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(
    count: int,
    private_share: float,
    mode: str,
    instances: int,
    database_url: str | None = None,
    group_jitter: float | None = None,
) -> dict[str, Any]:
    world = TelegramWorld()
    world.flood_control = True
    fake_qf = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    due = due_instant(mode)
    with tempfile.TemporaryDirectory() as data_dir:
        async with FakeTelegramServer(world) as server:
            overrides: dict[str, Any] = {
                "TELEGRAM_API_BASE_URL": server.base_url,
                "QF_API_BASE_URL": f"{QF_TEST_HOST}/auth",
                "QF_OAUTH_BASE_URL": QF_TEST_HOST,
            }
            if database_url:
                overrides["DATABASE_URL"] = database_url
            settings = sandbox_settings(Path(data_dir), world, encryption_key=key, **overrides)
            running: list[Instance] = []
            try:
                for _ in range(instances):
                    deps = await create_deps(
                        settings, qf_transport=httpx.ASGITransport(app=fake_qf.app)
                    )
                    application = build_application(
                        settings, deps, with_updater=False, rate_limit=True
                    )
                    # Each instance paces only its own sends: give each its share of the limit.
                    delivery = delivery_of(application)
                    delivery.set_send_limit(FANOUT_LIMIT_PER_SECOND // instances)
                    if group_jitter is not None:
                        delivery.group_jitter = group_jitter
                    running.append(Instance(deps, application))
                groups, users = await seed(
                    running[0].deps, fake_qf, world, count=count,
                    private_share=private_share, due=due,
                )
                first_call = len(world.calls)
                started = time.monotonic()
                wall_started = datetime.now(UTC)
                for instance in running:
                    await instance.application.initialize()
                await asyncio.gather(
                    *(start_instance(instance.application) for instance in running)
                )
                deadline = 90 + count / 20
                await world.wait_for(
                    lambda: sum(1 for call in world.calls[first_call:] if is_reminder(call))
                    >= count,
                    timeout=max(deadline - (time.monotonic() - started), 1.0)
                    + max((due - wall_started).total_seconds(), 0.0),
                )
                await asyncio.sleep(1.0)  # anything late (a duplicate) would show up now
            finally:
                for instance in running:
                    if instance.application.running:
                        await instance.application.stop()
                    await instance.application.shutdown()
                    await close_deps(instance.deps)
    calls = [call for call in world.calls[first_call:] if is_reminder(call)]
    times = sorted(call.time for call in calls)
    per_chat = Counter(int(call.params["chat_id"]) for call in calls)
    duration = times[-1] - times[0] if len(times) > 1 else 0.0
    windows = per_second_windows(times)
    rate = sum(windows) / len(windows) if windows else float("nan")
    last_arrival = max(call.response["result"]["date"] for call in calls)
    return {
        "reminders": count,
        "groups": len(groups),
        "private": len(users),
        "mode": mode,
        "instances": instances,
        "database": (database_url or "sqlite").split(":", 1)[0],
        "sent": len(calls),
        "chats reached": len(per_chat),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "429 answers": world.flood_429s,
        "rate (msg/s, mean 1 s window)": rate,
        "rate vs 30/s": rate / TELEGRAM_LIMIT,
        "first-to-last average (msg/s)": (len(times) - 1) / duration if duration else 0.0,
        "busiest 1 s window": busiest_second(times),
        "fan-out time (s)": duration,
        "last sent after due (s)": last_arrival - due.timestamp(),
        "pacer limit per instance": FANOUT_LIMIT_PER_SECOND // instances,
        "group jitter (s)": GROUP_JITTER_SECONDS if group_jitter is None else group_jitter,
        "QF spec violations": len(fake_qf.validation_errors),
    }


async def start_instance(application: BotApplication) -> None:
    await start_bot_services(application)
    await application.start()


def print_table(result: dict[str, Any]) -> None:
    width = max(len(name) for name in result)
    for name, value in result.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        if name == "rate vs 30/s":
            shown = f"{value:.1%}"
        print(f"{name:<{width}}  {shown}")
    verdicts = [
        ("rate >= 95% of 30/s", result["rate vs 30/s"] >= 0.95),
        ("no 429", result["429 answers"] == 0),
        ("no duplicates", result["duplicates"] == 0),
        ("every chat reached", result["chats reached"] == result["reminders"]),
    ]
    print()
    for label, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=300)
    parser.add_argument("--private-share", type=float, default=0.5)
    parser.add_argument("--mode", choices=("jobs", "catch-up"), default="jobs")
    parser.add_argument("--instances", type=int, choices=(1, 2), default=1)
    parser.add_argument("--group-jitter", type=float, default=None,
                        help="seconds of per-group spread (default: the bot's own)")
    parser.add_argument(
        "--database-url", default=None,
        help="an EMPTY database shared by the instances (default: a temporary SQLite file); "
             "several instances belong on PostgreSQL, where claims do not queue for one lock",
    )
    arguments = parser.parse_args(argv)
    if arguments.mode == "jobs":
        print("waiting for the next minute boundary (the JobQueue fires at HH:MM:00)…",
              flush=True)
    result = asyncio.run(
        run(arguments.reminders, arguments.private_share, arguments.mode, arguments.instances,
            arguments.database_url, arguments.group_jitter)
    )
    print_table(result)
    ok = (result["rate vs 30/s"] >= 0.95 and result["429 answers"] == 0
          and result["duplicates"] == 0 and result["chats reached"] == result["reminders"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
