"""Configuration errors name the variable and say how to fix it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from bot.app.config import (
    CONTRACTS_WITH_MUTATION_STAMP,
    ConfigurationError,
    QFContractName,
    QFEnvironment,
    load_settings,
)
from bot.qf import QFContract

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_production_environment_picks_production_urls() -> None:
    settings = load_settings(env_file=None, QF_ENV="production")
    assert settings.qf_env is QFEnvironment.PRODUCTION
    assert settings.qf_api_base_url == "https://apis.quran.foundation/auth"
    assert settings.qf_oauth_base_url == "https://oauth2.quran.foundation"
    assert settings.qf_send_last_mutation_at is False


def test_prelive_speaks_todays_prelive_contract_without_last_mutation_at() -> None:
    # Today's pre-live spec declares no lastMutationAt on note writes: sending it is refused.
    settings = load_settings(env_file=None)
    assert settings.qf_api_base_url == "https://apis-prelive.quran.foundation/auth"
    assert settings.contract == "prelive"
    assert settings.qf_send_last_mutation_at is False


def test_an_empty_contract_means_the_environments_own() -> None:
    assert load_settings(env_file=None, QF_CONTRACT="").contract == "prelive"
    assert load_settings(env_file=None, QF_ENV="production", QF_CONTRACT="").contract == (
        "production"
    )


def test_the_2026_03_29_contract_sends_last_mutation_at_by_default() -> None:
    settings = load_settings(env_file=None, QF_CONTRACT="prelive-2026-03-29")
    assert settings.qf_env is QFEnvironment.PRELIVE
    assert settings.qf_send_last_mutation_at is True


def test_last_mutation_at_for_a_contract_that_forbids_it_is_refused_at_start() -> None:
    with pytest.raises(ConfigurationError, match="QF_SEND_LAST_MUTATION_AT"):
        load_settings(env_file=None, QF_SEND_LAST_MUTATION_AT="true")


def test_config_names_the_contracts_the_adapter_knows() -> None:
    assert set(get_args(QFContractName)) == {contract.value for contract in QFContract}
    assert {
        contract.value for contract in QFContract if contract.declares_mutation_stamp
    } == CONTRACTS_WITH_MUTATION_STAMP


def test_default_scopes_ask_for_sync_only_on_prelive() -> None:
    assert "sync" in load_settings(env_file=None).scopes
    assert "sync" not in load_settings(env_file=None, QF_ENV="production").scopes
    custom = load_settings(env_file=None, QF_SCOPES="openid note")
    assert custom.scopes == ["openid", "note"]


def test_redirect_uri_is_public_url_plus_callback() -> None:
    settings = load_settings(env_file=None, PUBLIC_URL="https://bot.example.org/")
    assert settings.oauth_redirect_uri == "https://bot.example.org/oauth/callback"


def test_webhook_needs_a_secret_and_https() -> None:
    assert not load_settings(env_file=None, PUBLIC_URL="https://x.org").use_webhook
    assert not load_settings(
        env_file=None, PUBLIC_URL="http://x.org", WEBHOOK_SECRET="abc"
    ).use_webhook
    webhook = load_settings(env_file=None, PUBLIC_URL="https://x.org", WEBHOOK_SECRET="abc")
    assert webhook.use_webhook


def test_several_encryption_keys_are_split_on_commas() -> None:
    settings = load_settings(env_file=None, TOKEN_ENCRYPTION_KEY="new-key, old-key")
    assert settings.token_encryption_key == ["new-key", "old-key"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgresql://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
    ],
)
def test_heroku_style_database_urls_get_the_async_driver(url: str, expected: str) -> None:
    assert load_settings(env_file=None, DATABASE_URL=url).database_url == expected


def test_invalid_value_error_names_the_variable() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(env_file=None, PORT="eighty")
    assert "PORT" in str(caught.value)


def test_missing_credentials_are_listed_with_how_to_fix_them() -> None:
    settings = load_settings(env_file=None, TELEGRAM_BOT_TOKEN="1:x")
    with pytest.raises(ConfigurationError) as caught:
        settings.require_real_mode()
    message = str(caught.value)
    for name in ("QF_CLIENT_ID", "QF_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEY"):
        assert name in message
    assert "TELEGRAM_BOT_TOKEN" not in message
    assert "Fernet.generate_key" in message


def test_env_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("QF_CLIENT_ID=from-dotenv\nLOG_LEVEL=debug\n", encoding="utf-8")
    settings = load_settings(env_file=env_file)
    assert settings.qf_client_id == "from-dotenv"
    assert settings.log_level == "DEBUG"


def test_bot_refuses_to_start_without_configuration(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
