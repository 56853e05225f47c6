"""The fake's configuration and memory, its clock, accounts, and the log of what it received.

`FakeState` is the base the concerns in the sibling modules (OAuth, faults, goals, activity,
notes, QuranReflect, sync) are mixins over; `app.FakeQuranFoundation` puts them together.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from starlette.types import Scope

from sandbox.quran_foundation.model import (
    DEMO_EMAIL,
    DEMO_NAME,
    DEMO_SUB,
    PRELIVE_SCOPES,
    PRODUCTION_SCOPES,
    AccessToken,
    AuthorizationCode,
    FakeContract,
    Fault,
    OAuthCall,
    RecordedRequest,
    RefreshToken,
    UserState,
)
from sandbox.spec_validation import SpecValidator, ValidationIssue


class FakeState:
    """Configuration and state; see `FakeQuranFoundation` for the constructor's arguments."""

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
        if contract not in ("production", "prelive", "2026-03-29"):
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
            PRODUCTION_SCOPES if contract == "production" else PRELIVE_SCOPES
        )
        #: Scopes the "user" leaves unticked on the consent screen: left out of every grant.
        self.withheld_scopes: set[str] = set()
        #: Redirect URIs the client registered; None accepts any (the demo's URL varies).
        self.allowed_redirect_uris: set[str] | None = None
        #: The account that approves the next authorization request.
        self.next_login_sub = DEMO_SUB
        self.revoke_family_on_reuse = True
        #: The id_token's `iss`; None: the origin the token request reached (Hydra's public
        #: URL, which is what a client configured with that OAuth base expects).
        self.issuer: str | None = None
        self._issuer_seen = "https://fake-qf.invalid/"

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
        self._faults: list[Fault] = []
        #: Seconds every User API request waits before it is handled (a distant, busy server),
        #: benchmarks set it, and tests that tell sequential round trips from concurrent ones.
        self.latency: float = 0.0
        self._deny_next: list[str] = []
        self._share_failures = 0
        self._codes: dict[str, AuthorizationCode] = {}
        self._access_tokens: dict[str, AccessToken] = {}
        self._refresh_tokens: dict[str, RefreshToken] = {}
        self._note_sequence = itertools.count(1)
        self._post_ids = itertools.count(1001)
        #: QuranReflect posts by id, everyone's (`reflect.QuranReflect.add_post` arranges them).
        self.posts: dict[int, dict[str, Any]] = {}
        self.seed_user(DEMO_SUB, name=DEMO_NAME, email=DEMO_EMAIL)

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

    # -- what the fake received -------------------------------------------------------------

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

    def _note_validation(
        self, method: str, path: str, issues: Iterable[ValidationIssue | str]
    ) -> None:
        for issue in issues:
            self.validation_errors.append(f"{method} {path}: {issue}")
