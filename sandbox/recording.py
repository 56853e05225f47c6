"""A PTB request that answers from a `TelegramWorld` in process, for handler-level tests.

It hands the world the same string-encoded parameters PTB would put on the wire, so in-process
tests meet exactly the Telegram that the HTTP fake serves, without sockets or a server.

    world = TelegramWorld()
    app = (
        Application.builder().token(world.bot_token)
        .request(RecordingRequest(world)).get_updates_request(RecordingRequest(world))
        .updater(None).build()
    )
    async with app:
        await world.user_sends(user.id, user, "/start")
        await feed_pending_updates(app, world)
"""

from __future__ import annotations

import json
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from sandbox.telegram import TelegramWorld, UploadedFile


class RecordingRequest(BaseRequest):
    """Answers PTB's Bot API calls through `world.handle`; the world records every call."""

    def __init__(self, world: TelegramWorld, *, read_timeout: float | None = 5.0) -> None:
        self.world = world
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: the world lives in this process."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # Timeouts are PTB's guard against a slow network; there is none in process, and a long
        # poll ends by its own `timeout` parameter.
        # Any base_url prefix is accepted: ".../bot{token}/{method}", ".../file/bot{token}/{path}".
        segments = unquote(urlsplit(url).path).strip("/").split("/")
        for index, segment in enumerate(segments[:-1]):
            if segment == "file" and segments[index + 1].startswith("bot"):
                token = segments[index + 1].removeprefix("bot")
                return self._download(token, "/".join(segments[index + 2 :]))
        if len(segments) < 2 or not segments[-2].startswith("bot"):
            return 404, _encode({"ok": False, "error_code": 404, "description": "Not Found"})
        token, api_method = segments[-2].removeprefix("bot"), segments[-1]
        refusal = self.world.check_token(token)
        if refusal is not None:
            return refusal[0], _encode(refusal[1])
        status, answer = await self.world.handle(api_method, _wire_params(request_data))
        return status, _encode(answer)

    def _download(self, token: str, file_path: str) -> tuple[int, bytes]:
        refusal = self.world.check_token(token)
        if refusal is not None:
            return refusal[0], _encode(refusal[1])
        content = self.world.file_content(file_path)
        if content is None:
            return 404, _encode({"ok": False, "error_code": 404, "description": "Not Found"})
        return 200, content


def _wire_params(request_data: RequestData | None) -> dict[str, Any]:
    """The parameters as HTTPXRequest would send them: JSON-encoded values plus file parts."""
    if request_data is None:
        return {}
    params: dict[str, Any] = dict(request_data.json_parameters)
    for name, field_tuple in request_data.multipart_data.items():
        filename, content, mimetype = _field_parts(field_tuple)
        params[name] = UploadedFile(filename, content, mimetype)
    return params


def _field_parts(field_tuple: Any) -> tuple[str | None, bytes, str | None]:
    filename: str | None = field_tuple[0]
    raw: bytes | IO[bytes] = field_tuple[1]
    mimetype: str | None = field_tuple[2] if len(field_tuple) > 2 else None
    content = raw if isinstance(raw, bytes) else raw.read()
    return filename, content, mimetype


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode("utf-8")


async def feed_pending_updates(
    application: Application[Any, Any, Any, Any, Any, Any], world: TelegramWorld
) -> int:
    """Run every update the world queued since the last call through `process_update`.

    Handlers run inline, so when this returns the bot has answered (jobs excepted). Returns how
    many updates were processed; updates a handler causes (e.g. leaveChat) are fed too.
    """
    processed = 0
    while world.pending_update_count:
        for update in world.pending_update_dicts():
            await application.process_update(Update.de_json(update, application.bot))
            processed += 1
    return processed
