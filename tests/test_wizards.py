"""Starting one wizard ends any other the same person left open, without losing what they typed."""

from __future__ import annotations

from pathlib import Path

from sandbox.harness import DEMO_USER, BotHarness


async def test_starting_goal_wizard_ends_open_note_wizard_and_keeps_its_draft(
    tmp_path: Path,
) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.link_account()
        await bot.set_timezone("Asia/Riyadh")
        await bot.send("/note")
        await bot.send("2:255")
        await bot.send("Allah: there is no god but He, the Living, the Sustainer.")
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None

        await bot.send("/goal")
        await bot.send("this text is for the goal wizard, not the note")

        kept = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert kept is not None
        assert kept.body == draft.body
        assert "goal wizard" not in kept.body

        # The note is not lost: asking again offers to continue it.
        replies = await bot.send("/note")
        offers = [label for m in replies for label, _ in bot.world.buttons(m)]
        assert any("Continue your draft" in label and "2:255" in label for label in offers)


async def test_commands_no_wizard_takes_leave_the_open_wizard_alone(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        await bot.link_account()
        await bot.send("/note")
        await bot.send("2:255")
        await bot.send("/help")
        await bot.send("He knows what is before them and what is behind them.")
        draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
        assert draft is not None
        assert "what is behind them" in draft.body
