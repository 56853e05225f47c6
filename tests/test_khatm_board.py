"""The collective khatm board in a group, driven through the real Application: taking, finishing
(credited to the presser's own Quran.com account), releasing, many members pressing at once,
presses on old boards, admin-only actions, the private "My juz" list, and the celebration."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from pathlib import Path

from khatm_support import (
    ADMIN,
    CREDIT_PATH,
    GROUP_ID,
    MEMBER,
    OTHER_MEMBER,
    boards,
    current_board,
    harness,
    juz_data,
    members,
    press,
    settle,
    start_board,
)
from telegram import Update

from bot.services.khatm import KhatmService
from handlers.khatm.board import board_edits
from handlers.khatm.buttons import CloseBoard, FinishMine, NextKhatm, ReleaseMine, Reopen, ShowAdmin
from handlers.replies import LinkAccount
from sandbox.telegram import FakeUser
from storage.khatm import KhatmRepository


def last_answer(bot: object) -> str:
    return bot.world.answered_callbacks[-1].text or ""  # type: ignore[attr-defined]


async def test_admin_starts_a_board_with_thirty_juz_and_a_deadline(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot, "30 days")
        assert "Group khatm #1" in board["text"]
        assert "Deadline: 23 December 2026 (30 days left)" in board["text"]
        assert "✅ 0 of 30 juz finished · ✋ 0 taken" in board["text"]
        labels = [label for label, _ in bot.world.buttons(board)]
        assert labels[:30] == [str(juz) for juz in range(1, 31)]
        assert labels[30:] == ["✅ I finished", "↩️ Release", "⚙️"]
        # A member's /khatm points at the board instead of posting another one.
        replies = await bot.send("/khatm", user=MEMBER, chat_id=GROUP_ID)
        assert [r["text"] for r in replies] == [
            "The khatm board is here: press a free juz to take it."
        ]
        assert len(boards(bot)) == 1


async def test_a_deadline_that_cannot_be_read_is_explained(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        bot.world.add_group(GROUP_ID, "Circle", admins=[ADMIN], members=[MEMBER])
        [reply] = await bot.send("/khatm next year", user=ADMIN, chat_id=GROUP_ID)
        assert "couldn't read that deadline" in reply["text"]
        [reply] = await bot.send("/khatm by 2026-01-01", user=ADMIN, chat_id=GROUP_ID)
        assert reply["text"] == "The deadline must be after today."
        assert await KhatmRepository(bot.deps.database).latest(GROUP_ID) is None


async def test_many_members_pressing_at_once_each_get_one_juz_and_edits_are_coalesced(
    tmp_path: Path,
) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        edits = board_edits(bot.app)
        edits.delay = 0.2
        edits_before = edits.edits
        crowd = members(45)
        for index, member in enumerate(crowd):
            bot.world.add_user(member)
            # Members 30..44 press juz already pressed by someone else in the same burst.
            juz = index % 30 + 1
            await bot.world.user_presses(
                GROUP_ID, member, board["message_id"], juz_data(bot, board, juz)
            )
        updates = []
        while bot.world.pending_update_count:
            updates.append(Update.de_json(bot.world.next_update_dict(), bot.app.bot))
        await asyncio.gather(*(bot.app.process_update(update) for update in updates))
        await settle(bot)

        parts = await KhatmRepository(bot.deps.database).parts(
            (await KhatmRepository(bot.deps.database).latest(GROUP_ID)).id  # type: ignore[union-attr]
        )
        # Each juz went to exactly one of the members who pressed it, and nobody was lost.
        for part in parts:
            assert part.taker_id in {crowd[part.juz - 1].id, *(
                member.id for member in crowd[30:] if crowd.index(member) % 30 + 1 == part.juz
            )}
        assert len({part.taker_id for part in parts}) == 30
        answers = bot.world.answered_callbacks[-45:]
        assert sum("is yours" in (a.text or "") for a in answers) == 30
        assert sum("is taken by" in (a.text or "") for a in answers) == 15
        fresh = current_board(bot)
        assert "✋ 30 taken" in fresh["text"]
        assert [label for label, _ in bot.world.buttons(fresh)][:3] == ["✋1", "✋2", "✋3"]
        assert len(re.findall(r"Member\d+", fresh["text"])) == 30
        # 45 presses, a handful of edits: well within the group's 20 messages a minute.
        assert 1 <= edits.edits - edits_before <= 3


async def test_finishing_credits_the_juz_to_the_pressers_own_account_only(
    tmp_path: Path,
) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        member_sub = await bot.link_account(MEMBER)
        other_sub = await bot.link_account(OTHER_MEMBER)
        await press(bot, MEMBER, juz_data(bot, board, 30), board)
        await press(bot, OTHER_MEMBER, juz_data(bot, board, 1), board)
        board_id = FinishMine.parse(bot.world.buttons(board)[30][1])
        assert board_id is not None
        await press(bot, MEMBER, board_id.pack(), board)
        assert "Juz 30 finished ✅" in last_answer(bot)
        assert "Credited to your Quran.com account." in last_answer(bot)

        [posted] = bot.fake_qf.api_requests("POST", CREDIT_PATH)
        assert posted.json["ranges"] == ["78:1-114:6"]
        assert date(2026, 11, 23) in bot.fake_qf.users[member_sub].activity_days
        assert bot.fake_qf.users[other_sub].activity_days == {}
        assert bot.fake_qf.validation_errors == []

        # Nothing left to finish: no second credit.
        await press(bot, MEMBER, board_id.pack(), board)
        assert "no unfinished juz" in last_answer(bot)
        assert len(bot.fake_qf.api_requests("POST", CREDIT_PATH)) == 1
        await settle(bot)
        fresh = current_board(bot)
        assert "✅ Juz 30 — Maryam" in fresh["text"]
        assert "✋ Juz 1 — Yusuf" in fresh["text"]
        assert "✅ 1 of 30 juz finished · ✋ 1 taken" in fresh["text"]


async def test_unlinked_member_who_finishes_is_asked_in_private_to_link(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        bot.world.add_private_chat(MEMBER)
        await press(bot, MEMBER, juz_data(bot, board, 2), board)
        await press(bot, MEMBER, FinishMine(board_id=1).pack(), board)
        [private] = bot.world.sent(MEMBER.id)
        assert "Link your Quran.com account" in private["text"]
        assert bot.world.buttons(private) == [("🔗 Link Quran.com account", LinkAccount().pack())]
        assert "private message" in last_answer(bot)
        assert bot.fake_qf.api_requests("POST", CREDIT_PATH) == []


async def test_a_member_releases_their_juz_and_someone_else_takes_it(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        await press(bot, MEMBER, juz_data(bot, board, 7), board)
        await press(bot, OTHER_MEMBER, juz_data(bot, board, 7), board)
        assert last_answer(bot) == "Juz 7 is taken by Maryam."
        await press(bot, MEMBER, ReleaseMine(board_id=1).pack(), board)
        assert last_answer(bot) == "Juz 7 is free again for someone else."
        await press(bot, OTHER_MEMBER, juz_data(bot, board, 7), board)
        assert "is yours" in last_answer(bot)


async def test_a_press_on_an_old_board_says_so_and_changes_nothing(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        old = await start_board(bot)
        await press(bot, ADMIN, ShowAdmin(board_id=1).pack(), old)
        panel = bot.world.last_sent(GROUP_ID)
        await press(bot, ADMIN, CloseBoard(board_id=1).pack(), panel)
        await bot.send("/khatm", user=ADMIN, chat_id=GROUP_ID)
        await settle(bot)
        new = current_board(bot)
        assert new["message_id"] != old["message_id"] and "Group khatm #2" in new["text"]

        await bot.world.user_presses(
            GROUP_ID, MEMBER, old["message_id"], juz_data(bot, old, 1), forged=True
        )
        await bot.process_pending()
        assert "no longer active" in last_answer(bot)
        khatm = KhatmRepository(bot.deps.database)
        assert all(part.taker_id is None for part in await khatm.parts(1))
        assert all(part.taker_id is None for part in await khatm.parts(2))
        # The old board's data under the new message is refused too (it names board 1).
        await bot.world.user_presses(
            GROUP_ID, MEMBER, new["message_id"], juz_data(bot, old, 1), forged=True
        )
        await bot.process_pending()
        assert "no longer active" in last_answer(bot)
        assert all(part.taker_id is None for part in await khatm.parts(2))


async def test_admin_only_actions_are_refused_for_members(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        await press(bot, MEMBER, juz_data(bot, board, 3), board)
        for data in (
            ShowAdmin(board_id=1).pack(),
            Reopen(board_id=1, juz=3).pack(),
            CloseBoard(board_id=1).pack(),
            NextKhatm(board_id=1).pack(),
        ):
            await bot.world.user_presses(
                GROUP_ID, OTHER_MEMBER, board["message_id"], data, forged=True
            )
            await bot.process_pending()
            answer = bot.world.answered_callbacks[-1]
            assert answer.show_alert and "only the group's admins" in (answer.text or "")
        khatm = KhatmRepository(bot.deps.database)
        assert (await khatm.get(1)).status == "open"  # type: ignore[union-attr]
        assert (await khatm.parts(1))[2].taker_id == MEMBER.id
        # A member's /khatm without a board is refused as well.
        await khatm.close(1)
        [reply] = await bot.send("/khatm", user=MEMBER, chat_id=GROUP_ID)
        assert "only the group's admins" in reply["text"]


async def test_admin_reopens_a_juz_from_the_panel(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        await press(bot, MEMBER, juz_data(bot, board, 3), board)
        await bot.send("/khatm", user=ADMIN, chat_id=GROUP_ID)
        panel = bot.world.last_sent(GROUP_ID)
        assert ("↩️3", Reopen(board_id=1, juz=3).pack()) in bot.world.buttons(panel)
        await press(bot, ADMIN, Reopen(board_id=1, juz=3).pack(), panel)
        assert last_answer(bot) == "Juz 3 is free again."
        assert (await KhatmRepository(bot.deps.database).parts(1))[2].taker_id is None


async def test_completing_the_khatm_celebrates_and_offers_the_next(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        crowd = members(30)
        for juz, member in enumerate(crowd, start=1):
            await press(bot, member, juz_data(bot, board, juz), board)
        for member in crowd:
            await press(bot, member, FinishMine(board_id=1).pack(), board)
        await settle(bot)
        celebration = bot.world.last_sent(GROUP_ID)
        assert "completed khatm #1" in celebration["text"]
        assert bot.world.buttons(celebration) == [
            ("🔁 Start the next khatm", NextKhatm(board_id=1).pack())
        ]
        done = bot.world.message(GROUP_ID, board["message_id"])
        assert done is not None and "Khatm #1 completed!" in done["text"]
        # A member may not start it; an admin may, once.
        await press(bot, MEMBER, NextKhatm(board_id=1).pack(), celebration)
        assert "only the group's admins" in last_answer(bot)
        await press(bot, ADMIN, NextKhatm(board_id=1).pack(), celebration)
        await settle(bot)
        assert "Group khatm #2" in current_board(bot)["text"]
        await press(bot, ADMIN, NextKhatm(board_id=1).pack(), celebration)
        assert "started already" in last_answer(bot)
        assert len(boards(bot)) == 1  # the old board lost its juz buttons when it completed


async def test_my_juz_in_private_spans_groups_and_finishes_there(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        second_group = -100999
        bot.world.add_group(second_group, "Sisters' Circle", admins=[ADMIN], members=[MEMBER])
        await bot.send("/khatm", user=ADMIN, chat_id=second_group)
        await settle(bot)
        second_board = current_board(bot, second_group)
        await press(bot, MEMBER, juz_data(bot, board, 4), board)
        await bot.world.user_presses(
            second_group, MEMBER, second_board["message_id"], juz_data(bot, second_board, 9)
        )
        await bot.process_pending()
        bot.world.add_private_chat(MEMBER)
        sub = await bot.link_account(MEMBER)
        await settle(bot)
        [listing] = await bot.send("/start khatm", user=MEMBER)
        assert "Juz 4 — Masjid Reading Circle" in listing["text"]
        assert "Juz 9 — \u2068Sisters' Circle\u2069" in listing["text"]
        await bot.press("✅ Juz 9 finished", user=MEMBER)
        assert "Credited" in last_answer(bot)
        [posted] = bot.fake_qf.api_requests("POST", CREDIT_PATH)
        assert posted.json["ranges"] == ["7:88-8:40"]
        assert date(2026, 11, 23) in bot.fake_qf.users[sub].activity_days
        relisted = bot.world.last_sent(MEMBER.id)
        assert "Juz 9" not in relisted["text"] and "Juz 4" in relisted["text"]
        await settle(bot)
        assert "✅ Juz 9 — Maryam" in current_board(bot, second_group)["text"]


async def test_names_are_escaped_and_bounded_and_the_board_speaks_arabic(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        await bot.deps.chats.ensure(GROUP_ID, "group", "Masjid Reading Circle")
        await bot.deps.chats.update(GROUP_ID, language="ar")
        board = await start_board(bot)
        assert "ختمة المجموعة رقم" in board["text"]
        rogue = FakeUser(4444, "<b>Evil</b> " + "x" * 200)
        bot.world.add_user(rogue)
        await press(bot, rogue, juz_data(bot, board, 1), board)
        await settle(bot)
        text = current_board(bot)["text"]
        assert "<b>Evil</b>" in text  # shown as typed, not as markup
        assert "x" * 40 not in text


async def test_removing_the_bot_closes_the_board(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        await start_board(bot)
        await bot.world.bot_removed_from_group(GROUP_ID, ADMIN)
        await bot.process_pending()
        closed = await KhatmRepository(bot.deps.database).get(1)
        assert closed is not None and closed.status == "closed"


async def test_an_admin_posts_the_board_again_and_the_old_message_goes_quiet(
    tmp_path: Path,
) -> None:
    async with harness(tmp_path) as bot:
        old = await start_board(bot)
        await press(bot, MEMBER, juz_data(bot, old, 5), old)
        await bot.send("/khatm", user=ADMIN, chat_id=GROUP_ID)
        await bot.press("Post the board again", user=ADMIN, chat_id=GROUP_ID)
        await settle(bot)
        new = current_board(bot)
        assert new["message_id"] != old["message_id"]
        assert "✋ Juz 5 — Maryam" in new["text"]
        quiet = bot.world.message(GROUP_ID, old["message_id"])
        assert quiet is not None and "board moved" in quiet["text"]
        assert bot.world.buttons(quiet) == []
        progress = await KhatmService(bot.deps).progress(GROUP_ID)
        assert progress is not None and (progress.taken, progress.finished) == (1, 0)


async def test_a_member_holding_several_juz_chooses_in_private(tmp_path: Path) -> None:
    async with harness(tmp_path) as bot:
        board = await start_board(bot)
        await press(bot, MEMBER, juz_data(bot, board, 1), board)
        await press(bot, MEMBER, juz_data(bot, board, 2), board)
        await press(bot, MEMBER, FinishMine(board_id=1).pack(), board)
        answer = bot.world.answered_callbacks[-1]
        assert answer.url == "https://t.me/QuranCompanionBot?start=khatm"
        assert all(not part.finished for part in await KhatmRepository(bot.deps.database).parts(1))
        bot.world.add_private_chat(MEMBER)
        # The board's coalesced edit in the group may land meanwhile: only the private reply.
        [listing] = [
            m for m in await bot.send("/khatm", user=MEMBER) if m["chat"]["id"] == MEMBER.id
        ]
        assert [label for label, _ in bot.world.buttons(listing)] == [
            "✅ Juz 1 finished", "↩️ Release juz 1", "✅ Juz 2 finished", "↩️ Release juz 2",
        ]
        await bot.press("↩️ Release juz 1", user=MEMBER)
        assert last_answer(bot) == "Juz 1 is free again for someone else."
        await settle(bot)
