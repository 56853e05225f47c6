"""The Quran Foundation client: one pooled HTTP client for OAuth and the User API.

What it takes care of, so that handlers do not have to:
- headers: `x-auth-token` and `x-client-id` everywhere, `x-timezone` only on the operations whose
  spec declares it (goals, streaks, crediting an activity day);
- tokens: refreshed early, and once more after a 401 (see `bot.qf.tokens`);
- retries: reads are retried with backoff and jitter; writes only when the request certainly
  never left (a refused connection), because QF has no idempotency keys;
- notes: `lastMutationAt` bookkeeping for the contracts that demand it, and a lookup before
  re-sending a note whose first attempt timed out, so a note is never lost or duplicated;
- errors: every failure becomes a `bot.qf.errors.QFError` subclass.

Nothing here logs a token, a header or a token-endpoint body.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

import httpx
from pydantic import BaseModel, ValidationError

from bot.qf import oauth
from bot.qf.errors import (
    BadRequest,
    InvalidResponse,
    OutOfSync,
    QFConnectionError,
    QFError,
    QFTimeout,
    Unprocessable,
    error_from_response,
)
from bot.qf.models import (
    QURAN_GOAL_TYPES,
    ActivityDay,
    GoalEstimate,
    GoalInput,
    GoalType,
    Note,
    NoteInput,
    NotePage,
    NoteSaved,
    Pagination,
    Profile,
    PublishResult,
    Streak,
    TodaysPlan,
    TokenSet,
    current_streak_days_from,
    seconds_from,
)
from bot.qf.observer import IgnoringObserver, QFObserver, operation_of
from bot.qf.tokens import DEFAULT_REFRESH_MARGIN, AccountStore, TokenVault

log = logging.getLogger(__name__)

#: Connect fast or give up; QF's slowest reads (today's plan, sync) finish well inside 10 s.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20)

#: Statuses worth asking again: rate limiting and a proxy or upstream that is briefly away.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

#: A note found by the post-timeout lookup counts as "ours" if QF created it this recently
#: before our request (room for clock skew between us and QF).
NOTE_MATCH_SKEW = dt.timedelta(minutes=5)

#: Upper bound on pages followed for relay-paginated lists (20 items each).
MAX_PAGES = 10

Sleep = Callable[[float], Awaitable[None]]
ModelT = TypeVar("ModelT", bound=BaseModel)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries and `budget` seconds per logical request."""

    max_attempts: int = 3
    budget: float = 10.0
    base_delay: float = 0.5
    max_delay: float = 4.0


class _Transport:
    """Sends requests: one attempt with a hard deadline, or several with retries."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        deadline: float,
        retry: RetryPolicy,
        sleep: Sleep,
        rng: random.Random,
    ) -> None:
        self.http = http
        self._deadline = deadline
        self._retry = retry
        self._sleep = sleep
        self._rng = rng
        self.observer: QFObserver = IgnoringObserver()

    async def send_once(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        started = time.monotonic()
        status = "network_error"
        try:
            # httpx's own timeouts live in the network layer; the outer deadline also bounds
            # transports without one (ASGI in tests) and slow-drip bodies.
            async with asyncio.timeout(self._deadline):
                response = await self.http.send(request)
            status = str(response.status_code)
        except TimeoutError as exc:
            status = "timeout"
            log.warning("QF %s %s: no answer within %.1f s", request.method, path, self._deadline)
            raise QFTimeout(f"{request.method} {path} timed out", ambiguous=True) from exc
        except httpx.TimeoutException as exc:
            status = "timeout"
            sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            log.warning("QF %s %s: %s", request.method, path, type(exc).__name__)
            raise QFTimeout(f"{request.method} {path} timed out", ambiguous=sent) from exc
        except httpx.TransportError as exc:
            # A refused or failed connect never reached QF; a connection that dropped while we
            # waited for the answer may have delivered the request.
            sent = not isinstance(exc, httpx.ConnectError | httpx.UnsupportedProtocol)
            log.warning("QF %s %s: %s", request.method, path, type(exc).__name__)
            raise QFConnectionError(
                f"{request.method} {path}: {type(exc).__name__}", ambiguous=sent
            ) from exc
        finally:
            self.observer.request_finished(
                operation_of(request.method, path), status, time.monotonic() - started
            )
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug("QF %s %s -> %s in %.0f ms", request.method, path, response.status_code,
                  elapsed_ms)
        return response

    async def send(
        self, build: Callable[[], httpx.Request], *, idempotent: bool
    ) -> httpx.Response:
        """Send, retrying what is safe to retry. Returns the last response, failed or not."""
        clock = _Budget()
        attempt = 0
        while True:
            attempt += 1
            request = build()
            try:
                response = await self.send_once(request)
            except (QFTimeout, QFConnectionError) as error:
                retryable = idempotent or not error.ambiguous
                delay = self._delay(attempt, clock, None) if retryable else None
                if delay is None:
                    raise
                reason = error.code or "network error"
            else:
                if not (idempotent and response.status_code in RETRYABLE_STATUSES):
                    return response
                retry_after = error_from_response(response).retry_after
                delay = self._delay(attempt, clock, retry_after)
                if delay is None:
                    return response
                reason = str(response.status_code)
            log.info("QF %s %s: %s, retry %d in %.2f s", request.method, request.url.path,
                     reason, attempt, delay)
            await clock.wait(self._sleep, delay)

    def _delay(self, attempt: int, clock: _Budget, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None when out of attempts or budget."""
        if attempt >= self._retry.max_attempts:
            return None
        if retry_after is not None:
            delay = retry_after
        else:
            ceiling = min(self._retry.max_delay, self._retry.base_delay * 2 ** (attempt - 1))
            # "Equal jitter": never less than half the backoff, so retries stay spread out
            # even when many chats hit the same outage at once.
            delay = ceiling / 2 + self._rng.uniform(0, ceiling / 2)
        if clock.elapsed() + delay > self._retry.budget:
            return None
        return delay


class _Budget:
    """Time spent on one logical request, counting waits at their requested length so that an
    injected (instant) sleep in tests is charged like a real one."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._correction = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self._started + self._correction

    async def wait(self, sleep: Sleep, delay: float) -> None:
        before = time.monotonic()
        await sleep(delay)
        self._correction += delay - (time.monotonic() - before)


class _MutationPolicy:
    """Whether note writes carry `lastMutationAt`: configured per environment, or learned the
    first time the server demands it, then kept for the life of the client."""

    def __init__(self, required: bool) -> None:
        self.required = required


def _parse_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidResponse(
            response.status_code, "invalid_response", "reply is not JSON"
        ) from exc


def _envelope_data(payload: Any) -> Any:
    if isinstance(payload, dict) and "data" in payload and (
        "success" in payload or len(payload) <= 2
    ):
        return payload["data"]
    return payload


def _split_range(verse_range: str) -> tuple[str, str]:
    start, _, end = verse_range.partition("-")
    return start, end or start


def _path_segment(value: str, *, safe: str = "") -> str:
    return quote(value, safe=safe)


def _reflect_base_for(api_base_url: str) -> str:
    """The user profile is a QuranReflect operation, served beside the User API:
    `https://apis.quran.foundation/auth` → `https://apis.quran.foundation/quran-reflect`."""
    root, _, last = api_base_url.rpartition("/")
    return f"{root}/quran-reflect" if last == "auth" else f"{api_base_url}/quran-reflect"


class QuranFoundationClient:
    """OAuth for linking, and per-user sessions (`for_user`) for the User API.

    One instance per process, sharing one `httpx.AsyncClient` (connection pooling). When `http`
    is given the caller owns it and `aclose` leaves it open.

    `timeout` configures the client this class creates; `request_deadline` (default: connect +
    read timeout) bounds each attempt as a whole, whatever the transport, and is what turns a
    late answer into an ambiguous `QFTimeout`. `sleep` and `rng` are injectable for tests.
    """

    def __init__(
        self,
        *,
        api_base_url: str,
        oauth_base_url: str,
        client_id: str,
        client_secret: str,
        accounts: AccountStore,
        send_last_mutation_at: bool = False,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        request_deadline: float | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        refresh_margin: dt.timedelta = DEFAULT_REFRESH_MARGIN,
        reflect_base_url: str | None = None,
    ) -> None:
        self.api_base_url = api_base_url.rstrip("/")
        self.reflect_base_url = (reflect_base_url or _reflect_base_for(self.api_base_url)).rstrip(
            "/"
        )
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._clock = clock or _utc_now
        self._owns_http = http is None
        if http is None:
            http = httpx.AsyncClient(timeout=timeout, limits=DEFAULT_LIMITS)
        if request_deadline is None:
            request_deadline = (timeout.connect or 0.0) + (timeout.read or 0.0) or 15.0
        self._transport = _Transport(
            http,
            deadline=request_deadline,
            retry=retry or RetryPolicy(),
            sleep=sleep or asyncio.sleep,
            rng=rng or random.Random(),
        )
        self._mutations = _MutationPolicy(send_last_mutation_at)
        self.vault = TokenVault(
            accounts, self.refresh, clock=self._clock, refresh_margin=refresh_margin
        )
        # httpx logs every URL at INFO and httpcore traces at DEBUG; neither belongs in our
        # logs. Respect a level someone set on purpose.
        for name in ("httpx", "httpcore"):
            library_log = logging.getLogger(name)
            if library_log.level == logging.NOTSET:
                library_log.setLevel(logging.WARNING)

    def observe(self, observer: QFObserver) -> None:
        """Report every HTTP attempt and token refresh to `observer` (metrics)."""
        self._transport.observer = observer
        self.vault.observer = observer

    async def aclose(self) -> None:
        if self._owns_http:
            await self._transport.http.aclose()

    @property
    def sends_last_mutation_at(self) -> bool:
        """True once note writes carry `lastMutationAt` (configured or learned)."""
        return self._mutations.required

    def for_user(self, telegram_user_id: int, *, timezone: str | None = None) -> UserSession:
        return UserSession(self, telegram_user_id, timezone)

    # --- OAuth -------------------------------------------------------------------------------

    def authorization_url(
        self,
        *,
        state: str,
        nonce: str,
        code_challenge: str,
        redirect_uri: str,
        scopes: Sequence[str],
    ) -> str:
        return oauth.build_authorization_url(
            self.oauth_base_url,
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            state=state,
            nonce=nonce,
            code_challenge=code_challenge,
        )

    async def exchange_code(
        self, *, code: str, code_verifier: str, redirect_uri: str
    ) -> TokenSet:
        return await self._token_grant(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> TokenSet:
        """A refresh grant. Prefer `UserSession` calls, which refresh through the vault
        (single-flight, stores the rotated token); this is the vault's own entry point."""
        return await self._token_grant(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (and with it its access tokens), e.g. on /logout."""
        response = await self._transport.send(
            lambda: self._oauth_request("/oauth2/revoke", {"token": refresh_token}),
            idempotent=True,
        )
        if not response.is_success:
            error = error_from_response(response)
            log.warning("QF token revocation failed: %s %s", error.status, error.code)
            raise error

    async def fetch_identity(
        self, tokens: TokenSet, *, expected_nonce: str | None = None
    ) -> tuple[str, str | None]:
        """(sub, display name) of the account `tokens` belong to.

        Read from the id_token (see `oauth.unverified_claims` for why its signature is not
        checked); the name falls back to the User API profile, which also supplies an id when no
        `openid` scope was granted. A missing name is not an error: linking still works.
        """
        claims = oauth.unverified_claims(tokens.id_token)
        if expected_nonce is not None and "nonce" in claims and claims["nonce"] != expected_nonce:
            raise QFError(None, "nonce_mismatch", "id_token nonce does not match the login")
        sub = claims.get("sub") or oauth.unverified_claims(tokens.access_token).get("sub")
        name = oauth.display_name_from(claims)
        if not sub or not name:
            try:
                profile = await self._profile_with_token(tokens.access_token)
            except QFError as error:
                if not sub:
                    raise
                log.info("profile lookup for a display name failed: %s", error.status)
            else:
                sub = sub or profile.id
                name = name or profile.display_name
        if not isinstance(sub, str) or not sub:
            raise InvalidResponse(None, "no_subject", "neither id_token nor profile names the user")
        return sub, name

    async def _token_grant(self, form: dict[str, str]) -> TokenSet:
        # Refresh and code grants are not idempotent (the refresh token rotates, a code is
        # single-use), so only a request that never left is retried.
        response = await self._transport.send(
            lambda: self._oauth_request("/oauth2/token", form), idempotent=False
        )
        if not response.is_success:
            error = error_from_response(response)
            log.warning("QF %s grant failed: %s %s", form["grant_type"], error.status, error.code)
            raise error
        payload = _parse_json(response)
        try:
            return oauth.token_set_from(payload, now=self._clock())
        except (ValueError, AttributeError) as exc:
            raise InvalidResponse(response.status_code, "invalid_token_reply", str(exc)) from exc

    def _oauth_request(self, path: str, form: Mapping[str, str]) -> httpx.Request:
        # RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
        credentials = f"{quote_plus(self.client_id)}:{quote_plus(self._client_secret)}"
        basic = base64.b64encode(credentials.encode()).decode("ascii")
        return self._transport.http.build_request(
            "POST",
            f"{self.oauth_base_url}{path}",
            data=dict(form),
            headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
        )

    async def _profile_with_token(self, access_token: str) -> Profile:
        response = await self._transport.send(
            lambda: self._api_request(
                "GET", "/v1/users/profile", access_token, base_url=self.reflect_base_url
            ),
            idempotent=True,
        )
        if not response.is_success:
            raise error_from_response(response)
        return _model(Profile, _envelope_data(_parse_json(response)))

    # --- User API plumbing (used by UserSession) ---------------------------------------------

    def _api_request(
        self,
        method: str,
        path: str,
        access_token: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        timezone: str | None = None,
        base_url: str | None = None,
    ) -> httpx.Request:
        headers = {
            "x-auth-token": access_token,
            "x-client-id": self.client_id,
            "Accept": "application/json",
        }
        if timezone:
            headers["x-timezone"] = timezone
        return self._transport.http.build_request(
            method, f"{base_url or self.api_base_url}{path}", params=params, json=json,
            headers=headers,
        )

    async def _user_request(
        self,
        user_id: int,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        timezone: str | None = None,
        base_url: str | None = None,
    ) -> httpx.Response:
        token = await self.vault.access_token(user_id)
        idempotent = method == "GET"

        def build() -> httpx.Request:
            return self._api_request(
                method, path, token, params=params, json=json, timezone=timezone,
                base_url=base_url,
            )

        response = await self._transport.send(build, idempotent=idempotent)
        if _token_refused(response):
            # Expired early, or revoked and re-issued elsewhere: one refresh, one retry. The
            # refusal means QF did not act on the request, so repeating a write is safe.
            token = await self.vault.refresh_after_rejection(user_id, token)
            response = await self._transport.send(build, idempotent=idempotent)
        await self._remember_mutation_header(user_id, response)
        if not response.is_success:
            error = error_from_response(response)
            log.warning("QF %s %s failed: %s %s %s", method, path, error.status, error.code,
                        error.message)
            raise error
        return response

    async def _remember_mutation_header(self, user_id: int, response: httpx.Response) -> None:
        value = response.headers.get("x-mutation-at")
        if value is None or not response.is_success:
            return
        try:
            stamp = int(float(value))
        except ValueError:
            log.info("ignoring unreadable X-Mutation-At %r", value)
            return
        await self.vault.record_mutation_at(user_id, stamp)


def _token_refused(response: httpx.Response) -> bool:
    """401, or the 403 that QF's spec also documents for an expired token."""
    if response.status_code == 401:
        return True
    return response.status_code == 403 and "expired" in response.text.lower()


def _model(model: type[ModelT], data: Any) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidResponse(None, "invalid_response", f"unexpected {model.__name__} shape: "
                              f"{exc.error_count()} errors") from exc


class UserSession:
    """The User API on behalf of one linked Telegram user, in their timezone."""

    def __init__(
        self, client: QuranFoundationClient, telegram_user_id: int, timezone: str | None
    ) -> None:
        self._client = client
        self.telegram_user_id = telegram_user_id
        self.timezone = timezone

    async def _get(
        self, path: str, params: Mapping[str, Any] | None = None, *, zoned: bool = False
    ) -> Any:
        response = await self._client._user_request(
            self.telegram_user_id, "GET", path, params=params,
            timezone=self.timezone if zoned else None,
        )
        return _parse_json(response)

    async def _write(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        zoned: bool = False,
    ) -> Any:
        response = await self._client._user_request(
            self.telegram_user_id, method, path, params=params, json=json,
            timezone=self.timezone if zoned else None,
        )
        return _parse_json(response) if response.content else {}

    # --- profile -----------------------------------------------------------------------------

    async def profile(self) -> Profile:
        response = await self._client._user_request(
            self.telegram_user_id, "GET", "/v1/users/profile",
            base_url=self._client.reflect_base_url,
        )
        return _model(Profile, _envelope_data(_parse_json(response)))

    # --- goals -------------------------------------------------------------------------------

    async def create_goal(self, goal: GoalInput, mushaf_id: int) -> str:
        payload = await self._write(
            "POST", "/v1/goals", params={"mushafId": mushaf_id}, json=goal.to_wire(), zoned=True
        )
        data = _envelope_data(payload)
        goal_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(goal_id, str | int) or goal_id == "":
            raise InvalidResponse(None, "invalid_response", "goal created without an id")
        return str(goal_id)

    async def todays_plan(self, goal_type: GoalType | str, mushaf_id: int) -> TodaysPlan:
        kind = GoalType(goal_type)
        payload = await self._get(
            "/v1/goals/get-todays-plan", {"type": kind.value, "mushafId": mushaf_id}, zoned=True
        )
        plan = _model(TodaysPlan, _envelope_data(payload) or {})
        return plan.model_copy(update={"goal_type": kind})

    async def find_todays_plan(self, mushaf_id: int) -> TodaysPlan | None:
        """Today's plan of whichever Quran goal the user has (one made on Quran.com has an
        unknown type, and the endpoint needs one), or None without a goal."""
        for kind in QURAN_GOAL_TYPES:
            try:
                plan = await self.todays_plan(kind, mushaf_id)
            except (BadRequest, Unprocessable) as error:
                log.info("today's plan for %s refused: %s", kind.value, error.code)
                continue
            if plan.has_active_goal:
                return plan
        return None

    async def update_goal(self, goal_id: str, goal: GoalInput, mushaf_id: int) -> None:
        await self._write(
            "PUT", f"/v1/goals/{_path_segment(goal_id)}", params={"mushafId": mushaf_id},
            json=goal.to_wire(), zoned=True,
        )

    async def delete_goal(self, goal_id: str, category: str = "QURAN") -> None:
        await self._write(
            "DELETE", f"/v1/goals/{_path_segment(goal_id)}", params={"category": category},
            zoned=True,
        )

    async def estimate_goal(
        self,
        goal_type: GoalType | str,
        amount: int | str,
        mushaf_id: int,
        duration: int | None = None,
    ) -> GoalEstimate:
        params: dict[str, Any] = {
            "type": GoalType(goal_type).value, "amount": amount, "mushafId": mushaf_id,
        }
        if duration is not None:
            params["duration"] = duration
        payload = await self._get("/v1/goals/estimate", params, zoned=True)
        return _model(GoalEstimate, _envelope_data(payload) or {})

    # --- notes -------------------------------------------------------------------------------

    async def create_note(self, note: NoteInput) -> NoteSaved:
        """Create a note; never twice, even when the first answer is lost.

        If the request may have reached QF (timeout or dropped connection after sending), the
        note is looked up by its range before trying again once. If that lookup fails too, the
        original error is raised and nothing is re-sent: the caller keeps the draft.
        """
        started = self._client._clock()
        try:
            payload = await self._note_write("POST", "/v1/notes", json=note.to_wire())
        except (QFTimeout, QFConnectionError) as error:
            if not error.ambiguous:
                raise
            log.info("note create answer lost (%s); checking whether it was saved", error.code)
            try:
                existing = await self._find_created_note(note, since=started - NOTE_MATCH_SKEW)
            except QFError as lookup_error:
                log.warning("note lookup after lost answer failed: %s", lookup_error)
                raise error from lookup_error
            if existing is not None:
                log.info("note had been saved; not sending it again")
                return NoteSaved(note=existing)
            payload = await self._note_write("POST", "/v1/notes", json=note.to_wire())
        return self._note_saved(payload, sharing=note.save_to_qr)

    def _note_saved(self, payload: Any, *, sharing: bool) -> NoteSaved:
        # Quran.com's own client handles `{error: true, note: {...}}`: saved, but sharing to
        # QuranReflect failed. No spec documents it, so accept it wherever it appears.
        for candidate in (payload, _envelope_data(payload)):
            if isinstance(candidate, dict) and candidate.get("error") and "note" in candidate:
                log.info("note saved but QuranReflect sharing failed (sharing asked: %s)", sharing)
                return NoteSaved(note=_model(Note, candidate["note"]), shared_failed=True)
        return NoteSaved(note=_model(Note, _envelope_data(payload)))

    async def _find_created_note(self, note: NoteInput, *, since: dt.datetime) -> Note | None:
        if not note.ranges:
            return None
        start, end = _split_range(note.ranges[0])
        wanted = sorted(note.ranges)
        matches = [
            candidate
            for candidate in await self.notes_by_range(start, end)
            if candidate.body == note.body
            and (not candidate.ranges or sorted(candidate.ranges) == wanted)
            and candidate.created_at >= since
        ]
        return max(matches, key=lambda candidate: candidate.created_at, default=None)

    async def list_notes(
        self, cursor: str | None = None, limit: int = 20, sort_by: str = "newest"
    ) -> NotePage:
        params: dict[str, Any] = {"limit": max(1, min(limit, 50)), "sortBy": sort_by}
        if cursor:
            params["cursor"] = cursor
        payload = await self._get("/v1/notes", params)
        notes = [_model(Note, item) for item in _list_data(payload)]
        pagination = payload.get("pagination") if isinstance(payload, dict) else None
        return NotePage(notes=notes, pagination=_model(Pagination, pagination or {}))

    async def notes_by_verse(self, verse_key: str) -> list[Note]:
        # The spec calls the verse key a query parameter, but it is the path segment (that is
        # what Quran.com's own client sends; a duplicate query parameter would be undeclared).
        payload = await self._get(f"/v1/notes/by-verse/{_path_segment(verse_key, safe=':')}")
        return [_model(Note, item) for item in _list_data(payload)]

    async def notes_by_range(self, from_key: str, to_key: str) -> list[Note]:
        payload = await self._get("/v1/notes/by-range", {"from": from_key, "to": to_key})
        return [_model(Note, item) for item in _list_data(payload)]

    async def count_notes_in_range(self, from_key: str, to_key: str) -> dict[str, int]:
        payload = await self._get(
            "/v1/notes/count-within-range", {"from": from_key, "to": to_key}
        )
        data = _envelope_data(payload)
        if not isinstance(data, dict):
            return {}
        return {
            str(key): int(value)
            for key, value in data.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }

    async def get_note(self, note_id: str) -> Note:
        payload = await self._get(f"/v1/notes/{_path_segment(note_id)}")
        return _model(Note, _envelope_data(payload))

    async def update_note(self, note_id: str, body: str, save_to_qr: bool | None = None) -> Note:
        wire: dict[str, Any] = {"body": body}
        if save_to_qr is not None:
            wire["saveToQR"] = save_to_qr
        payload = await self._note_write("PATCH", f"/v1/notes/{_path_segment(note_id)}",
                                         json=wire)
        return self._note_saved(payload, sharing=bool(save_to_qr)).note

    async def delete_note(self, note_id: str) -> None:
        await self._note_write("DELETE", f"/v1/notes/{_path_segment(note_id)}")

    async def publish_note(
        self, note_id: str, body: str, ranges: Sequence[str] | None = None
    ) -> PublishResult:
        wire: dict[str, Any] = {"body": body}
        if ranges:
            wire["ranges"] = list(ranges)
        payload = await self._note_write(
            "POST", f"/v1/notes/{_path_segment(note_id)}/publish", json=wire
        )
        return _model(PublishResult, _envelope_data(payload) or {})

    async def _note_write(self, method: str, path: str, *, json: Any = None) -> Any:
        """A note mutation, with `lastMutationAt` when the server wants it (docs §6 "Bot rule").

        Bounded, never a loop: a server that first reveals it wants the stamp (400/422 naming
        it) costs one request, then the write runs as if configured; a conflict (409, or a
        400/422 about the stamp we sent) costs one retry. Every refusal here means "not
        applied", so no retry can duplicate anything.
        """
        policy = self._client._mutations
        learning = not policy.required
        params: dict[str, Any] = {}
        if policy.required:
            params["lastMutationAt"] = await self._mutation_base()
        try:
            return await self._write(method, path, params=params or None, json=json)
        except QFError as error:
            if not _demands_mutation_stamp(error):
                raise
            if learning:
                log.info("QF demands lastMutationAt on note writes; sending it from now on")
                policy.required = True
                return await self._note_write(method, path, json=json)
            if isinstance(error, OutOfSync) and error.first_sync:
                params["lastMutationAt"] = -1
            else:
                params["lastMutationAt"] = await self._head_or_first_sync()
            log.info("retrying note %s once with a fresh lastMutationAt", method)
            return await self._write(method, path, params=params, json=json)

    async def _mutation_base(self) -> int:
        stored = await self._client.vault.last_mutation_at(self.telegram_user_id)
        if stored is not None:
            return stored
        return await self._head_or_first_sync()

    async def _head_or_first_sync(self) -> int:
        try:
            return await self.sync_head()
        except (QFTimeout, QFConnectionError, InvalidResponse) as error:
            log.info("sync head unavailable (%s); sending lastMutationAt=-1", error.code)
        except QFError as error:
            if error.status is None or error.status == 401:
                raise  # NotLinked / LinkExpired: no write can succeed
            log.info("sync head refused (%s %s); sending lastMutationAt=-1", error.status,
                     error.code)
        return -1

    # --- sync --------------------------------------------------------------------------------

    async def sync_head(self) -> int:
        """QF's latest mutation time (ms) for this user; stored for the next note write."""
        stored = await self._client.vault.last_mutation_at(self.telegram_user_id)
        response = await self._client._user_request(
            self.telegram_user_id, "GET", "/v1/sync",
            params={"mutationsSince": max(stored or 0, 0), "metadataOnly": "true"},
        )
        data = _envelope_data(_parse_json(response))
        value = data.get("lastMutationAt") if isinstance(data, dict) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            header = response.headers.get("x-mutation-at")
            try:
                value = int(float(header)) if header is not None else None
            except ValueError:
                value = None
        if value is None:
            raise InvalidResponse(response.status_code, "invalid_response", "sync head missing")
        head = int(value)
        await self._client.vault.record_mutation_at(self.telegram_user_id, head)
        return head

    # --- reading activity and streaks --------------------------------------------------------

    async def add_activity_day(
        self,
        ranges: Sequence[str],
        seconds: int,
        mushaf_id: int,
        date: dt.date | None = None,
    ) -> None:
        """Credit reading. Never retried after an ambiguous failure (credit could double): the
        `QFTimeout`/`QFConnectionError` with `ambiguous=True` reaches the caller."""
        wire: dict[str, Any] = {
            "type": "QURAN",
            "seconds": max(1, int(seconds)),
            "ranges": list(ranges),
            "mushafId": mushaf_id,
        }
        if date is not None:
            wire["date"] = date.isoformat()
        await self._write("POST", "/v1/activity-days", json=wire, zoned=True)

    async def list_activity_days(self, from_date: dt.date, to_date: dt.date) -> list[ActivityDay]:
        params: dict[str, Any] = {
            "from": from_date.isoformat(), "to": to_date.isoformat(), "type": "QURAN",
            "first": 20,
        }
        return [
            _model(ActivityDay, item) for item in await self._relay_pages("/v1/activity-days",
                                                                           params)
        ]

    async def estimate_reading_time(self, ranges: Sequence[str]) -> int:
        """Seconds an average reader needs for `ranges`, rounded up."""
        payload = await self._get(
            "/v1/activity-days/estimate-reading-time", {"ranges": ",".join(ranges)}
        )
        data = _envelope_data(payload)
        return seconds_from(data.get("seconds") if isinstance(data, dict) else None)

    async def list_streaks(self, *, status: str | None = None) -> list[Streak]:
        params: dict[str, Any] = {"type": "QURAN", "first": 20}
        if status:
            params["status"] = status
        items = await self._relay_pages("/v1/streaks", params, zoned=True)
        return [_model(Streak, item) for item in items]

    async def current_streak_days(self) -> int:
        payload = await self._get(
            "/v1/streaks/current-streak-days", {"type": "QURAN"}, zoned=True
        )
        return current_streak_days_from(_envelope_data(payload))

    async def _relay_pages(
        self, path: str, params: dict[str, Any], *, zoned: bool = False
    ) -> list[Any]:
        items: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page_params = dict(params, after=cursor) if cursor else params
            payload = await self._get(path, page_params, zoned=zoned)
            items.extend(_list_data(payload))
            pagination = _model(
                Pagination, (payload.get("pagination") if isinstance(payload, dict) else None)
                or {}
            )
            if not pagination.has_next_page or not pagination.end_cursor:
                break
            cursor = pagination.end_cursor
        return items


def _list_data(payload: Any) -> list[Any]:
    data = _envelope_data(payload)
    return list(data) if isinstance(data, list) else []


def _demands_mutation_stamp(error: QFError) -> bool:
    if isinstance(error, OutOfSync):
        return True
    return error.status in (400, 422) and error.names("lastmutationat")
