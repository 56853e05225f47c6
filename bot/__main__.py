"""`python -m bot` runs the bot (the demo lives apart, in `python -m sandbox`).

Whatever stops the start (a missing variable, a token Telegram refuses, a database that does
not answer, the wrong encryption key) ends in one line naming what to fix and a non-zero exit
code: never a traceback, and never a secret (see `bot.app.logs`).
"""

from __future__ import annotations

import asyncio
import logging
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.app.config import ConfigurationError, Settings, load_settings
from bot.app.logs import Redactor, configure_logging

logger = logging.getLogger("bot")

#: Exit codes: the configuration must change (2), or the bot failed for another reason (1).
EXIT_CONFIGURATION = 2
EXIT_FAILURE = 1


def _secrets(settings: Settings) -> list[str | None]:
    try:
        database_password = make_url(settings.database_url).password
    except ArgumentError:
        database_password = None
    return [
        settings.telegram_bot_token,
        settings.qf_client_secret,
        settings.webhook_secret,
        settings.metrics_token,
        database_password,
        *settings.token_encryption_key,
    ]


def main() -> int:
    try:
        settings = load_settings()
        settings.require_real_mode()
    except ConfigurationError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_CONFIGURATION
    redact = configure_logging(settings.log_level, secrets=_secrets(settings))
    from bot.app.runner import run_bot
    from bot.app.warm_start import prepare_before_the_loop

    prepare_before_the_loop()
    try:
        asyncio.run(run_bot(settings))
    except ConfigurationError as exc:
        logger.critical("cannot start: %s", _one_line(redact, exc))
        return EXIT_CONFIGURATION
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except Exception as exc:
        # Through logging, so the traceback is redacted like every other line.
        logger.critical("the bot stopped: %s", type(exc).__name__, exc_info=True)
        return EXIT_FAILURE
    return 0


def _one_line(redact: Redactor, error: ConfigurationError) -> str:
    return redact(" ".join(str(error).split()))


if __name__ == "__main__":
    sys.exit(main())
