"""A fake Telegram Bot API server over real HTTP, answering from a `TelegramWorld`.

The bot under test talks to it exactly as to api.telegram.org (`base_url=server.base_url`), so
end-to-end tests and the demo exercise PTB's real HTTP stack: form, JSON and multipart bodies,
long polling and status codes. Control endpoints under `/_sandbox/` let a person (or a separate
process) play the user while the server runs on its own (`python -m sandbox.fake_telegram`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.serving import RunningServer, serve_asgi
from sandbox.telegram import FakeUser, TelegramWorld, UploadedFile

_LOGGER = logging.getLogger(__name__)


class _BadBody(Exception):
    pass


async def _request_params(request: Request) -> dict[str, Any]:
    """Query string plus body, the way the Bot API accepts them (GET or POST, any encoding)."""
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError:
            raise _BadBody("Bad Request: can't parse JSON object") from None
        if not isinstance(decoded, dict):
            raise _BadBody("Bad Request: JSON object expected")
        params.update(decoded)
    elif media_type == "multipart/form-data":
        params.update(_multipart_params(content_type, body))
    else:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


def _multipart_params(content_type: str, body: bytes) -> dict[str, Any]:
    # multipart/form-data is MIME, so the standard library's email parser reads it byte-exactly
    # and spares the sandbox a python-multipart dependency.
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise _BadBody("Bad Request: can't parse multipart body")
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            params[name] = content.decode(part.get_content_charset() or "utf-8", "replace")
        else:
            params[name] = UploadedFile(filename, content, part.get_content_type())
    return params


class FakeTelegramServer:
    """Serves `world` at `/bot{token}/{method}` and `/file/bot{token}/{path}` on 127.0.0.1."""

    def __init__(self, world: TelegramWorld) -> None:
        self.world = world
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
                Route("/_sandbox/send", self._sandbox_send, methods=["POST"]),
                Route("/_sandbox/press", self._sandbox_press, methods=["POST"]),
                Route("/_sandbox/sent", self._sandbox_sent, methods=["GET"]),
            ]
        )
        self._server: RunningServer | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Telegram server is not running")
        return self._server.url.rstrip("/")

    @property
    def base_url(self) -> str:
        """PTB's `base_url` form: the token and method are appended to it."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        self.world.reopen()
        self._server = await serve_asgi(self.app, host=host, port=port)
        return self

    async def stop(self) -> None:
        """Answer pending long polls first: uvicorn waits for open requests before exiting."""
        self.world.close()
        if self._server is not None:
            server, self._server = self._server, None
            await server.stop()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _api(self, request: Request) -> Response:
        token = request.path_params["token"]
        method = request.path_params["method"]
        refusal = self.world.check_token(token)
        if refusal is not None:
            return JSONResponse(refusal[1], status_code=refusal[0])
        try:
            params = await _request_params(request)
        except _BadBody as error:
            body = {"ok": False, "error_code": 400, "description": str(error)}
            return JSONResponse(body, status_code=400)
        status, answer = await self.world.handle(method, params)
        return JSONResponse(answer, status_code=status)

    async def _file(self, request: Request) -> Response:
        refusal = self.world.check_token(request.path_params["token"])
        if refusal is not None:
            return JSONResponse(refusal[1], status_code=refusal[0])
        content = self.world.file_content(request.path_params["path"])
        if content is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return JSONResponse(body, status_code=404)
        return Response(content, media_type="application/octet-stream")

    # Control endpoints: the user's side of the conversation, for manual runs and other processes.

    @staticmethod
    def _user_from(payload: dict[str, Any]) -> FakeUser:
        user_id = int(payload["user_id"])
        return FakeUser(
            user_id,
            str(payload.get("first_name") or f"User {user_id}"),
            username=payload.get("username"),
            language_code=payload.get("language_code", "en"),
        )

    async def _sandbox_send(self, request: Request) -> Response:
        payload = await request.json()
        user = self._user_from(payload)
        try:
            message = await self.world.user_sends(
                int(payload.get("chat_id", user.id)),
                user,
                str(payload["text"]),
                payload.get("reply_to_message_id"),
            )
        except (KeyError, ValueError) as error:
            return JSONResponse({"ok": False, "description": str(error)}, status_code=400)
        return JSONResponse({"ok": True, "result": message})

    async def _sandbox_press(self, request: Request) -> Response:
        payload = await request.json()
        user = self._user_from(payload)
        try:
            query = await self.world.user_presses(
                int(payload.get("chat_id", user.id)),
                user,
                int(payload["message_id"]),
                str(payload["callback_data"]),
            )
        except (KeyError, ValueError) as error:
            return JSONResponse({"ok": False, "description": str(error)}, status_code=400)
        return JSONResponse({"ok": True, "result": query})

    async def _sandbox_sent(self, request: Request) -> Response:
        chat_id = request.query_params.get("chat_id")
        sent = self.world.sent(int(chat_id) if chat_id else None)
        return JSONResponse({"ok": True, "result": sent})


FakeTelegram = FakeTelegramServer
"""The name docs/architecture.md uses."""


async def _serve_forever(host: str, port: int, token: str, username: str) -> None:
    world = TelegramWorld(bot_token=token, bot_username=username)
    server = await FakeTelegramServer(world).start(host, port)
    print(f"Fake Telegram Bot API: base_url={server.base_url}", flush=True)
    print(
        f"Play the user: POST {server.url}/_sandbox/send {{user_id, text[, chat_id]}}", flush=True
    )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="QuranCompanionBot")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve_forever(arguments.host, arguments.port, arguments.token, arguments.username))


if __name__ == "__main__":
    main()
