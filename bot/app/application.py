"""Wiring: build the dependencies and the python-telegram-bot Application from Settings.

Real mode, demo mode and the tests all go through these two functions, so what the tests drive is
the Application users talk to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, Defaults
from telegram.request import BaseRequest

from bot.app.config import Settings
from bot.app.processor import KeyedUpdateProcessor
from bot.app.send_budget import SendBudget
from bot.qf import QuranFoundationClient
from bot.services.deps import DEPS_KEY, Deps, utc_now
from storage import (
    AccountRepository,
    ChatRepository,
    Database,
    DatabasePersistence,
    DraftRepository,
    LoginAttemptRepository,
    ReadingCreditRepository,
    ReminderRepository,
    TokenCipher,
)
from storage.update_scope import update_scope

BotApplication = Application[Any, Any, Any, Any, Any, Any]


class CompanionApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, with each update handled inside its own read scope.

    Every path an update takes (polling, webhook, the in-process harness) goes through
    `process_update`, so this is the one place where "once per update" can be kept.
    """

    async def process_update(self, update: object) -> None:
        with update_scope():
            await super().process_update(update)

logger = logging.getLogger(__name__)


class SecretRedactingFilter(logging.Filter):
    """Replace known secrets in every record, whichever library logged them.

    python-telegram-bot logs its base URL, which contains the bot token, at DEBUG; a filter on the
    handler catches that and anything a future library version adds.
    """

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str, *, secrets: list[str] | None = None) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    redactor = SecretRedactingFilter(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    # The bot token is part of every Bot API URL that httpx logs at INFO, and QF tokens travel in
    # headers: these loggers stay at WARNING whatever LOG_LEVEL says.
    # SQLAlchemy logs statements with their parameters at INFO: login states, note drafts.
    for noisy in ("httpx", "httpcore", "apscheduler", "uvicorn.access", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG, PTB logs every request's parameters, i.e. users' notes and messages: cap it.
    # Database drivers log statement parameters at DEBUG: login states, drafts of notes.
    # PTB's Application logs every incoming update (users' notes) at DEBUG.
    for chatty in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application",
                   "aiosqlite", "asyncpg"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, logging.getLevelName(level)))


async def create_deps(
    settings: Settings,
    *,
    qf_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Deps:
    """Open the database (migrating it) and the Quran Foundation client."""
    database = Database.connect(settings.database_url)
    try:
        await database.migrate()
        cipher = TokenCipher(settings.token_encryption_key)
        accounts = AccountRepository(database, cipher, clock=clock)
        http = httpx.AsyncClient(
            transport=qf_transport,
            timeout=httpx.Timeout(10.0, connect=5.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        qf = QuranFoundationClient(
            api_base_url=settings.qf_api_base_url,
            oauth_base_url=settings.qf_oauth_base_url,
            client_id=settings.qf_client_id,
            client_secret=settings.qf_client_secret,
            accounts=accounts,
            send_last_mutation_at=bool(settings.qf_send_last_mutation_at),
            http=http,
            clock=clock,
        )
    except BaseException:
        await database.close()
        raise
    return Deps(
        settings=settings,
        database=database,
        chats=ChatRepository(database, clock=clock),
        accounts=accounts,
        logins=LoginAttemptRepository(database, cipher=cipher, clock=clock),
        reminders=ReminderRepository(database, clock=clock),
        drafts=DraftRepository(database, clock=clock),
        credits=ReadingCreditRepository(database, clock=clock),
        qf=qf,
        cipher=cipher,
        clock=clock,
    )


async def close_deps(deps: Deps) -> None:
    """Close every HTTP client and database connection; safe to call twice."""
    try:
        await deps.qf.aclose()
    finally:
        await deps.database.close()


def build_application(
    settings: Settings,
    deps: Deps,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    with_updater: bool = True,
    rate_limit: bool = True,
    persistence: bool = True,
) -> BotApplication:
    """The Application with every handler registered and `deps` in `bot_data`."""
    from handlers import register_all

    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot"))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=None))
        .concurrent_updates(KeyedUpdateProcessor(settings.max_concurrent_updates))
        .application_class(CompanionApplication)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if not with_updater:
        builder = builder.updater(None)
    if rate_limit:
        # One budget for every message and edit: never over Telegram's rolling limits, replies
        # before reminders (bot/app/send_budget.py says why PTB's leaky bucket is not enough).
        # (The builder's generics fix the limiter's argument type to None; ours takes a Priority.)
        builder = builder.rate_limiter(SendBudget())  # type: ignore[arg-type]
    if persistence:
        builder = builder.persistence(DatabasePersistence(deps.database))
    application: BotApplication = builder.build()
    application.bot_data[DEPS_KEY] = deps
    register_all(application)
    return application


async def start_services(application: BotApplication) -> None:
    """What `post_init` would do under run_polling: menus, username, scheduled jobs."""
    from handlers import on_startup

    deps: Deps = application.bot_data[DEPS_KEY]
    deps.bot_username = application.bot.username
    await on_startup(application)


ALLOWED_UPDATES = Update.ALL_TYPES
