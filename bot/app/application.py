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
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackContext, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.app.config import ConfigurationError, Settings
from bot.app.inbox import INBOX_WORKER_KEY, InboxWorker
from bot.app.journal import CompanionBuilder
from bot.app.metrics import (
    METRICS_KEY,
    Metrics,
    mark_update_failed,
    metrics_of,
)
from bot.app.processor import KeyedUpdateProcessor
from bot.app.scheduler import install_reminders
from bot.app.send_budget import SendBudget
from bot.app.warm_start import shared_tls_context
from bot.qf import QFContract, QuranFoundationClient
from bot.services.deps import DEPS_KEY, Deps, deps_of, utc_now
from bot.services.revocations import DRAIN_INTERVAL_SECONDS, DrainReport, revoke_due
from storage import (
    AccountRepository,
    ChatRepository,
    Database,
    DatabasePersistence,
    DraftRepository,
    LoginAttemptRepository,
    ReadingCreditRepository,
    ReminderRepository,
    RevocationQueue,
    TokenCipher,
    WrongEncryptionKey,
    verify_encryption_key,
)
from storage.inbox import InboxRepository
from storage.inbox_claims import claims_for
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

#: Why the bot refuses to start with a key that opens nothing stored, and how to recover.
WRONG_KEY_MESSAGE = (
    "TOKEN_ENCRYPTION_KEY does not open the tokens stored in this database: it is not the key "
    "they were encrypted with. Put the old key back, or list it after the new one "
    "(TOKEN_ENCRYPTION_KEY=new,old) and run `python -m storage rotate-keys`."
)


async def create_deps(
    settings: Settings,
    *,
    qf_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Deps:
    """Open the database (migrating it) and the Quran Foundation client."""
    try:
        cipher = TokenCipher(settings.token_encryption_key)
    except ValueError as exc:  # the message names the entry, never the key
        raise ConfigurationError(f"Invalid configuration:\n  {exc}") from None
    database = Database.connect(settings.database_url)
    try:
        try:
            await database.migrate()
        except (OSError, SQLAlchemyError) as exc:
            raise ConfigurationError(
                f"DATABASE_URL: cannot open the database ({type(exc).__name__}); check the "
                "address, the credentials and that the server is running"
            ) from None
        try:
            await verify_encryption_key(database, cipher, now=clock())
        except WrongEncryptionKey:
            raise ConfigurationError(WRONG_KEY_MESSAGE) from None
        accounts = AccountRepository(database, cipher, clock=clock)
        http = httpx.AsyncClient(
            transport=qf_transport,
            verify=shared_tls_context(),
            timeout=httpx.Timeout(10.0, connect=5.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )
        qf = QuranFoundationClient(
            api_base_url=settings.qf_api_base_url,
            oauth_base_url=settings.qf_oauth_base_url,
            client_id=settings.qf_client_id,
            client_secret=settings.qf_client_secret,
            accounts=accounts,
            contract=QFContract(settings.contract),
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
        revocations=RevocationQueue(database, cipher, clock=clock),
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

    metrics = Metrics()
    builder: Any = (
        CompanionBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_url.replace("/bot", "/file/bot"))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=None))
        .concurrent_updates(
            KeyedUpdateProcessor(settings.max_concurrent_updates, metrics=metrics)
        )
        .application_class(CompanionApplication)
    )
    # PTB's own requests with its default pool sizes (256, and 1 for getUpdates), sharing the
    # process's one SSL context instead of loading the CA bundle twice more on the loop.
    tls = {"verify": shared_tls_context()}
    builder = builder.request(
        request or HTTPXRequest(connection_pool_size=256, httpx_kwargs=tls)
    ).get_updates_request(
        get_updates_request or HTTPXRequest(connection_pool_size=1, httpx_kwargs=tls)
    )
    if not with_updater:
        builder = builder.updater(None)
    if rate_limit:
        # One budget for every message and edit: never over Telegram's rolling limits, replies
        # before reminders (bot/app/send_budget.py says why PTB's leaky bucket is not enough).
        # (The builder's generics fix the limiter's argument type to None; ours takes a Priority.)
        builder = builder.rate_limiter(
            SendBudget(on_retry_after=metrics.retry_after_seen)
        )
    if persistence:
        builder = builder.persistence(DatabasePersistence(deps.database))
    application: BotApplication = builder.build()
    application.bot_data[DEPS_KEY] = deps
    application.bot_data[METRICS_KEY] = metrics
    deps.qf.observe(metrics)
    application.bot_data[INBOX_WORKER_KEY] = InboxWorker(
        application,
        InboxRepository(
            deps.database, clock=deps.clock, max_pending_per_chat=settings.inbox_max_per_chat
        ),
        claims_for(deps.database),
        sweep_interval=settings.inbox_sweep_seconds,
    )
    install_reminders(application)
    register_all(application)
    # After handlers.errors' apology: only marks the update as failed for the metrics.
    application.add_error_handler(mark_update_failed)
    return application


async def start_services(application: BotApplication) -> None:
    """What `post_init` would do under run_polling: menus, username, scheduled jobs."""
    from handlers import on_startup

    deps: Deps = application.bot_data[DEPS_KEY]
    deps.bot_username = application.bot.username
    schedule_revocations(application)
    await on_startup(application)


def schedule_revocations(application: BotApplication) -> None:
    """Drain the revocation queue in the background, first soon after start: what a failure or
    a restart left queued is revoked without anybody asking."""
    job_queue = application.job_queue
    if job_queue is None or job_queue.get_jobs_by_name(REVOCATION_JOB):
        return
    job_queue.run_repeating(
        drain_revocations,
        interval=DRAIN_INTERVAL_SECONDS,
        first=REVOCATION_FIRST_SECONDS,
        name=REVOCATION_JOB,
    )


async def drain_revocations(context: CallbackContext[Any, Any, Any, Any]) -> DrainReport:
    """The job: revoke what is due; never raises (a failing run waits for the next one)."""
    deps = deps_of(context)
    try:
        report = await revoke_due(deps)
        metrics_of(context.application).revocations_queued.set(await deps.revocations.count())
    except Exception:
        logger.exception("draining the revocation queue failed; trying again later")
        return DrainReport()
    return report


ALLOWED_UPDATES = Update.ALL_TYPES
REVOCATION_JOB = "revocations:drain"
#: Seconds after start before the first drain: menus and the reminder catch-up go first.
REVOCATION_FIRST_SECONDS = 5.0
