"""`python -m bot` runs the bot (the demo lives apart, in `python -m sandbox`)."""

from __future__ import annotations

import asyncio
import sys

from bot.app.application import configure_logging
from bot.app.config import ConfigurationError, load_settings


def main() -> int:
    try:
        settings = load_settings()
        settings.require_real_mode()
    except ConfigurationError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    configure_logging(
        settings.log_level,
        secrets=[
            settings.telegram_bot_token,
            settings.qf_client_secret,
            settings.webhook_secret,
            *settings.token_encryption_key,
        ],
    )
    from bot.app.runner import run_bot

    asyncio.run(run_bot(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
