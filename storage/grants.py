"""How a grant held for confirmation is stored: the whole grant as one Fernet token.

Both the login attempts (which hold grants until the Telegram confirmation) and the revocation
queue (which may receive such a grant unopened) read this form.
"""

from __future__ import annotations

import json
from datetime import datetime

from storage.crypto import TokenCipher
from storage.models import PendingGrant


def seal_grant(cipher: TokenCipher, grant: PendingGrant) -> str:
    """The whole grant as one Fernet token: tokens and the account's identity stay unreadable."""
    return cipher.encrypt(
        json.dumps(
            {
                "sub": grant.qf_sub,
                "name": grant.display_name,
                "access_token": grant.access_token,
                "refresh_token": grant.refresh_token,
                "expires_at": grant.expires_at.isoformat(),
                "scopes": list(grant.scopes),
            }
        )
    )


def open_grant(cipher: TokenCipher, sealed: str) -> PendingGrant:
    data = json.loads(cipher.decrypt(sealed))
    return PendingGrant(
        qf_sub=data["sub"],
        display_name=data["name"],
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        expires_at=datetime.fromisoformat(data["expires_at"]),
        scopes=tuple(data["scopes"]),
    )
