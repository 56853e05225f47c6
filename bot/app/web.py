"""The bot's own web server: Telegram webhook, the OAuth callback page, a health check and the
metrics.

One Starlette app on `PORT` serves them all so a single PaaS web dyno is enough. Updates from the
webhook and "account linked" events from the callback go onto the Application's update queue, so
every message the bot sends passes through python-telegram-bot and its rate limiter.

The webhook is the one page anybody on the internet can post to: bodies are capped
(`MAX_WEBHOOK_BODY`, 413 beyond) and anything but a JSON object with an integer `update_id` is
answered 400, never 500. Every answer carries the security headers of `SecurityHeaders`.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from telegram import Update
from telegram.ext import Application

from bot.app.inbox import inbox_worker_of
from bot.app.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.app.metrics import metrics_of
from bot.services.deps import deps_of

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
OAUTH_CALLBACK_PATH = "/oauth/callback"
METRICS_PATH = "/metrics"
#: Telegram's updates are a few kilobytes; anything near this is not one.
MAX_WEBHOOK_BODY = 1024 * 1024
SECURITY_HEADERS = {
    # The callback page is self-contained: nothing may load from elsewhere, nobody may frame it.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_web_app(application: Application[Any, Any, Any, Any, Any, Any]) -> Starlette:
    deps = deps_of(application)
    secret = deps.settings.webhook_secret
    metrics_token = deps.settings.metrics_token

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        # Without the secret anyone who guesses the URL could inject updates as any user.
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        body = await read_limited(request, MAX_WEBHOOK_BODY)
        if body is None:
            return Response(status_code=413)
        data = update_payload(body)
        if data is None:
            logger.info("webhook body is not a Telegram update; answered 400")
            return Response(status_code=400)
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # a shape python-telegram-bot cannot read is the sender's fault
            logger.info("webhook update %s could not be read; answered 400", data["update_id"])
            return Response(status_code=400)
        # 200 tells Telegram the update is ours: only once it is in the inbox. If the
        # database cannot take it, 503 makes Telegram deliver it again later.
        try:
            await inbox_worker_of(application).accept([update])
        except Exception:
            logger.exception(
                "webhook update %s could not be stored; answered 503", update.update_id
            )
            return Response(status_code=503)
        return Response(status_code=200)

    async def oauth_callback(request: Request) -> Response:
        from bot.presentation.login_pages import callback_page
        from bot.services.linking import complete_login

        outcome = await complete_login(deps, dict(request.query_params))
        if outcome.event is not None:
            await application.update_queue.put(outcome.event)
        # The page must not be cached; SecurityHeaders keeps the code out of any Referer.
        return HTMLResponse(
            callback_page(outcome),
            status_code=outcome.status_code,
            headers={"Cache-Control": "no-store"},
        )

    async def metrics(request: Request) -> Response:
        # Without a token the page does not exist; a wrong token is not told it was close.
        if not metrics_token or not _bearer_matches(request, metrics_token):
            return Response(status_code=404)
        return Response(
            metrics_of(application).render(),
            media_type=METRICS_CONTENT_TYPE,
            headers={"Cache-Control": "no-store"},
        )

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route(WEBHOOK_PATH, telegram_webhook, methods=["POST"]),
            Route(OAUTH_CALLBACK_PATH, oauth_callback, methods=["GET"]),
            Route(METRICS_PATH, metrics, methods=["GET"]),
        ],
        middleware=[Middleware(SecurityHeaders)],
    )


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def update_payload(body: bytes) -> dict[str, Any] | None:
    """The decoded update, or None unless `body` is UTF-8 JSON for an object whose `update_id`
    is an integer (what every Telegram update is)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    return data


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


class SecurityHeaders:
    """ASGI middleware: the same protective headers on every answer, whatever the route.

    The pages embed nothing from elsewhere and must never be framed (clickjacking the "Finish in
    Telegram" button) nor leak their URL, which carries an OAuth code, through a Referer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLogFilter(logging.Filter):
    """Keep OAuth codes and states out of uvicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if path.startswith(OAUTH_CALLBACK_PATH) and "?" in path:
                record.args = (*args[:2], OAUTH_CALLBACK_PATH + "?…", *args[3:])
        return True
