"""The OAuth2 server (Ory Hydra, as QF runs it): authorization code with PKCE, token refresh
with rotation, revocation, userinfo.

Part of `FakeQuranFoundation`. Reusing a rotated refresh token or an authorization code
revokes the whole token family, as Hydra does; `issue_tokens` skips the browser dance for the
demo and for tests that start linked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sandbox.quran_foundation.errors import oauth_error
from sandbox.quran_foundation.formats import b64url, iso_z, jwt, multi_dict, new_id, with_query
from sandbox.quran_foundation.model import (
    AccessToken,
    AuthorizationCode,
    Grant,
    OAuthCall,
    RefreshToken,
)
from sandbox.quran_foundation.state import FakeState

_AUTH_CODE_TTL: Final = timedelta(minutes=10)


class OAuthServer(FakeState):
    # -- tokens without the browser, and their state -----------------------------------------

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
        grant = Grant(id=new_id(), sub=sub, scopes=scope_list)
        return self._issue(grant, nonce=nonce, with_id_token=True)

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

    # -- endpoints ----------------------------------------------------------------------------

    def _scope_known(self, scope: str) -> bool:
        return scope in self.approved_scopes or scope.split(".", 1)[0] in self.approved_scopes - {
            "openid",
            "offline_access",
        }

    async def _authorize(self, request: Request) -> Response:
        params = request.query_params
        issues = self.oauth_validator.check_request(
            "GET", "/oauth2/auth", multi_dict(params.multi_items()), dict(request.headers), None
        )
        self._note_validation("GET", "/oauth2/auth", issues)
        if params.get("client_id") != self.client_id:
            return oauth_error(401, "invalid_client", "The client is not registered.")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or (
            self.allowed_redirect_uris is not None
            and redirect_uri not in self.allowed_redirect_uris
        ):
            return oauth_error(
                400, "invalid_request", "The requested redirect_uri is not allowed for this client."
            )
        state = params.get("state", "")

        def back(**fields: str) -> Response:
            return RedirectResponse(with_query(redirect_uri, {**fields, "state": state}), 302)

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
        code = AuthorizationCode(
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
                oauth_error(401, "invalid_client", "Client authentication failed: use HTTP Basic."),
            )
        client_id, secret = credentials
        if not (
            hmac.compare_digest(client_id, self.client_id)
            and hmac.compare_digest(secret, self.client_secret)
        ):
            return (
                True,
                client_id,
                oauth_error(401, "invalid_client", "Client authentication failed."),
            )
        body_issues = [issue for issue in issues if issue.kind != "security"]
        if body_issues:
            return (
                True,
                client_id,
                oauth_error(400, "invalid_request", "; ".join(map(str, body_issues))),
            )
        return True, client_id, None

    async def _token(self, request: Request) -> Response:
        # Hydra's issuer is its public URL: the origin this token request reached.
        self._issuer_seen = str(request.base_url)
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
        return oauth_error(
            400, "unauthorized_client", "Only authorization_code and refresh_token are allowed."
        )

    def _exchange_code(self, form: Mapping[str, str]) -> JSONResponse:
        code = self._codes.get(form.get("code", ""))
        invalid = "The authorization grant is invalid, expired, or has already been used."
        if code is None or code.client_id != self.client_id:
            return oauth_error(400, "invalid_grant", invalid)
        if code.used:
            if code.grant is not None and self.revoke_family_on_reuse:
                code.grant.revoked = True
            return oauth_error(400, "invalid_grant", invalid)
        if self.now() >= code.expires_at:
            return oauth_error(400, "invalid_grant", invalid)
        if form.get("redirect_uri") != code.redirect_uri:
            return oauth_error(
                400, "invalid_grant", "The redirect_uri does not match the authorization request."
            )
        verifier = form.get("code_verifier")
        if not verifier:
            return oauth_error(400, "invalid_request", "The code_verifier is missing.")
        challenge = b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
        if not hmac.compare_digest(challenge, code.code_challenge):
            return oauth_error(
                400, "invalid_grant", "The PKCE code_verifier does not match the code_challenge."
            )
        code.used = True
        code.grant = Grant(id=new_id(), sub=code.sub, scopes=code.scopes)
        return JSONResponse(
            self._issue(code.grant, nonce=code.nonce, with_id_token=True),
            headers={"cache-control": "no-store"},
        )

    def _refresh(self, form: Mapping[str, str]) -> JSONResponse:
        record = self._refresh_tokens.get(form.get("refresh_token", ""))
        invalid = "The refresh token is invalid, expired, or has already been used."
        if record is None or record.grant.revoked:
            return oauth_error(400, "invalid_grant", invalid)
        if record.used:
            if self.revoke_family_on_reuse:
                record.grant.revoked = True
            return oauth_error(400, "invalid_grant", invalid)
        if record.expires_at is not None and self.now() >= record.expires_at:
            return oauth_error(400, "invalid_grant", invalid)
        record.used = True
        return JSONResponse(
            self._issue(record.grant, nonce=None, with_id_token=False),
            headers={"cache-control": "no-store"},
        )

    def _issue(self, grant: Grant, *, nonce: str | None, with_id_token: bool) -> dict[str, Any]:
        now = self.now()
        expires_at = now + timedelta(seconds=self.access_token_ttl)
        user = self.seed_user(grant.sub)
        access = jwt(
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
        self._access_tokens[access] = AccessToken(access, grant, expires_at)
        answer: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(self.access_token_ttl),
            "expires_at": iso_z(expires_at),
            "scope": " ".join(grant.scopes),
        }
        if "offline_access" in grant.scopes:
            refresh = "ory_rt_" + secrets.token_urlsafe(32)
            refresh_expiry = (
                None
                if self.refresh_token_ttl is None
                else now + timedelta(seconds=self.refresh_token_ttl)
            )
            self._refresh_tokens[refresh] = RefreshToken(refresh, grant, refresh_expiry)
            answer["refresh_token"] = refresh
        if with_id_token and "openid" in grant.scopes:
            claims: dict[str, Any] = {
                "iss": self.issuer or self._issuer_seen,
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
            answer["id_token"] = jwt(claims, self.client_secret)
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
            return oauth_error(401, "invalid_token", "The access token is invalid or expired.")
        user = self.users[self._access_tokens[token].grant.sub]
        return JSONResponse(
            {
                "sub": user.sub,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
            }
        )
