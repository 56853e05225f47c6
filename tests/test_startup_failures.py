"""Start-up failures an operator can fix end in one line naming the variable, and no secret.

The real `python -m bot` process runs against the fake Telegram (which answers 401 Unauthorized
to a well-formed token it does not know, as Telegram does) with the whole of stdout and stderr
scanned: neither the token nor the key may appear, nor any traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from e2e_support import FailedStart, link_before_start, running_bot, start_expecting_failure

from bot.app.logs import REDACTED, RedactingFormatter, Redactor
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser

pytestmark = pytest.mark.e2e

USER = FakeUser(5101, "Maryam")
REJECTED_TOKEN = "7777777:AAHrejected-token-value_0123456789abc"


def assert_one_clear_line(run: FailedStart, *, names: str, secrets: list[str]) -> None:
    output = run.output
    assert run.code != 0, output
    assert "Traceback" not in output, output
    for secret in secrets:
        assert secret not in output, output
    failures = [line for line in output.splitlines() if "CRITICAL" in line or names in line]
    assert len(failures) == 1, output
    assert names in failures[0], output


async def test_rejected_token_is_never_printed(tmp_path: Path) -> None:
    run = await start_expecting_failure(
        tmp_path, extra_env={"TELEGRAM_BOT_TOKEN": REJECTED_TOKEN}
    )
    assert_one_clear_line(
        run,
        names="TELEGRAM_BOT_TOKEN",
        secrets=[REJECTED_TOKEN, REJECTED_TOKEN.split(":")[1], run.env["TOKEN_ENCRYPTION_KEY"]],
    )
    assert "refused by Telegram" in run.output
    assert run.code == 2


async def test_wrong_encryption_key_refuses_to_start(tmp_path: Path) -> None:
    right_key = Fernet.generate_key().decode()
    fake_qf = FakeQuranFoundation()
    await link_before_start(
        tmp_path, fake_qf, USER, sub="qf-maryam", encryption_key=right_key
    )
    async with running_bot(
        tmp_path, fake_qf=fake_qf, extra_env={"TOKEN_ENCRYPTION_KEY": right_key}
    ):
        pass  # the first start writes the key check value

    wrong_key = Fernet.generate_key().decode()
    run = await start_expecting_failure(
        tmp_path, fake_qf=fake_qf, extra_env={"TOKEN_ENCRYPTION_KEY": wrong_key}
    )
    assert_one_clear_line(
        run,
        names="TOKEN_ENCRYPTION_KEY",
        secrets=[wrong_key, right_key, run.env["TELEGRAM_BOT_TOKEN"]],
    )
    assert "Put the old key back" in run.output and "rotate-keys" in run.output
    assert run.code == 2


async def test_wrong_key_on_a_database_from_before_the_check_refuses_to_start(
    tmp_path: Path,
) -> None:
    # Linked accounts but no key check row yet (a database written by an older version).
    fake_qf = FakeQuranFoundation()
    old_key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake_qf, USER, sub="qf-maryam", encryption_key=old_key)
    wrong_key = Fernet.generate_key().decode()
    run = await start_expecting_failure(
        tmp_path, fake_qf=fake_qf, extra_env={"TOKEN_ENCRYPTION_KEY": wrong_key}
    )
    assert_one_clear_line(run, names="TOKEN_ENCRYPTION_KEY", secrets=[wrong_key, old_key])


async def test_malformed_encryption_key_is_named_never_printed(tmp_path: Path) -> None:
    malformed = "not-a-fernet-key-but-a-secret-all-the-same"
    run = await start_expecting_failure(
        tmp_path, extra_env={"TOKEN_ENCRYPTION_KEY": malformed}
    )
    assert run.code == 2, run.output
    assert "Traceback" not in run.output and malformed not in run.output
    assert "TOKEN_ENCRYPTION_KEY: entry 1 is not a Fernet key" in run.output


async def test_unreachable_database_names_database_url(tmp_path: Path) -> None:
    password = "db-password-not-for-logs"
    run = await start_expecting_failure(
        tmp_path,
        extra_env={"DATABASE_URL": f"postgresql://bot:{password}@127.0.0.1:9/nowhere"},
    )
    assert_one_clear_line(run, names="DATABASE_URL", secrets=[password])
    assert run.code == 2


def test_tracebacks_are_redacted_by_the_formatter() -> None:
    secret = "123456:SECRET-TOKEN-VALUE"
    formatter = RedactingFormatter(Redactor([secret]))
    try:
        raise RuntimeError(f"The token `{secret}` was rejected by the server.")
    except RuntimeError as error:
        record = logging.LogRecord(
            "bot", logging.ERROR, __file__, 1, "failed with %s", (secret,), (
                type(error), error, error.__traceback__
            )
        )
    text = formatter.format(record)
    assert "Traceback" in text and "RuntimeError" in text
    assert secret not in text and "SECRET-TOKEN-VALUE" not in text
    assert text.count(REDACTED) == 2


def test_url_encoded_secrets_are_redacted_too() -> None:
    redact = Redactor(["123456:SECRET-TOKEN-VALUE", "short"])
    assert redact("GET /bot123456%3ASECRET-TOKEN-VALUE/getMe") == f"GET /bot{REDACTED}/getMe"
    assert redact("short words stay") == "short words stay"


async def test_create_deps_refuses_a_malformed_or_wrong_key_in_one_line(tmp_path: Path) -> None:
    from bot.app.application import close_deps, create_deps
    from bot.app.config import ConfigurationError
    from sandbox.harness import sandbox_settings
    from sandbox.telegram import TelegramWorld

    world = TelegramWorld()
    right = Fernet.generate_key().decode()
    deps = await create_deps(sandbox_settings(tmp_path, world, encryption_key=right))
    await close_deps(deps)  # the first start wrote the key check value

    malformed = "malformed-secret-key-value"
    with pytest.raises(ConfigurationError) as refused:
        await create_deps(sandbox_settings(tmp_path, world, encryption_key=malformed))
    assert "entry 1 is not a valid Fernet key" in str(refused.value)
    assert malformed not in str(refused.value) and refused.value.__cause__ is None

    wrong = Fernet.generate_key().decode()
    with pytest.raises(ConfigurationError) as refused:
        await create_deps(sandbox_settings(tmp_path, world, encryption_key=wrong))
    assert "TOKEN_ENCRYPTION_KEY does not open the tokens" in str(refused.value)
    assert wrong not in str(refused.value) and right not in str(refused.value)

    rotating = await create_deps(
        sandbox_settings(tmp_path, world, encryption_key=f"{wrong},{right}")
    )
    await close_deps(rotating)
