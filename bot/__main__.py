"""`python -m bot` runs the bot; `python -m bot demo` talks to it in a terminal, no accounts needed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.application import configure_logging
from bot.config import ConfigurationError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser(
        "demo", help="chat with the real bot against a fake Quran.com and a fake Telegram"
    )
    demo.add_argument(
        "--script",
        metavar="FILE",
        help="run a scripted conversation ('-' for stdin) and print the transcript",
    )
    demo.add_argument("--language", default="en", help="the demo user's Telegram language")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from bot.sandbox.demo import run_demo

        configure_logging("WARNING")
        return asyncio.run(run_demo(script=args.script, language=args.language))

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
    from bot.runner import run_bot

    asyncio.run(run_bot(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
