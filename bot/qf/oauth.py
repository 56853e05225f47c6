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
