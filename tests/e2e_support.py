"""End-to-end support: the real `python -m bot` process against both fakes over real HTTP.

The bot runs as a subprocess with only environment variables pointing it at the fake Telegram
Bot API and the fake Quran Foundation server (both served by uvicorn on 127.0.0.1 in the test's
event loop), exactly as an operator would start it. Tests talk to it as Telegram users do.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from sandbox.fake_telegram import FakeTelegramServer
from sandbox.harness import contract_settings
from sandbox.quran_foundation import FakeContract, FakeQuranFoundation
from sandbox.serving import RunningServer, serve_asgi
from sandbox.telegram import FakeUser, TelegramWorld
from storage import AccountRepository, ChatRepository, Database, TokenCipher

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The bot must answer SIGTERM within this many seconds (the Foundation issue's promise).
STOP_DEADLINE = 5.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BotProcess:
    """A running bot process and the fakes it talks to."""

    world: TelegramWorld
    fake_qf: FakeQuranFoundation
    telegram: FakeTelegramServer
    qf_server: RunningServer
    process: asyncio.subprocess.Process
    #: Where this machine reaches the bot's web server (PUBLIC_URL may name another host).
    local_url: str
    env: dict[str, str]
    output: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    @property
    def log(self) -> str:
        return "".join(self.output)

    async def stop(self) -> tuple[int, float]:
        """SIGTERM, then wait; returns (exit code, seconds it took)."""
        if self.process.returncode is not None:
            return self.process.returncode, 0.0
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), STOP_DEADLINE + 10)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        took = time.monotonic() - began
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
        return code, took

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.local_url, timeout=10) as client:
            return await client.get(path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.local_url, timeout=10) as client:
            return await client.post(path, **kwargs)


async def _pump(stream: asyncio.StreamReader, sink: list[str]) -> None:
    while line := await stream.readline():
        sink.append(line.decode(errors="replace"))


async def _wait_until_ready(bot: BotProcess, timeout: float = 45.0) -> None:
    """Ready = the web server answers and the bot has started long polling (or set a webhook)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if bot.process.returncode is not None:
                raise RuntimeError(f"the bot exited early:\n{bot.log}")
            try:
                response = await client.get(bot.local_url + "/healthz")
                polling = bool(bot.world.calls_to("getUpdates")) or bot.world.webhook is not None
                if response.status_code == 200 and polling:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(f"the bot did not become ready in {timeout} s:\n{bot.log}")


@asynccontextmanager
async def running_bot(
    data_dir: Path,
    *,
    contract: FakeContract = "production",
    extra_env: dict[str, str] | None = None,
    world: TelegramWorld | None = None,
    fake_qf: FakeQuranFoundation | None = None,
) -> AsyncIterator[BotProcess]:
    world = world or TelegramWorld()
    fake_qf = fake_qf or FakeQuranFoundation(contract=contract)
    telegram = await FakeTelegramServer(world).start()
    qf_server = await serve_asgi(fake_qf.app)
    port = free_port()
    local_url = f"http://127.0.0.1:{port}"
    env = _bot_environment(
        data_dir, world, telegram, fake_qf, qf_server, port=port, contract=contract
    )
    env.update(extra_env or {})
    process = await _start_process(data_dir, env)
    assert process.stdout is not None
    bot = BotProcess(world, fake_qf, telegram, qf_server, process, local_url, env)
    bot._reader = asyncio.create_task(_pump(process.stdout, bot.output))
    try:
        await _wait_until_ready(bot)
        yield bot
    finally:
        try:
            await bot.stop()
        finally:
            await telegram.stop()
            await qf_server.stop()


def _bot_environment(
    data_dir: Path,
    world: TelegramWorld,
    telegram: FakeTelegramServer,
    fake_qf: FakeQuranFoundation,
    qf_server: RunningServer,
    *,
    port: int,
    contract: FakeContract,
) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("TELEGRAM_", "QF_", "DATABASE_", "TOKEN_", "WEBHOOK_", "METRICS_")
        )
    }
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": world.bot_token,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            **contract_settings(contract),
            "QF_API_BASE_URL": qf_server.url + "/auth",
            "QF_OAUTH_BASE_URL": qf_server.url,
            "QF_CLIENT_ID": fake_qf.client_id,
            "QF_CLIENT_SECRET": fake_qf.client_secret,
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}",
            "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "LOG_LEVEL": "DEBUG",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


async def _start_process(data_dir: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        # A developer's .env in the repository must not leak in: run from the data directory.
        cwd=str(data_dir),
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


@dataclass(frozen=True)
class FailedStart:
    """A bot process that stopped by itself: its exit code, its whole output and environment."""

    code: int
    output: str
    env: dict[str, str]


async def start_expecting_failure(
    data_dir: Path,
    *,
    extra_env: dict[str, str] | None = None,
    world: TelegramWorld | None = None,
    fake_qf: FakeQuranFoundation | None = None,
    timeout: float = 60.0,
) -> FailedStart:
    """Run `python -m bot` against the fakes until it exits on its own (a start-up failure);
    stdout and stderr are read together, whole."""
    world = world or TelegramWorld()
    fake_qf = fake_qf or FakeQuranFoundation()
    telegram = await FakeTelegramServer(world).start()
    qf_server = await serve_asgi(fake_qf.app)
    try:
        env = _bot_environment(
            data_dir, world, telegram, fake_qf, qf_server, port=free_port(), contract="production"
        )
        env.update(extra_env or {})
        process = await _start_process(data_dir, env)
        try:
            output, _ = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            output, _ = await process.communicate()
            raise AssertionError(
                f"the bot did not stop by itself:\n{output.decode(errors='replace')}"
            ) from None
        assert process.returncode is not None
        return FailedStart(process.returncode, output.decode(errors="replace"), env)
    finally:
        await telegram.stop()
        await qf_server.stop()


async def link_before_start(
    data_dir: Path,
    fake_qf: FakeQuranFoundation,
    user: FakeUser,
    *,
    sub: str,
    encryption_key: str,
    scopes: tuple[str, ...] | None = None,
    timezone: str | None = None,
) -> None:
    """Write `user`'s Quran.com link (and timezone) into the bot's database before it starts.

    Linking has its own end-to-end test; flows that only need a linked account start here.
    """
    fake_qf.seed_user(sub, name=user.first_name)
    tokens = fake_qf.issue_tokens(sub, scopes) if scopes else fake_qf.issue_tokens(sub)
    database = Database.connect(f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}")
    try:
        await database.migrate()
        await AccountRepository(database, TokenCipher([encryption_key])).save(
            user.id,
            qf_sub=sub,
            display_name=user.first_name,
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token"),
            expires_at=datetime.now(UTC) + timedelta(seconds=int(tokens["expires_in"])),
            scopes=str(tokens.get("scope", "")).split(),
        )
        if timezone is not None:
            chats = ChatRepository(database)
            await chats.ensure(user.id, "private", None)
            await chats.update(user.id, timezone=timezone)
    finally:
        await database.close()


class PrivateChat:
    """One user's private chat with the running bot: say or press, then wait for the answer."""

    def __init__(self, world: TelegramWorld, user: FakeUser, *, wait: float = 15.0) -> None:
        self.world = world
        self.user = user
        self.wait = wait
        world.add_private_chat(user)

    def _seen(self, expected: str) -> Callable[[], bool]:
        before = sum(expected in text for text in self.world.texts(self.user.id))
        return lambda: sum(expected in text for text in self.world.texts(self.user.id)) > before

    async def say(self, text: str, expect: str) -> dict[str, Any]:
        seen = self._seen(expect)
        sent = await self.world.user_sends(self.user.id, self.user, text)
        await self.world.wait_for(seen, self.wait)
        return sent

    async def press(self, label: str, expect: str) -> None:
        target = self._with_button(label)
        seen = self._seen(expect)
        await self.world.user_presses_label(self.user.id, self.user, target["message_id"], label)
        await self.world.wait_for(seen, self.wait)

    def _with_button(self, label: str) -> dict[str, Any]:
        for message in reversed(self.world.sent(self.user.id)):
            if any(label in text for text, _ in self.world.buttons(message)):
                return message
        texts = self.world.texts(self.user.id)
        raise LookupError(f"no message with a {label!r} button: {texts}")
