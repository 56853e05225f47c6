"""One parser for every QF error envelope, and a friendly reply for each kind of failure."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from bot.i18n import get_translator
from bot.qf.errors import (
    BadGateway,
    BadRequest,
    Conflict,
    Forbidden,
    GatewayTimeout,
    LinkExpired,
    NotFound,
    NotLinked,
    OutOfSync,
    QFConnectionError,
    QFError,
    QFTimeout,
    RateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
    Unprocessable,
    error_from_response,
    parse_retry_after,
)
from bot.qf.friendly import friendly_error

EN = get_translator("en")


def _response(status: int, body: object = None, *, text: str | None = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"content-type": "application/json", **(headers or {})})


@pytest.mark.parametrize(
    ("status", "kind", "cls"),
    [
        (400, "invalid_request", BadRequest),
        (401, "unauthorized", Unauthorized),
        (403, "forbidden", Forbidden),
        (404, "not_found", NotFound),
        (422, "unprocessable_entity", Unprocessable),
        (429, "rate_limit_exceeded", RateLimited),
        (500, "internal_server_error", ServerError),
        (502, "bad_gateway", BadGateway),
        (503, "service_unavailable", Unavailable),
        (504, "gateway_timeout", GatewayTimeout),
    ],
)
def test_user_api_envelope_maps_to_the_class_for_its_status(
    status: int, kind: str, cls: type[QFError]
) -> None:
    error = error_from_response(
        _response(status, {"success": False, "message": "Something happened", "type": kind})
    )
    assert type(error) is cls
    assert (error.status, error.code, error.message) == (status, kind, "Something happened")


def test_out_of_sync_envelope_is_recognised_with_its_two_messages() -> None:
    stale = error_from_response(_response(409, {"success": False, "error": {
        "code": "OutOfSyncError",
        "message": "Invalid lastMutationAt, please re-sync your data and try again."}}))
    first = error_from_response(_response(409, {"success": False, "error": {
        "code": "OutOfSyncError",
        "message": "First sync detected. Please use lastMutationAt=-1 for initial sync."}}))
    assert isinstance(stale, OutOfSync) and not stale.first_sync
    assert isinstance(first, OutOfSync) and first.first_sync
    plain = error_from_response(_response(409, {"success": False, "message": "exists"}))
    assert type(plain) is Conflict


def test_oauth_envelope_keeps_the_oauth_error_code() -> None:
    error = error_from_response(_response(400, {
        "error": "invalid_grant",
        "error_description": "The refresh token is invalid.",
        "status_code": 400,
    }))
    assert isinstance(error, BadRequest)
    assert error.code == "invalid_grant"
    assert error.message == "The refresh token is invalid."


def test_html_and_empty_bodies_keep_their_status_and_hide_the_markup() -> None:
    html = error_from_response(_response(
        502, text="<html><body><h1>502 Bad Gateway</h1></body></html>",
        headers={"content-type": "text/html"}))
    assert isinstance(html, BadGateway)
    assert "<" not in html.message and "text/html" in html.message
    empty = error_from_response(httpx.Response(503))
    assert isinstance(empty, Unavailable) and empty.code is None


def test_unknown_statuses_fall_back_by_class() -> None:
    assert type(error_from_response(_response(418, {}))) is QFError
    assert isinstance(error_from_response(_response(599, {})), ServerError)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("30") == 30
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:00 GMT", now=now) == 60
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    error = error_from_response(_response(429, {"message": "slow down"},
                                          headers={"retry-after": "7"}))
    assert error.retry_after == 7


def _looks_friendly(reply: str) -> None:
    assert reply and "{" not in reply and "<" not in reply and "Traceback" not in reply


def test_rate_limit_reply_asks_for_a_minute_or_names_the_wait() -> None:
    unknown = friendly_error(RateLimited(429, "rate_limit_exceeded", "Too many"), EN)
    assert "busy" in unknown and "minute" in unknown
    known = friendly_error(RateLimited(429, "rate_limit_exceeded", "x", retry_after=30), EN)
    assert "30 seconds" in known
    long_wait = friendly_error(RateLimited(429, None, "", retry_after=600), EN)
    assert "10 minutes" in long_wait


def test_link_replies_send_the_user_to_login() -> None:
    assert "/login" in friendly_error(NotLinked(), EN)
    assert "first" in friendly_error(NotLinked(), EN)
    expired = friendly_error(LinkExpired(), EN)
    assert "/login" in expired and "again" in expired
    assert "/login" in friendly_error(Unauthorized(401, "unauthorized", "jwt expired"), EN)


def test_forbidden_names_the_missing_permission_when_qf_does() -> None:
    named = friendly_error(Forbidden(403, "forbidden", "Missing required scope: note.create"), EN)
    assert "notes" in named and "note.create" in named and "/login" in named
    generic = friendly_error(Forbidden(403, "forbidden", "Forbidden"), EN)
    assert "/login" in generic and "permission" in generic


def test_not_found_says_it_may_have_been_deleted() -> None:
    assert "deleted on Quran.com" in friendly_error(NotFound(404, "not_found", "Not found"), EN)


def test_invalid_input_reply_names_the_field_in_plain_words() -> None:
    body = friendly_error(
        Unprocessable(422, "unprocessable_entity", '"body" length must be at least 6'), EN
    )
    assert "note text" in body and '"body"' not in body
    date = friendly_error(BadRequest(400, "invalid_request", "date cannot be in the future"), EN)
    assert "date" in date and "future" in date
    exists = friendly_error(
        Unprocessable(422, "unprocessable_entity", "a QURAN goal already exists"), EN
    )
    assert "already exists" in exists and "delete" in exists
    vague = friendly_error(BadRequest(400, "invalid_request", '{"weird": true}'), EN)
    assert "check what you entered" in vague
    _looks_friendly(vague)


def test_server_trouble_replies_say_input_is_kept_only_when_something_was_entered() -> None:
    for error in (
        ServerError(500, "internal_server_error", "boom"),
        BadGateway(502, None, "non-JSON reply (text/html, 120 bytes)"),
        Unavailable(503, "service_unavailable", "down"),
        GatewayTimeout(504, "gateway_timeout", "slow"),
    ):
        reply = friendly_error(error, EN)
        assert "Quran.com" in reply and "try again" in reply
        assert "kept" not in reply  # a press or a list: nothing was entered
        _looks_friendly(reply)
        kept = friendly_error(error, EN, kept=True)
        assert kept.endswith("What you entered is kept.")
        _looks_friendly(kept)


def test_network_failures_say_what_happened() -> None:
    timeout = friendly_error(QFTimeout("GET /v1/notes timed out"), EN)
    assert "too long" in timeout and "try again" in timeout
    dropped = friendly_error(QFConnectionError("ConnectError"), EN)
    assert "reach Quran.com" in dropped


def test_conflict_and_unexpected_errors_get_a_reply_too() -> None:
    assert "try again" in friendly_error(OutOfSync(409, "OutOfSyncError", "Invalid"), EN)
    assert "try again" in friendly_error(RuntimeError("bug"), EN)


def test_rate_limit_wait_uses_the_languages_digits() -> None:
    reply = friendly_error(RateLimited(429, None, "", retry_after=30), get_translator("ar"))
    assert "٣٠" in reply and "{" not in reply
