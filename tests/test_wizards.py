"""One rule for wizards: starting a wizard ends any other the same person left open without
losing what they typed; any other command ends the open wizard with a visible note; typed
"cancel"/"إلغاء" is /cancel; stickers and voice get an answer in every wizard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.harness import DEMO_USER, BotHarness
from sandbox.quran_foundation import DEMO_SUB

JSONDict = dict[str, Any]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path) as harness:
        await harness.link_account()
        await harness.set_timezone("Asia/Riyadh")
        yield harness


def texts(replies: list[JSONDict]) -> list[str]:
    return [str(reply.get("text") or "") for reply in replies]


async def sticker(bot: BotHarness) -> list[JSONDict]:
    await bot.world.user_sends_sticker(DEMO_USER.id, DEMO_USER)
    return await bot.process_pending()


async def test_starting_goal_wizard_ends_open_note_wizard_and_keeps_its_draft(
    bot: BotHarness,
) -> None:
    await bot.send("/note")
    await bot.send("2:255")
    await bot.send("Allah: there is no god but He, the Living, the Sustainer.")
    draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
    assert draft is not None

    replies = await bot.send("/goal")
    assert texts(replies)[0].startswith("Note writing closed; nothing was sent to Quran.com.")
    await bot.send("this text is for the goal wizard, not the note")

    kept = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
    assert kept is not None
    assert kept.body == draft.body
    assert "goal wizard" not in kept.body

    # The note is not lost: asking again offers to continue it.
    replies = await bot.send("/note")
    offers = [label for m in replies for label, _ in bot.world.buttons(m)]
    assert any("Continue your draft" in label and "2:255" in label for label in offers)


async def test_any_command_closes_the_goal_wizard_with_a_note(bot: BotHarness) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Time each day")
    closed, *help_replies = await bot.send("/help")
    assert closed["text"] == "Goal setup closed; nothing changed."
    assert help_replies  # the command still runs
    # What is typed next is no answer to the closed question.
    replies = await bot.send("15")
    assert "Goal setup" not in " ".join(texts(replies))
    assert list(bot.fake_qf.users[DEMO_SUB].goals.values()) == []
    # The closed wizard's buttons say so instead of acting.
    (ended,) = await bot.press("Cancel")
    assert ended["text"] == "This goal setup has ended. Send /goal to start again."


async def test_any_command_closes_the_note_wizard_and_later_text_is_not_glued(
    bot: BotHarness,
) -> None:
    await bot.send("/note")
    await bot.send("2:255")
    (closed, *_) = await bot.send("/today")
    assert closed["text"].startswith("Note writing closed")
    await bot.send("He knows what is before them and what is behind them.")
    draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
    assert draft is None or "what is behind them" not in draft.body


@pytest.mark.parametrize("word", ["cancel", "Cancel", "إلغاء", "الغاء"])
async def test_typed_cancel_cancels_the_goal_wizard(bot: BotHarness, word: str) -> None:
    await bot.send("/goal")
    await bot.press("My own goal")
    await bot.press("Time each day")
    (reply,) = await bot.send(word)
    assert "Cancelled. Nothing about your goal was changed." in reply["text"]
    assert list(bot.fake_qf.users[DEMO_SUB].goals.values()) == []
    (after,) = await bot.send("/cancel")
    assert after["text"] == "There is nothing to cancel."


async def test_typed_cancel_says_what_slash_cancel_says_in_the_note_wizard(
    bot: BotHarness,
) -> None:
    await bot.send("/note")
    (typed,) = await bot.send("cancel")
    await bot.send("/note")
    (command,) = await bot.send("/cancel")
    assert typed["text"] == command["text"]


async def test_typed_cancel_ends_the_timezone_question(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.link_account()
        await bot.send("/timezone")
        (typed,) = await bot.send("إلغاء")
        await bot.send("/timezone")
        (command,) = await bot.send("/cancel")
        assert typed["text"] == command["text"]


async def test_stickers_and_voice_get_an_answer_in_every_wizard(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.link_account()
        await bot.send("/timezone")
        (reply,) = await sticker(bot)
        assert "Type the name of your city" in reply["text"]
        await bot.set_timezone("Asia/Riyadh")
        await bot.send("/cancel")

        await bot.send("/goal")
        await bot.press("My own goal")
        await bot.press("Time each day")
        (reply,) = await sticker(bot)
        assert "answer with the buttons above or by typing" in reply["text"]
        await bot.world.user_sends_voice(DEMO_USER.id, DEMO_USER)
        (reply,) = await bot.process_pending()
        assert "/cancel closes the goal setup" in reply["text"]
        await bot.send("/cancel")

        await bot.send("/note")
        await bot.send("2:255")
        (reply,) = await sticker(bot)
        assert "Notes are text only" in reply["text"]


async def test_arabic_closing_note(bot: BotHarness) -> None:
    await bot.send("/language arabic")
    await bot.send("/goal")
    (closed, *_) = await bot.send("/help")
    assert "أُغلق إعداد الهدف" in closed["text"]


async def test_slash_cancel_without_a_wizard_says_there_is_nothing(bot: BotHarness) -> None:
    (reply,) = await bot.send("/cancel")
    assert reply["text"] == "There is nothing to cancel."


async def test_slash_cancel_says_the_same_thing_in_every_wizard(bot: BotHarness) -> None:
    said = []
    for start in ("/goal", "/note", "/timezone"):
        await bot.send(start)
        (reply,) = await bot.send("/cancel")
        said.append(reply["text"])
    assert all(text.startswith("Cancelled. ") for text in said), said
    (nothing,) = await bot.send("/cancel")
    assert nothing["text"] == "There is nothing to cancel."
