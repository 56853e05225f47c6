"""Notes end to end: the real `python -m bot` process over HTTP, fake Telegram and fake Quran.com.

The account is linked by writing the encrypted tokens into the bot's database before it starts
(the OAuth round trip has its own tests); everything after that is what a user does in Telegram.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from e2e_support import PrivateChat, link_before_start, running_bot
from notes_support import SCOPES_WITH_SYNC

from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser, TelegramWorld

pytestmark = pytest.mark.e2e

USER = FakeUser(5101, "Maryam", username="maryam", language_code="en")
SUB = "qf-maryam"


def _bodies(fake: FakeQuranFoundation) -> list[str]:
    notes = sorted(fake.users[SUB].notes.values(), key=lambda note: note.sequence)
    return [note.body for note in notes]


async def test_wizard_with_a_long_body_and_a_one_liner_end_to_end(tmp_path: Path) -> None:
    fake = FakeQuranFoundation(contract="production")
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key)
    parts = [
        ("In the name of Allah <&> " * 200)[:4096],
        ("And patience is beautiful. " * 100).strip(),
    ]
    async with running_bot(tmp_path, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}) as bot:
        chat = PrivateChat(bot.world, USER)
        await chat.say("/note", "Which verses")
        await chat.say("2:255", "0 / 10,000 characters")
        await chat.say(parts[0], "4,096 / 10,000 characters")
        await chat.say(parts[1], f"{4096 + 1 + len(parts[1]):,} / 10,000 characters")
        await chat.press("Done", "✅ Saved your note on 2:255")  # Done saves, privately
        await chat.say("/note 1:1-7 The Opening, recited in every prayer",
                       "✅ Saved your note on 1:1–7")

        assert _bodies(fake) == ["\n".join(parts), "The Opening, recited in every prayer"]
        assert fake.validation_errors == []
        # Every Bot API call was accepted (0: the long poll still waiting for updates).
        assert [c.method for c in bot.world.calls if c.status not in (0, 200)] == []


async def test_a_draft_survives_a_restart_of_the_bot_process(tmp_path: Path) -> None:
    fake = FakeQuranFoundation(contract="production")
    world = TelegramWorld()
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key)
    env = {"TOKEN_ENCRYPTION_KEY": key}
    async with running_bot(tmp_path, fake_qf=fake, world=world, extra_env=env):
        chat = PrivateChat(world, USER)
        await chat.say("/note 2:153", "0 / 10,000 characters")
        await chat.say("Seek help through patience", "26 / 10,000 characters")
    # SIGTERM, then a new process on the same database.
    async with running_bot(tmp_path, fake_qf=fake, world=world, extra_env=env):
        await chat.say("and prayer.", "38 / 10,000 characters")
        await chat.press("Done", "✅ Saved your note on 2:153")
    assert _bodies(fake) == ["Seek help through patience\nand prayer."]
    assert fake.validation_errors == []


@pytest.mark.parametrize(("language", "question", "new_note"), [
    ("en", "Continue your draft on 2:255 (5 characters) or start a new note?",
     "Started a new note with that."),
    ("ar", "أتتابع مسودتك على \u2066٢:٢٥٥\u2069 (٥ أحرف) أم تبدأ ملاحظة جديدة؟",
     "بدأتُ بما كتبتَه ملاحظةً جديدة."),
])
async def test_a_parked_draft_never_swallows_the_next_note_end_to_end(
    tmp_path: Path, language: str, question: str, new_note: str
) -> None:
    """The reported case over HTTP: `/note 2:255 short` (too short), then `/note`, then a note
    on 2:153 typed at the question. It is saved as its own note; the 2:255 draft waits."""
    user = FakeUser(5102, "Zaynab", username="zaynab", language_code=language)
    fake = FakeQuranFoundation(contract="production")
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, user, sub=SUB, encryption_key=key)
    async with running_bot(tmp_path, fake_qf=fake, extra_env={"TOKEN_ENCRYPTION_KEY": key}) as bot:
        chat = PrivateChat(bot.world, user)
        await chat.say("/note 2:255 short", "⚠️")  # not saved, and why
        assert "6" in bot.world.texts(user.id)[-1] or "٦" in bot.world.texts(user.id)[-1]
        await chat.say("/note", question)
        await chat.say("2:153 Seek help through patience and prayer", new_note)
        await chat.press("✅", "✅")  # Done: saved at once, and the status says so
        notes = list(fake.users[SUB].notes.values())
        assert [(n.body, n.ranges) for n in notes] == [
            ("Seek help through patience and prayer", ["2:153-2:153"])]
        await chat.say("/note", question)  # the 2:255 draft, untouched
        assert fake.validation_errors == []
        assert [c.method for c in bot.world.calls if c.status not in (0, 200)] == []


async def test_2026_contract_recovers_from_a_stale_stamp_end_to_end(tmp_path: Path) -> None:
    fake = FakeQuranFoundation(contract="2026-03-29")
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key,
                            scopes=SCOPES_WITH_SYNC)
    async with running_bot(tmp_path, contract="2026-03-29", fake_qf=fake,
                           extra_env={"TOKEN_ENCRYPTION_KEY": key}) as bot:
        chat = PrivateChat(bot.world, USER)
        await chat.say("/note 2:255 The first note of this account", "✅ Saved your note")
        stamp = fake.users[SUB].last_mutation_at
        assert stamp is not None
        fake.users[SUB].last_mutation_at = stamp + 777  # Quran.com changed something meanwhile
        mark = len(fake.requests)
        await chat.say("/note 2:256 No compulsion in religion", "✅ Saved your note on 2:256")
        creates = [r.status for r in fake.requests[mark:] if r.method == "POST"]
        assert creates == [409, 200]
        assert _bodies(fake) == ["The first note of this account", "No compulsion in religion"]
        assert fake.validation_errors == []


async def test_prelive_deployment_speaks_todays_prelive_contract_end_to_end(
    tmp_path: Path,
) -> None:
    # QF_ENV=prelive alone: the process picks today's pre-live contract, so no note write
    # carries lastMutationAt (that contract would refuse it) and each carries the client clock.
    fake = FakeQuranFoundation(contract="prelive")
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key,
                            scopes=SCOPES_WITH_SYNC)
    async with running_bot(tmp_path, contract="prelive", fake_qf=fake,
                           extra_env={"TOKEN_ENCRYPTION_KEY": key}) as bot:
        assert bot.env["QF_ENV"] == "prelive" and "QF_CONTRACT" not in bot.env
        chat = PrivateChat(bot.world, USER)
        await chat.say("/note 2:255 Written under today's pre-live", "✅ Saved your note")
        (create,) = fake.api_requests("POST", "^/v1/notes$")
        assert create.status == 200 and "lastMutationAt" not in create.query
        assert "clientCreatedAt" in create.json
        assert _bodies(fake) == ["Written under today's pre-live"]
        assert fake.validation_errors == []
