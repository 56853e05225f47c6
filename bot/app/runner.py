"""Run the bot for real: one process with the Application and the web server.

python-telegram-bot's `run_polling()` owns the event loop and cannot share it with uvicorn, so the
lifecycle is driven by hand in the order PTB documents: initialize → start → inbox replay →
(polling) → serve. On SIGTERM: stop polling (uvicorn stops taking webhooks), let the updates in
flight finish within SHUTDOWN_GRACE_SECONDS (the rest stays in the inbox, see bot.app.inbox),
then stop → shutdown, and finally our own clients and database.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from types import FrameType

import uvicorn
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.app.application import (
    ALLOWED_UPDATES,
    BotApplication,
    build_application,
    close_deps,
    create_deps,
    start_services,
)
from bot.app.config import ConfigurationError, Settings
from bot.app.inbox import inbox_worker_of
from bot.app.loop_lag import LoopLagProbe
from bot.app.metrics import metrics_of
from bot.app.poller import InboxPoller
from bot.app.warm_start import freeze_what_the_start_built
from bot.app.web import WEBHOOK_PATH, AccessLogFilter, create_web_app
from bot.services.reminder_delivery import delivery_of

logger = logging.getLogger(__name__)

#: How long uvicorn waits for open HTTP requests (a webhook being stored) on SIGTERM.
HTTP_GRACE_SECONDS = 4
#: How long PTB's own stop (job queue, persistence flush) may take once the inbox is idle.
PTB_STOP_SECONDS = 5.0


async def run_bot(settings: Settings) -> None:
    # From the first await on: a stall while the database is opened delays the first poll.
    probe = LoopLagProbe()
    probe.start()
    try:
        await _run(settings, probe)
    finally:
        await probe.stop()
    logger.info("stopped cleanly")


async def _run(settings: Settings, probe: LoopLagProbe) -> None:
    deps = await create_deps(settings)
    try:
        # No PTB Updater: the inbox poller confirms updates only once they are stored.
        application = build_application(settings, deps, with_updater=False)
        probe.attach(metrics_of(application).loop_lag_observed)
        worker = inbox_worker_of(application)
        web = create_web_app(application)
        logging.getLogger("uvicorn.access").addFilter(AccessLogFilter())
        server = uvicorn.Server(
            uvicorn.Config(
                web,
                host=settings.host,
                port=settings.port,
                log_config=None,
                lifespan="off",
                timeout_graceful_shutdown=HTTP_GRACE_SECONDS,
            )
        )
        _install_signal_handlers(server)
        await _initialize(application, settings)
        poller = InboxPoller(application.bot, worker, allowed_updates=ALLOWED_UPDATES)
        async with application:
            await application.start()
            # What the previous process (or a crashed instance) left unfinished goes first.
            await worker.start()
            if settings.use_webhook:
                await application.bot.set_webhook(
                    url=settings.public_url + WEBHOOK_PATH,
                    secret_token=settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            else:
                await application.bot.delete_webhook()
                poller.start()
            # Menus and the reminder catch-up (which paces a backlog at Telegram's 30 msg/s) run
            # beside update processing, so users are answered from the first second.
            application.create_task(start_services(application), name="start-services")
            freeze_what_the_start_built()
            logger.info("Quran Companion is running as @%s", application.bot.username)
            try:
                await server.serve()
            finally:
                logger.info(
                    "stopping: no new updates; up to %.0f s for those in flight",
                    settings.shutdown_grace_seconds,
                )
                # A fan-out in progress finishes the batch it holds and claims no more, so a
                # deploy leaves no reminder waiting out a lease it cannot finish.
                delivery_of(application).stop_claiming()
                await poller.stop()
                await worker.stop(settings.shutdown_grace_seconds)
                try:
                    await asyncio.wait_for(application.stop(), PTB_STOP_SECONDS)
                except TimeoutError:
                    logger.warning("background jobs did not stop in %.0f s", PTB_STOP_SECONDS)
    finally:
        await close_deps(deps)


async def _initialize(application: BotApplication, settings: Settings) -> None:
    """Initialize (PTB calls getMe here), turning the failures an operator can fix into one
    line that names the variable. PTB's own message repeats the token: it is dropped."""
    try:
        await application.initialize()
    except InvalidToken:
        raise ConfigurationError(
            "TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized): set it to the token "
            "@BotFather gave you for this bot"
        ) from None
    except (NetworkError, TimedOut) as exc:
        raise ConfigurationError(
            f"cannot reach Telegram's Bot API at TELEGRAM_API_BASE_URL "
            f"({type(exc).__name__}); check the address and the network"
        ) from None
    logger.debug("connected to Telegram as bot id %s", application.bot.id)


def _install_signal_handlers(server: uvicorn.Server) -> None:
    """Make SIGTERM/SIGINT ask the server to exit.

    uvicorn re-raises the signals it captured once `serve()` returns; with Python's default
    SIGTERM handler that would kill the process before the database is closed, so the handler
    in place outside `serve()` is a benign one.
    """

    def request_exit(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    signal.signal(signal.SIGTERM, request_exit)
    signal.signal(signal.SIGINT, request_exit)
