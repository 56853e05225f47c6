"""Encryption at rest for OAuth tokens.

`TOKEN_ENCRYPTION_KEY` holds one or more Fernet keys, newest first. The first encrypts; all of
them decrypt, so a new key can be put in front and the old one removed after
`python -m storage rotate-keys` has re-encrypted every stored token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenDecryptionError(Exception):
    """A stored token does not open with any configured key (key lost or data tampered)."""


class TokenCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        cleaned = [key.strip() for key in keys if key.strip()]
        if not cleaned:
            raise ValueError(
                "TOKEN_ENCRYPTION_KEY is empty: set it to a Fernet key "
                "(TokenCipher.generate_key() or `python -m storage generate-key`)"
            )
        fernets = []
        for position, key in enumerate(cleaned, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError) as exc:
                # Never echo the key itself: it is a secret.
                raise ValueError(
                    f"TOKEN_ENCRYPTION_KEY entry {position} is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from exc
        self._fernet = MultiFernet(fernets)
        self._key_id = key_fingerprint(cleaned[0])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    @property
    def key_id(self) -> str:
        """Short fingerprint of the encrypting key, stored next to each ciphertext.

        It lets `rotate-keys` skip rows already on the newest key without decrypting them.
        """
        return self._key_id

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenDecryptionError(
                "stored token cannot be decrypted with the configured TOKEN_ENCRYPTION_KEY"
            ) from exc

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the newest key (keeping the original timestamp)."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenDecryptionError(
                "stored token cannot be decrypted with the configured TOKEN_ENCRYPTION_KEY"
            ) from exc

    def __repr__(self) -> str:
        return f"TokenCipher(key_id={self._key_id!r})"


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(key.strip().encode("ascii", "replace")).hexdigest()[:16]
