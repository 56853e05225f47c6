"""Telegram's semantics in the sandbox world, checked without any transport.

The answers are parsed with PTB's own `de_json` wherever PTB would parse them, because a field
PTB requires and the fake forgot only shows up there.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import (
    Bot,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    Message,
    Update,
)
from telegram.constants import ChatID
from telegram.ext import filters

from sandbox.telegram import FakeUser, TelegramWorld

AMINA = FakeUser(1001, "Amina", username="amina")
BILAL = FakeUser(1002, "Bilal", username="bilal", language_code="ar")
KHADIJA = FakeUser(1003, "Khadija")
GROUP_ID = -4001
FIXED_NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


@pytest.fixture
def world() -> TelegramWorld:
    world = TelegramWorld(clock=lambda: FIXED_NOW)
    world.add_private_chat(AMINA)
    world.add_group(GROUP_ID, "Halaqa", admins=[AMINA, BILAL], members=[KHADIJA])
    return world


@pytest.fixture
def ptb_bot(world: TelegramWorld) -> Bot:
    """A Bot only for `de_json`; it never makes a request."""
    return Bot(world.bot_token)


async def call(world: TelegramWorld, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """Encode parameters the way PTB puts them on the wire: strings raw, the rest as JSON."""
    wire = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return await world.handle(method, wire)


async def test_sent_message_has_every_field_ptb_requires(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    status, body = await call(world, "sendMessage", chat_id=AMINA.id, text="Salam")

    assert status == 200
    result = body["result"]
    assert result["date"] == int(FIXED_NOW.timestamp())
    assert result["from"] == {
        "id": 123456,
        "is_bot": True,
        "first_name": "Quran Companion",
        "username": "QuranCompanionBot",
    }
    assert result["chat"] == {
        "id": AMINA.id,
        "first_name": "Amina",
        "username": "amina",
        "type": "private",
    }
    message = Message.de_json(result, ptb_bot)
    assert message.date == FIXED_NOW.replace(second=0)
    assert message.from_user is not None and message.from_user.is_bot


async def test_message_ids_increase_per_chat_and_are_shared_with_users(
    world: TelegramWorld,
) -> None:
    first = (await call(world, "sendMessage", chat_id=AMINA.id, text="one"))[1]["result"]
    in_group = (await call(world, "sendMessage", chat_id=GROUP_ID, text="g"))[1]["result"]
    users = await world.user_sends(AMINA.id, AMINA, "hello")
    second = (await call(world, "sendMessage", chat_id=AMINA.id, text="two"))[1]["result"]

    assert [first["message_id"], users["message_id"], second["message_id"]] == [1, 2, 3]
    assert in_group["message_id"] == 1


async def test_html_entities_use_utf16_offsets_and_surrounding_space_is_trimmed(
    world: TelegramWorld,
) -> None:
    text = '  🕌 <b>Al-Fātiḥa</b> <a href="https://quran.com/1">open</a>\n'

    result = (await call(world, "sendMessage", chat_id=AMINA.id, text=text, parse_mode="HTML"))[1][
        "result"
    ]

    assert result["text"] == "🕌 Al-Fātiḥa open"
    assert result["entities"] == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://quran.com/1"},
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2 < 3", 'Unsupported start tag "" at byte offset 2'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>s</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("ends with <b", "Unclosed start tag at byte offset 10"),
        ("Salam & peace", 'Unescaped "&" at byte offset 6'),
    ],
)
async def test_html_telegram_cannot_parse_is_rejected(
    world: TelegramWorld, text: str, reason: str
) -> None:
    status, body = await call(world, "sendMessage", chat_id=AMINA.id, text=text, parse_mode="HTML")

    assert status == 400
    assert body["description"].startswith(f"Bad Request: can't parse entities: {reason}")
    assert world.sent() == []


async def test_every_supported_html_tag_is_accepted(world: TelegramWorld) -> None:
    text = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span>'
        '<tg-spoiler>q</tg-spoiler><code>c</code><pre><code class="language-python">x</code>'
        "</pre><blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#1575;'
    )

    status, body = await call(world, "sendMessage", chat_id=AMINA.id, text=text, parse_mode="HTML")

    assert status == 200, body
    assert body["result"]["text"].endswith('👍 <>&"ا')
    kinds = [entity["type"] for entity in body["result"]["entities"]]
    assert kinds.count("bold") == 2 and kinds.count("spoiler") == 2
    assert "expandable_blockquote" in kinds and "custom_emoji" in kinds
    pre = next(e for e in body["result"]["entities"] if e["type"] == "pre")
    assert pre["language"] == "python"


async def test_lone_ampersand_is_literal_when_strictness_is_off(world: TelegramWorld) -> None:
    world.strict_ampersand = False

    result = (
        await call(world, "sendMessage", chat_id=AMINA.id, text="Q & A &nbsp;", parse_mode="HTML")
    )[1]["result"]

    assert result["text"] == "Q & A &nbsp;"


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("", "Bad Request: message text is empty"),
        ("   \n ", "Bad Request: message text is empty"),
        ("<b></b>", "Bad Request: message text is empty"),
        ("x" * 4097, "Bad Request: message is too long"),
        ("<b>" + "x" * 4097 + "</b>", "Bad Request: message is too long"),
    ],
)
async def test_text_length_is_checked_after_parsing(
    world: TelegramWorld, text: str, description: str
) -> None:
    status, body = await call(world, "sendMessage", chat_id=AMINA.id, text=text, parse_mode="HTML")

    assert (status, body["description"]) == (400, description)


async def test_limit_of_4096_characters_counts_after_entity_parsing(world: TelegramWorld) -> None:
    text = "<b>" + "ب" * 4096 + "</b>"

    status, _ = await call(world, "sendMessage", chat_id=AMINA.id, text=text, parse_mode="HTML")

    assert status == 200


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": "ي" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x"}, "Bad Request: text buttons are unallowed in the inline keyboard"),
        (
            {"text": "x", "url": "not a url"},
            "Bad Request: inline keyboard button URL 'not a url' is invalid: Wrong HTTP URL",
        ),
        (
            {"text": "x", "url": "ftp://quran.com"},
            "Bad Request: inline keyboard button URL 'ftp://quran.com' is invalid: Wrong HTTP URL",
        ),
    ],
)
async def test_invalid_inline_buttons_are_rejected(
    world: TelegramWorld, button: dict[str, Any], description: str
) -> None:
    status, body = await call(
        world, "sendMessage", chat_id=AMINA.id, text="t", reply_markup=keyboard(button)
    )

    assert (status, body["description"]) == (400, description)


async def test_callback_data_of_exactly_64_bytes_is_accepted(world: TelegramWorld) -> None:
    markup = keyboard({"text": "ok", "callback_data": "ي" * 32})

    status, body = await call(world, "sendMessage", chat_id=AMINA.id, text="t", reply_markup=markup)

    assert status == 200
    assert body["result"]["reply_markup"] == markup


async def test_local_button_urls_are_refused_like_telegram_when_asked(
    world: TelegramWorld,
) -> None:
    world.allow_local_urls = False
    markup = keyboard({"text": "Log in", "url": "http://127.0.0.1:8080/oauth/start"})

    status, _ = await call(world, "sendMessage", chat_id=AMINA.id, text="t", reply_markup=markup)

    assert status == 400


async def test_edit_identical_content_is_not_modified_and_unknown_message_not_found(
    world: TelegramWorld,
) -> None:
    markup = keyboard({"text": "Done", "callback_data": "done"})
    sent = (await call(world, "sendMessage", chat_id=AMINA.id, text="Goal", reply_markup=markup))[
        1
    ]["result"]

    same = await call(
        world,
        "editMessageText",
        chat_id=AMINA.id,
        message_id=sent["message_id"],
        text="Goal",
        reply_markup=markup,
    )
    missing = await call(world, "editMessageText", chat_id=AMINA.id, message_id=99, text="x")
    dropped_keyboard = await call(
        world, "editMessageText", chat_id=AMINA.id, message_id=sent["message_id"], text="Goal"
    )

    assert same[0] == 400
    assert same[1]["description"].startswith("Bad Request: message is not modified: ")
    assert missing[1]["description"] == "Bad Request: message to edit not found"
    assert dropped_keyboard[0] == 200
    assert "reply_markup" not in world.last_sent(AMINA.id)


async def test_edits_change_what_sent_reports(world: TelegramWorld) -> None:
    sent = (await call(world, "sendMessage", chat_id=AMINA.id, text="Saving…"))[1]["result"]

    await call(
        world,
        "editMessageText",
        chat_id=AMINA.id,
        message_id=sent["message_id"],
        text="Saved <b>2:255</b>",
        parse_mode="HTML",
    )

    [message] = world.sent(AMINA.id)
    assert message["text"] == "Saved 2:255"
    assert message["edit_date"] == int(FIXED_NOW.timestamp())


async def test_user_messages_cannot_be_edited_by_the_bot(world: TelegramWorld) -> None:
    users = await world.user_sends(AMINA.id, AMINA, "mine")

    status, body = await call(
        world, "editMessageText", chat_id=AMINA.id, message_id=users["message_id"], text="x"
    )

    assert (status, body["description"]) == (400, "Bad Request: message can't be edited")


async def test_blocked_user_gives_403_and_a_my_chat_member_update(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    world.block(AMINA.id)

    status, body = await call(world, "sendMessage", chat_id=AMINA.id, text="Reminder")

    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    update = Update.de_json(world.next_update_dict(), ptb_bot)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_writing_again_unblocks_the_bot(world: TelegramWorld) -> None:
    world.block(AMINA.id)

    await world.user_sends(AMINA.id, AMINA, "/start")
    status, _ = await call(world, "sendMessage", chat_id=AMINA.id, text="Welcome back")

    assert status == 200


async def test_user_who_never_started_the_bot_cannot_be_messaged(world: TelegramWorld) -> None:
    status, body = await call(world, "sendMessage", chat_id=KHADIJA.id, text="hi")
    unknown = await call(world, "sendMessage", chat_id=555, text="hi")

    assert (status, body["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    assert unknown[1]["description"] == "Bad Request: chat not found"


async def test_removed_bot_gets_403_kicked_and_a_my_chat_member_update(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    await world.bot_removed_from_group(GROUP_ID, AMINA)

    status, body = await call(world, "sendMessage", chat_id=GROUP_ID, text="x")

    assert (status, body["description"]) == (403, "Forbidden: bot was kicked from the group chat")
    update = Update.de_json(world.next_update_dict(), ptb_bot)
    assert update.my_chat_member is not None
    assert isinstance(update.my_chat_member.new_chat_member, ChatMemberBanned)
    assert update.my_chat_member.from_user.id == AMINA.id


async def test_bot_added_to_group_sends_my_chat_member_then_service_message(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    await world.bot_added_to_group(-4002, BILAL, title="Family", as_admin=True)

    member_update, service_update = (
        Update.de_json(data, ptb_bot) for data in world.pending_update_dicts()
    )
    assert member_update.my_chat_member is not None
    assert member_update.my_chat_member.old_chat_member.status == "left"
    assert isinstance(member_update.my_chat_member.new_chat_member, ChatMemberAdministrator)
    assert service_update.message is not None
    assert filters.StatusUpdate.NEW_CHAT_MEMBERS.check_update(service_update)
    assert world.member_status(-4002, BILAL.id) == "creator"


async def test_migration_queues_both_service_messages_and_old_id_points_to_new(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    world.migrate_group(GROUP_ID, -1009990001)

    updates = [Update.de_json(data, ptb_bot) for data in world.pending_update_dicts()]
    status, body = await call(world, "sendMessage", chat_id=GROUP_ID, text="x")
    new_status, _ = await call(world, "sendMessage", chat_id=-1009990001, text="x")

    assert all(filters.StatusUpdate.MIGRATE.check_update(update) for update in updates)
    assert updates[0].effective_message is not None
    assert updates[0].effective_message.migrate_to_chat_id == -1009990001
    assert updates[1].effective_message is not None
    assert updates[1].effective_message.migrate_from_chat_id == GROUP_ID
    assert status == 400
    assert body["parameters"] == {"migrate_to_chat_id": -1009990001}
    assert new_status == 200
    assert world.chat(-1009990001)["type"] == "supergroup"
    assert world.member_status(-1009990001, BILAL.id) == "administrator"


async def test_group_privacy_mode_hides_plain_text_and_other_bots_commands(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    bot_message = (await call(world, "sendMessage", chat_id=GROUP_ID, text="Who read?"))[1][
        "result"
    ]

    await world.user_sends(GROUP_ID, KHADIJA, "just chatting")
    await world.user_sends(GROUP_ID, KHADIJA, "/streak@OtherBot")
    await world.user_sends(GROUP_ID, KHADIJA, "/streak@quranCompanionBot")
    await world.user_sends(GROUP_ID, KHADIJA, "/streak")
    await world.user_sends(GROUP_ID, KHADIJA, "me!", reply_to_message_id=bot_message["message_id"])
    await world.user_sends(GROUP_ID, KHADIJA, "hey @QuranCompanionBot")

    seen = [update["message"]["text"] for update in world.pending_update_dicts()]
    assert seen == ["/streak@quranCompanionBot", "/streak", "me!", "hey @QuranCompanionBot"]


async def test_admin_bot_sees_every_group_message(world: TelegramWorld) -> None:
    world.set_bot_status(GROUP_ID, "administrator")

    await world.user_sends(GROUP_ID, KHADIJA, "just chatting")

    assert world.next_update_dict()["message"]["text"] == "just chatting"


async def test_command_entities_cover_the_bot_name(world: TelegramWorld, ptb_bot: Bot) -> None:
    world.privacy_mode = False

    await world.user_sends(GROUP_ID, KHADIJA, "/log@QuranCompanionBot 2:255 @bilal")

    message = Update.de_json(world.next_update_dict(), ptb_bot).message
    assert message is not None
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bot_command", 0, 22),
        ("mention", 29, 6),
    ]


async def test_anonymous_admin_message_is_from_group_anonymous_bot(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    await world.anonymous_admin_sends(GROUP_ID, "/settings")

    message = Update.de_json(world.next_update_dict(), ptb_bot).message
    assert message is not None and message.from_user is not None
    assert message.from_user.id == ChatID.ANONYMOUS_ADMIN
    assert message.from_user.is_bot
    assert message.sender_chat is not None and message.sender_chat.id == GROUP_ID


async def test_edited_and_location_messages_become_updates(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    original = await world.user_sends(AMINA.id, AMINA, "/log 1:1")
    await world.user_edits(AMINA.id, AMINA, original["message_id"], "/log 1:1-7")
    await world.user_shares_location(AMINA.id, AMINA, 21.4225, 39.8262)

    _, edited, located = (Update.de_json(data, ptb_bot) for data in world.pending_update_dicts())
    assert edited.edited_message is not None
    assert edited.edited_message.text == "/log 1:1-7"
    assert located.message is not None and located.message.location is not None
    assert located.message.location.latitude == pytest.approx(21.4225)


async def test_button_press_carries_message_and_chat_instance(
    world: TelegramWorld, ptb_bot: Bot
) -> None:
    markup = keyboard({"text": "Delete", "callback_data": "g:del:1"})
    sent = (await call(world, "sendMessage", chat_id=AMINA.id, text="Goal", reply_markup=markup))[
        1
    ]["result"]

    query = await world.user_presses(AMINA.id, AMINA, sent["message_id"], "g:del:1")

    parsed = Update.de_json(world.next_update_dict(), ptb_bot).callback_query
    assert parsed is not None and parsed.message is not None
    assert parsed.data == "g:del:1" and parsed.chat_instance
    assert parsed.message.message_id == sent["message_id"]
    with pytest.raises(ValueError, match="no button"):
        await world.user_presses(AMINA.id, AMINA, sent["message_id"], "g:del:2")
    forged = await world.user_presses(AMINA.id, AMINA, sent["message_id"], "x", forged=True)
    assert forged["id"] != query["id"]


async def test_callback_query_can_be_answered_once(world: TelegramWorld) -> None:
    markup = keyboard({"text": "Done", "callback_data": "done"})
    sent = (await call(world, "sendMessage", chat_id=AMINA.id, text="t", reply_markup=markup))[1][
        "result"
    ]
    query = await world.user_presses_label(AMINA.id, AMINA, sent["message_id"], "Done")

    first = await call(world, "answerCallbackQuery", callback_query_id=query["id"], text="Saved")
    second = await call(world, "answerCallbackQuery", callback_query_id=query["id"])

    assert first[0] == 200
    assert second[1]["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    [answer] = world.answered_callbacks
    assert (answer.text, answer.data, answer.message_id) == ("Saved", "done", sent["message_id"])


async def test_chat_members_parse_into_ptb_types(world: TelegramWorld, ptb_bot: Bot) -> None:
    outsider = FakeUser(1009, "Omar")
    world.add_user(outsider)
    world.set_member_status(GROUP_ID, FakeUser(1010, "Zaid"), "kicked")

    async def member(user_id: int) -> Any:
        return (await call(world, "getChatMember", chat_id=GROUP_ID, user_id=user_id))[1]["result"]

    owner = ChatMemberOwner.de_json(await member(AMINA.id), ptb_bot)
    admin = ChatMemberAdministrator.de_json(await member(BILAL.id), ptb_bot)
    plain = ChatMemberMember.de_json(await member(KHADIJA.id), ptb_bot)
    left = ChatMemberLeft.de_json(await member(outsider.id), ptb_bot)
    banned = ChatMemberBanned.de_json(await member(1010), ptb_bot)
    assert [m.status for m in (owner, admin, plain, left, banned)] == [
        "creator",
        "administrator",
        "member",
        "left",
        "kicked",
    ]
    admins = (await call(world, "getChatAdministrators", chat_id=GROUP_ID))[1]["result"]
    assert [a["user"]["id"] for a in admins] == [AMINA.id, BILAL.id]


async def test_get_chat_parses_as_chat_full_info(world: TelegramWorld, ptb_bot: Bot) -> None:
    group = (await call(world, "getChat", chat_id=GROUP_ID))[1]["result"]
    private = (await call(world, "getChat", chat_id=AMINA.id))[1]["result"]

    assert ChatFullInfo.de_json(group, ptb_bot).title == "Halaqa"
    assert ChatFullInfo.de_json(private, ptb_bot).first_name == "Amina"


async def test_bot_deletes_its_own_messages_but_not_others_in_groups(
    world: TelegramWorld,
) -> None:
    own = (await call(world, "sendMessage", chat_id=GROUP_ID, text="x"))[1]["result"]
    theirs = await world.user_sends(GROUP_ID, KHADIJA, "/x")

    deleted = await call(world, "deleteMessage", chat_id=GROUP_ID, message_id=own["message_id"])
    again = await call(world, "deleteMessage", chat_id=GROUP_ID, message_id=own["message_id"])
    refused = await call(world, "deleteMessage", chat_id=GROUP_ID, message_id=theirs["message_id"])

    assert deleted == (200, {"ok": True, "result": True})
    assert again[1]["description"] == "Bad Request: message to delete not found"
    assert refused[1]["description"] == "Bad Request: message can't be deleted"
    assert world.sent(GROUP_ID) == []
    assert world.was_deleted(GROUP_ID, own["message_id"])


async def test_flood_control_limits_a_group_to_20_messages_a_minute() -> None:
    now = [1000.0]
    world = TelegramWorld(monotonic=lambda: now[0])
    world.add_group(GROUP_ID, "Halaqa", admins=[AMINA])
    world.flood_control = True

    statuses = []
    for _ in range(21):
        statuses.append((await call(world, "sendMessage", chat_id=GROUP_ID, text="r"))[0])
        now[0] += 0.5
    status, body = await call(world, "sendMessage", chat_id=GROUP_ID, text="r")

    assert statuses == [200] * 20 + [429]
    assert status == 429
    assert body["description"] == "Too Many Requests: retry after 50"
    assert body["parameters"] == {"retry_after": 50}
    assert world.flood_429s == 2
    now[0] += 50
    assert (await call(world, "sendMessage", chat_id=GROUP_ID, text="r"))[0] == 200


async def test_flood_control_allows_short_private_bursts_then_one_per_second() -> None:
    now = [1000.0]
    world = TelegramWorld(monotonic=lambda: now[0])
    world.add_private_chat(AMINA)
    world.flood_control = True

    burst = [(await call(world, "sendMessage", chat_id=AMINA.id, text="r"))[0] for _ in range(4)]
    now[0] += 1.0
    after_a_second = (await call(world, "sendMessage", chat_id=AMINA.id, text="r"))[0]

    assert burst == [200, 200, 200, 429]
    assert after_a_second == 200


async def test_flood_control_caps_all_chats_at_30_per_second() -> None:
    world = TelegramWorld(monotonic=lambda: 1000.0)
    users = [FakeUser(2000 + n, f"User {n}") for n in range(31)]
    for user in users:
        world.add_private_chat(user)
    world.flood_control = True

    statuses = [(await call(world, "sendMessage", chat_id=u.id, text="r"))[0] for u in users]

    assert statuses == [200] * 30 + [429]


async def test_long_poll_waits_until_an_update_arrives(world: TelegramWorld) -> None:
    poll = asyncio.create_task(call(world, "getUpdates", timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()

    await world.user_sends(AMINA.id, AMINA, "/start")
    status, body = await asyncio.wait_for(poll, 1)

    assert status == 200
    assert [update["message"]["text"] for update in body["result"]] == ["/start"]


async def test_offset_confirms_updates_and_negative_offset_keeps_the_last(
    world: TelegramWorld,
) -> None:
    for text in ("a", "b", "c"):
        await world.user_sends(AMINA.id, AMINA, text)
    first = (await call(world, "getUpdates"))[1]["result"]

    after_offset = (await call(world, "getUpdates", offset=first[1]["update_id"]))[1]["result"]
    last_only = (await call(world, "getUpdates", offset=-1))[1]["result"]

    assert [u["message"]["text"] for u in after_offset] == ["b", "c"]
    assert [u["message"]["text"] for u in last_only] == ["c"]


async def test_allowed_updates_filters_delivery(world: TelegramWorld) -> None:
    world.block(AMINA.id)
    await world.user_sends(AMINA.id, AMINA, "/start")

    body = (await call(world, "getUpdates", allowed_updates=["message"]))[1]

    assert [list(u.keys())[1] for u in body["result"]] == ["message"]


async def test_newer_long_poll_terminates_the_older_with_409(world: TelegramWorld) -> None:
    older = asyncio.create_task(call(world, "getUpdates", timeout=10))
    await asyncio.sleep(0.05)

    newer = await call(world, "getUpdates", timeout=0)
    status, body = await asyncio.wait_for(older, 1)

    assert newer[0] == 200
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_close_releases_long_polls(world: TelegramWorld) -> None:
    poll = asyncio.create_task(call(world, "getUpdates", timeout=30))
    await asyncio.sleep(0.05)

    world.close()

    assert await asyncio.wait_for(poll, 1) == (200, {"ok": True, "result": []})


async def test_webhook_needs_https_and_blocks_get_updates(world: TelegramWorld) -> None:
    plain = await call(world, "setWebhook", url="http://bot.example.org/telegram")
    secure = await call(
        world, "setWebhook", url="https://bot.example.org/telegram", secret_token="s3cr3t"
    )
    polling = await call(world, "getUpdates")
    info = (await call(world, "getWebhookInfo"))[1]["result"]

    assert plain[1]["description"] == (
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    assert secure[0] == 200
    assert world.webhook is not None and world.webhook.secret_token == "s3cr3t"
    assert polling[0] == 409
    assert info["url"] == "https://bot.example.org/telegram"
    assert (await call(world, "deleteWebhook"))[0] == 200
    assert world.webhook is None


async def test_unknown_method_is_404(world: TelegramWorld) -> None:
    status, body = await call(world, "sendTelepathy", chat_id=AMINA.id)

    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_wait_for_message_skips_earlier_messages_and_explains_timeouts(
    world: TelegramWorld,
) -> None:
    await call(world, "sendMessage", chat_id=AMINA.id, text="Streak: 3 days")
    users = await world.user_sends(AMINA.id, AMINA, "/streak")

    async def reply_later() -> None:
        await asyncio.sleep(0.05)
        await call(world, "sendMessage", chat_id=AMINA.id, text="Streak: 4 days")

    replying = asyncio.create_task(reply_later())
    reply = await world.wait_for_message(AMINA.id, "Streak", after=users["message_id"])
    await replying

    assert reply["text"] == "Streak: 4 days"
    with pytest.raises(TimeoutError, match="Streak: 4 days"):
        await world.wait_for_message(AMINA.id, "never", timeout=0.05)


async def test_calls_are_recorded_with_decoded_parameters(world: TelegramWorld) -> None:
    markup = keyboard({"text": "Open", "url": "https://quran.com"})

    await call(world, "sendMessage", chat_id=AMINA.id, text="t", reply_markup=markup)

    [recorded] = world.calls_to("sendmessage")
    assert recorded.method == "sendMessage"
    assert recorded.params["reply_markup"] == markup
    assert recorded.status == 200
    assert world.buttons(world.last_sent(AMINA.id)) == [("Open", "https://quran.com")]


async def test_unimplemented_method_is_logged_not_silent(
    world: TelegramWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await call(world, "sendDice", chat_id=AMINA.id)

    assert "does not implement 'sendDice'" in caplog.text


async def test_force_reply_is_kept_per_chat_and_the_reply_reaches_a_private_bot(
    world: TelegramWorld,
) -> None:
    force_reply = {"force_reply": True, "selective": True}
    question = (
        await call(world, "sendMessage", chat_id=GROUP_ID, text="Note?", reply_markup=force_reply)
    )[1]["result"]

    await world.user_sends(
        GROUP_ID, KHADIJA, "Patience is light", reply_to_message_id=question["message_id"]
    )

    assert "reply_markup" not in question
    assert world.reply_keyboards[GROUP_ID] == force_reply
    update = world.next_update_dict()
    assert update["message"]["reply_to_message"]["message_id"] == question["message_id"]
