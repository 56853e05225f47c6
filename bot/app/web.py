"""The bot's own web server: Telegram webhook, the OAuth callback page and a health check.

One Starlette app on `PORT` serves all three so a single PaaS web dyno is enough. Updates from the
webhook and "account linked" events from the callback go onto the Application's update queue, so
every message the bot sends passes through python-telegram-bot and its rate limiter.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.services.deps import deps_of

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
OAUTH_CALLBACK_PATH = "/oauth/callback"


def create_web_app(application: Application[Any, Any, Any, Any, Any, Any]) -> Starlette:
    deps = deps_of(application)
    secret = deps.settings.webhook_secret

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        # Without the secret anyone who guesses the URL could inject updates as any user.
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        try:
            data = await request.json()
        except json.JSONDecodeError:
            return Response(status_code=400)
        await application.update_queue.put(Update.de_json(data, application.bot))
        return Response(status_code=200)

    async def oauth_callback(request: Request) -> Response:
        from bot.presentation.login_pages import callback_page
        from bot.services.linking import complete_login

        outcome = await complete_login(deps, dict(request.query_params))
        if outcome.event is not None:
            await application.update_queue.put(outcome.event)
        return HTMLResponse(
            callback_page(outcome),
            status_code=outcome.status_code,
            # The page must not be cached or leak the code through the Referer of its link.
            headers={
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                # The page is self-contained: nothing may load from elsewhere.
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            },
        )

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route(WEBHOOK_PATH, telegram_webhook, methods=["POST"]),
            Route(OAUTH_CALLBACK_PATH, oauth_callback, methods=["GET"]),
        ]
    )


class AccessLogFilter(logging.Filter):
    """Keep OAuth codes and states out of uvicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if path.startswith(OAUTH_CALLBACK_PATH) and "?" in path:
                record.args = (*args[:2], OAUTH_CALLBACK_PATH + "?…", *args[3:])
        return True
