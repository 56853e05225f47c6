"""Hostile input in replies: a 4,000-character answer is never echoed whole (Telegram would
refuse the reply and the user would get the generic apology), and bidi controls in names and
group titles cannot reorder the sentence they are shown in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from harness_support import linked_bot
from reminders_support import (
    GROUP_ID,
    MEMBER,
    NINE_CAIRO,
    clock_at,
    create_group_reminder,
    reminder_messages,
    tick,
)

from bot.presentation.text import (
    BIDI_CONTROLS,
    ECHO_LIMIT,
    FIRST_STRONG_ISOLATE,
    POP_DIRECTIONAL_ISOLATE,
    isolated_name,
    shorten_for_echo,
    strip_bidi_controls,
)
from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser

LONG = "Atlantis " * 450  # about 4,000 characters
APOLOGY = "Sorry, something went wrong"
RLO = "\u202e"
FSI, PDI = FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path) as harness:
        yield harness


def only_reply(messages: list[dict[str, Any]]) -> str:
    assert len(messages) == 1, [m.get("text") for m in messages]
    text: str = messages[0]["text"]
    assert APOLOGY not in text
    return text


# --- the helper -------------------------------------------------------------------------------


def test_shorten_for_echo_cuts_flattens_and_marks_the_cut() -> None:
    assert shorten_for_echo("  Cairo \n Egypt ") == "Cairo Egypt"
    cut = shorten_for_echo("x" * 5000)
    assert len(cut) == ECHO_LIMIT and cut.endswith("…")
    assert shorten_for_echo("abcdef", limit=4) == "abc…"
    assert shorten_for_echo(f"a{RLO}b\u2066c") == "abc"


def test_isolated_name_strips_every_bidi_control_and_isolates() -> None:
    assert strip_bidi_controls("".join(BIDI_CONTROLS) + "ok") == "ok"
    assert isolated_name(f"Amina{RLO}gnp.exe") == f"{FSI}Aminagnp.exe{PDI}"
    assert isolated_name("أمينة") == f"{FSI}أمينة{PDI}"
    assert isolated_name("Amina Q") == "Amina Q"  # nothing in it can move its sentence
    assert isolated_name("x" * 500).count("x") < 100


# --- echo sites -------------------------------------------------------------------------------


async def test_long_timezone_input_is_not_echoed_whole(bot: BotHarness) -> None:
    text = only_reply(await bot.send(f"/timezone {LONG}"))
    assert "I couldn't find a timezone for “Atlantis" in text
    assert len(text) < 400

    await bot.send("/timezone")
    text = only_reply(await bot.send("Atlantis" * 7))  # typed as the answer to the question
    assert "I couldn't find a timezone for" in text and len(text) < 400
    text = only_reply(await bot.send(LONG))  # too long to be a place: not taken as one
    assert len(text) < 400


async def test_long_remind_input_is_not_echoed_whole(bot: BotHarness) -> None:
    text = only_reply(await bot.send(f"/remind {'x' * 4000}"))
    assert "I could not read “xxx" in text and len(text) < 400


async def test_long_private_reminders_input_is_not_echoed_whole(bot: BotHarness) -> None:
    text = only_reply(await bot.send(f"/reminders {'y' * 4000}"))
    assert "I could not read “yyy" in text and len(text) < 400


async def test_long_remind_days_are_not_echoed_whole(bot: BotHarness) -> None:
    text = only_reply(await bot.send(f"/remind 21:00 {LONG}"))
    assert "I could not read “Atlantis" in text and len(text) < 400


# --- names and titles -------------------------------------------------------------------------


async def test_bidi_override_in_name_is_isolated(tmp_path: Path) -> None:
    spoofer = FakeUser(4242, f"Amina{RLO}txt.exe", language_code="en")
    async with linked_bot(tmp_path) as bot:
        await bot.link_account(spoofer)
        await bot.set_timezone("Asia/Riyadh", chat_id=spoofer.id)
        bot.world.add_group(-100909, "Circle", members=[DEMO_USER, spoofer])
        [reply] = await bot.send("/read 2:255", user=spoofer, chat_id=-100909)
    text = reply["text"]
    assert RLO not in text
    assert f"to {FSI}Aminatxt.exe{PDI}'s Quran.com account" in text


async def test_bidi_override_in_a_group_title_is_isolated(tmp_path: Path) -> None:
    clock = clock_at(NINE_CAIRO)
    title = f"Circle{RLO}evil"
    async with BotHarness(tmp_path, clock=clock, fake_qf=FakeQuranFoundation(clock=clock)) as bot:
        bot.world.add_group(GROUP_ID, title, members=[MEMBER])
        await create_group_reminder(bot, portion=None)
        await bot.deps.chats.ensure(GROUP_ID, "group", title)
        assert await tick(bot) == ["sent"]
        [message] = reminder_messages(bot.world)
        await bot.link_account(MEMBER)
        bot.world.add_private_chat(MEMBER)
        await bot.press("I read it", user=MEMBER, chat_id=GROUP_ID, message=message)
        [asked] = bot.world.sent(MEMBER.id)[-1:]
    assert RLO not in asked["text"]
    assert f"Thanks for checking in with {FSI}Circleevil{PDI}!" in asked["text"]


async def test_bidi_override_in_the_quran_com_name_is_isolated(bot: BotHarness) -> None:
    await bot.link_account(name=f"Demo{RLO}Reader")
    text = only_reply(await bot.send("/login"))
    assert RLO not in text
    assert f"Linked to Quran.com as {FSI}DemoReader{PDI}." in text
