"""Every button of the reminders flow, one typed press per action (see `handlers.callbacks`).

Under a group reminder, "I read it" carries the reminder and its slot; under a private one, a
snooze carries the reminder and one of the offered delays. The admin panel's presses carry only
what they change (an hour, a time, a weekday, a zone name): they act on the group they were
pressed in, and the presser's admin rights are checked again on every press. Anything outside
those types (an hour 24, a time 25:99, a weekday 9, a zone name with "../", a snooze of 5
minutes) is answered "no longer valid" by the registry and reaches no code here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Annotated, TypeAlias

from bot.domain.reminders import SNOOZE_MINUTES, parse_slot, slot_key, time_of
from handlers.callbacks import HHMM, Between, CallbackData, Day, Matches

#: A reminder's row id.
ReminderId: TypeAlias = Annotated[int, Between(1, 2**63 - 1)]
Hour: TypeAlias = Annotated[int, Between(0, 23)]
#: 0 = Monday … 6 = Sunday, as stored.
Weekday: TypeAlias = Annotated[int, Between(0, 6)]
Minutes: TypeAlias = Annotated[int, Between(min(SNOOZE_MINUTES), max(SNOOZE_MINUTES))]
#: An IANA zone name as it may appear on a button: one to three parts of letters, digits and
#: `_+-`, each starting with a letter ("Asia/Riyadh", "America/Argentina/Buenos_Aires",
#: "Etc/GMT+3"). No '.', so no "../" can be spelled; whether the zone exists is checked on
#: every press, since the zone database may have changed since the button was sent.
ZoneName: TypeAlias = Annotated[
    str, Matches(r"[A-Za-z][A-Za-z0-9_+-]{0,31}(?:/[A-Za-z][A-Za-z0-9_+-]{0,31}){0,2}")
]


def hhmm_of(value: time) -> str:
    """A button's time as the "HH:MM" reminders store."""
    return f"{value.hour:02d}:{value.minute:02d}"


# --------------------------------------------------------------------------------------------
# Under a reminder


@dataclass(frozen=True)
class CheckIn(CallbackData, prefix="rem.read"):
    """ "I read it" under a group reminder: the reminder and the slot it was sent for."""

    reminder_id: ReminderId
    day: Day
    at: HHMM

    @classmethod
    def for_slot(cls, reminder_id: int, slot: str) -> CheckIn:
        day, hhmm = parse_slot(slot)
        return cls(reminder_id=reminder_id, day=day, at=time_of(hhmm))

    @property
    def slot(self) -> str:
        return slot_key(self.day, hhmm_of(self.at))


@dataclass(frozen=True)
class Snooze(CallbackData, prefix="rem.snooze"):
    """ "In 30 minutes" under a private reminder: repeat it once after one of the offered
    delays (any other number of minutes is refused as a forged press)."""

    reminder_id: ReminderId
    minutes: Minutes

    def __post_init__(self) -> None:
        if self.minutes not in SNOOZE_MINUTES:
            raise ValueError(f"snooze for {self.minutes} minutes is not offered")
        super().__post_init__()


# --------------------------------------------------------------------------------------------
# The group admin panel


@dataclass(frozen=True)
class ShowPanel(CallbackData, prefix="rem.panel"):
    """ "Back": the panel itself."""


@dataclass(frozen=True)
class ShowHours(CallbackData, prefix="rem.hours"):
    """ "➕ Time": pick the hour."""


@dataclass(frozen=True)
class ShowMinutes(CallbackData, prefix="rem.hour"):
    """An hour was picked: pick the minutes."""

    hour: Hour


@dataclass(frozen=True)
class AddTime(CallbackData, prefix="rem.add"):
    at: HHMM


@dataclass(frozen=True)
class RemoveTime(CallbackData, prefix="rem.del"):
    at: HHMM


@dataclass(frozen=True)
class ToggleDay(CallbackData, prefix="rem.day"):
    day: Weekday


@dataclass(frozen=True)
class ShowZones(CallbackData, prefix="rem.zones"):
    """ "🌍 Timezone": a few common zones to pick from."""


@dataclass(frozen=True)
class SetZone(CallbackData, prefix="rem.zone"):
    zone: ZoneName


@dataclass(frozen=True)
class ShowTextHelp(CallbackData, prefix="rem.text"):
    """ "✏️ Message": how to set it (free text needs the command: privacy mode)."""


@dataclass(frozen=True)
class ShowPortionHelp(CallbackData, prefix="rem.portion"):
    """ "📖 Portion": how to set it."""


@dataclass(frozen=True)
class TurnOn(CallbackData, prefix="rem.on"):
    pass


@dataclass(frozen=True)
class TurnOff(CallbackData, prefix="rem.off"):
    pass


@dataclass(frozen=True)
class SetNudge(CallbackData, prefix="rem.nudge"):
    """Switch the evening nudge of members who have not read yet on or off."""

    on: bool


@dataclass(frozen=True)
class SetSummary(CallbackData, prefix="rem.summary"):
    """Switch the weekly summary on or off."""

    on: bool


@dataclass(frozen=True)
class ClosePanel(CallbackData, prefix="rem.done"):
    """ "✔️ Done": the summary stays, the buttons go."""


PanelPress: TypeAlias = (
    ShowPanel | ShowHours | ShowMinutes | AddTime | RemoveTime | ToggleDay | ShowZones | SetZone
    | ShowTextHelp | ShowPortionHelp | TurnOn | TurnOff | SetNudge | SetSummary | ClosePanel
)
PANEL_PRESSES: tuple[type[PanelPress], ...] = (
    ShowPanel, ShowHours, ShowMinutes, AddTime, RemoveTime, ToggleDay, ShowZones, SetZone,
    ShowTextHelp, ShowPortionHelp, TurnOn, TurnOff, SetNudge, SetSummary, ClosePanel,
)

