"""The Quran Foundation client: one pooled HTTP client for OAuth and the User API.

What it takes care of, so that handlers do not have to:
- headers: `x-auth-token` and `x-client-id` everywhere, `x-timezone` only on the operations whose
  spec declares it (goals, streaks, crediting an activity day);
- tokens: refreshed early, and once more after a 401 (see `bot.qf.tokens`);
- retries and deadlines: `bot.qf.transport`;
- the User API itself, per linked user: `UserSession` (`bot.qf.session`), made by `for_user`;
- errors: every failure becomes a `bot.qf.errors.QFError` subclass.

Nothing here logs a token, a header or a token-endpoint body.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote_plus

import httpx

from bot.qf import oauth
from bot.qf.activity_api import reading_time_estimates
from bot.qf.contract import QFContract
from bot.qf.errors import InvalidResponse, QFError, error_from_response
from bot.qf.models import Profile, TokenSet
from bot.qf.notes_api import MutationPolicy
from bot.qf.observer import QFObserver
from bot.qf.session import UserSession
from bot.qf.tokens import DEFAULT_REFRESH_MARGIN, AccountStore, TokenVault
from bot.qf.transport import DEFAULT_LIMITS, DEFAULT_TIMEOUT, RetryPolicy, Sleep, Transport
from bot.qf.wire import envelope_data, parse_json, parse_model

log = logging.getLogger(__name__)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
        contract: QFContract = QFContract.PRODUCTION,
        send_last_mutation_at: bool | None = None,
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
        #: Now, as the token vault and the note reconciliation see it (injectable for tests).
        self.clock = clock or _utc_now
        self._owns_http = http is None
        if http is None:
            http = httpx.AsyncClient(timeout=timeout, limits=DEFAULT_LIMITS)
        if request_deadline is None:
            request_deadline = (timeout.connect or 0.0) + (timeout.read or 0.0) or 15.0
        self._transport = Transport(
            http,
            deadline=request_deadline,
            retry=retry or RetryPolicy(),
            sleep=sleep or asyncio.sleep,
            rng=rng or random.Random(),
        )
        #: What the User API accepts (see `bot.qf.contract`).
        self.contract = contract
        #: Shared by every session: reading-time estimates do not depend on the user.
        self.reading_time_estimates = reading_time_estimates()
        #: Shared by every session: once one learns QF wants `lastMutationAt`, all send it.
        #: Unset means "as the contract declares".
        self.mutations = MutationPolicy(
            contract.declares_mutation_stamp
            if send_last_mutation_at is None
            else send_last_mutation_at
        )
        self.vault = TokenVault(
            accounts, self.refresh, clock=self.clock, refresh_margin=refresh_margin
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
        return self.mutations.required

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

        Read from the id_token once `oauth.check_id_token` has accepted it (issuer, audience,
        expiry, and this login's nonce when `openid` was granted; see `oauth.unverified_claims`
        for why its signature is not checked); the name falls back to the User API profile,
        which also supplies an id when no `openid` scope was granted. A missing name is not an
        error: linking still works.
        """
        claims = oauth.unverified_claims(tokens.id_token)
        try:
            oauth.check_id_token(
                claims,
                client_id=self.client_id,
                issuer=self.oauth_base_url,
                now=self.clock(),
                expected_nonce=expected_nonce,
                openid_granted="openid" in tokens.scopes,
            )
        except oauth.IdTokenRejected as rejected:
            log.warning("id_token refused: %s", rejected.reason)
            raise QFError(None, rejected.reason, str(rejected)) from rejected
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
        payload = parse_json(response)
        try:
            return oauth.token_set_from(payload, now=self.clock())
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
        return parse_model(Profile, envelope_data(parse_json(response)))

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

    async def user_request(
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
        """One User API call as `user_id`: their token (refreshed once if refused), retries
        for reads, `X-Mutation-At` remembered; any failure raised as a `QFError`."""
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


#: What a 403 envelope says when the *token* is at fault (QF's spec allows 403 for an expired
#: token), as opposed to a missing scope or a client-id mismatch, which no refresh can mend.
_REFUSED_TOKEN_WORDS = ("expired", "invalid_token", "token_expired", "unauthorized")


def _token_refused(response: httpx.Response) -> bool:
    """401, or a 403 whose envelope says the token is invalid or expired (one refresh)."""
    if response.status_code == 401:
        return True
    if response.status_code != 403:
        return False
    error = error_from_response(response)
    said = f"{error.code or ''} {error.message}".lower()
    if any(word in said for word in _REFUSED_TOKEN_WORDS):
        return True
    return "token" in said and any(word in said for word in ("invalid", "not valid", "revoked"))
