"""`python -m bot demo`: talk to the real bot in a terminal, no Telegram or Quran.com account.

The bot runs exactly as in production (same Application, handlers and database code) against the
fake Telegram and the fake Quran Foundation server, with a demo Quran.com account already linked.
Type messages as you would in Telegram; `[press: Done]` presses the button labelled "Done".
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from sandbox.harness import DEMO_USER, BotHarness, transcript_lines
from sandbox.telegram import FakeUser

PRESS = re.compile(r"^\[press:\s*(?P<label>.+?)\s*\]$", re.IGNORECASE)
#: `[open: Sign in]` opens a link button as a browser would (the login page approves at once).
OPEN = re.compile(r"^\[open:\s*(?P<label>.+?)\s*\]$", re.IGNORECASE)
BANNER = """Quran Companion demo — you are {name}, with a demo Quran.com account already linked.
Type what you would send in Telegram (try /start, /help, /goal 10min, /read 1:1-1:7, /note).
Press a button with [press: label]; open a link button with [open: label].
Quit with /quit or Ctrl-D.
"""


async def _interactive_lines() -> AsyncIterator[str]:
    while True:
        try:
            line = await asyncio.to_thread(input, "you  › ")
        except EOFError:
            return
        yield line


async def _script_lines(lines: Iterable[str]) -> AsyncIterator[str]:
    for raw in lines:
        line = raw.rstrip("\n")
        if line.strip() and not line.lstrip().startswith("#"):
            yield line


async def _open_link(bot: BotHarness, label: str, user: FakeUser) -> list[dict[str, Any]]:
    """Follow a URL button: only login links lead somewhere in the sandbox."""
    message = bot.message_with_button(user.id, label)
    url = next(target for text, target in bot.world.buttons(message)
               if label in text and target is not None)
    first_call = len(bot.world.calls)
    status, _page = await bot.follow_login_link(url)
    print(f"       (browser: the sign-in page answered {status})")
    return bot.messages_since(first_call)


async def run_demo(*, script: str | None = None, language: str = "en") -> int:
    user = FakeUser(DEMO_USER.id, DEMO_USER.first_name, username=DEMO_USER.username,
                    language_code=language)
    interactive = script is None
    if script == "-":
        lines: AsyncIterator[str] = _script_lines(sys.stdin.readlines())
    elif script is not None:
        text = await asyncio.to_thread(Path(script).read_text, encoding="utf-8")
        lines = _script_lines(text.splitlines())
    else:
        lines = _interactive_lines()

    with tempfile.TemporaryDirectory(prefix="quran-companion-demo-") as data_dir:
        async with BotHarness(Path(data_dir), user=user, start_jobs=True) as bot:
            await bot.link_account(user)
            bot.fake_qf.add_sample_posts()  # something to show for /reflections 2:255
            if interactive:
                print(BANNER.format(name=user.first_name))
            async for line in lines:
                if line.strip() in {"/quit", "/exit"}:
                    break
                if not interactive:
                    print(f"you  › {line}")
                press = PRESS.match(line.strip())
                link = OPEN.match(line.strip())
                try:
                    if link:
                        messages = await _open_link(bot, link["label"], user)
                    elif press:
                        messages = await bot.press(press["label"], user=user)
                    else:
                        messages = await bot.send(line, user=user)
                except LookupError as exc:
                    print(f"       ({exc})")
                    continue
                for message in messages:
                    for out in transcript_lines(message):
                        print(out)
                print()
    return 0
