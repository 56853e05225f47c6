"""Linking a Quran.com account from Telegram: /login, the OAuth callback page, the confirm step
in Telegram, re-linking. (Who may confirm: tests/test_account_login_confirm.py.)"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select

from bot.app.web import create_web_app
from bot.services.linking import CONFIRM_LINK
from handlers.replies import AskTimezone, LinkAccount
from sandbox.harness import DEMO_USER, QF_TEST_HOST, BotHarness
from sandbox.telegram_world import FakeUser, TelegramWorld
from storage.schema import accounts

pytestmark = pytest.mark.timeout(60)

OTHER = FakeUser(2002, "Bilal", username="bilal", language_code="en")


class ManualClock:
    """The bot's clock, moved by hand (the fake Quran.com keeps real time)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with BotHarness(tmp_path) as harness:
        yield harness


def buttons(message: dict[str, Any]) -> list[tuple[str, str | None]]:
    return TelegramWorld.buttons(message)


def login_url(message: dict[str, Any]) -> str:
    urls = [target for _, target in buttons(message) if target and "oauth2" in target]
    assert len(urls) == 1, message
    return urls[0]


async def request_login(bot: BotHarness, user: FakeUser = DEMO_USER) -> str:
    messages = await bot.send("/login", user=user)
    assert len(messages) == 1
    return login_url(messages[0])


async def authorize(bot: BotHarness, url: str) -> str:
    """The browser's first hop: the fake Quran.com approves and redirects to the callback."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bot.fake_qf.app), base_url=QF_TEST_HOST
    ) as browser:
        answer = await browser.get(url)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def open_callback(bot: BotHarness, callback_url: str) -> httpx.Response:
    """The browser's second hop, on the bot's own web app; queued events are processed."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_web_app(bot.app)),
        base_url=bot.settings.public_url,
    ) as browser:
        page = await browser.get(callback_url)
    while not bot.app.update_queue.empty():
        await bot.app.process_update(bot.app.update_queue.get_nowait())
    return page


def confirm_payload(page: str) -> str:
    """The `/start` payload of the page's "finish in Telegram" link."""
    found = CONFIRM_LINK.search(page)
    assert found is not None, page
    return found["payload"]


async def confirm(bot: BotHarness, page: str, user: FakeUser = DEMO_USER) -> list[dict[str, Any]]:
    """What the person does next: tap the page's t.me link, i.e. send `/start c_<code>`."""
    return await bot.send(f"/start {confirm_payload(page)}", user=user)


def with_state(callback_url: str, state: str) -> str:
    parts = urlsplit(callback_url)
    query = parse_qs(parts.query)
    query["state"] = [state]
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query, doseq=True)}"


def database_bytes(data_dir: Path) -> bytes:
    """The database file and its WAL, as an attacker with a copy of the disk would read them."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("bot.sqlite3*")))


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def test_login_link_carries_state_nonce_pkce_and_the_configured_scopes(
    bot: BotHarness,
) -> None:
    url = await request_login(bot)
    params = query_of(url)
    assert url.startswith(f"{QF_TEST_HOST}/oauth2/auth?")
    assert params["response_type"] == "code"
    assert params["client_id"] == "demo-client"
    assert params["redirect_uri"] == "https://bot.test/oauth/callback"
    assert params["scope"] == bot.settings.qf_scopes
    assert params["code_challenge_method"] == "S256"
    # 32 random bytes, base64url: at least 256 bits of state.
    assert len(params["state"]) >= 43 and len(params["nonce"]) >= 43

    attempt = await bot.deps.logins.get(params["state"])
    assert attempt is not None
    assert attempt.telegram_user_id == DEMO_USER.id and attempt.chat_id == DEMO_USER.id
    assert attempt.nonce == params["nonce"]
    digest = hashlib.sha256(attempt.code_verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == params["code_challenge"]
    assert "works once" in bot.texts()[-1]


async def test_callback_page_links_nothing_until_the_user_confirms_in_telegram(
    bot: BotHarness,
) -> None:
    url = await request_login(bot)
    sent = len(bot.texts())
    status, page = await bot.follow_login_link(url, confirm=False)

    assert status == 200
    assert "Almost done: signed in to Quran.com as Demo Reader" in page
    assert "Return to Telegram to finish linking." in page
    payload = confirm_payload(page)
    assert f'href="https://t.me/QuranCompanionBot?start={payload}"' in page
    # A valid Telegram deep-link payload: 1-64 characters of [A-Za-z0-9_-].
    assert 1 <= len(payload) <= 64 and payload.startswith("c_")
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    assert len(bot.texts()) == sent  # no "linked" message before the confirmation

    messages = await confirm(bot, page)
    assert "Your Quran.com account is linked as Demo Reader." in messages[0]["text"]
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.qf_sub == "demo-user"


async def test_following_the_link_links_the_account_and_tells_the_user(bot: BotHarness) -> None:
    url = await request_login(bot)
    status, page = await bot.follow_login_link(url)

    assert status == 200
    assert "signed in to Quran.com as Demo Reader" in page
    assert 'href="https://t.me/QuranCompanionBot?start=c_' in page
    assert '<html lang="en" dir="ltr">' in page
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.qf_sub == "demo-user"
    assert account.display_name == "Demo Reader"
    assert account.refresh_token is not None
    assert set(account.scopes) == set(bot.settings.scopes)
    # The code was exchanged with HTTP Basic client authentication, and it worked.
    exchange = bot.fake_qf.token_requests[-1]
    assert exchange.grant_type == "authorization_code"
    assert exchange.had_basic_auth and exchange.status == 200
    assert bot.fake_qf.validation_errors == []
    assert "Your Quran.com account is linked as Demo Reader." in bot.texts()[-1]


async def test_tokens_are_stored_encrypted(bot: BotHarness, tmp_path: Path) -> None:
    await bot.follow_login_link(await request_login(bot))
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.refresh_token is not None
    async with bot.deps.database.read() as connection:
        row = (await connection.execute(select(accounts))).one()
    assert account.access_token not in row.access_token
    assert account.refresh_token not in (row.refresh_token or "")
    stored = database_bytes(tmp_path)
    assert account.access_token.encode() not in stored
    assert account.refresh_token.encode() not in stored


async def test_replayed_callback_is_rejected_and_exchanges_nothing(bot: BotHarness) -> None:
    callback = await authorize(bot, await request_login(bot))
    first = await open_callback(bot, callback)
    assert first.status_code == 200
    exchanges = len(bot.fake_qf.token_requests)
    sent = len(bot.texts())

    replay = await open_callback(bot, callback)
    assert replay.status_code == 400
    assert "already used" in replay.text
    assert len(bot.fake_qf.token_requests) == exchanges
    assert len(bot.texts()) == sent


async def test_a_code_cannot_be_redeemed_with_another_users_state(bot: BotHarness) -> None:
    """Login CSRF: Bilal's authorization code delivered with Amina's state must fail (PKCE),
    and must not link either of them; Bilal's own callback still works afterwards."""
    amina_url = await request_login(bot)
    bilal_url = await request_login(bot, OTHER)
    bot.fake_qf.seed_user("bilal-sub", name="Bilal Q")
    bot.fake_qf.next_login_sub = "bilal-sub"
    bilal_callback = await authorize(bot, bilal_url)

    forged = await open_callback(bot, with_state(bilal_callback, query_of(amina_url)["state"]))
    assert forged.status_code == 400
    assert "could not be completed" in forged.text
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    assert bot.fake_qf.token_requests[-1].error == "invalid_grant"

    own = await open_callback(bot, bilal_callback)
    assert own.status_code == 200 and "signed in to Quran.com as Bilal Q" in own.text
    await confirm(bot, own.text, OTHER)
    linked = await bot.deps.accounts.get(OTHER.id)
    assert linked is not None and linked.qf_sub == "bilal-sub"


async def test_expired_login_link_is_refused(tmp_path: Path) -> None:
    clock = ManualClock()
    async with BotHarness(tmp_path, clock=clock) as bot:
        callback = await authorize(bot, await request_login(bot))
        clock.advance(timedelta(minutes=11))
        page = await open_callback(bot, callback)
        assert page.status_code == 400
        assert "expired" in page.text
        assert bot.fake_qf.token_requests == []
        assert await bot.deps.accounts.get(DEMO_USER.id) is None


async def test_link_used_within_ten_minutes_still_works(tmp_path: Path) -> None:
    clock = ManualClock()
    async with BotHarness(tmp_path, clock=clock) as bot:
        callback = await authorize(bot, await request_login(bot))
        clock.advance(timedelta(minutes=9))
        page = await open_callback(bot, callback)
        assert page.status_code == 200


async def test_denied_consent_links_nothing_and_spends_the_state(bot: BotHarness) -> None:
    url = await request_login(bot)
    sent = len(bot.texts())
    status, page = await bot.follow_login_link(url, deny=True)
    assert status == 200
    assert "nothing was linked" in page
    assert await bot.deps.accounts.get(DEMO_USER.id) is None
    assert len(bot.texts()) == sent
    attempt = await bot.deps.logins.get(query_of(url)["state"])
    assert attempt is not None and attempt.used_at is not None


async def test_unknown_or_incomplete_callbacks_get_clear_pages(bot: BotHarness) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_web_app(bot.app)),
        base_url=bot.settings.public_url,
    ) as browser:
        unknown = await browser.get("/oauth/callback", params={"code": "x", "state": "made-up"})
        incomplete = await browser.get("/oauth/callback")
        hostile = await browser.get(
            "/oauth/callback", params={"error": "<script>alert(1)</script>", "state": "s"}
        )
    assert unknown.status_code == 400 and "not valid" in unknown.text
    assert incomplete.status_code == 400 and "incomplete" in incomplete.text
    assert hostile.status_code == 400 and "<script>" not in hostile.text
    for page in (unknown, incomplete, hostile):
        assert page.headers["cache-control"] == "no-store"
        assert "Traceback" not in page.text
    assert bot.fake_qf.token_requests == []


async def test_quran_com_failing_the_exchange_gives_a_friendly_page(bot: BotHarness) -> None:
    callback = await authorize(bot, await request_login(bot))
    bot.fake_qf.fail_next(503, path="/oauth2/token", times=5)
    page = await open_callback(bot, callback)
    assert page.status_code == 502
    assert "nothing was linked" in page.text
    assert await bot.deps.accounts.get(DEMO_USER.id) is None


async def test_login_when_linked_names_the_account_and_offers_relink_and_logout(
    bot: BotHarness,
) -> None:
    await bot.link_account()
    messages = await bot.send("/login")
    assert "Linked to Quran.com as Demo Reader." in messages[0]["text"]
    labels = [label for label, _ in buttons(messages[0])]
    assert any("Link another account" in label for label in labels)
    assert any("Log out" in label for label in labels)
    assert bot.fake_qf.token_requests == []


async def test_relinking_another_account_says_which_one_it_replaced(bot: BotHarness) -> None:
    await bot.link_account()
    old = await bot.deps.accounts.get(DEMO_USER.id)
    assert old is not None and old.refresh_token is not None
    await bot.send("/login")
    edited = await bot.press("Link another account")
    url = login_url(edited[0])
    bot.fake_qf.seed_user("second-sub", name="Second Reader")
    bot.fake_qf.next_login_sub = "second-sub"

    status, page = await bot.follow_login_link(url)
    assert status == 200
    assert "signed in to Quran.com as Second Reader" in page
    # The page may be read by anyone: it never names the account linked so far.
    assert "Demo Reader" not in page
    assert "linked as Second Reader, replacing Demo Reader" in bot.texts()[-1]
    account = await bot.deps.accounts.get(DEMO_USER.id)
    assert account is not None and account.qf_sub == "second-sub"
    # The replaced grant is ended at Quran.com, not left dangling.
    assert bot.fake_qf.refresh_token_state(old.refresh_token) == "revoked"


async def test_login_in_a_group_never_shows_a_login_link(bot: BotHarness) -> None:
    bot.world.add_group(-100500, "Circle", members=[DEMO_USER])
    messages = await bot.send("/login", chat_id=-100500)
    assert len(messages) == 1
    targets = [target for _, target in buttons(messages[0])]
    assert targets == ["https://t.me/QuranCompanionBot?start=login"]
    assert not any("oauth2" in text for text in bot.world.texts(-100500))

    # The deep link lands in the private chat, which then gets the personal link.
    private = await bot.send("/start login")
    assert login_url(private[-1]).startswith(QF_TEST_HOST)


async def test_link_button_in_private_sends_a_fresh_link(bot: BotHarness) -> None:
    await bot.send("/start")
    messages = await bot.press("Link Quran.com account")
    assert login_url(messages[-1])
    assert bot.world.answered_callbacks[-1].user_id == DEMO_USER.id


async def test_start_linked_confirms_who_the_user_is_linked_as(bot: BotHarness) -> None:
    await bot.follow_login_link(await request_login(bot))
    messages = await bot.send("/start linked")
    assert "Demo Reader" in messages[0]["text"]
    assert "/goal" in messages[0]["text"]


async def test_arabic_speaker_gets_a_right_to_left_page(tmp_path: Path) -> None:
    arabic = FakeUser(3003, "Huda", language_code="ar")
    async with BotHarness(tmp_path, user=arabic) as bot:
        url = await request_login(bot, arabic)
        status, page = await bot.follow_login_link(url)
    assert status == 200
    assert '<html lang="ar" dir="rtl">' in page


async def test_callback_page_keeps_the_users_language_across_a_restart(tmp_path: Path) -> None:
    arabic = FakeUser(3004, "Huda", language_code="ar")
    async with BotHarness(tmp_path, user=arabic) as bot:
        url = await request_login(bot, arabic)
        await bot.restart()
        status, page = await bot.follow_login_link(url)
    assert status == 200
    assert '<html lang="ar" dir="rtl">' in page


async def test_withheld_permissions_are_named_in_the_chat(bot: BotHarness) -> None:
    bot.fake_qf.withheld_scopes = {"note"}
    await bot.follow_login_link(await request_login(bot))
    assert "You didn't allow notes" in bot.texts()[-1]


async def test_no_code_state_or_token_reaches_the_log(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything our own code logs, at any level; libraries at INFO as `configure_logging`
    # leaves them (their DEBUG output is the operator's choice, checked end to end).
    caplog.set_level(logging.INFO)
    for ours in ("bot", "handlers", "storage"):
        caplog.set_level(logging.DEBUG, logger=ours)
    url = await request_login(bot)
    callback = await authorize(bot, url)
    page = await open_callback(bot, callback)
    await open_callback(bot, callback)  # the replay logs too
    await confirm(bot, page.text)
    await confirm(bot, page.text)  # and so does a reused confirm link
    await bot.send("/logout")
    account_secrets = [
        query_of(url)["state"],
        query_of(url)["nonce"],
        query_of(callback)["code"],
        confirm_payload(page.text).removeprefix("c_"),
        bot.settings.qf_client_secret,
    ]
    async with bot.deps.database.read() as connection:
        row = (await connection.execute(select(accounts))).first()
    assert row is None  # logged out
    log = caplog.text
    assert "linked a Quran.com account" in log  # the flow did log, just nothing secret
    for secret in account_secrets:
        assert secret not in log
    assert "ory_rt_" not in log and "ory_ac_" not in log and "eyJ" not in log


async def test_start_welcomes_with_the_link_button_or_the_linked_name(bot: BotHarness) -> None:
    first = await bot.send("/start")
    assert len(first) == 1
    assert "link your Quran.com account" in first[0]["text"]
    assert ("🔗 Link Quran.com account", LinkAccount().pack()) in buttons(first[0])

    await bot.link_account()
    again = await bot.send("/start")
    assert "Linked to Quran.com as Demo Reader." in again[0]["text"]
    assert ("🔗 Link Quran.com account", LinkAccount().pack()) not in buttons(again[0])


async def test_linked_message_offers_the_timezone_when_none_is_set(bot: BotHarness) -> None:
    await bot.follow_login_link(await request_login(bot))
    message = bot.world.last_sent(DEMO_USER.id)
    assert ("🕒 Set my timezone", AskTimezone().pack()) in buttons(message)
