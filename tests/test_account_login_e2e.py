"""The whole login flow end to end: the real `python -m bot` process, the fake Telegram and the
fake Quran Foundation over real HTTP, and a browser (httpx) following the links, then the person
finishing in Telegram with the callback page's `/start c_<code>` link."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet
from e2e_support import BotProcess, running_bot

from bot.services.linking import CONFIRM_LINK
from handlers.replies import LinkAccount
from sandbox.telegram_world import FakeUser, TelegramWorld

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

AMINA = FakeUser(5101, "Amina", username="amina")
BILAL = FakeUser(5102, "Bilal", username="bilal")


async def ask_for_link(bot: BotProcess, user: FakeUser) -> str:
    bot.world.add_private_chat(user)
    sent = await bot.world.user_sends(user.id, user, "/login")
    reply = await bot.world.wait_for_message(
        user.id, "works once", after=sent["message_id"], timeout=15
    )
    urls = [url for _, url in TelegramWorld.buttons(reply) if url and "/oauth2/auth" in url]
    assert len(urls) == 1
    return urls[0]


async def consent(url: str) -> str:
    """The browser at Quran.com: the fake approves at once and redirects to the bot."""
    async with httpx.AsyncClient(timeout=10) as browser:
        answer = await browser.get(url)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def open_page(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as browser:
        return await browser.get(url)


async def finish_in_telegram(bot: BotProcess, user: FakeUser, page: str) -> dict[str, Any]:
    """Tap the page's "finish in Telegram" link: Telegram sends `/start c_<code>` as `user`;
    returns the bot's answer."""
    found = CONFIRM_LINK.search(page)
    assert found is not None, page
    assert found["bot"] == bot.world.bot_username
    sent = await bot.world.user_sends(user.id, user, f"/start {found['payload']}")
    return await bot.world.wait_for_message(user.id, after=sent["message_id"], timeout=15)


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def stored_account(data_dir: Path, user_id: int) -> dict[str, Any] | None:
    connection = sqlite3.connect(data_dir / "bot.sqlite3")
    try:
        connection.row_factory = sqlite3.Row
        row = connection.execute(
            "SELECT * FROM accounts WHERE telegram_user_id = ?", (user_id,)
        ).fetchone()
    finally:
        connection.close()
    return dict(row) if row is not None else None


async def test_login_flow_over_http_links_and_rejects_replays_and_swapped_states(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        bot.fake_qf.seed_user("bilal-sub", name="Bilal Q")
        amina_url = await ask_for_link(bot, AMINA)
        bilal_url = await ask_for_link(bot, BILAL)
        assert query_of(amina_url)["redirect_uri"] == bot.env["PUBLIC_URL"] + "/oauth/callback"

        # Bilal consents; his code is then delivered with Amina's state (login CSRF).
        bot.fake_qf.next_login_sub = "bilal-sub"
        bilal_callback = await consent(bilal_url)
        forged = bilal_callback.replace(
            query_of(bilal_callback)["state"], query_of(amina_url)["state"]
        )
        swapped = await open_page(forged)
        assert swapped.status_code == 400
        assert stored_account(tmp_path, AMINA.id) is None

        own = await open_page(bilal_callback)
        assert own.status_code == 200 and "signed in to Quran.com as Bilal Q" in own.text
        assert stored_account(tmp_path, BILAL.id) is None  # not before Telegram confirms
        # Amina got hold of Bilal's page: opening its link in her Telegram links nobody.
        refused = await finish_in_telegram(bot, AMINA, own.text)
        assert "someone else's Telegram account" in refused["text"]
        assert stored_account(tmp_path, BILAL.id) is None
        assert stored_account(tmp_path, AMINA.id) is None
        assert [call.status for call in bot.fake_qf.revoke_requests] == [200]

        # Bilal signs in again and finishes in his own Telegram.
        bilal_url = await ask_for_link(bot, BILAL)
        own = await open_page(await consent(bilal_url))
        bilal_callback = str(own.url)
        linked = await finish_in_telegram(bot, BILAL, own.text)
        assert "linked as Bilal Q" in linked["text"]
        assert stored_account(tmp_path, BILAL.id) is not None

        replay = await open_page(bilal_callback)
        assert replay.status_code == 400 and "already used" in replay.text

        # Amina's own login still works: her state was spent, so she asks again.
        bot.fake_qf.next_login_sub = "demo-user"
        amina_url = await ask_for_link(bot, AMINA)
        page = await open_page(await consent(amina_url))
        assert page.status_code == 200 and "signed in to Quran.com as Demo Reader" in page.text
        assert f"t.me/{bot.world.bot_username}?start=c_" in page.text
        linked = await finish_in_telegram(bot, AMINA, page.text)
        assert "linked as Demo Reader" in linked["text"]
        again = await finish_in_telegram(bot, AMINA, page.text)
        assert "already used" in again["text"]

        # PKCE was verified by the fake and the client authenticated with HTTP Basic.
        exchanges = [c for c in bot.fake_qf.token_requests if c.grant_type == "authorization_code"]
        assert [c.status for c in exchanges] == [400, 200, 200, 200]
        assert exchanges[0].error == "invalid_grant"
        assert all(c.had_basic_auth for c in exchanges)
        assert bot.fake_qf.validation_errors == []

        code, _ = await bot.stop()
        log = bot.log
        account = stored_account(tmp_path, AMINA.id)

    assert code == 0, log
    assert account is not None and account["qf_sub"] == "demo-user"
    # Tokens at rest are Fernet tokens under the configured key, not the tokens themselves.
    fernet = Fernet(bot.env["TOKEN_ENCRYPTION_KEY"].encode())
    access_token = fernet.decrypt(account["access_token"].encode()).decode()
    refresh_token = fernet.decrypt(account["refresh_token"].encode()).decode()
    assert access_token not in account["access_token"]
    assert bot.fake_qf.access_token_state(access_token) == "active"
    # Nothing secret in the process output, even at LOG_LEVEL=DEBUG.
    secrets = [
        access_token,
        refresh_token,
        query_of(amina_url)["state"],
        query_of(bilal_callback)["code"],
        bot.env["QF_CLIENT_SECRET"],
        bot.env["TOKEN_ENCRYPTION_KEY"],
        bot.env["TELEGRAM_BOT_TOKEN"],
    ]
    leaks = [line[:200] for line in log.splitlines() if any(s in line for s in secrets)]
    assert leaks == [], "\n".join(leaks[:5])


async def test_denied_and_unknown_callbacks_over_http_link_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        url = await ask_for_link(bot, AMINA)
        bot.fake_qf.deny_next_authorization()
        denied = await open_page(await consent(url))
        assert denied.status_code == 200 and "nothing was linked" in denied.text
        assert 'lang="en"' in denied.text

        unknown = await bot.get("/oauth/callback", params={"code": "c", "state": "nope"})
        assert unknown.status_code == 400 and "not valid" in unknown.text
        assert unknown.headers["cache-control"] == "no-store"
        assert stored_account(tmp_path, AMINA.id) is None


async def test_an_unlinked_user_is_offered_the_link_button_not_an_error(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        bot.world.add_private_chat(AMINA)
        sent = await bot.world.user_sends(AMINA.id, AMINA, "/logout")
        reply = await bot.world.wait_for_message(AMINA.id, after=sent["message_id"], timeout=15)
        assert "nothing to log out of" in reply["text"]
        login = LinkAccount().pack()
        assert TelegramWorld.buttons(reply) == [("🔗 Link Quran.com account", login)]

        pressed = await bot.world.user_presses(AMINA.id, AMINA, reply["message_id"], login)
        link = await bot.world.wait_for_message(AMINA.id, "works once", timeout=15)
        assert any("/oauth2/auth" in (url or "") for _, url in TelegramWorld.buttons(link))
        assert pressed["from"]["id"] == AMINA.id
        assert "Traceback" not in bot.log
