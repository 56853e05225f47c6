"""When reminders are due: slots, time zones, DST, weekdays, catch-up, snoozes; and the
times, days and portions people type for them.

Pure schedule maths with no Telegram in sight, shared by the services (`bot.services.reminders`,
`bot.services.reminder_delivery`), the handlers and the tests. How fast a fan-out may be sent
is `bot.domain.pacing`.

Slots. Every scheduled occurrence has a key, the wall-clock date and time in the reminder's own
time zone: ``"2026-11-23T21:00"``. The send log (`ReminderRepository.claim_slot`) is unique per
(reminder, slot), so an occurrence is sent once however many ticks, restarts or bot instances
try. Keying by wall time rather than by instant is what makes DST safe:

* A nonexistent local time (the spring-forward gap, e.g. 02:30 in New York on 2026-03-08) is
  read with the offset in force *before* the gap (PEP 495 ``fold=0``), so the reminder goes out
  as many minutes after the gap as it was meant to be into it: 02:30 becomes 03:30 EDT that day.
* An ambiguous local time (the fall-back hour, 01:30 occurs twice) means its first occurrence
  (``fold=0``); the second 01:30 has the same slot key, so nothing is sent twice.

Due times. Each stored reminder keeps the UTC instant it is next due (`next_due_at`): the next
daily occurrence, or its snoozed repeat when that comes first. A tick once a minute claims the
reminders whose instant has come (`bot.services.reminder_delivery`), so nothing in memory grows
with the number of reminders, and several bot instances share the work.

Weekdays. Storage and this module count 0 = Monday … 6 = Sunday like `date.weekday()`.

Catch-up. A slot missed while the bot was down is sent late once if it is less than
`CATCH_UP_WINDOW` (one hour) old; older ones are skipped: a 21:00 nudge at 23:30 helps nobody.
Only the latest missed slot of each reminder is sent, never a burst of stale ones.

Snoozes. A snoozed private reminder is repeated once, on a whole minute; its slot key
(``"snooze@2026-11-23T21:33Z"``, the UTC minute) can never meet a daily one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.verse_parsing import parse_verse_ranges
from bot.domain.verses import VerseRangeError

#: A missed slot younger than this is sent late once; older ones are skipped.
CATCH_UP_WINDOW = timedelta(hours=1)
#: A reminder checked by hand (tests, tools) may be sent this early.
FIRE_GRACE = timedelta(minutes=2)
#: How early the minute tick may send an occurrence: instances' clocks differ by a few seconds,
#: and the tick itself runs a moment into its minute.
TICK_GRACE = timedelta(seconds=5)
#: Every day of the week, 0 = Monday.
ALL_WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
#: Snooze choices offered under a private reminder, in minutes.
SNOOZE_MINUTES: tuple[int, ...] = (30, 60)
#: Times one reminder may have (a group's, or a person's).
MAX_TIMES = 6
#: Longest custom message of a group reminder, and longest portion, in characters.
MAX_TEXT_LENGTH = 500
MAX_PORTION_LENGTH = 120
#: Typed after a command, these mean "none" or "stop" (`/remind off`, `/reminders text off`),
#: and these "start again" (`/reminders on`).
OFF_WORDS = frozenset({"off", "stop", "none", "no", "remove", "clear", "إيقاف", "ايقاف"})
ON_WORDS = frozenset({"on", "start", "resume", "تشغيل"})

_SLOT = re.compile(r"^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.hH]?(\d{2}))?\s*(\D*)$")
#: Words after a time that say which half of the day it is, folded (see `_fold_meridiem`):
#: English, and Arabic "ص"/"صباحًا" (morning), "م"/"مساءً" (evening), "ظهرًا" (midday),
#: "عصرًا" (afternoon), "فجرًا" (dawn).
_MORNING_WORDS = frozenset({"am", "ص", "صباحا", "صباح", "فجرا", "فجر"})
_EVENING_WORDS = frozenset({"pm", "م", "مساء", "مساءا", "مسا", "ظهرا", "ظهر", "عصرا", "عصر"})


# --------------------------------------------------------------------------------------------
# Weekdays


_WEEKDAY_WORDS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mon", "monday", "mo", "الاثنين", "الإثنين", "اثنين"),
        ("tue", "tues", "tuesday", "tu", "الثلاثاء", "ثلاثاء"),
        ("wed", "wednesday", "we", "الاربعاء", "الأربعاء", "اربعاء", "أربعاء"),
        ("thu", "thur", "thurs", "thursday", "th", "الخميس", "خميس"),
        ("fri", "friday", "fr", "الجمعة", "الجمعه", "جمعة", "جمعه"),
        ("sat", "saturday", "sa", "السبت", "سبت"),
        ("sun", "sunday", "su", "الاحد", "الأحد", "احد", "أحد"),
    )
):
    for _name in _names:
        _WEEKDAY_WORDS[_name] = _index
_EVERY_DAY_WORDS = frozenset({"daily", "everyday", "every day", "all", "يوميا", "يومياً", "كل يوم"})


def parse_weekdays(text: str) -> list[int] | None:
    """"mon-fri", "sat,sun", "daily", "الجمعة" as sorted weekdays (0 = Monday); None if unclear.

    A range wraps around the week end: "fri-mon" is Friday, Saturday, Sunday, Monday.
    """
    folded = " ".join(text.casefold().replace("،", ",").split())
    if not folded:
        return None
    if folded in _EVERY_DAY_WORDS:
        return list(ALL_WEEKDAYS)
    days: set[int] = set()
    for part in re.split(r"[,\s]+", folded):
        if not part:
            continue
        bounds = re.split(r"\s*[-–—]\s*", part)
        if len(bounds) == 1:
            day = _WEEKDAY_WORDS.get(part)
            if day is None:
                return None
            days.add(day)
            continue
        if len(bounds) != 2:
            return None
        first, last = _WEEKDAY_WORDS.get(bounds[0]), _WEEKDAY_WORDS.get(bounds[1])
        if first is None or last is None:
            return None
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return sorted(days) or None


# --------------------------------------------------------------------------------------------
# Times of day


def _fold_meridiem(text: str) -> str:
    """ "P.M." -> "pm", "مساءً" -> "مساء": case, dots, spaces and Arabic vowel marks ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[.\s\u0640]", "", kept)


def parse_time(text: str) -> str | None:
    """A time of day as "HH:MM": "21:00", "9:30", "9.30", "2130", "9pm", "9:30 pm", "٢١:٠٠",
    "9م", "9:30 مساءً", "6 صباحًا".

    None for anything that is not a valid time, so handlers can say so instead of guessing.
    """
    normalized = "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text.strip()
    )
    match = _TIME.match(normalized)
    if match is None:
        return None
    hour_text, minute_text, tail = match.groups()
    hour, minute = int(hour_text), int(minute_text or 0)
    meridiem = _fold_meridiem(tail)
    if meridiem:
        evening = meridiem in _EVENING_WORDS
        if not (evening or meridiem in _MORNING_WORDS) or not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if evening else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def split_times(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """The leading times of a command's words as "HH:MM", and the words after them.

    A separate "pm" or "مساءً" belongs to the time before it: `9:30 pm mon-fri` is one time
    and one day word, not a time and two unreadable words.
    """
    times: list[str] = []
    index = 0
    while index < len(words):
        if index + 1 < len(words):
            joined = parse_time(f"{words[index]} {words[index + 1]}")
            if joined is not None:
                times.append(joined)
                index += 2
                continue
        value = parse_time(words[index])
        if value is None:
            break
        times.append(value)
        index += 1
    return times, list(words[index:])


def time_of(hhmm: str) -> time:
    hour, minute = hhmm.split(":")
    return time(int(hour), int(minute))


def load_zone(name: str) -> ZoneInfo:
    """The zone, or UTC for a name tzdata no longer knows (a reminder must still fire)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# --------------------------------------------------------------------------------------------
# Slots and occurrences


def slot_key(day: date, hhmm: str) -> str:
    return f"{day.isoformat()}T{hhmm}"


def parse_slot(slot: str) -> tuple[date, str]:
    """(local date, "HH:MM") of a slot key; ValueError for anything else (forged callbacks)."""
    match = _SLOT.match(slot)
    if match is None:
        raise ValueError(f"not a slot key: {slot!r}")
    return date.fromisoformat(match.group(1)), f"{match.group(2)}:{match.group(3)}"


def snooze_until(now: datetime, minutes: int) -> datetime:
    """When a snooze pressed at `now` repeats the reminder: `minutes` later, rounded up to the
    whole minute (the tick and slot keys count minutes)."""
    until = now + timedelta(minutes=minutes)
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return until


def snooze_slot(until: datetime) -> str:
    """Slot key of a snoozed repeat: the UTC minute it is due, marked so it never meets a
    daily slot key."""
    return "snooze@" + until.strftime("%Y-%m-%dT%H:%MZ")


def due_instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of `hhmm` on local `day` (gaps and folds as the module docstring says)."""
    local = datetime.combine(day, time_of(hhmm), tzinfo=zone)  # fold=0
    return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One scheduled sending: its slot key and when it is due (aware UTC)."""

    slot: str
    time: str
    local_date: date
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Schedule:
    """What decides when a reminder fires; built from a stored `Reminder`."""

    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return load_zone(self.timezone)

    def only(self, hhmm: str) -> Schedule:
        """The same schedule restricted to one of its times."""
        return Schedule((hhmm,) if hhmm in self.times else (), self.weekdays, self.timezone)

    def occurrences_between(self, start: datetime, end: datetime) -> list[Occurrence]:
        """Every occurrence with `start < due_at <= end`, earliest first."""
        if end <= start or not self.times or not self.weekdays:
            return []
        zone = self.zone
        first_day = start.astimezone(zone).date() - timedelta(days=1)
        last_day = end.astimezone(zone).date() + timedelta(days=1)
        found: list[Occurrence] = []
        day = first_day
        while day <= last_day:
            if day.weekday() in self.weekdays:
                for hhmm in self.times:
                    due = due_instant(day, hhmm, zone)
                    if start < due <= end:
                        found.append(Occurrence(slot_key(day, hhmm), hhmm, day, due))
            day += timedelta(days=1)
        found.sort(key=lambda occurrence: (occurrence.due_at, occurrence.slot))
        return found

    def next_after(self, moment: datetime) -> Occurrence | None:
        """The first occurrence strictly after `moment` (None without times or days)."""
        found = self.occurrences_between(moment, moment + timedelta(days=8))
        return found[0] if found else None

    def latest_at_or_before(
        self, moment: datetime, *, lookback: timedelta = timedelta(days=8)
    ) -> Occurrence | None:
        found = self.occurrences_between(moment - lookback, moment)
        return found[-1] if found else None

    def occurrence_for(self, slot: str) -> Occurrence | None:
        """The occurrence a slot key names, if the schedule has it (check-ins, forged data)."""
        try:
            day, hhmm = parse_slot(slot)
        except ValueError:
            return None
        if hhmm not in self.times or day.weekday() not in self.weekdays:
            return None
        return Occurrence(slot, hhmm, day, due_instant(day, hhmm, self.zone))

    def due_now(
        self,
        now: datetime,
        *,
        grace: timedelta = FIRE_GRACE,
        window: timedelta = CATCH_UP_WINDOW,
    ) -> Occurrence | None:
        """What is due at `now`: the latest occurrence up to `now + grace`, unless it is already
        `window` old (then nothing: the slot is skipped, a late nudge only confuses)."""
        latest = self.latest_at_or_before(now + grace)
        if latest is None or now - latest.due_at >= window:
            return None
        return latest


def next_due_at(
    schedule: Schedule, snoozed_until: datetime | None, after: datetime
) -> datetime | None:
    """When a reminder is next due after `after`: its next daily occurrence, or its snoozed
    repeat when that comes first (even if already past: it is still owed); None without times."""
    upcoming = schedule.next_after(after)
    candidates = [moment for moment in (
        upcoming.due_at if upcoming is not None else None, snoozed_until
    ) if moment is not None]
    return min(candidates, default=None)


def local_today(now: datetime, timezone: str | None) -> date:
    """The user's calendar day at `now` (UTC when no timezone is known or tzdata lost it)."""
    return now.astimezone(load_zone(timezone or "UTC")).date()


# --------------------------------------------------------------------------------------------
# A group's portion

_TODAY_PREFIX = re.compile(r"^\s*(?:today|اليوم)\s*:\s*", re.IGNORECASE)


def clean_portion(text: str) -> str:
    """"today: pages 21-40" is stored as "pages 21-40": the message already says "Today:"."""
    return _TODAY_PREFIX.sub("", text).strip()


def portion_ranges(portion: str | None) -> list[str] | None:
    """The portion as API verse ranges when it reads as verses ("juz 2", "2:1-2:141",
    "Al-Mulk"); None for free text such as "pages 21-40", which cannot be credited as is
    (pages become verses only with a page map of the mushaf, which the bot does not have)."""
    if not portion:
        return None
    try:
        return [item.key for item in parse_verse_ranges(clean_portion(portion))]
    except VerseRangeError:
        return None
