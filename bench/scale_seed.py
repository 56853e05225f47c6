"""Fill a migrated database with many chats, linked accounts and reminders, fast.

Going through the repositories would take hours for a million chats (one transaction per row),
so rows are written in bulk: `executemany` on SQLite, `COPY` on PostgreSQL. The rows look like
what the bot writes itself: datetimes in the backend's storage form (naive UTC text on SQLite),
tokens Fernet-encrypted under the bot's key, and each reminder's `next_due_at` / `follow_up_at`
computed by the same domain functions `bot.services.reminders` uses, so the bot finds nothing
to backfill at start.

Layout, for `chats` C, `accounts` A and `reminders` R: groups -1 … -G with G = max(C/10, R/2)
(one group reminder each for the first R/2), private chats 1 … C−G; accounts for users 1 … A;
private reminders for R/2 users around A, so half of them are linked. Every private chat has a
`ptb_user_data` row and every group a `ptb_chat_data` row (PTB kept one even for `{}`; the bot
must not read them all at start). The `fan_out` reminders that the benchmark makes due in one
minute are half groups and half private (half of those linked); every other reminder is due
outside a window around now, so nothing else goes out while the benchmark watches.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.group_reading import next_follow_up_at
from bot.domain.reminders import TICK_GRACE, Schedule, next_due_at
from storage import TokenCipher

ZONES = ("UTC", "Africa/Cairo", "Asia/Riyadh", "Asia/Karachi", "Asia/Jakarta", "Europe/London")
#: Rows per executemany / COPY call: large enough to amortise the round trip.
BATCH = 20_000
SCOPES = "openid offline_access user goal note streak activity_day reading_session"
#: Keep other reminders away from the minutes the benchmark watches.
QUIET_BEFORE = timedelta(minutes=10)
QUIET_AFTER = timedelta(minutes=120)


@dataclass(frozen=True)
class Scale:
    chats: int
    accounts: int
    reminders: int
    fan_out: int = 2_000

    @property
    def groups(self) -> int:
        return max(self.chats // 10, self.reminders // 2)

    @property
    def privates(self) -> int:
        return self.chats - self.groups


SCALES = {
    # The fan-out's 2,000 chats are part of every scale, so "small" cannot go below them.
    "small": Scale(chats=3_000, accounts=600, reminders=2_100),
    "100k": Scale(chats=100_000, accounts=20_000, reminders=10_000),
    "full": Scale(chats=1_000_000, accounts=200_000, reminders=100_000),
}


@dataclass
class FanOutRow:
    reminder_id: int
    chat_id: int
    kind: str
    zone: str


@dataclass
class Seeded:
    """What the benchmark needs to know about the rows written."""

    fan_out: list[FanOutRow] = field(default_factory=list)
    #: Private users among the fan-out who are linked: their Quran.com sub and real tokens.
    linked_due: dict[int, str] = field(default_factory=dict)
    #: Private chats with no reminder, for the /help probes (existing users, with user_data).
    quiet_users: list[int] = field(default_factory=list)


def _utc_minute_outside_quiet_window(rng: random.Random, now: datetime) -> datetime:
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    while True:
        moment = day_start + timedelta(minutes=rng.randrange(24 * 60))
        for candidate in (moment, moment + timedelta(days=1), moment - timedelta(days=1)):
            if now - QUIET_BEFORE <= candidate <= now + QUIET_AFTER:
                break
        else:
            return moment


class Rows:
    """The rows of every table, generated lazily (a million chats never sit in a list)."""

    def __init__(
        self, scale: Scale, cipher: TokenCipher, now: datetime, tokens: dict[int, tuple[str, str]]
    ) -> None:
        self.scale = scale
        self.cipher = cipher
        self.now = now
        #: user id → (access, refresh) of the linked fan-out users, issued by the fake.
        self.tokens = tokens
        self.rng = random.Random(17)
        half = scale.reminders // 2
        self.private_reminder_users = range(
            max(1, scale.accounts - half // 2), max(1, scale.accounts - half // 2) + half
        )
        self.group_reminder_count = half
        users = self.private_reminder_users
        due_private = scale.fan_out - scale.fan_out // 2
        # Due private users straddle the last linked account: half linked, half not.
        middle = users.index(min(max(scale.accounts, users.start), users.stop - 1))
        first_due = max(0, min(middle - due_private // 2, len(users) - due_private))
        self.due_users = set(users[first_due:first_due + due_private])
        #: The due users with an account: the fake Quran.com must know their tokens.
        self.linked_due_users = sorted(user for user in self.due_users if user <= scale.accounts)

    def chats(self) -> Iterator[tuple[Any, ...]]:
        now = self.now
        for chat_id in range(1, self.scale.privates + 1):
            yield (chat_id, "private", None, ZONES[chat_id % len(ZONES)], None, 1, True, now, now)
        for index in range(1, self.scale.groups + 1):
            yield (-index, "group", f"Circle {index}", ZONES[index % len(ZONES)], None, 1, True,
                   now, now)

    def accounts(self) -> Iterator[tuple[Any, ...]]:
        # Distinct ciphertexts (as real rows have), but made from one template each: Fernet's
        # cost is per call, and 400,000 calls would dominate the seeding.
        expires = self.now + timedelta(days=1)
        key_id = self.cipher.key_id
        for user_id in range(1, self.scale.accounts + 1):
            real = self.tokens.get(user_id)
            if real is not None:
                access, refresh = real
            else:
                access, refresh = f"bench-access-{user_id}", f"bench-refresh-{user_id}"
            yield (user_id, f"qf-{user_id}", f"Reader {user_id}", self.cipher.encrypt(access),
                   self.cipher.encrypt(refresh), key_id, expires, SCOPES, None, self.now,
                   self.now)

    def user_data(self) -> Iterator[tuple[Any, ...]]:
        for user_id in range(1, self.scale.privates + 1):
            yield (user_id, {"last_read": f"{user_id % 114 + 1}:1"})

    def chat_data(self) -> Iterator[tuple[Any, ...]]:
        for index in range(1, self.scale.groups + 1):
            yield (-index, {})

    def reminders(self, seeded: Seeded) -> Iterator[tuple[Any, ...]]:
        scale, rng, now = self.scale, self.rng, self.now
        due_groups = scale.fan_out // 2
        users, due_users = self.private_reminder_users, self.due_users
        reminder_id = 0
        weekdays = list(range(7))
        for kind, owners in (
            ("group", [-index for index in range(1, self.group_reminder_count + 1)]),
            ("private", list(users)),
        ):
            for position, chat_id in enumerate(owners):
                reminder_id += 1
                zone = ZONES[reminder_id % len(ZONES)]
                due = (kind == "group" and position < due_groups) or (
                    kind == "private" and chat_id in due_users
                )
                if due:
                    seeded.fan_out.append(FanOutRow(reminder_id, chat_id, kind, zone))
                    if kind == "private" and chat_id <= scale.accounts:
                        seeded.linked_due[chat_id] = f"qf-{chat_id}"
                    # A placeholder: `make_due` sets the minute once the bot is about to start.
                    utc_times = [_utc_minute_outside_quiet_window(rng, now)]
                else:
                    utc_times = [_utc_minute_outside_quiet_window(rng, now)
                                 for _ in range(rng.choice((1, 1, 2)))]
                local = ZoneInfo(zone)
                times = sorted({moment.astimezone(local).strftime("%H:%M")
                                for moment in utc_times})
                schedule = Schedule(tuple(times), tuple(weekdays), zone)
                next_at = next_due_at(schedule, None, now - TICK_GRACE)
                follow_up = (
                    next_follow_up_at(times, weekdays, local, nudge=False, summary=True,
                                      after=now, open_windows=True)
                    if kind == "group" else None
                )
                yield (
                    reminder_id, chat_id, kind, chat_id if kind == "private" else None,
                    json.dumps(times, separators=(",", ":")),
                    json.dumps(weekdays, separators=(",", ":")), zone, None,
                    "juz 1" if kind == "group" else None, True, None, None, 0, None,
                    False, None, kind == "group", None, next_at, follow_up, now, now,
                )

    def quiet_users(self) -> list[int]:
        return [user for user in range(1, 200) if user not in self.private_reminder_users][:60]


CHAT_COLUMNS = ("id", "type", "title", "timezone", "language", "mushaf_id", "active",
                "created_at", "updated_at")
ACCOUNT_COLUMNS = ("telegram_user_id", "qf_sub", "display_name", "access_token",
                   "refresh_token", "key_id", "expires_at", "scopes", "last_mutation_at",
                   "created_at", "updated_at")
REMINDER_COLUMNS = ("id", "chat_id", "kind", "user_id", "times", "weekdays", "timezone",
                    "text", "portion", "enabled", "snoozed_until", "wird", "wird_index",
                    "wird_day", "nudge_enabled", "nudged_on", "summary_enabled",
                    "summary_week", "next_due_at", "follow_up_at", "created_at", "updated_at")


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# -- SQLite ----------------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types store: naive UTC text with microseconds, 0/1, JSON."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return value


def _sqlite_insert(connection: sqlite3.Connection, table: str, columns: Sequence[str],
                   rows: Iterator[tuple[Any, ...]]) -> None:
    statement = (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                 f"VALUES ({', '.join('?' for _ in columns)})")
    for batch in _batches(rows):
        connection.executemany(
            statement, [tuple(_sqlite_value(value) for value in row) for row in batch]
        )
        connection.commit()


def seed_sqlite(path: str, rows: Rows) -> Seeded:
    seeded = Seeded(quiet_users=rows.quiet_users())
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        _sqlite_insert(connection, "chats", CHAT_COLUMNS, rows.chats())
        _sqlite_insert(connection, "accounts", ACCOUNT_COLUMNS, rows.accounts())
        _sqlite_insert(connection, "ptb_user_data", ("user_id", "data"), rows.user_data())
        _sqlite_insert(connection, "ptb_chat_data", ("chat_id", "data"), rows.chat_data())
        _sqlite_insert(connection, "reminders", REMINDER_COLUMNS, rows.reminders(seeded))
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()
    return seeded


def make_due_sqlite(path: str, fan_out: list[FanOutRow], due: datetime) -> None:
    connection = sqlite3.connect(path)
    try:
        for zone, ids in _by_zone(fan_out).items():
            times = json.dumps([due.astimezone(ZoneInfo(zone)).strftime("%H:%M")])
            connection.executemany(
                "UPDATE reminders SET times = ?, next_due_at = ? WHERE id = ?",
                [(times, _sqlite_value(due), reminder_id) for reminder_id in ids],
            )
        connection.commit()
    finally:
        connection.close()


def _by_zone(fan_out: list[FanOutRow]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for row in fan_out:
        grouped.setdefault(row.zone, []).append(row.reminder_id)
    return grouped


# -- PostgreSQL ------------------------------------------------------------------------------------


def _pg_value(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return value


async def seed_postgres(dsn: str, rows: Rows) -> Seeded:
    import asyncpg

    seeded = Seeded(quiet_users=rows.quiet_users())
    connection = await asyncpg.connect(dsn)
    try:
        for table, columns, generated in (
            ("chats", CHAT_COLUMNS, rows.chats()),
            ("accounts", ACCOUNT_COLUMNS, rows.accounts()),
            ("ptb_user_data", ("user_id", "data"), rows.user_data()),
            ("ptb_chat_data", ("chat_id", "data"), rows.chat_data()),
            ("reminders", REMINDER_COLUMNS, rows.reminders(seeded)),
        ):
            for batch in _batches(generated):
                await connection.copy_records_to_table(
                    table, columns=list(columns),
                    records=[tuple(_pg_value(value) for value in row) for row in batch],
                )
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('reminders', 'id'), "
            "(SELECT max(id) FROM reminders))"
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return seeded


async def make_due_postgres(dsn: str, fan_out: list[FanOutRow], due: datetime) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        for zone, ids in _by_zone(fan_out).items():
            times = json.dumps([due.astimezone(ZoneInfo(zone)).strftime("%H:%M")])
            await connection.execute(
                "UPDATE reminders SET times = $1, next_due_at = $2 WHERE id = ANY($3::int[])",
                times, due, ids,
            )
    finally:
        await connection.close()
