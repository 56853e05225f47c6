"""PKCE, state and id_token helpers (no network)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from bot.qf.oauth import (
    build_authorization_url,
    code_challenge_for,
    display_name_from,
    new_nonce,
    new_pkce_pair,
    new_state,
    token_set_from,
    unverified_claims,
)


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    verifier, challenge = new_pkce_pair()
    assert 43 <= len(verifier) <= 128
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    # RFC 7636 appendix B test vector.
    assert (
        code_challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_state_nonce_and_verifier_are_fresh_every_time() -> None:
    assert len({new_state() for _ in range(50)}) == 50
    assert len({new_nonce() for _ in range(50)}) == 50
    assert len({new_pkce_pair()[0] for _ in range(50)}) == 50


def test_authorization_url_carries_pkce_nonce_and_space_separated_scopes() -> None:
    url = build_authorization_url(
        "https://oauth.example/",
        client_id="demo-client",
        redirect_uri="https://bot.example/oauth/callback",
        scopes=["openid", "offline_access", "note"],
        state="s1",
        nonce="n1",
        code_challenge="c1",
    )
    parts = urlsplit(url)
    assert parts.path == "/oauth2/auth"
    query = parse_qs(parts.query)
    assert query == {
        "response_type": ["code"],
        "client_id": ["demo-client"],
        "redirect_uri": ["https://bot.example/oauth/callback"],
        "scope": ["openid offline_access note"],
        "state": ["s1"],
        "nonce": ["n1"],
        "code_challenge": ["c1"],
        "code_challenge_method": ["S256"],
    }
    assert "%20" in parts.query and "+" not in parts.query


def test_token_set_expiry_is_relative_to_our_clock() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    tokens = token_set_from(
        {"access_token": "a", "refresh_token": "r", "expires_in": 3600,
         "scope": "openid note", "token_type": "bearer", "expires_at": "1999-01-01T00:00:00Z"},
        now=now,
    )
    assert tokens.expires_at == now + timedelta(hours=1)
    assert tokens.scopes == ("openid", "note")
    assert tokens.refresh_token == "r"


def test_token_set_repr_hides_tokens() -> None:
    tokens = token_set_from(
        {"access_token": "secret-access", "refresh_token": "secret-refresh", "expires_in": 60},
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert "secret" not in repr(tokens)


def test_unverified_claims_reads_the_payload_and_rejects_garbage() -> None:
    token = _jwt({"sub": "user-1", "name": "Aisha"})
    assert unverified_claims(token) == {"sub": "user-1", "name": "Aisha"}
    assert unverified_claims("not-a-jwt") == {}
    assert unverified_claims("a.%%%.c") == {}
    assert unverified_claims(None) == {}


def test_display_name_from_claims_in_order_of_preference() -> None:
    assert display_name_from({"name": "Aisha Khan"}) == "Aisha Khan"
    assert display_name_from({"given_name": "Aisha", "family_name": "Khan"}) == "Aisha Khan"
    assert display_name_from({"first_name": "Aisha"}) == "Aisha"
    assert display_name_from({"preferred_username": "ak"}) == "ak"
    assert display_name_from({"sub": "x"}) is None
