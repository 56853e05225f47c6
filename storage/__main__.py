"""Operator commands: `python -m storage migrate | rotate-keys | generate-key | revision`.

They read DATABASE_URL and TOKEN_ENCRYPTION_KEY like the bot does (environment or `.env`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from storage.accounts import AccountRepository
from storage.crypto import TokenCipher
from storage.database import Database


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


async def _rotate_keys(url: str, keys: Sequence[str]) -> None:
    cipher = TokenCipher(keys)
    db = Database.connect(url)
    try:
        await db.migrate()
        changed = await AccountRepository(db, cipher).reencrypt_all()
    finally:
        await db.close()
    print(f"re-encrypted the tokens of {changed} account(s) with key {cipher.key_id}")


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
    if args.command == "migrate":
        asyncio.run(_migrate(url))
    else:
        if not keys:
            print("TOKEN_ENCRYPTION_KEY is not set", file=sys.stderr)
            return 2
        asyncio.run(_rotate_keys(url, keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
