"""`python -m sandbox`: chat with the real bot in a terminal, against a fake Quran.com and a fake
Telegram with a demo account already linked; `--script FILE` ('-' for stdin) replays a conversation
and prints the transcript."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.app.logs import configure_logging
from sandbox.demo import run_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument(
        "--script",
        metavar="FILE",
        help="run a scripted conversation ('-' for stdin) and print the transcript",
    )
    parser.add_argument("--language", default="en", help="the demo user's Telegram language")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    return asyncio.run(run_demo(script=args.script, language=args.language))


if __name__ == "__main__":
    sys.exit(main())
