"""The real Application, in process, against the fake Telegram and the fake Quran Foundation.

Handler tests and demo mode both drive the bot through this class, so the demo shows exactly what
the tests check: same wiring (`bot.app.application`), same handlers, same database code.
Only the two
network edges are fakes: Telegram through `RecordingRequest`, Quran Foundation through
`httpx.ASGITransport` into `FakeQuranFoundation`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from cryptography.fernet import Fernet
from telegram import Update

from bot.app.application import (
    BotApplication,
    build_application,
    close_deps,
    create_deps,
    start_services,
)
from bot.app.config import Settings
from bot.services.deps import Deps, utc_now
from sandbox.quran_foundation import DEMO_NAME, DEMO_SUB, FakeContract, FakeQuranFoundation
from sandbox.recording import RecordingRequest
from sandbox.telegram import FakeUser, TelegramWorld

JSONDict = dict[str, Any]

#: The person demo mode and most tests talk as.
DEMO_USER = FakeUser(1001, "Amina", username="amina", language_code="en")
QF_TEST_HOST = "http://qf.test"
#: Methods whose answer is a message the user sees (new or changed).
_MESSAGE_METHODS = frozenset(
    {"sendmessage", "editmessagetext", "editmessagereplymarkup", "sendphoto", "senddocument",
     "editmessagecaption"}
)


def contract_settings(contract: FakeContract) -> dict[str, str]:
    """The settings of a bot deployed against a server on `contract` (QF_ENV and QF_CONTRACT)."""
    if contract == "production":
        return {"QF_ENV": "production"}
    if contract == "prelive":
        return {"QF_ENV": "prelive"}
    return {"QF_ENV": "prelive", "QF_CONTRACT": "prelive-2026-03-29"}


def sandbox_settings(
    data_dir: Path,
    world: TelegramWorld,
    *,
    encryption_key: str,
    contract: FakeContract = "production",
    **overrides: Any,
) -> Settings:
    """Settings pointing at the fakes; `.env` is ignored so a developer's file cannot leak in."""
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": world.bot_token,
        # The environment decides the default scopes (pre-live adds `sync`, production refuses
        # it); the contract decides what note writes carry.
        **contract_settings(contract),
        "QF_API_BASE_URL": f"{QF_TEST_HOST}/auth",
        "QF_OAUTH_BASE_URL": QF_TEST_HOST,
        "QF_CLIENT_ID": "demo-client",
        "QF_CLIENT_SECRET": "demo-secret",
        "PUBLIC_URL": "https://bot.test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}",
        "TOKEN_ENCRYPTION_KEY": encryption_key,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def _deployment_key(data_dir: Path) -> str:
    """One TOKEN_ENCRYPTION_KEY per data directory, as one deployment shares one `.env`: two
    harnesses on the same database (the multi-instance tests) must open each other's tokens,
    or the bot refuses to start (`storage.keycheck`)."""
    key_file = data_dir / "harness-token-encryption.key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    key_file.write_text(key, encoding="ascii")
    return key


class BotHarness:
    """Start with `async with BotHarness(tmp_path) as bot:`; `await bot.restart()` keeps the DB."""

    def __init__(
        self,
        data_dir: Path,
        *,
        contract: FakeContract = "production",
        world: TelegramWorld | None = None,
        fake_qf: FakeQuranFoundation | None = None,
        clock: Callable[[], datetime] | None = None,
        start_jobs: bool = False,
        settings_overrides: dict[str, Any] | None = None,
        user: FakeUser | None = None,
        check_spec: bool = False,
    ) -> None:
        self.data_dir = data_dir
        #: On leaving the block, fail if the bot sent a request its contract does not accept
        #: (an undeclared query parameter included) or the fake answered off-spec.
        self.check_spec = check_spec
        self.world = world or TelegramWorld()
        self.fake_qf = fake_qf or FakeQuranFoundation(contract=contract)
        self.clock: Callable[[], datetime] = clock or utc_now
        self.start_jobs = start_jobs
        self.encryption_key = _deployment_key(data_dir)
        self.settings = sandbox_settings(
            data_dir,
            self.world,
            encryption_key=self.encryption_key,
            contract=contract,
            **(settings_overrides or {}),
        )
        self._deps: Deps | None = None
        self._app: BotApplication | None = None
        self.user = user or DEMO_USER
        self.world.add_private_chat(self.user)

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def deps(self) -> Deps:
        if self._deps is None:
            raise RuntimeError("the harness is not started")
        return self._deps

    @property
    def app(self) -> BotApplication:
        if self._app is None:
            raise RuntimeError("the harness is not started")
        return self._app

    async def start(self) -> None:
        self._deps = await create_deps(
            self.settings,
            qf_transport=httpx.ASGITransport(app=self.fake_qf.app),
            clock=self.clock,
        )
        try:
            self._app = build_application(
                self.settings,
                self._deps,
                request=RecordingRequest(self.world),
                get_updates_request=RecordingRequest(self.world),
                with_updater=False,
                rate_limit=False,
            )
            await self._app.initialize()
            await start_services(self._app)
            if self.start_jobs:
                await self._app.start()
        except BaseException:
            await close_deps(self._deps)
            raise

    async def stop(self) -> None:
        if self._app is not None:
            if self._app.running:
                await self._app.stop()
            await self._app.shutdown()
            self._app = None
        if self._deps is not None:
            await close_deps(self._deps)
            self._deps = None

    async def restart(self) -> None:
        """Stop and start on the same database, as a redeploy would."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> BotHarness:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
        if self.check_spec and exc is None:
            assert self.fake_qf.validation_errors == [], self.fake_qf.validation_errors
            assert self.fake_qf.response_errors == [], self.fake_qf.response_errors

    # -- acting ---------------------------------------------------------------------------------

    async def process_pending(self) -> list[JSONDict]:
        """Feed every queued update to the Application; return the messages it sent or edited."""
        first_call = len(self.world.calls)
        while self.world.pending_update_count:
            data = self.world.next_update_dict()
            await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.messages_since(first_call)

    async def send(
        self,
        text: str,
        *,
        user: FakeUser = DEMO_USER,
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> list[JSONDict]:
        await self.world.user_sends(chat_id or user.id, user, text, reply_to_message_id=reply_to)
        return await self.process_pending()

    async def press(
        self,
        label: str,
        *,
        user: FakeUser = DEMO_USER,
        chat_id: int | None = None,
        message: JSONDict | None = None,
    ) -> list[JSONDict]:
        """Press the button whose text contains `label` on `message` (default: the latest bot
        message in the chat that has such a button)."""
        chat = chat_id or user.id
        target = message or self.message_with_button(chat, label)
        await self.world.user_presses_label(chat, user, target["message_id"], label)
        return await self.process_pending()

    async def press_data(
        self, data: str, *, user: FakeUser = DEMO_USER, chat_id: int | None = None,
        message: JSONDict | None = None,
    ) -> list[JSONDict]:
        chat = chat_id or user.id
        target = message or self.world.last_sent(chat)
        await self.world.user_presses(chat, user, target["message_id"], data, forged=True)
        return await self.process_pending()

    def message_with_button(self, chat_id: int, label: str) -> JSONDict:
        for message in reversed(self.world.sent(chat_id)):
            if any(label in text for text, _ in self.world.buttons(message)):
                return message
        raise LookupError(f"no bot message in chat {chat_id} has a button {label!r}")

    async def link_account(
        self,
        user: FakeUser = DEMO_USER,
        *,
        sub: str | None = None,
        name: str | None = None,
        scopes: tuple[str, ...] | None = None,
    ) -> str:
        """Link `user` to a fake Quran.com account without the browser round trip."""
        qf_sub = sub or (DEMO_SUB if user.id == DEMO_USER.id else f"qf-{user.id}")
        self.fake_qf.seed_user(qf_sub, name=name or (DEMO_NAME if qf_sub == DEMO_SUB else
                                                        user.first_name))
        tokens = (
            self.fake_qf.issue_tokens(qf_sub, scopes)
            if scopes is not None
            else self.fake_qf.issue_tokens(qf_sub)
        )
        await self.deps.accounts.save(
            user.id,
            qf_sub=qf_sub,
            display_name=self.fake_qf.users[qf_sub].name,
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token"),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(tokens["expires_in"])),
            scopes=str(tokens.get("scope", "")).split(),
        )
        return qf_sub

    async def follow_login_link(
        self,
        url: str,
        *,
        deny: bool = False,
        confirm: bool = True,
        confirm_as: FakeUser | None = None,
    ) -> tuple[int, str]:
        """Play the browser for a login link: the fake Quran.com approves (or, with `deny`,
        refuses) at once and the bot's own web app serves the callback page. Then, as a person
        would, tap the page's "finish in Telegram" link: `/start c_<code>` is sent as
        `confirm_as` (default: the harness user). `confirm=False` stops at the page.
        Returns the page's (status, HTML)."""
        from bot.app.web import create_web_app
        from bot.services.linking import CONFIRM_LINK

        if deny:
            self.fake_qf.deny_next_authorization()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.fake_qf.app), base_url=QF_TEST_HOST
        ) as browser:
            consent = await browser.get(url)
        if consent.status_code != 302:
            return consent.status_code, consent.text
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_web_app(self.app)),
            base_url=self.settings.public_url,
        ) as browser:
            page = await browser.get(consent.headers["location"])
        if self.app.running:
            # The Application's own fetcher takes any queued event: wait until it is handled.
            await asyncio.wait_for(self.app.update_queue.join(), 10)
        else:
            while not self.app.update_queue.empty():
                await self.app.process_update(self.app.update_queue.get_nowait())
                self.app.update_queue.task_done()
        finish = CONFIRM_LINK.search(page.text)
        if confirm and finish is not None:
            person = confirm_as or self.user
            self.world.add_private_chat(person)
            await self.send(f"/start {finish['payload']}", user=person)
        return page.status_code, page.text

    async def set_timezone(self, timezone: str, *, chat_id: int = DEMO_USER.id,
                           chat_type: str = "private") -> None:
        await self.deps.chats.ensure(chat_id, chat_type, None)
        await self.deps.chats.update(chat_id, timezone=timezone)

    # -- reading --------------------------------------------------------------------------------

    def messages_since(self, first_call: int) -> list[JSONDict]:
        found: list[JSONDict] = []
        for call in self.world.calls[first_call:]:
            if call.method.lower() not in _MESSAGE_METHODS:
                continue
            result = call.response.get("result")
            if isinstance(result, dict):
                found.append(result)
        return found

    def texts(self, chat_id: int = DEMO_USER.id) -> list[str]:
        return self.world.texts(chat_id)


def transcript_lines(message: JSONDict) -> list[str]:
    """A bot message as the demo prints it: text, then its buttons."""
    text = message.get("text") or message.get("caption") or ""
    if "photo" in message:
        text = "[picture] " + text
    lines = [f"bot  › {line}" if i == 0 else f"       {line}"
             for i, line in enumerate(text.splitlines() or [""])]
    buttons = TelegramWorld.buttons(message)
    if buttons:
        lines.append("       " + " ".join(f"[{label}]" for label, _ in buttons))
    return lines
