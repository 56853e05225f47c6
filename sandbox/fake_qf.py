"""A fake Quran Foundation (OAuth2 server + User API) for tests, demo mode and manual runs.

Every User API request is validated against the official OpenAPI file of the chosen contract
(`sandbox.spec_validation`), so the bot is tested against what the real server accepts.
The fake is stateful per user (goals, notes, activity days, streaks, mutation timestamps) and
can inject faults (error statuses, late answers, dropped connections).

URL layout, with `<origin>` the server's address (`http://qf.test` under ASGITransport):

* User API base: `<origin>/auth` (operations at `/auth/v1/...`).
* Quran Reflect base: `<origin>/quran-reflect` (`GET /v1/users/profile` lives there, as in the
  spec's per-operation `servers`).
* OAuth2 base: `<origin>` (`/oauth2/auth`, `/oauth2/token`, `/oauth2/revoke`, `/userinfo`).

Assumptions where QF documents nothing (docs/quran-foundation-api.md §10); tests should not
treat them as facts about the real server:

* One goal per category: a second `POST /v1/goals` of the same category answers 422 (update it
  with PUT or delete it first). Rejecting is the safer model: a bot that checks today's plan
  before creating works whether the real server replaces or rejects.
* `POST /v1/activity-days` adds to the day's totals (seconds add up, verse ranges unite).
* Today's plan asked with a type other than the goal's answers `{hasGoal: false}`.
* Reusing a rotated refresh token answers `invalid_grant` and revokes the whole token family,
  as Ory Hydra (QF's OAuth server) does; reusing an authorization code does the same.
* A streak stays current through the day after its last reading day (it breaks only when a whole
  local day passes without reading).
* Pages are estimated from verses (604 pages / 6,236 verses) whatever the mushaf.
* 2026-03-29 contract: `GET /v1/sync` reports `lastMutationAt: 0` for an account without
  mutations, and a note write without `lastMutationAt` answers 400 naming the parameter.
* An expired or revoked access token answers 401 `unauthorized` (configurable: the spec's 403
  description also mentions expired tokens).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import contextlib
import hashlib
import hmac
import itertools
import json
import math
import re
import secrets
import signal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal, TypeVar
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.domain.chapters import VERSE_COUNTS
from sandbox.serving import SimulatedDisconnect, SimulatedReadTimeout, serve_asgi
from sandbox.spec_validation import SpecValidator, ValidationIssue

__all__ = [
    "DEMO_EMAIL",
    "DEMO_NAME",
    "DEMO_SUB",
    "ActivityDay",
    "FakeQuranFoundation",
    "Goal",
    "Mutation",
    "Note",
    "OAuthCall",
    "RecordedRequest",
    "UserState",
]

FakeContract = Literal["production", "2026-03-29"]

DEMO_SUB: Final = "demo-user"
DEMO_NAME: Final = "Demo Reader"
DEMO_EMAIL: Final = "demo.reader@example.com"

#: Scopes a client may ask for per contract; `sync` exists on pre-live only (docs §2).
PRODUCTION_SCOPES: Final = frozenset(
    {
        "openid",
        "offline_access",
        "user",
        "goal",
        "note",
        "streak",
        "activity_day",
        "reading_session",
        "bookmark",
        "collection",
        "preference",
    }
)
PRELIVE_SCOPES: Final = PRODUCTION_SCOPES | {"sync"}

#: The scope family each User API area needs (a child such as `goal.read` also counts).
_SCOPE_BY_AREA: Final = {
    "goals": "goal",
    "notes": "note",
    "activity-days": "activity_day",
    "streaks": "streak",
    "users": "user",
    "sync": "sync",
    "reading-sessions": "reading_session",
}

SECONDS_PER_VERSE: Final = 6
_PAGES_PER_VERSE: Final = 604 / 6236
_AUTH_CODE_TTL: Final = timedelta(minutes=10)
_CUMULATIVE: Final = tuple(itertools.accumulate(VERSE_COUNTS, initial=0))
_TOTAL_VERSES: Final = _CUMULATIVE[-1]
_VERSE_KEY = re.compile(r"^(\d+):(\d+)$")
_VERSE_RANGE = re.compile(r"^(\d+):(\d+)-(\d+):(\d+)$")

_ERROR_TYPES: Final = {
    400: ("invalid_request", "The request is missing required headers or is invalid"),
    401: ("unauthorized", "The request requires user authentication"),
    403: ("forbidden", "The server understood the request, but refuses to authorize it"),
    404: ("not_found", "The requested resource could not be found"),
    422: (
        "unprocessable_entity",
        "The request was well-formed but was unable to be followed due to semantic errors",
    ),
    429: ("rate_limit_exceeded", "Too many requests, please try again later"),
    500: (
        "internal_server_error",
        "The server encountered an internal error and was unable to complete your request",
    ),
    502: (
        "bad_gateway",
        "The server was acting as a gateway or proxy and received an invalid response from the "
        "upstream server",
    ),
    503: (
        "service_unavailable",
        "The server is currently unable to handle the request due to a temporary overload or "
        "scheduled maintenance",
    ),
    504: (
        "gateway_timeout",
        "The server was acting as a gateway or proxy and did not receive a timely response from "
        "the upstream server",
    ),
}
_OAUTH_ERRORS: Final = {
    400: ("invalid_request", "The request is missing a required parameter."),
    401: ("invalid_client", "Client authentication failed."),
    403: ("access_denied", "The resource owner or authorization server denied the request."),
    429: ("too_many_requests", "Too many requests, please try again later."),
    503: ("temporarily_unavailable", "The authorization server is temporarily unavailable."),
}
OUT_OF_SYNC_STALE: Final = "Invalid lastMutationAt, please re-sync your data and try again."
OUT_OF_SYNC_FIRST: Final = "First sync detected. Please use lastMutationAt=-1 for initial sync."
_PROXY_PAGE: Final = (
    "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}"
    "</h1></center><hr><center>nginx</center></body></html>"
)
_NOTE_WRITES: Final = frozenset(
    {
        ("POST", "/v1/notes"),
        ("PATCH", "/v1/notes/{noteId}"),
        ("DELETE", "/v1/notes/{noteId}"),
        ("POST", "/v1/notes/{noteId}/publish"),
    }
)


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


@dataclass
class Goal:
    id: str
    type: str
    amount: int | str
    duration: int | None
    category: str
    mushaf_id: int
    start_date: date


@dataclass
class Note:
    id: str
    sequence: int
    body: str
    ranges: list[str]
    created_at: datetime
    updated_at: datetime
    save_to_qr: bool = False
    post_id: int | None = None
    attached_entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ActivityDay:
    id: str
    date: date
    type: str
    mushaf_id: int
    seconds: int = 0
    manually_added_seconds: int = 0
    verses: set[int] = field(default_factory=set)


@dataclass
class Mutation:
    type: Literal["CREATE", "UPDATE", "DELETE"]
    resource: str
    resource_id: str
    timestamp: int
    data: dict[str, Any] | None = None


@dataclass
class UserState:
    """Everything the fake knows about one Quran.com account; tests read and arrange it."""

    sub: str
    name: str
    email: str
    created_at: datetime
    goals: dict[str, Goal] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    activity_days: dict[date, ActivityDay] = field(default_factory=dict)
    #: Unix ms of the latest note mutation (2026-03-29 contract); None until the first one.
    last_mutation_at: int | None = None
    mutations: list[Mutation] = field(default_factory=list)
    #: Reflections published to QuranReflect: {"postId", "noteId", "body", "ranges"}.
    posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def last_name(self) -> str:
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""


@dataclass
class RecordedRequest:
    """One request as the fake received it; `status` is None when the connection was cut."""

    method: str
    path: str
    api_path: str | None
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    form: dict[str, str] | None
    status: int | None = None
    fault: str | None = None


@dataclass
class OAuthCall:
    """One call to `/oauth2/token` or `/oauth2/revoke`, for assertions on client behaviour."""

    grant_type: str | None
    had_basic_auth: bool
    client_id: str | None
    status: int
    error: str | None


@dataclass
class _Grant:
    id: str
    sub: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass
class _AccessToken:
    token: str
    grant: _Grant
    expires_at: datetime
    revoked: bool = False


@dataclass
class _RefreshToken:
    token: str
    grant: _Grant
    expires_at: datetime | None
    used: bool = False


@dataclass
class _AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    sub: str
    nonce: str | None
    code_challenge: str
    expires_at: datetime
    used: bool = False
    grant: _Grant | None = None


FaultKind = Literal["fail", "delay", "drop", "timeout"]


@dataclass
class _Fault:
    kind: FaultKind
    method: str | None
    path: re.Pattern[str] | None
    remaining: int
    status: int = 500
    retry_after: str | None = None
    body: Any = None
    non_json: bool = False
    seconds: float = 0.0
    apply: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None


class _ApiError(Exception):
    def __init__(self, status: int, message: str | None = None) -> None:
        error_type, default = _ERROR_TYPES.get(status, ("error", "Request failed"))
        super().__init__(message or default)
        self.status = status
        self.message = message or default
        self.type = error_type


@dataclass
class _Answer:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: False for shapes no spec documents (the QuranReflect share failure).
    documented: bool = True
    mutation: Mutation | None = None


@dataclass
class _Call:
    user: UserState
    method: str
    template: str
    path_params: dict[str, str]
    query: dict[str, str]
    body: Any
    zone: ZoneInfo
    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()


# --------------------------------------------------------------------------------------------
# Verses
# --------------------------------------------------------------------------------------------


def _verse_index(chapter: int, verse: int) -> int:
    if not 1 <= chapter <= len(VERSE_COUNTS) or not 1 <= verse <= VERSE_COUNTS[chapter - 1]:
        raise _ApiError(422, f"{chapter}:{verse} is not a verse of the Quran")
    return _CUMULATIVE[chapter - 1] + verse - 1


def _verse_key(index: int) -> str:
    chapter = bisect.bisect_right(_CUMULATIVE, index)
    return f"{chapter}:{index - _CUMULATIVE[chapter - 1] + 1}"


def _parse_key(text: str) -> int:
    found = _VERSE_KEY.match(text)
    if found is None:
        raise _ApiError(422, f"{text!r} is not a verse key")
    return _verse_index(int(found[1]), int(found[2]))


def _parse_range(text: str) -> tuple[int, int]:
    found = _VERSE_RANGE.match(text.strip())
    if found is None:
        raise _ApiError(422, f"{text!r} is not a verse range")
    start = _verse_index(int(found[1]), int(found[2]))
    end = _verse_index(int(found[3]), int(found[4]))
    if start > end:
        raise _ApiError(422, f"{text!r} ends before it starts")
    return start, end


def _parse_ranges(texts: Iterable[str]) -> list[tuple[int, int]]:
    """Ranges as activity days accept them: each item may join several with commas."""
    return [_parse_range(part) for text in texts for part in text.split(",") if part.strip()]


def _format_range(start: int, end: int) -> str:
    return f"{_verse_key(start)}-{_verse_key(end)}"


def _format_ranges(indices: Iterable[int]) -> list[str]:
    ordered = sorted(set(indices))
    runs: list[str] = []
    run_start = previous = None
    for index in ordered:
        if previous is not None and index == previous + 1:
            previous = index
            continue
        if run_start is not None and previous is not None:
            runs.append(_format_range(run_start, previous))
        run_start = previous = index
    if run_start is not None and previous is not None:
        runs.append(_format_range(run_start, previous))
    return runs


def _verses_in(ranges: Iterable[tuple[int, int]]) -> set[int]:
    return {index for start, end in ranges for index in range(start, end + 1)}


# --------------------------------------------------------------------------------------------
# Small formats
# --------------------------------------------------------------------------------------------


def _iso_z(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwt(payload: Mapping[str, Any], key: str) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(key.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64url(signature)}"


def _new_id() -> str:
    """A cuid-shaped id like QF's ("cmt1ovfu3000g0mkwgvia368p")."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "c" + "".join(secrets.choice(alphabet) for _ in range(24))


def _encode_cursor(value: str) -> str:
    return _b64url(value.encode())


def _decode_cursor(cursor: str) -> str:
    try:
        return _b64url_decode(cursor).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise _ApiError(400, f"cursor {cursor!r} is not valid") from error


_Item = TypeVar("_Item")


def _relay_page(
    items: Sequence[_Item],
    key: Callable[[_Item], str],
    query: Mapping[str, str],
    default_size: int = 20,
) -> tuple[list[_Item], dict[str, Any]]:
    """Relay-style pagination (`first`+`after` or `last`+`before`), as the spec's intro says."""
    first, after = query.get("first"), query.get("after")
    last, before = query.get("last"), query.get("before")
    if (first or after) and (last or before):
        raise _ApiError(400, "use first+after or last+before, not both")
    keys = [key(item) for item in items]

    def position(cursor: str) -> int:
        wanted = _decode_cursor(cursor)
        if wanted not in keys:
            raise _ApiError(400, f"cursor {cursor!r} is not valid")
        return keys.index(wanted)

    start, stop = 0, len(items)
    if after:
        start = position(after) + 1
    if before:
        stop = position(before)
    window = list(items[start:stop])
    if last:
        size = int(last)
        page = window[-size:]
        has_previous = len(window) > size or start > 0
        has_next = stop < len(items)
    else:
        size = int(first) if first else default_size
        page = window[:size]
        has_next = len(window) > size or stop < len(items)
        has_previous = start > 0
    pagination: dict[str, Any] = {"hasNextPage": has_next, "hasPreviousPage": has_previous}
    if page:
        pagination["startCursor"] = _encode_cursor(key(page[0]))
        pagination["endCursor"] = _encode_cursor(key(page[-1]))
    return page, pagination


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _client_gone(receive: Receive) -> bool:
    """True if the client already hung up (uvicorn reports it; ASGITransport never does)."""
    try:
        async with asyncio.timeout(0.01):
            message = await receive()
    except TimeoutError:
        return False
    return bool(message.get("type") == "http.disconnect")


# --------------------------------------------------------------------------------------------
# Recording and fault injection (outermost layer of the app)
# --------------------------------------------------------------------------------------------


class _RecordingAndFaults:
    """Records each request, then lets it through or applies the next matching fault."""

    def __init__(self, app: ASGIApp, fake: FakeQuranFoundation) -> None:
        self.app = app
        self.fake = fake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        record = self.fake._record(scope, body)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = int(message["status"])
            await send(message)

        fault = self.fake._take_fault(record.method, record.path)
        if fault is None:
            await self.app(scope, replay, recording_send)
            return
        record.fault = fault.kind
        if fault.kind == "fail":
            await self._send_failure(fault, record, recording_send)
        elif fault.kind == "delay":
            await self._delay(fault, scope, replay, receive, recording_send)
        else:
            await self._cut(fault, scope, replay, send)

    async def _send_failure(self, fault: _Fault, record: RecordedRequest, send: Send) -> None:
        oauth = not record.path.startswith(("/auth/", "/quran-reflect/"))
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["retry-after"] = fault.retry_after
        response: Response
        if fault.non_json:
            reason = httpx.codes.get_reason_phrase(fault.status) or "Error"
            page = _PROXY_PAGE.format(status=fault.status, reason=reason)
            response = Response(page, fault.status, headers, media_type="text/html")
        elif isinstance(fault.body, bytes | str):
            response = Response(fault.body, fault.status, headers, media_type="text/plain")
        else:
            body = fault.body if fault.body is not None else _default_error(fault.status, oauth)
            response = JSONResponse(body, fault.status, headers)
        await response({"type": "http"}, _never_receive, send)

    async def _delay(
        self, fault: _Fault, scope: Scope, replay: Receive, receive: Receive, send: Send
    ) -> None:
        if not fault.apply:
            await asyncio.sleep(fault.seconds)
            if await _client_gone(receive):
                return
            await self.app(scope, replay, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, replay, hold)
        await asyncio.sleep(fault.seconds)
        for message in held:
            await send(message)

    async def _cut(self, fault: _Fault, scope: Scope, replay: Receive, send: Send) -> None:
        if fault.apply:

            async def discard(message: Message) -> None:
                return None

            await self.app(scope, replay, discard)
        # The head goes out first so that uvicorn closes the socket mid-response (a client-side
        # transport error) instead of answering 500 on our behalf.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"http://{_host_of(scope)}{scope['path']}" + (f"?{query}" if query else "")
        request = httpx.Request(scope["method"], url)
        if fault.kind == "timeout":
            raise SimulatedReadTimeout("timed out (simulated by the fake)", request=request)
        raise SimulatedDisconnect(
            "Server disconnected without sending a response (simulated by the fake).",
            request=request,
        )


async def _never_receive() -> Message:
    return {"type": "http.disconnect"}


def _host_of(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return str(value.decode("latin-1"))
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else "fake-qf"


def _default_error(status: int, oauth: bool) -> dict[str, Any]:
    if oauth:
        error, description = _OAUTH_ERRORS.get(
            status, ("server_error", "The authorization server encountered an error.")
        )
        return {"error": error, "error_description": description, "status_code": status}
    if status == 409:
        return {"success": False, "error": {"code": "OutOfSyncError", "message": OUT_OF_SYNC_STALE}}
    error_type, message = _ERROR_TYPES.get(status, ("error", "Request failed"))
    return {"success": False, "message": message, "type": error_type}


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description, "status_code": status},
        status,
        {"cache-control": "no-store"},
    )


def _api_error(status: int, message: str | None = None) -> JSONResponse:
    error = _ApiError(status, message)
    return JSONResponse({"success": False, "message": error.message, "type": error.type}, status)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

_Handler = Callable[[_Call], _Answer]


class FakeQuranFoundation:
    """The fake server. Mount `.app` with `httpx.ASGITransport` or serve it with `serve_asgi`."""

    def __init__(
        self,
        *,
        contract: FakeContract = "production",
        client_id: str = "demo-client",
        client_secret: str = "demo-secret",  # noqa: S107 - the demo's public stand-in secret
        access_token_ttl: float = 3600,
        refresh_token_ttl: float | None = None,
        clock: Callable[[], datetime] | None = None,
        strict: bool = True,
        expired_token_status: Literal[401, 403] = 401,
        check_responses: bool = True,
    ) -> None:
        if contract not in ("production", "2026-03-29"):
            raise ValueError(f"unknown contract {contract!r}")
        self.contract: FakeContract = contract
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self.strict = strict
        self.expired_token_status = expired_token_status
        self.check_responses = check_responses
        self.validator = SpecValidator.for_contract(contract)
        self.oauth_validator = SpecValidator.for_oauth()

        #: Scopes the authorization server knows; asking for others gives `invalid_scope`.
        self.approved_scopes: set[str] = set(
            PRELIVE_SCOPES if contract == "2026-03-29" else PRODUCTION_SCOPES
        )
        #: Scopes the "user" leaves unticked on the consent screen: left out of every grant.
        self.withheld_scopes: set[str] = set()
        #: Redirect URIs the client registered; None accepts any (the demo's URL varies).
        self.allowed_redirect_uris: set[str] | None = None
        #: The account that approves the next authorization request.
        self.next_login_sub = DEMO_SUB
        self.revoke_family_on_reuse = True

        self.users: dict[str, UserState] = {}
        self.requests: list[RecordedRequest] = []
        self.validation_errors: list[str] = []
        #: Answers of the fake that depart from the spec (a bug in the fake; tests keep it empty).
        self.response_errors: list[str] = []
        self.token_requests: list[OAuthCall] = []
        self.revoke_requests: list[OAuthCall] = []

        self._clock = clock
        self._fixed_now: datetime | None = None
        self._offset = timedelta()
        self._faults: list[_Fault] = []
        self._deny_next: list[str] = []
        self._share_failures = 0
        self._codes: dict[str, _AuthorizationCode] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self._refresh_tokens: dict[str, _RefreshToken] = {}
        self._note_sequence = itertools.count(1)
        self._post_ids = itertools.count(1001)
        self._handlers = self._build_handlers()
        self.seed_user(DEMO_SUB, name=DEMO_NAME, email=DEMO_EMAIL)

        self.app = Starlette(
            routes=[
                Route("/oauth2/auth", self._authorize, methods=["GET"]),
                Route("/oauth2/token", self._token, methods=["POST"]),
                Route("/oauth2/revoke", self._revoke, methods=["POST"]),
                Route("/userinfo", self._userinfo, methods=["GET"]),
                Route(
                    "/auth/{api_path:path}",
                    self._user_api,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                ),
                Route(
                    "/quran-reflect/{api_path:path}",
                    self._user_api,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                ),
            ],
            middleware=[Middleware(_RecordingAndFaults, fake=self)],
        )

    # -- time -------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The fake's current time (aware UTC): fixed, the given clock, or the real one."""
        if self._fixed_now is not None:
            base = self._fixed_now
        elif self._clock is not None:
            base = self._clock()
        else:
            base = datetime.now(UTC)
        return (base + self._offset).astimezone(UTC)

    def set_now(self, moment: datetime) -> None:
        """Freeze the fake's clock at `moment` (aware)."""
        if moment.tzinfo is None:
            raise ValueError("set_now needs an aware datetime")
        self._fixed_now = moment
        self._offset = timedelta()

    def set_today(self, day: date, *, timezone: str = "UTC", at: time = time(12)) -> None:
        """Freeze the clock at `at` on `day` in `timezone` (noon by default: no edge surprises)."""
        self.set_now(datetime.combine(day, at, ZoneInfo(timezone)))

    def advance(self, delta: timedelta | float) -> None:
        """Move the fake's clock forward (token expiry, next day's streak)."""
        self._offset += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)

    # -- seeding ----------------------------------------------------------------------------

    def seed_user(
        self, sub: str, *, name: str | None = None, email: str | None = None
    ) -> UserState:
        """Create (or rename) an account; returns its state for further arranging."""
        user = self.users.get(sub)
        if user is None:
            user = UserState(
                sub=sub,
                name=name or sub,
                email=email or f"{sub}@example.com",
                created_at=self.now(),
            )
            self.users[sub] = user
        else:
            user.name = name or user.name
            user.email = email or user.email
        return user

    def issue_tokens(
        self,
        sub: str,
        scopes: Iterable[str] | str = (
            "openid",
            "offline_access",
            "user",
            "goal",
            "note",
            "streak",
            "activity_day",
            "reading_session",
        ),
        *,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        """Tokens as `/oauth2/token` would answer them, without the browser dance (demo mode)."""
        self.seed_user(sub)
        scope_list = tuple(scopes.split() if isinstance(scopes, str) else scopes)
        grant = _Grant(id=_new_id(), sub=sub, scopes=scope_list)
        return self._issue(grant, nonce=nonce, with_id_token=True)

    # -- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        retry_after: float | str | None = None,
        body: Any = None,
        non_json: bool = False,
    ) -> None:
        """Answer the next `times` matching requests with `status`, without applying them.

        `path` is a regex searched in the full path ("/auth/v1/notes", "/oauth2/token"). The body
        defaults to the documented envelope for that status (OAuth or User API, 409 included);
        `non_json=True` sends a proxy's HTML page instead.
        """
        self._faults.append(
            _Fault(
                "fail",
                method,
                re.compile(path) if path else None,
                times,
                status=status,
                retry_after=None if retry_after is None else str(retry_after),
                body=body,
                non_json=non_json,
            )
        )

    def delay_next(
        self,
        seconds: float,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        apply: bool = True,
    ) -> None:
        """Make the next matching requests slow.

        apply=True: the request is applied at once and the answer leaves `seconds` later (the
        ambiguous timeout: the client gives up, the server did it). apply=False: the server waits
        first and skips the work if the client has hung up by then.

        httpx.ASGITransport enforces no timeouts: in-process the client just waits. Use
        `timeout_next` in-process, or serve the app over real HTTP for genuine client timeouts.
        """
        self._faults.append(
            _Fault(
                "delay",
                method,
                re.compile(path) if path else None,
                times,
                seconds=seconds,
                apply=apply,
            )
        )

    def drop_next(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        apply: bool = False,
    ) -> None:
        """Cut the connection on the next matching requests (applied first when `apply`).

        The client sees `httpx.RemoteProtocolError` both through ASGITransport (the exception is
        raised in the app and reaches the client as is) and over real HTTP (uvicorn closes the
        socket after the response head).
        """
        self._faults.append(
            _Fault("drop", method, re.compile(path) if path else None, times, apply=apply)
        )

    def timeout_next(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        apply: bool = True,
    ) -> None:
        """In-process stand-in for a client read timeout: the client gets `httpx.ReadTimeout`.

        Over real HTTP this behaves like `drop_next` (a server cannot time out a client).
        """
        self._faults.append(
            _Fault("timeout", method, re.compile(path) if path else None, times, apply=apply)
        )

    def clear_faults(self) -> None:
        self._faults.clear()
        self._share_failures = 0
        self._deny_next.clear()

    def deny_next_authorization(self, error: str = "access_denied") -> None:
        """The next `/oauth2/auth` redirects back with `error` (the user pressed "Deny")."""
        self._deny_next.append(error)

    def fail_quranreflect_share_next(self, times: int = 1) -> None:
        """The next note saves with saveToQR answer 200 `{error: true, note}`: saved, not shared.

        That is how Quran.com's web client sees a failed QuranReflect publish; no spec has it.
        """
        self._share_failures += times

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # -- introspection ----------------------------------------------------------------------

    def access_token_state(self, token: str) -> Literal["active", "expired", "revoked", "unknown"]:
        record = self._access_tokens.get(token)
        if record is None:
            return "unknown"
        if record.revoked or record.grant.revoked:
            return "revoked"
        return "expired" if self.now() >= record.expires_at else "active"

    def refresh_token_state(self, token: str) -> Literal["active", "used", "revoked", "unknown"]:
        record = self._refresh_tokens.get(token)
        if record is None:
            return "unknown"
        if record.grant.revoked:
            return "revoked"
        return "used" if record.used else "active"

    def api_requests(
        self, method: str | None = None, path: str | None = None
    ) -> list[RecordedRequest]:
        """Recorded User API requests, optionally filtered by method and a regex on `api_path`."""
        return [
            r
            for r in self.requests
            if r.api_path is not None
            and (method is None or r.method == method.upper())
            and (path is None or re.search(path, r.api_path))
        ]

    def _record(self, scope: Scope, body: bytes) -> RecordedRequest:
        path = str(scope["path"])
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", [])
        }
        query = dict(
            parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        api_path = None
        for base in ("/auth", "/quran-reflect"):
            if path.startswith(base + "/"):
                api_path = path[len(base) :]
        parsed_json: Any = None
        form = None
        content_type = headers.get("content-type", "")
        if body and "json" in content_type:
            with contextlib.suppress(ValueError):
                parsed_json = json.loads(body)
        elif body and "x-www-form-urlencoded" in content_type:
            form = dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
        record = RecordedRequest(
            method=str(scope["method"]).upper(),
            path=path,
            api_path=api_path,
            query=query,
            headers=headers,
            json=parsed_json,
            form=form,
        )
        self.requests.append(record)
        return record

    # -- OAuth2 -----------------------------------------------------------------------------

    def _scope_known(self, scope: str) -> bool:
        return scope in self.approved_scopes or scope.split(".", 1)[0] in self.approved_scopes - {
            "openid",
            "offline_access",
        }

    def _note_validation(
        self, method: str, path: str, issues: Iterable[ValidationIssue | str]
    ) -> None:
        for issue in issues:
            self.validation_errors.append(f"{method} {path}: {issue}")

    async def _authorize(self, request: Request) -> Response:
        params = request.query_params
        issues = self.oauth_validator.check_request(
            "GET", "/oauth2/auth", _multi(params.multi_items()), dict(request.headers), None
        )
        self._note_validation("GET", "/oauth2/auth", issues)
        if params.get("client_id") != self.client_id:
            return _oauth_error(401, "invalid_client", "The client is not registered.")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or (
            self.allowed_redirect_uris is not None
            and redirect_uri not in self.allowed_redirect_uris
        ):
            return _oauth_error(
                400, "invalid_request", "The requested redirect_uri is not allowed for this client."
            )
        state = params.get("state", "")

        def back(**fields: str) -> Response:
            return RedirectResponse(_with_query(redirect_uri, {**fields, "state": state}), 302)

        if issues:
            return back(error="invalid_request", error_description="; ".join(map(str, issues)))
        if params.get("response_type") != "code":
            return back(
                error="unsupported_response_type",
                error_description="Only response_type=code is allowed.",
            )
        if len(state) < 8:
            return back(
                error="invalid_state",
                error_description="The state is missing or has fewer than 8 characters.",
            )
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return back(
                error="invalid_request",
                error_description="PKCE with code_challenge_method=S256 is required.",
            )
        requested = tuple(params.get("scope", "").split())
        unknown = [scope for scope in requested if not self._scope_known(scope)]
        if unknown:
            return back(
                error="invalid_scope",
                error_description=f"The scopes {' '.join(unknown)} are not allowed.",
            )
        if self._deny_next:
            return back(
                error=self._deny_next.pop(0),
                error_description="The resource owner denied the request.",
            )
        user = self.seed_user(self.next_login_sub)
        code = _AuthorizationCode(
            code="ory_ac_" + secrets.token_urlsafe(24),
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            scopes=tuple(s for s in requested if s not in self.withheld_scopes),
            sub=user.sub,
            nonce=params.get("nonce"),
            code_challenge=params["code_challenge"],
            expires_at=self.now() + _AUTH_CODE_TTL,
        )
        self._codes[code.code] = code
        return back(code=code.code, scope=" ".join(code.scopes))

    def _client_from_basic(self, header: str) -> tuple[str, str] | None:
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
        return unquote_plus(client_id), unquote_plus(secret)

    async def _form(self, request: Request) -> dict[str, str]:
        return dict(parse_qsl((await request.body()).decode("latin-1"), keep_blank_values=True))

    def _authenticate_client(
        self, request: Request, form: Mapping[str, str], path: str
    ) -> tuple[bool, str | None, JSONResponse | None]:
        """(had Basic auth, client id, error answer) for the token and revoke endpoints."""
        issues = self.oauth_validator.check_request(
            "POST", path, {}, dict(request.headers), dict(form)
        )
        self._note_validation("POST", path, issues)
        credentials = self._client_from_basic(request.headers.get("authorization", ""))
        if credentials is None:
            return (
                False,
                form.get("client_id"),
                _oauth_error(
                    401, "invalid_client", "Client authentication failed: use HTTP Basic."
                ),
            )
        client_id, secret = credentials
        if not (
            hmac.compare_digest(client_id, self.client_id)
            and hmac.compare_digest(secret, self.client_secret)
        ):
            return (
                True,
                client_id,
                _oauth_error(401, "invalid_client", "Client authentication failed."),
            )
        body_issues = [issue for issue in issues if issue.kind != "security"]
        if body_issues:
            return (
                True,
                client_id,
                _oauth_error(400, "invalid_request", "; ".join(map(str, body_issues))),
            )
        return True, client_id, None

    async def _token(self, request: Request) -> Response:
        form = await self._form(request)
        grant_type = form.get("grant_type")
        had_basic, client_id, failure = self._authenticate_client(request, form, "/oauth2/token")
        response = failure or self._grant(form)
        error = None
        if response.status_code != 200:
            error = json.loads(bytes(response.body)).get("error")
        self.token_requests.append(
            OAuthCall(grant_type, had_basic, client_id, response.status_code, error)
        )
        if response.status_code == 200 and self.check_responses:
            problems = self.oauth_validator.validate_response(
                "POST", "/oauth2/token", 200, json.loads(bytes(response.body))
            )
            self.response_errors.extend(f"POST /oauth2/token: {p}" for p in problems)
        return response

    def _grant(self, form: Mapping[str, str]) -> JSONResponse:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        if grant_type == "refresh_token":
            return self._refresh(form)
        return _oauth_error(
            400, "unauthorized_client", "Only authorization_code and refresh_token are allowed."
        )

    def _exchange_code(self, form: Mapping[str, str]) -> JSONResponse:
        code = self._codes.get(form.get("code", ""))
        invalid = "The authorization grant is invalid, expired, or has already been used."
        if code is None or code.client_id != self.client_id:
            return _oauth_error(400, "invalid_grant", invalid)
        if code.used:
            if code.grant is not None and self.revoke_family_on_reuse:
                code.grant.revoked = True
            return _oauth_error(400, "invalid_grant", invalid)
        if self.now() >= code.expires_at:
            return _oauth_error(400, "invalid_grant", invalid)
        if form.get("redirect_uri") != code.redirect_uri:
            return _oauth_error(
                400, "invalid_grant", "The redirect_uri does not match the authorization request."
            )
        verifier = form.get("code_verifier")
        if not verifier:
            return _oauth_error(400, "invalid_request", "The code_verifier is missing.")
        challenge = _b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
        if not hmac.compare_digest(challenge, code.code_challenge):
            return _oauth_error(
                400, "invalid_grant", "The PKCE code_verifier does not match the code_challenge."
            )
        code.used = True
        code.grant = _Grant(id=_new_id(), sub=code.sub, scopes=code.scopes)
        return JSONResponse(
            self._issue(code.grant, nonce=code.nonce, with_id_token=True),
            headers={"cache-control": "no-store"},
        )

    def _refresh(self, form: Mapping[str, str]) -> JSONResponse:
        record = self._refresh_tokens.get(form.get("refresh_token", ""))
        invalid = "The refresh token is invalid, expired, or has already been used."
        if record is None or record.grant.revoked:
            return _oauth_error(400, "invalid_grant", invalid)
        if record.used:
            if self.revoke_family_on_reuse:
                record.grant.revoked = True
            return _oauth_error(400, "invalid_grant", invalid)
        if record.expires_at is not None and self.now() >= record.expires_at:
            return _oauth_error(400, "invalid_grant", invalid)
        record.used = True
        return JSONResponse(
            self._issue(record.grant, nonce=None, with_id_token=False),
            headers={"cache-control": "no-store"},
        )

    def _issue(self, grant: _Grant, *, nonce: str | None, with_id_token: bool) -> dict[str, Any]:
        now = self.now()
        expires_at = now + timedelta(seconds=self.access_token_ttl)
        user = self.seed_user(grant.sub)
        access = _jwt(
            {
                "sub": grant.sub,
                "client_id": self.client_id,
                "scope": " ".join(grant.scopes),
                "iat": int(now.timestamp()),
                "exp": int(expires_at.timestamp()),
                "jti": secrets.token_hex(8),
            },
            self.client_secret,
        )
        self._access_tokens[access] = _AccessToken(access, grant, expires_at)
        answer: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(self.access_token_ttl),
            "expires_at": _iso_z(expires_at),
            "scope": " ".join(grant.scopes),
        }
        if "offline_access" in grant.scopes:
            refresh = "ory_rt_" + secrets.token_urlsafe(32)
            refresh_expiry = (
                None
                if self.refresh_token_ttl is None
                else now + timedelta(seconds=self.refresh_token_ttl)
            )
            self._refresh_tokens[refresh] = _RefreshToken(refresh, grant, refresh_expiry)
            answer["refresh_token"] = refresh
        if with_id_token and "openid" in grant.scopes:
            claims: dict[str, Any] = {
                "iss": "https://fake-qf.invalid/",
                "sub": grant.sub,
                "aud": [self.client_id],
                "iat": int(now.timestamp()),
                "exp": int(expires_at.timestamp()),
                "auth_time": int(now.timestamp()),
                "name": user.name,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
            }
            if nonce is not None:
                claims["nonce"] = nonce
            answer["id_token"] = _jwt(claims, self.client_secret)
        return answer

    async def _revoke(self, request: Request) -> Response:
        form = await self._form(request)
        had_basic, client_id, failure = self._authenticate_client(request, form, "/oauth2/revoke")
        response: Response
        if failure is not None:
            response = failure
        else:
            token = form.get("token", "")
            if token in self._refresh_tokens:
                self._refresh_tokens[token].grant.revoked = True
            elif token in self._access_tokens:
                self._access_tokens[token].revoked = True
            response = Response(status_code=200)
        error = None
        if isinstance(response, JSONResponse):
            error = json.loads(bytes(response.body)).get("error")
        self.revoke_requests.append(
            OAuthCall(None, had_basic, client_id, response.status_code, error)
        )
        return response

    async def _userinfo(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if self.access_token_state(token) != "active":
            return _oauth_error(401, "invalid_token", "The access token is invalid or expired.")
        user = self.users[self._access_tokens[token].grant.sub]
        return JSONResponse(
            {
                "sub": user.sub,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
            }
        )

    # -- User API dispatch ------------------------------------------------------------------

    async def _user_api(self, request: Request) -> Response:
        method = request.method.upper()
        base = "/auth" if request.url.path.startswith("/auth/") else "/quran-reflect"
        api_path = "/" + str(request.path_params["api_path"])
        full_path = base + api_path
        headers = {name.lower(): value for name, value in request.headers.items()}
        query_multi = _multi(request.query_params.multi_items())
        query = {name: values[-1] for name, values in query_multi.items()}
        raw = await request.body()
        body: Any = None
        issues: list[ValidationIssue | str] = []
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                issues.append("the request body is not JSON")
        issues.extend(
            self.validator.check_request(method, api_path, query_multi, headers, body, base=base)
        )
        zone = ZoneInfo("UTC")
        if "x-timezone" in headers:
            try:
                zone = ZoneInfo(headers["x-timezone"])
            except (ZoneInfoNotFoundError, ValueError):
                issues.append(f"header 'x-timezone': {headers['x-timezone']!r} is not an IANA zone")
        # A 2026-03-29 note write without lastMutationAt is how a client learns the contract
        # (docs §6 rule 1), so it is the server's documented answer, not a client bug.
        discovery = [
            i
            for i in issues
            if isinstance(i, ValidationIssue)
            and self.contract == "2026-03-29"
            and i.kind == "missing_parameter"
            and i.name == "lastMutationAt"
        ]
        defects = [i for i in issues if i not in discovery]
        self._note_validation(method, full_path, defects)
        match = self.validator.find_operation(method, api_path)
        if match is None or any(
            isinstance(i, ValidationIssue) and i.kind == "wrong_base" for i in defects
        ):
            return _api_error(404, "; ".join(map(str, defects)) or None)
        # Authentication comes before input validation, as in the usual guard-then-pipe order.
        token_or_error = self._authenticate_user(headers, api_path)
        if isinstance(token_or_error, Response):
            return token_or_error
        if defects and self.strict:
            return _api_error(400, "; ".join(map(str, [*defects, *discovery])))
        if discovery:
            return _api_error(400, "; ".join(map(str, discovery)))
        user = self.users[token_or_error.grant.sub]
        handler = self._handlers.get((method, match.template))
        if handler is None:
            return JSONResponse(
                {
                    "success": False,
                    "message": f"{method} {match.template} is not implemented by the fake",
                    "type": "not_implemented",
                },
                501,
            )
        call = _Call(user, method, match.template, match.path_params, query, body, zone, self.now())
        guarded = self.contract == "2026-03-29" and (method, match.template) in _NOTE_WRITES
        if guarded:
            conflict = self._check_mutation_base(user, query.get("lastMutationAt", ""))
            if conflict is not None:
                return conflict
        try:
            answer = handler(call)
        except _ApiError as error:
            answer = _Answer(
                {"success": False, "message": error.message, "type": error.type}, error.status
            )
        except (KeyError, ValueError, TypeError) as error:
            if self.strict:
                raise  # validated input cannot cause this: a bug in the fake, so be loud
            # Lenient mode lets malformed requests through; answer as the server would.
            answer = _Answer(
                {
                    "success": False,
                    "message": f"invalid request: {error}",
                    "type": "invalid_request",
                },
                400,
            )
        if guarded and answer.status == 200:
            stamp = self._bump_mutation(user, answer.mutation)
            answer.headers["X-Mutation-At"] = str(stamp)
        if self.check_responses and answer.documented:
            problems = self.validator.validate_response(
                method, api_path, answer.status, answer.body
            )
            self.response_errors.extend(f"{method} {full_path}: {p}" for p in problems)
        return JSONResponse(answer.body, answer.status, answer.headers)

    def _authenticate_user(
        self, headers: Mapping[str, str], api_path: str
    ) -> _AccessToken | Response:
        token = headers.get("x-auth-token", "")
        state = self.access_token_state(token)
        if state == "expired":
            return _api_error(self.expired_token_status, "The access token has expired")
        if state != "active":
            return _api_error(401, "The access token is invalid")
        if headers.get("x-client-id") != self.client_id:
            return _api_error(403, "x-client-id does not match the client the token was issued to")
        record = self._access_tokens[token]
        area = api_path.strip("/").split("/")[1] if api_path.count("/") >= 2 else ""
        needed = _SCOPE_BY_AREA.get(area)
        if needed is not None and not any(
            scope == needed or scope.startswith(needed + ".") for scope in record.grant.scopes
        ):
            return _api_error(403, f"The access token lacks the {needed} scope")
        return record

    def _check_mutation_base(self, user: UserState, given: str) -> Response | None:
        try:
            value = float(given)
        except ValueError:
            return _api_error(400, "lastMutationAt must be a number")
        if user.last_mutation_at is None:
            if value != -1:
                return _out_of_sync(OUT_OF_SYNC_FIRST)
            return None
        if value != user.last_mutation_at:
            return _out_of_sync(OUT_OF_SYNC_STALE)
        return None

    def _bump_mutation(self, user: UserState, mutation: Mutation | None) -> int:
        stamp = int(self.now().timestamp() * 1000)
        if user.last_mutation_at is not None:
            stamp = max(stamp, user.last_mutation_at + 1)
        user.last_mutation_at = stamp
        if mutation is not None:
            mutation.timestamp = stamp
            user.mutations.append(mutation)
        return stamp

    def _build_handlers(self) -> dict[tuple[str, str], _Handler]:
        return {
            ("POST", "/v1/goals"): self._create_goal,
            ("GET", "/v1/goals/get-todays-plan"): self._todays_plan,
            ("PUT", "/v1/goals/{id}"): self._update_goal,
            ("DELETE", "/v1/goals/{id}"): self._delete_goal,
            ("GET", "/v1/goals/estimate"): self._estimate_goal,
            ("POST", "/v1/activity-days"): self._add_activity_day,
            ("GET", "/v1/activity-days"): self._list_activity_days,
            ("GET", "/v1/activity-days/estimate-reading-time"): self._estimate_reading_time,
            ("GET", "/v1/streaks"): self._list_streaks,
            ("GET", "/v1/streaks/current-streak-days"): self._current_streak_days,
            ("GET", "/v1/users/profile"): self._profile,
            ("GET", "/v1/notes"): self._list_notes,
            ("POST", "/v1/notes"): self._create_note,
            ("GET", "/v1/notes/by-verse/{verseKey}"): self._notes_by_verse,
            ("GET", "/v1/notes/by-range"): self._notes_by_range,
            ("GET", "/v1/notes/count-within-range"): self._count_notes,
            ("GET", "/v1/notes/{noteId}"): self._get_note,
            ("PATCH", "/v1/notes/{noteId}"): self._update_note,
            ("DELETE", "/v1/notes/{noteId}"): self._delete_note,
            ("POST", "/v1/notes/{noteId}/publish"): self._publish_note,
            ("GET", "/v1/sync"): self._sync_head,
        }

    # -- goals ------------------------------------------------------------------------------

    @staticmethod
    def _check_goal_amount(goal_type: str, amount: Any) -> None:
        if goal_type == "QURAN_RANGE":
            if not isinstance(amount, str):
                raise _ApiError(422, "a QURAN_RANGE goal needs a verse range amount")
            _parse_range(amount)
        elif goal_type in ("QURAN_TIME", "QURAN_PAGES"):
            if not isinstance(amount, int):
                raise _ApiError(422, f"a {goal_type} goal needs an integer amount")
        else:
            raise _ApiError(422, f"the fake supports Quran goals only, not {goal_type}")

    @staticmethod
    def _quran_goal(user: UserState) -> Goal | None:
        return next((g for g in user.goals.values() if g.category == "QURAN"), None)

    def _create_goal(self, call: _Call) -> _Answer:
        body = call.body
        self._check_goal_amount(body["type"], body["amount"])
        if body["category"] != "QURAN":
            raise _ApiError(422, "Quran goal types belong to the QURAN category")
        if any(g.category == body["category"] for g in call.user.goals.values()):
            raise _ApiError(422, f"a {body['category']} goal already exists; update or delete it")
        goal = Goal(
            id=_new_id(),
            type=body["type"],
            amount=body["amount"],
            duration=body.get("duration"),
            category=body["category"],
            mushaf_id=int(call.query["mushafId"]),
            start_date=call.today,
        )
        call.user.goals[goal.id] = goal
        return _Answer({"success": True, "data": {"id": goal.id}})

    def _update_goal(self, call: _Call) -> _Answer:
        goal = call.user.goals.get(call.path_params["id"])
        if goal is None:
            raise _ApiError(404, "goal not found")
        body = call.body or {}
        goal_type = body.get("type", goal.type)
        amount = body.get("amount", goal.amount)
        self._check_goal_amount(goal_type, amount)
        goal.type, goal.amount = goal_type, amount
        if "duration" in body:
            goal.duration = body["duration"]
            goal.start_date = call.today
        goal.mushaf_id = int(call.query["mushafId"])
        return _Answer({"success": True, "data": {}})

    def _delete_goal(self, call: _Call) -> _Answer:
        goal = call.user.goals.get(call.path_params["id"])
        if goal is None or goal.category != call.query["category"]:
            raise _ApiError(404, "goal not found")
        del call.user.goals[goal.id]
        return _Answer({"success": True, "data": {"message": "goal deleted"}})

    @staticmethod
    def _range_goal_slice(goal: Goal, on: date) -> set[int]:
        """The verses a range goal asks for on day `on` (the range spread evenly over its days)."""
        assert isinstance(goal.amount, str)
        start, end = _parse_range(goal.amount)
        days = goal.duration or 1
        per_day = math.ceil((end - start + 1) / days)
        day_index = min(max((on - goal.start_date).days, 0), days - 1)
        first = start + day_index * per_day
        return set(range(first, min(end, first + per_day - 1) + 1))

    def _day_report(
        self, user: UserState, goal: Goal | None, on: date, mushaf_id: int
    ) -> dict[str, Any]:
        day = user.activity_days.get(on)
        verses = day.verses if day else set()
        seconds = day.seconds if day else 0
        pages = round(len(verses) * _PAGES_PER_VERSE, 4)
        report: dict[str, Any] = {
            "id": day.id if day else self._day_id(user, on),
            "date": on.isoformat(),
            "progress": 0,
            "type": "QURAN",
            "ranges": _format_ranges(verses),
            "pagesRead": pages,
            "secondsRead": seconds,
            "versesRead": len(verses),
            "manuallyAddedSeconds": day.manually_added_seconds if day else 0,
            "mushafId": mushaf_id,
        }
        if goal is None:
            return report
        progress: float
        if goal.type == "QURAN_TIME":
            assert isinstance(goal.amount, int)
            report["dailyTargetSeconds"] = goal.amount
            progress = seconds / goal.amount
        elif goal.type == "QURAN_PAGES":
            assert isinstance(goal.amount, int)
            report["dailyTargetPages"] = goal.amount
            progress = pages / goal.amount
        else:
            target = self._range_goal_slice(goal, on)
            remaining = target - verses
            report["dailyTargetRanges"] = _format_ranges(target)
            report["remainingDailyTargetRanges"] = _format_ranges(remaining)
            progress = 1 - len(remaining) / len(target) if target else 1
        report["progress"] = round(min(max(progress, 0.0), 1.0), 4)
        return report

    def _day_id(self, user: UserState, on: date) -> str:
        """Activity-day ids are stable per date even before any reading is logged that day."""
        digest = hashlib.sha256(f"{user.sub}|{on.isoformat()}".encode()).hexdigest()
        return "c" + digest[:24]

    def _todays_plan(self, call: _Call) -> _Answer:
        goal = self._quran_goal(call.user)
        if goal is None or goal.type != call.query["type"]:
            return _Answer({"success": True, "data": {"hasGoal": False}})
        mushaf_id = int(call.query.get("mushafId", goal.mushaf_id))
        report = self._day_report(call.user, goal, call.today, mushaf_id)
        if self.contract == "production":
            data = {"hasGoal": True, "goalId": goal.id, **report}
        else:
            data = {"hasGoal": True, **report}
        return _Answer({"success": True, "data": data})

    def _estimate_goal(self, call: _Call) -> _Answer:
        goal_type = call.query["type"]
        raw_amount = call.query["amount"]
        duration = int(call.query["duration"]) if "duration" in call.query else None
        amount: int | str = int(raw_amount) if raw_amount.isdigit() else raw_amount
        self._check_goal_amount(goal_type, amount)
        week: list[dict[str, Any]] = []
        if isinstance(amount, str):
            goal = Goal("", goal_type, amount, duration, "QURAN", 0, call.today)
            for offset in range(min(duration or 1, 7)):
                day = call.today + timedelta(days=offset)
                verses = self._range_goal_slice(goal, day)
                if not verses:
                    break
                week.append(
                    {"date": _day_start(day), "amount": _format_range(min(verses), max(verses))}
                )
        else:
            for offset in range(min(duration or 7, 7)):
                week.append(
                    {"date": _day_start(call.today + timedelta(days=offset)), "amount": amount}
                )
        return _Answer({"success": True, "data": {"week": week}})

    # -- activity days and streaks ----------------------------------------------------------

    def _add_activity_day(self, call: _Call) -> _Answer:
        body = call.body
        on = call.today
        if "date" in body:
            try:
                on = date.fromisoformat(body["date"])
            except ValueError as error:
                raise _ApiError(422, f"{body['date']!r} is not a date") from error
            if on > call.today:
                raise _ApiError(422, "date can't be in the future")
        verses = _verses_in(_parse_ranges(body["ranges"]))
        day = call.user.activity_days.get(on)
        if day is None:
            day = ActivityDay(self._day_id(call.user, on), on, body["type"], body["mushafId"])
            call.user.activity_days[on] = day
        day.seconds += body["seconds"]
        if not verses:
            day.manually_added_seconds += body["seconds"]
        day.verses |= verses
        day.mushaf_id = body["mushafId"]
        return _Answer({"success": True, "data": {}})

    def _list_activity_days(self, call: _Call) -> _Answer:
        query = call.query
        days = sorted(call.user.activity_days.values(), key=lambda d: d.date)
        if "from" in query:
            days = [d for d in days if d.date >= _parse_date(query["from"])]
        if "to" in query:
            days = [d for d in days if d.date <= _parse_date(query["to"])]
        if "type" in query:
            days = [d for d in days if d.type == query["type"]]
        if query.get("dateOrderBy", "desc") == "desc":
            days.reverse()
        page, pagination = _relay_page(days, lambda d: d.date.isoformat(), query)
        goal = self._quran_goal(call.user)
        data = [self._day_report(call.user, goal, d.date, d.mushaf_id) for d in page]
        return _Answer({"success": True, "data": data, "pagination": pagination})

    def _estimate_reading_time(self, call: _Call) -> _Answer:
        verses = _verses_in(_parse_ranges([call.query["ranges"]]))
        return _Answer({"success": True, "data": {"seconds": len(verses) * SECONDS_PER_VERSE}})

    @staticmethod
    def _streak_runs(user: UserState) -> list[tuple[date, date]]:
        dates = sorted(d.date for d in user.activity_days.values() if d.type == "QURAN")
        runs: list[tuple[date, date]] = []
        for day in dates:
            if runs and day == runs[-1][1] + timedelta(days=1):
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
        return runs

    def _list_streaks(self, call: _Call) -> _Answer:
        query = call.query
        yesterday = call.today - timedelta(days=1)
        runs = self._streak_runs(call.user)
        if "from" in query:
            runs = [r for r in runs if r[1] >= _parse_date(query["from"])]
        if "to" in query:
            runs = [r for r in runs if r[0] <= _parse_date(query["to"])]
        items: list[dict[str, Any]] = []
        for start, end in runs:
            status = "ACTIVE" if end >= yesterday else "BROKEN"
            if query.get("status", status) != status:
                continue
            item: dict[str, Any] = {"id": self._day_id(call.user, start).replace("c", "s", 1)}
            if self.contract == "production":
                item |= {
                    "startDate": f"{start.isoformat()}T00:00:00.000Z",
                    "endDate": f"{end.isoformat()}T23:59:59.999Z",
                    "type": "QURAN",
                }
            else:
                item |= {"startDate": start.isoformat(), "endDate": end.isoformat()}
            item |= {"status": status, "days": (end - start).days + 1}
            items.append(item)
        if query.get("orderBy", "startDate") == "days":
            items.sort(key=lambda i: (i["days"], i["startDate"]))
        else:
            items.sort(key=lambda i: str(i["startDate"]))
        if query.get("sortOrder", "desc") == "desc":
            items.reverse()
        page, pagination = _relay_page(items, lambda i: str(i["id"]), query)
        return _Answer({"success": True, "data": page, "pagination": pagination})

    def current_streak_days(self, sub: str, today: date) -> int:
        """The streak the user is on as of `today` (their local date)."""
        for start, end in reversed(self._streak_runs(self.users[sub])):
            if end >= today - timedelta(days=1) and end <= today:
                return (end - start).days + 1
        return 0

    def _current_streak_days(self, call: _Call) -> _Answer:
        days = self.current_streak_days(call.user.sub, call.today)
        data: Any = {"days": days} if self.contract == "production" else [{"days": days}]
        return _Answer({"success": True, "data": data})

    # -- profile and sync -------------------------------------------------------------------

    def _profile(self, call: _Call) -> _Answer:
        user = call.user
        avatar = f"https://avatars.example.com/{user.sub}.png"
        profile: dict[str, Any] = {
            "id": user.sub,
            "avatarUrls": {"small": avatar, "medium": avatar, "large": avatar},
            "settings": {"ayahLanguages": [], "reflectionLanguages": []},
            "createdAt": user.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "joiningYear": user.created_at.year,
            "username": user.sub,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "verified": False,
            "postAs": False,
            "postsCount": len(user.posts),
            "followersCount": 0,
            "likesCount": 0,
            "isAdmin": False,
            "languageIsoCode": "en",
        }
        if self.contract == "production" and call.query.get("qdc") == "true":
            profile |= {"email": user.email, "isPasswordSet": True}
        return _Answer(profile)

    def _sync_head(self, call: _Call) -> _Answer:
        user = call.user
        head = user.last_mutation_at or 0
        data: dict[str, Any] = {"lastMutationAt": head}
        if call.query.get("metadataOnly") != "true":
            since = float(call.query["mutationsSince"])
            limit = int(float(call.query.get("limit", "100")))
            page = int(float(call.query.get("page", "1")))
            newer = [m for m in user.mutations if m.timestamp > since]
            chunk = newer[(page - 1) * limit : page * limit]
            data = {
                "mutations": [
                    {
                        "type": m.type,
                        "resource": m.resource,
                        "resourceId": m.resource_id,
                        "timestamp": m.timestamp,
                        **({"data": m.data} if m.data is not None else {}),
                    }
                    for m in chunk
                ],
                "page": page,
                "limit": limit,
                "total": len(newer),
                "hasMore": page * limit < len(newer),
                "lastMutationAt": head,
            }
        return _Answer({"success": True, "data": data}, headers={"X-Mutation-At": str(head)})

    # -- notes ------------------------------------------------------------------------------

    @staticmethod
    def _note_json(note: Note, *, with_entities: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": note.id,
            "createdAt": _iso_z(note.created_at),
            "updatedAt": _iso_z(note.updated_at),
            "body": note.body,
            "ranges": list(note.ranges),
        }
        if with_entities and note.attached_entities:
            data["attachedEntities"] = note.attached_entities
        return data

    def _user_note(self, call: _Call) -> Note:
        note = call.user.notes.get(call.path_params["noteId"])
        if note is None:
            raise _ApiError(404, "note not found")
        return note

    def _share(self, call: _Call, note: Note) -> _Answer | None:
        """Publish to QuranReflect; returns the web client's failure shape if a fault is armed."""
        if self._share_failures > 0:
            self._share_failures -= 1
            return _Answer({"error": True, "note": self._note_json(note)}, documented=False)
        note.post_id = next(self._post_ids)
        call.user.posts.append(
            {"postId": note.post_id, "noteId": note.id, "body": note.body, "ranges": note.ranges}
        )
        return None

    def _create_note(self, call: _Call) -> _Answer:
        body = call.body
        ranges = list(body.get("ranges", []))
        _parse_ranges(ranges)
        now = call.now
        note = Note(
            id=_new_id(),
            sequence=next(self._note_sequence),
            body=body["body"],
            ranges=ranges,
            created_at=now,
            updated_at=now,
            save_to_qr=bool(body["saveToQR"]),
        )
        if "attachedEntity" in body:
            note.attached_entities.append(body["attachedEntity"])
        call.user.notes[note.id] = note
        mutation = Mutation("CREATE", "NOTE", note.id, 0, self._note_json(note))
        failed = self._share(call, note) if note.save_to_qr else None
        if failed is not None:
            failed.mutation = mutation
            return failed
        return _Answer({"success": True, "data": self._note_json(note)}, mutation=mutation)

    def _list_notes(self, call: _Call) -> _Answer:
        query = call.query
        newest = query.get("sortBy", "newest") == "newest"
        notes = sorted(call.user.notes.values(), key=lambda n: n.sequence, reverse=newest)
        limit = int(float(query.get("limit", "20")))
        if "cursor" in query:
            raw = _decode_cursor(query["cursor"])
            if not raw.isdigit():
                raise _ApiError(400, "cursor is not valid")
            after = int(raw)
            notes = [n for n in notes if (n.sequence < after if newest else n.sequence > after)]
        page = notes[:limit]
        pagination: dict[str, Any] = {
            "hasNextPage": len(notes) > limit,
            "hasPreviousPage": "cursor" in query,
        }
        if page:
            pagination["startCursor"] = _encode_cursor(str(page[0].sequence))
            pagination["endCursor"] = _encode_cursor(str(page[-1].sequence))
        data = [self._note_json(n) for n in page]
        return _Answer({"success": True, "data": data, "pagination": pagination})

    def _notes_touching(self, user: UserState, start: int, end: int) -> list[Note]:
        found = [
            note
            for note in user.notes.values()
            if any(s <= end and start <= e for s, e in _parse_ranges(note.ranges))
        ]
        return sorted(found, key=lambda n: n.sequence, reverse=True)

    def _notes_by_verse(self, call: _Call) -> _Answer:
        index = _parse_key(call.path_params["verseKey"])
        notes = self._notes_touching(call.user, index, index)
        return _Answer({"success": True, "data": [self._note_json(n) for n in notes]})

    def _query_span(self, call: _Call) -> tuple[int, int]:
        start, end = _parse_key(call.query["from"]), _parse_key(call.query["to"])
        if start > end:
            raise _ApiError(422, "from must not come after to")
        return start, end

    def _notes_by_range(self, call: _Call) -> _Answer:
        notes = self._notes_touching(call.user, *self._query_span(call))
        return _Answer({"success": True, "data": [self._note_json(n) for n in notes]})

    def _count_notes(self, call: _Call) -> _Answer:
        start, end = self._query_span(call)
        counts: dict[str, int] = {}
        for note in call.user.notes.values():
            for index in _verses_in(_parse_ranges(note.ranges)):
                if start <= index <= end:
                    counts[_verse_key(index)] = counts.get(_verse_key(index), 0) + 1
        return _Answer({"success": True, "data": counts})

    def _get_note(self, call: _Call) -> _Answer:
        note = self._user_note(call)
        with_entities = call.query.get("withAttachedEntities", "true") == "true"
        return _Answer(
            {"success": True, "data": self._note_json(note, with_entities=with_entities)}
        )

    def _update_note(self, call: _Call) -> _Answer:
        note = self._user_note(call)
        note.body = call.body["body"]
        note.updated_at = call.now
        mutation = Mutation("UPDATE", "NOTE", note.id, 0, self._note_json(note))
        if call.body.get("saveToQR") and note.post_id is None:
            note.save_to_qr = True
            failed = self._share(call, note)
            if failed is not None:
                failed.mutation = mutation
                return failed
        return _Answer({"success": True, "data": self._note_json(note)}, mutation=mutation)

    def _delete_note(self, call: _Call) -> _Answer:
        note = self._user_note(call)
        del call.user.notes[note.id]
        mutation = Mutation("DELETE", "NOTE", note.id, 0)
        return _Answer({"success": True, "data": {"success": True}}, mutation=mutation)

    def _publish_note(self, call: _Call) -> _Answer:
        note = self._user_note(call)
        ranges = list(call.body.get("ranges", note.ranges))
        _parse_ranges(ranges)
        post_id = next(self._post_ids)
        call.user.posts.append(
            {"postId": post_id, "noteId": note.id, "body": call.body["body"], "ranges": ranges}
        )
        note.post_id = post_id
        mutation = Mutation("UPDATE", "NOTE", note.id, 0, self._note_json(note))
        return _Answer(
            {"success": True, "data": {"success": True, "postId": post_id}}, mutation=mutation
        )


def _out_of_sync(message: str) -> JSONResponse:
    return JSONResponse(
        {"success": False, "error": {"code": "OutOfSyncError", "message": message}}, 409
    )


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000Z"


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise _ApiError(422, f"{text!r} is not a date") from error


def _multi(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in items:
        grouped.setdefault(name, []).append(value)
    return grouped


def _with_query(url: str, fields: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(fields)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# --------------------------------------------------------------------------------------------
# Command line: python -m sandbox.fake_qf --port 8765 --contract 2026-03-29
# --------------------------------------------------------------------------------------------


async def _run(arguments: argparse.Namespace) -> None:
    fake = FakeQuranFoundation(
        contract=arguments.contract,
        client_id=arguments.client_id,
        client_secret=arguments.client_secret,
        access_token_ttl=arguments.access_token_ttl,
        strict=not arguments.lenient,
    )
    server = await serve_asgi(fake.app, arguments.host, arguments.port)
    print(f"Fake Quran Foundation ({arguments.contract}) at {server.url}", flush=True)
    print(f"  QF_API_BASE_URL={server.url}/auth", flush=True)
    print(f"  QF_OAUTH_BASE_URL={server.url}", flush=True)
    print(f"  QF_CLIENT_ID={fake.client_id} QF_CLIENT_SECRET={fake.client_secret}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
        for problem in fake.validation_errors:
            print(f"spec violation: {problem}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake Quran Foundation server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--contract", choices=["production", "2026-03-29"], default="production")
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--access-token-ttl", type=float, default=3600)
    parser.add_argument(
        "--lenient", action="store_true", help="record spec violations but still serve them"
    )
    asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
