"""`FakeQuranFoundation`: the concerns put together as one ASGI app, and the User API dispatch.

Every User API request is validated against the contract's OpenAPI file, authenticated (token,
client id, scope), then routed by (method, path template) to the concern that answers it; the
answer is checked against the spec too, so a bug in the fake shows up in `response_errors`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.quran_foundation.activity import ActivityDays
from sandbox.quran_foundation.errors import ApiError, api_error
from sandbox.quran_foundation.faults import FaultInjection, RecordingAndFaults
from sandbox.quran_foundation.formats import multi_dict
from sandbox.quran_foundation.goals import Goals
from sandbox.quran_foundation.model import AccessToken, Answer, Call, FakeContract, Handler
from sandbox.quran_foundation.oauth import OAuthServer
from sandbox.quran_foundation.reading_sessions import ReadingSessions
from sandbox.quran_foundation.reflect import QuranReflect
from sandbox.quran_foundation.sync import NOTE_WRITES, MutationSync
from sandbox.spec_validation import ValidationIssue

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


class FakeQuranFoundation(
    OAuthServer, FaultInjection, Goals, ActivityDays, QuranReflect, MutationSync, ReadingSessions
):
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
        super().__init__(
            contract=contract,
            client_id=client_id,
            client_secret=client_secret,
            access_token_ttl=access_token_ttl,
            refresh_token_ttl=refresh_token_ttl,
            clock=clock,
            strict=strict,
            expired_token_status=expired_token_status,
            check_responses=check_responses,
        )
        self._handlers = self._build_handlers()

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
            middleware=[Middleware(RecordingAndFaults, fake=self)],
        )

    def _build_handlers(self) -> dict[tuple[str, str], Handler]:
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
            ("POST", "/v1/reading-sessions"): self._record_reading_session,
            ("GET", "/v1/reading-sessions"): self._list_reading_sessions,
            ("GET", "/v1/notes/by-attached-entity"): self._notes_by_attached_entity,
            ("GET", "/v1/posts/feed"): self._feed,
            ("GET", "/v1/posts/{id}"): self._post,
            ("GET", "/v1/posts/by-verse/{verseKey}"): self._my_posts_by_verse,
        }

    # -- User API dispatch ------------------------------------------------------------------

    async def _user_api(self, request: Request) -> Response:
        method = request.method.upper()
        base = "/auth" if request.url.path.startswith("/auth/") else "/quran-reflect"
        api_path = "/" + str(request.path_params["api_path"])
        full_path = base + api_path
        headers = {name.lower(): value for name, value in request.headers.items()}
        query_multi = multi_dict(request.query_params.multi_items())
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
            return api_error(404, "; ".join(map(str, defects)) or None)
        # Authentication comes before input validation, as in the usual guard-then-pipe order.
        token_or_error = self._authenticate_user(headers, api_path)
        if isinstance(token_or_error, Response):
            return token_or_error
        if defects and self.strict:
            return api_error(400, "; ".join(map(_server_wording, [*defects, *discovery])))
        if discovery:
            return api_error(400, "; ".join(map(str, discovery)))
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
        call = Call(user, method, match.template, match.path_params, query, body, zone, self.now())
        guarded = self.contract == "2026-03-29" and (method, match.template) in NOTE_WRITES
        if guarded:
            conflict = self._check_mutation_base(user, query.get("lastMutationAt", ""))
            if conflict is not None:
                return conflict
        try:
            answer = handler(call)
        except ApiError as error:
            answer = Answer(
                {"success": False, "message": error.message, "type": error.type}, error.status
            )
        except (KeyError, ValueError, TypeError) as error:
            if self.strict:
                raise  # validated input cannot cause this: a bug in the fake, so be loud
            # Lenient mode lets malformed requests through; answer as the server would.
            answer = Answer(
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
    ) -> AccessToken | Response:
        token = headers.get("x-auth-token", "")
        state = self.access_token_state(token)
        if state == "expired":
            return api_error(self.expired_token_status, "The access token has expired")
        if state != "active":
            return api_error(401, "The access token is invalid")
        if headers.get("x-client-id") != self.client_id:
            return api_error(403, "x-client-id does not match the client the token was issued to")
        record = self._access_tokens[token]
        area = api_path.strip("/").split("/")[1] if api_path.count("/") >= 2 else ""
        needed = _SCOPE_BY_AREA.get(area)
        if needed is not None and not any(
            scope == needed or scope.startswith(needed + ".") for scope in record.grant.scopes
        ):
            return api_error(403, f"The access token lacks the {needed} scope")
        return record


def _server_wording(issue: ValidationIssue | str) -> str:
    """A refusal as QF's validation pipe words it: an undeclared parameter "should not exist"
    (class-validator's whitelist message), so clients meet the real server's phrasing."""
    if isinstance(issue, ValidationIssue) and issue.kind == "unknown_parameter":
        return f"property {issue.name} should not exist"
    return str(issue)
