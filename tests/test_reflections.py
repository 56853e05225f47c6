"""Reflections on a verse and notes about a reflection, through the real Application against the
spec-validated fakes, in every contract that declares the QuranReflect operations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from notes_support import (
    SCOPES_WITH_SYNC,
    assert_telegram_accepted_everything,
    finish_wizard,
    labels,
    notes_of,
    text_of,
)
from reflect_support import AYAT_AL_KURSI, CONTRACTS, undeclared_query

from sandbox.harness import DEMO_USER, BotHarness
from sandbox.telegram import FakeUser, TelegramWorld


@pytest.fixture(params=CONTRACTS)
async def bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BotHarness]:
    contract = request.param
    async with BotHarness(tmp_path, contract=contract) as harness:
        await harness.link_account(scopes=SCOPES_WITH_SYNC if contract == "2026-03-29" else None)
        yield harness
        assert harness.fake_qf.validation_errors == []
        assert harness.fake_qf.response_errors == []
        assert undeclared_query(contract, harness.fake_qf.requests) == []
        assert_telegram_accepted_everything(harness.world)


def urls(message: dict[str, Any]) -> list[str | None]:
    return [data for _, data in TelegramWorld.buttons(message)]


def the_only_note(bot: BotHarness) -> Any:
    (note,) = notes_of(bot, bot.fake_qf.next_login_sub)
    return note


async def test_reflections_list_public_posts_on_the_verse_in_pages(bot: BotHarness) -> None:
    fake = bot.fake_qf
    for n in range(7):
        fake.add_post(f"{AYAT_AL_KURSI} Thought {n}.", [(2, 255, 255)], likes=n,
                      first_name=f"Author{n}")
    fake.add_post("About the opening, not 2:255", [(1, 1, 7)])
    mine = fake.add_post("My own words on the Throne Verse", [(2, 255, 255)],
                         author=fake.next_login_sub)

    (first,) = await bot.send("/reflections 2:255")
    text = first["text"]
    assert "Reflections on 2:255" in text and "Page 1 of 2" in text
    assert "Author6" in text and "❤️ 6" in text and "the Ever-Living" in text
    assert "About the opening" not in text
    assert "Your reflections on 2:255" in text
    assert f"https://quranreflect.com/posts/{mine}" in str(first.get("entities"))
    assert labels(first)[:2] == ["↗ Open 1", "📝 Note on 1"]
    assert urls(first)[0] == f"https://quranreflect.com/posts/{mine}"  # newest first
    assert labels(first)[-1] == "Next »"

    (second,) = await bot.press("Next »")
    assert second["message_id"] == first["message_id"]  # the page replaced in place
    assert "Page 2 of 2" in second["text"] and "Author1" in second["text"]
    assert "Your reflections" not in second["text"]  # the own section is on page 1 only
    assert labels(second)[:2] == ["↗ Open 6", "📝 Note on 6"]
    assert labels(second)[-1] == "« Previous"
    feed = fake.api_requests("GET", "/v1/posts/feed")
    assert [r.query["page"] for r in feed] == ["1", "2"]
    assert all(r.query["filter[references][0][chapterId]"] == "2" for r in feed)
    assert all(r.query["languages"] == "2" for r in feed)  # English posts first
    (own,) = fake.api_requests("GET", "/v1/posts/by-verse/")
    assert own.path.endswith("/v1/posts/by-verse/2:255")


async def test_post_text_is_escaped_and_cut_to_an_excerpt(bot: BotHarness) -> None:
    bot.fake_qf.add_post("<b>bold</b> & <script>x</script> " + "long " * 400, [(2, 255, 255)],
                         first_name="<i>Eve</i>")
    (shown,) = await bot.send("/reflections 2:255")
    assert "<script>" not in shown["text"] and "& x" in shown["text"]
    assert "<i>Eve</i>" in shown["text"]  # shown as typed, not as markup
    assert len(shown["text"]) < 600


async def test_no_reflections_yet_says_so(bot: BotHarness) -> None:
    (shown,) = await bot.send("/reflections 114:1")
    assert "No public reflections on 114:1 yet." in shown["text"]
    (usage,) = await bot.send("/reflections")
    assert "/reflections 2:255" in usage["text"]


async def test_note_on_this_saves_a_note_attached_to_the_reflection(bot: BotHarness) -> None:
    fake = bot.fake_qf
    post_id = fake.add_post(AYAT_AL_KURSI, [(2, 255, 255)], first_name="Yusuf")
    await bot.send("/reflections 2:255")
    screen = await bot.press("📝 Note on 1")
    assert "About Yusuf's reflection on 2:255" in text_of(screen)
    await bot.send("This reflection reminded me of the Throne's vastness.")
    saved = await finish_wizard(bot)
    assert "About Yusuf's reflection on 2:255" in text_of(saved)

    note = the_only_note(bot)
    assert note.ranges == ["2:255-2:255"]
    assert note.attached_entities == [{
        "entityId": str(post_id), "entityType": "reflection",
        "entityMetadata": {"author": "Yusuf", "verseKeys": ["2:255"]},
    }]
    listed = await bot.send("/notes")
    assert "About Yusuf's reflection on 2:255" in text_of(listed)

    # Coming back to the reflection shows what was already written about it.
    await bot.send("/reflections 2:255")
    again = await bot.press("📝 Note on 1")
    assert "You have 1 note on this reflection:" in text_of(again)
    assert "Throne's vastness" in text_of(again)
    assert fake.api_requests("GET", "/v1/notes/by-attached-entity")


async def test_note_with_a_post_link_is_saved_at_once_about_that_post(bot: BotHarness) -> None:
    fake = bot.fake_qf
    fake.add_post(AYAT_AL_KURSI, [(2, 255, 257)], post_id=48151, first_name="Amina")
    saved = await bot.send("/note https://quranreflect.com/posts/48151 my thoughts on this one")
    assert "✅ Saved your note on 2:255–257" in text_of(saved)
    assert "About Amina's reflection on 2:255-257" in text_of(saved)
    note = the_only_note(bot)
    assert note.body == "my thoughts on this one"
    assert note.ranges == ["2:255-2:257"]
    assert note.attached_entities[0]["entityId"] == "48151"
    assert await bot.deps.drafts.latest_for_user(DEMO_USER.id) is None


async def test_note_replying_to_a_message_with_a_post_link(bot: BotHarness) -> None:
    bot.fake_qf.add_post(AYAT_AL_KURSI, [(2, 255, 255)], post_id=48152)
    await bot.world.user_sends(DEMO_USER.id, DEMO_USER,
                               "Read this: https://quranreflect.com/posts/48152 beautiful")
    await bot.process_pending()
    shared = bot.world.updates[-1]["message"]["message_id"]
    await bot.send("/note the reply is my note about it", reply_to=shared)
    note = the_only_note(bot)
    assert note.body == "the reply is my note about it"
    assert note.attached_entities[0]["entityId"] == "48152"


async def test_an_unknown_or_deleted_post_is_said_and_the_text_kept(bot: BotHarness) -> None:
    gone = bot.fake_qf.add_post(AYAT_AL_KURSI, [(2, 255, 255)])
    bot.fake_qf.remove_post(gone)
    answer = await bot.send(f"/note https://quranreflect.com/posts/{gone} words worth keeping")
    assert f"I can't find reflection {gone} on QuranReflect" in text_of(answer)
    assert "Your text is kept as a draft" in text_of(answer)
    assert notes_of(bot, bot.fake_qf.next_login_sub) == []
    draft = await bot.deps.drafts.latest_for_user(DEMO_USER.id)
    assert draft is not None and draft.body == "words worth keeping"

    await bot.send("/reflections 2:255")  # nothing listed: the post is gone
    answer = await bot.press_data("refl.note:99999")  # an old button for a deleted post
    assert "I can't find reflection 99999" in text_of(answer)


async def test_reflections_button_under_an_opened_note(bot: BotHarness) -> None:
    bot.fake_qf.add_post(AYAT_AL_KURSI, [(2, 255, 255)], first_name="Hafsa")
    await bot.send("/note 2:255 A note of my own about the Throne Verse")
    await bot.send("/notes")
    opened = await bot.press("1")
    assert "💬 Reflections on 2:255" in labels(opened[-1])
    (listed,) = await bot.press("💬 Reflections on 2:255")
    assert listed["message_id"] != opened[-1]["message_id"]  # a new message under the note
    assert "Hafsa" in listed["text"]


async def test_a_note_about_a_reflection_survives_a_restart_mid_wizard(bot: BotHarness) -> None:
    post_id = bot.fake_qf.add_post(AYAT_AL_KURSI, [(2, 255, 255)], first_name="Maryam")
    await bot.send("/reflections 2:255")
    await bot.press("📝 Note on 1")
    await bot.send("Written before the restart, about Maryam's reflection.")
    await bot.restart()
    saved = await finish_wizard(bot)
    assert "About Maryam's reflection on 2:255" in text_of(saved)
    note = the_only_note(bot)
    assert note.attached_entities[0]["entityId"] == str(post_id)


async def test_an_arabic_reader_gets_arabic_text_and_arabic_posts_first(tmp_path: Path) -> None:
    arabic = FakeUser(3001, "Bilal", username="bilal", language_code="ar")
    async with BotHarness(tmp_path, user=arabic) as bot:
        await bot.link_account(arabic)
        bot.fake_qf.add_post("آية الكرسي أعظم آية في كتاب الله", [(2, 255, 255)],
                             first_name="عائشة", likes=3)
        (shown,) = await bot.send("/reflections 2:255", user=arabic)
        assert "تدبّرات على" in shown["text"] and "عائشة" in shown["text"]
        assert labels(shown) == ["↗ فتح ١", "📝 ملاحظة على ١"]
        (feed,) = bot.fake_qf.api_requests("GET", "/v1/posts/feed")
        assert feed.query["languages"] == "1"
        screen = await bot.press("📝 ملاحظة على ١", user=arabic)
        assert "💬 عن" in text_of(screen)
        assert bot.fake_qf.validation_errors == []
        assert_telegram_accepted_everything(bot.world)


async def test_note_replying_to_a_reflection_linked_behind_a_word(bot: BotHarness) -> None:
    fake = bot.fake_qf
    mine = fake.add_post("My own words on the Throne Verse", [(2, 255, 255)],
                         author=fake.next_login_sub)
    (listed,) = await bot.send("/reflections 2:255")
    await bot.send("/note more on what I wrote there", reply_to=listed["message_id"])
    note = the_only_note(bot)
    assert note.body == "more on what I wrote there"
    assert note.attached_entities[0]["entityId"] == str(mine)
