"""Operator commands: `python -m storage migrate | rotate-keys | generate-key | revision`.

They read DATABASE_URL and TOKEN_ENCRYPTION_KEY like the bot does (environment or `.env`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from storage.accounts import AccountRepository
from storage.crypto import TokenCipher
from storage.database import Database
from storage.keycheck import WrongEncryptionKey, reencrypt_key_check, verify_encryption_key
from storage.logins import LoginAttemptRepository
from storage.revocations import RevocationQueue


def _settings_values() -> tuple[str, list[str]]:
    from bot.app.config import ConfigurationError, load_settings

    try:
        settings = load_settings()
    except ConfigurationError as exc:
        raise SystemExit(str(exc)) from exc
    return settings.database_url, settings.token_encryption_key


async def _migrate(url: str) -> None:
    db = Database.connect(url)
    try:
        await db.migrate()
    finally:
        await db.close()
    print("database schema is up to date")


async def _rotate_keys(url: str, keys: Sequence[str]) -> int:
    """Re-encrypt every encrypted column with the first key: linked accounts' tokens, grants
    held for confirmation, queued revocations and the key check value."""
    try:
        cipher = TokenCipher(keys)
    except ValueError as exc:  # the message names the entry, never the key
        print(str(exc), file=sys.stderr)
        return 2
    db = Database.connect(url)
    try:
        await db.migrate()
        try:
            await verify_encryption_key(db, cipher)
        except WrongEncryptionKey:
            print(
                "TOKEN_ENCRYPTION_KEY opens none of the tokens in this database: list the key "
                "they were written with after the new one (TOKEN_ENCRYPTION_KEY=new,old)",
                file=sys.stderr,
            )
            return 2
        accounts = await AccountRepository(db, cipher).reencrypt_all()
        grants = await LoginAttemptRepository(db, cipher=cipher).reencrypt_grants()
        queued = await RevocationQueue(db, cipher).reencrypt_all()
        await reencrypt_key_check(db, cipher)
    finally:
        await db.close()
    print(f"re-encrypted the tokens of {accounts} account(s) with key {cipher.key_id}")
    print(
        f"re-encrypted {grants} grant(s) awaiting confirmation and {queued} queued "
        "revocation(s); the key check value is on the new key"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__)
    parser.add_argument(
        "--database-url", help="overrides DATABASE_URL (e.g. sqlite+aiosqlite:///./data/x.db)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply pending schema migrations")
    commands.add_parser(
        "rotate-keys",
        help="re-encrypt stored tokens with the first TOKEN_ENCRYPTION_KEY key",
    )
    commands.add_parser("generate-key", help="print a new Fernet key for TOKEN_ENCRYPTION_KEY")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "generate-key":
        print(TokenCipher.generate_key())
        return 0
    url, keys = _settings_values()
    url = args.database_url or url
    if args.command != "migrate" and not keys:
        print("TOKEN_ENCRYPTION_KEY is not set", file=sys.stderr)
        return 2
    try:
        if args.command == "migrate":
            asyncio.run(_migrate(url))
            return 0
        return asyncio.run(_rotate_keys(url, keys))
    except (OSError, SQLAlchemyError) as exc:
        # One line, without the URL: it may carry the database password.
        print(
            f"DATABASE_URL: cannot open the database ({type(exc).__name__}); check the address, "
            "the credentials and that the server is running",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
