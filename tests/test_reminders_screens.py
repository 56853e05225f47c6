"""The reminder panel's screens and the reminders' button data, without a bot: what a press leads
to, what each screen offers, and which presses the typed buttons accept."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from reminders_support import SLOT

from bot.i18n import get_translator
from handlers.reminders.buttons import (
    AddTime,
    CheckIn,
    ClosePanel,
    PanelPress,
    RemoveTime,
    SetZone,
    ShowHours,
    ShowMinutes,
    ShowPanel,
    ShowZones,
    Snooze,
    ToggleDay,
    TurnOff,
)
from handlers.reminders.panel import (
    COMMON_TIMEZONES,
    PanelState,
    Screen,
    View,
    render,
    screen_after,
    zones_markup,
)
from storage import Reminder

EN = get_translator("en")
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def group_reminder(*times: str, enabled: bool = True) -> Reminder:
    return Reminder(
        id=7, chat_id=-1001234, user_id=None, times=times, weekdays=(0, 1, 2, 3, 4, 5, 6),
        timezone="Africa/Cairo", text=None, portion=None, enabled=enabled,
        snoozed_until=None, kind="group",
    )


def data_of(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", ())
    return [str(button.callback_data) for row in rows for button in row]


@pytest.mark.parametrize(
    ("press", "screen"),
    [
        (ShowHours(), Screen(View.HOURS)),
        (ShowMinutes(hour=7), Screen(View.MINUTES, hour=7)),
        (ShowZones(), Screen(View.ZONES)),
        (ClosePanel(), Screen(View.CLOSED)),
        (ShowPanel(), Screen(View.PANEL)),
        (AddTime(at=time(21, 30)), Screen(View.PANEL)),
        (ToggleDay(day=4), Screen(View.PANEL)),
        (TurnOff(), Screen(View.PANEL)),
    ],
)
def test_each_press_leads_to_one_screen(press: PanelPress, screen: Screen) -> None:
    assert screen_after(press) == screen


def test_the_panel_offers_what_the_stored_reminder_allows() -> None:
    state = PanelState(group_reminder("06:15", "21:30"), "Africa/Cairo", NOW)
    text, markup = render(Screen(View.PANEL), state, EN)
    assert "Times: 06:15 and 21:30" in text and "Next: Mon 23 Nov, 21:30" in text
    data = data_of(markup)
    assert RemoveTime(at=time(6, 15)).pack() in data
    assert ShowHours().pack() in data
    assert [ToggleDay(day=day).pack() for day in range(7)] == [
        item for item in data if item.startswith(ToggleDay.prefix + ":")
    ]
    assert TurnOff().pack() in data and ClosePanel().pack() == data[-1]

    full = PanelState(group_reminder(*(f"0{hour}:00" for hour in range(6))), None, NOW)
    assert ShowHours().pack() not in data_of(render(Screen(View.PANEL), full, EN)[1])


def test_a_closed_panel_keeps_the_summary_and_drops_the_buttons() -> None:
    state = PanelState(None, None, NOW)
    closed_text, closed_markup = render(Screen(View.CLOSED), state, EN)
    assert closed_markup is None
    assert closed_text == render(Screen(View.PANEL), state, EN)[0]
    assert "Not set up yet" in closed_text and "times count as UTC" in closed_text


def test_the_minutes_screen_adds_quarter_hours_of_the_picked_hour() -> None:
    _, markup = render(Screen(View.MINUTES, hour=7), PanelState(None, None, NOW), EN)
    assert data_of(markup) == [
        *(AddTime(at=time(7, minute)).pack() for minute in (0, 15, 30, 45)),
        ShowPanel().pack(),
    ]


def test_every_common_zone_fits_on_a_button_and_an_unfit_one_is_left_out() -> None:
    too_long = "America/" + "A" * 30 + "/" + "B" * 30
    markup = zones_markup(EN, [*COMMON_TIMEZONES, too_long], NOW)
    assert data_of(markup)[:-1] == [SetZone(zone=zone).pack() for zone in COMMON_TIMEZONES]


def test_a_check_in_carries_the_reminder_and_its_slot() -> None:
    press = CheckIn.for_slot(7, SLOT)
    assert press == CheckIn(reminder_id=7, day=date(2026, 11, 23), at=time(21, 0))
    assert press.pack() == "rem.read:7:20261123:2100"
    parsed = CheckIn.parse(press.pack())
    assert parsed is not None and parsed.slot == SLOT


@pytest.mark.parametrize("minutes", [0, 5, 45, 90])
def test_only_the_offered_snoozes_can_be_built_or_pressed(minutes: int) -> None:
    with pytest.raises(ValueError):
        Snooze(reminder_id=7, minutes=minutes)
    assert Snooze.parse(f"{Snooze.prefix}:7:{minutes}") is None
    assert Snooze.parse(f"{Snooze.prefix}:7:30") == Snooze(reminder_id=7, minutes=30)


@pytest.mark.parametrize(
    "data",
    [
        f"{ShowMinutes.prefix}:24", f"{ShowMinutes.prefix}:07", f"{AddTime.prefix}:2460",
        f"{ToggleDay.prefix}:7", f"{SetZone.prefix}:..", f"{SetZone.prefix}:Europe/../etc",
        f"{SetZone.prefix}:1Zone", f"{SetZone.prefix}:Asia/Riyadh%2F..",
    ],
)
def test_out_of_range_panel_presses_do_not_parse(data: str) -> None:
    kind = {cls.prefix: cls for cls in (ShowMinutes, AddTime, ToggleDay, SetZone)}[
        data.split(":", 1)[0]
    ]
    assert kind.parse(data) is None
