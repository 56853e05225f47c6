"""OAuth2 authorization code + PKCE pieces that need no network (the HTTP calls live in
`bot.qf.client`).

Quran Foundation has no device flow, so linking is a browser round trip: the bot stores a
`state`, a `nonce` and the PKCE verifier, sends the user to `authorization_url`, and the callback
exchanges the code. All three secrets come from `secrets` so they cannot be guessed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from bot.qf.models import TokenSet

#: When the token endpoint omits `expires_in`, assume QF's documented one hour.
DEFAULT_TOKEN_LIFETIME = timedelta(hours=1)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def code_challenge_for(verifier: str) -> str:
    """S256 challenge: base64url(SHA-256(verifier)) without padding (RFC 7636)."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_pkce_pair() -> tuple[str, str]:
    """(verifier, challenge). 64 random bytes give an 86-character verifier, inside the
    43..128 characters RFC 7636 allows."""
    verifier = _b64url(secrets.token_bytes(64))
    return verifier, code_challenge_for(verifier)


def new_state() -> str:
    return secrets.token_urlsafe(32)


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def build_authorization_url(
    oauth_base_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    state: str,
    nonce: str,
    code_challenge: str,
) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    # quote (not quote_plus): scopes are space-separated, and %20 is read the same everywhere.
    return f"{oauth_base_url.rstrip('/')}/oauth2/auth?{urlencode(params, quote_via=quote)}"


def token_set_from(payload: Mapping[str, Any], *, now: datetime) -> TokenSet:
    """A token endpoint reply → TokenSet with an absolute expiry.

    `expires_in` is preferred over the reply's `expires_at`: it is relative, so it is right even
    when our clock and QF's disagree.
    """
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ValueError("token reply has no access_token")
    expires_in = payload.get("expires_in")
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        expires_at = now + timedelta(seconds=float(expires_in))
    else:
        expires_at = now + DEFAULT_TOKEN_LIFETIME
    scope = payload.get("scope")
    refresh_token = payload.get("refresh_token")
    id_token = payload.get("id_token")
    return TokenSet(
        access_token=access_token,
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
        id_token=id_token if isinstance(id_token, str) and id_token else None,
        expires_at=expires_at,
        scopes=tuple(scope.split()) if isinstance(scope, str) else (),
        token_type=str(payload.get("token_type") or "bearer"),
    )


def unverified_claims(token: str | None) -> dict[str, Any]:
    """The payload of a JWT, without checking its signature.

    Only for tokens that came straight from QF's token endpoint over TLS in reply to our own
    authenticated request: their origin is already established, so verifying the signature
    (and fetching QF's keys for it) would add nothing. Never use this on a token a user sent.
    Returns {} for anything that is not a JWT.
    """
    if not token or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(decoded)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


#: Clock difference tolerated between us and QF when reading an id_token's `exp`.
ID_TOKEN_LEEWAY = timedelta(seconds=60)


class IdTokenRejected(ValueError):
    """An id_token that is not for this login: `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


def check_id_token(
    claims: Mapping[str, Any],
    *,
    client_id: str,
    issuer: str,
    now: datetime,
    expected_nonce: str | None,
    openid_granted: bool,
) -> None:
    """Refuse an id_token that was not issued to us, by our issuer, for this login, or is stale.

    The signature is not checked (see `unverified_claims`); these are the checks OIDC Core §3.1.3.7
    still asks of a client that got the token straight from the token endpoint: `iss` is the
    OAuth server we talk to (compared without a trailing slash: Hydra publishes
    `https://oauth2.quran.foundation/`), `aud` names our client id, `exp` has not passed, and,
    when `openid` was granted (so an id_token is owed), the `nonce` is the one this login sent,
    which ties the token to this browser round trip and defeats a replayed one.
    """
    if openid_granted and not claims:
        raise IdTokenRejected("id_token_missing", "openid was granted but no id_token came")
    if not claims:
        return
    if str(claims.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
        raise IdTokenRejected("id_token_issuer", "id_token issued by another server")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise IdTokenRejected("id_token_audience", "id_token issued to another client")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or isinstance(expiry, bool):
        raise IdTokenRejected("id_token_expiry", "id_token has no expiry")
    if datetime.fromtimestamp(expiry, tz=now.tzinfo) + ID_TOKEN_LEEWAY <= now:
        raise IdTokenRejected("id_token_expired", "id_token has expired")
    nonce = claims.get("nonce")
    if openid_granted and nonce is None:
        raise IdTokenRejected("nonce_missing", "id_token carries no nonce")
    if nonce is not None and nonce != expected_nonce:
        raise IdTokenRejected("nonce_mismatch", "id_token nonce does not match the login")


def display_name_from(claims: Mapping[str, Any]) -> str | None:
    """The friendliest name OIDC claims offer (QF's userinfo uses first_name/last_name)."""

    def text(key: str) -> str:
        value = claims.get(key)
        return value.strip() if isinstance(value, str) else ""

    full = text("name")
    if full:
        return full
    for first, last in (("given_name", "family_name"), ("first_name", "last_name")):
        joined = " ".join(part for part in (text(first), text(last)) if part)
        if joined:
            return joined
    return text("preferred_username") or text("nickname") or None
