"""Configuration from the environment (and an optional `.env`).

The variable names are a public interface (deploy scripts and `.env.example` use them), so they
are spelled out as aliases rather than derived from field names.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class QFEnvironment(StrEnum):
    PRELIVE = "prelive"
    PRODUCTION = "production"


#: Default hosts per environment; the two environments have separate credentials and accounts.
QF_DEFAULT_URLS: dict[QFEnvironment, tuple[str, str]] = {
    QFEnvironment.PRELIVE: (
        "https://apis-prelive.quran.foundation/auth",
        "https://prelive-oauth2.quran.foundation",
    ),
    QFEnvironment.PRODUCTION: (
        "https://apis.quran.foundation/auth",
        "https://oauth2.quran.foundation",
    ),
}

#: The User API contracts, as `bot.qf.contract.QFContract` names them (config stays a leaf, so
#: the names are repeated here; `tests/test_config.py` keeps the two in step).
QFContractName = Literal["production", "prelive", "prelive-2026-03-29"]
#: The contract each environment serves today (`QF_CONTRACT` names another one, e.g. the
#: 2026-03-29 pre-live contract a test server still speaks).
QF_DEFAULT_CONTRACTS: dict[QFEnvironment, QFContractName] = {
    QFEnvironment.PRELIVE: "prelive",
    QFEnvironment.PRODUCTION: "production",
}
#: The contracts whose note writes declare `lastMutationAt`.
CONTRACTS_WITH_MUTATION_STAMP: frozenset[str] = frozenset({"prelive-2026-03-29"})

#: `reading_session` lets a credited /read move Quran.com's "continue reading" position.
DEFAULT_SCOPES = "openid offline_access user goal note streak activity_day reading_session"
#: Pre-live also grants `sync`, which the note-write recovery needs to read the server's latest
#: mutation time; production refuses the scope (`invalid_scope`), so it is asked for only there.
PRELIVE_DEFAULT_SCOPES = DEFAULT_SCOPES + " sync"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/quran-companion.sqlite3"


class ConfigurationError(Exception):
    """Raised at start with a message that names the variable and says how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: str = Field(default="", alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    qf_env: QFEnvironment = Field(default=QFEnvironment.PRELIVE, alias="QF_ENV")
    #: The User API contract; unset means the one `QF_ENV` serves today.
    qf_contract: QFContractName | None = Field(default=None, alias="QF_CONTRACT")
    qf_api_base_url: str = Field(default="", alias="QF_API_BASE_URL")
    qf_oauth_base_url: str = Field(default="", alias="QF_OAUTH_BASE_URL")
    qf_client_id: str = Field(default="", alias="QF_CLIENT_ID")
    qf_client_secret: str = Field(default="", alias="QF_CLIENT_SECRET")
    qf_scopes: str = Field(default="", alias="QF_SCOPES")
    #: Note writes carry `lastMutationAt` from the first request when true; otherwise only once
    #: the server has demanded it (see `bot.qf.notes_api`). Unset means "when the contract
    #: declares it"; true for a contract that forbids it is refused at start.
    qf_send_last_mutation_at: bool | None = Field(
        default=None, alias="QF_SEND_LAST_MUTATION_AT"
    )
    public_url: str = Field(default="http://127.0.0.1:8080", alias="PUBLIC_URL")
    port: int = Field(default=8080, alias="PORT", ge=1, le=65535)
    host: str = Field(default="0.0.0.0", alias="HOST")  # noqa: S104 - a PaaS routes to any address
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    token_encryption_key: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices("TOKEN_ENCRYPTION_KEY", "token_encryption_key"),
    )
    webhook_secret: str = Field(default="", alias="WEBHOOK_SECRET")
    #: Bearer token that `GET /metrics` demands; unset means the page does not exist (404).
    metrics_token: str = Field(default="", alias="METRICS_TOKEN")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    #: This instance's share of Telegram's 30 messages/s for reminder fan-out: with several
    #: instances on one bot token, give each 30 // instances.
    reminder_sends_per_second: int = Field(
        default=30, alias="REMINDER_SENDS_PER_SECOND", ge=1, le=30
    )
    #: Bound on updates processed at once across all chats (see `bot.app.processor`). 64, not
    #: hundreds: a burst of 200 chats all started at once shares the CPU so evenly that every
    #: answer is ready late and together (`bench/bench_burst.py`, 2 cores: TN/floor 1.80 at 256,
    #: 1.16 at 64, 1.31 at 32), while 64 in flight finish early and feed the send budget, which
    #: cannot send more than 30 a second anyway. 64 updates of ~0.6 s upstream each still
    #: answer ~100 a second; raise it if Quran.com is much slower than that.
    max_concurrent_updates: int = Field(default=64, alias="MAX_CONCURRENT_UPDATES", ge=1)
    #: On SIGTERM, how long updates already running may take before the process exits (what
    #: is unfinished then stays in the inbox for the next start). Procfile platforms give ~30 s.
    shutdown_grace_seconds: float = Field(
        default=20.0, alias="SHUTDOWN_GRACE_SECONDS", ge=0, le=300
    )
    #: Unfinished updates one chat may have in the inbox; more are shed (see storage/inbox.py).
    inbox_max_per_chat: int = Field(default=100, alias="INBOX_MAX_PER_CHAT", ge=1)
    #: How often the inbox is swept for updates nobody is working on (another instance's, or
    #: a crashed one's). Several instances on PostgreSQL rely on it after a crash.
    inbox_sweep_seconds: float = Field(default=2.0, alias="INBOX_SWEEP_SECONDS", gt=0)

    @field_validator("token_encryption_key", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("qf_contract", mode="before")
    @classmethod
    def _empty_contract_is_unset(cls, value: Any) -> Any:
        # `QF_CONTRACT=` in a .env means "the default", as for the URLs.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        # Heroku-style URLs say postgres:// or postgresql://; SQLAlchemy needs the async driver.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value[len("sqlite:///") :]
        return value

    @model_validator(mode="after")
    def _fill_environment_defaults(self) -> Settings:
        api, oauth = QF_DEFAULT_URLS[self.qf_env]
        self.qf_api_base_url = (self.qf_api_base_url or api).rstrip("/")
        self.qf_oauth_base_url = (self.qf_oauth_base_url or oauth).rstrip("/")
        self.public_url = self.public_url.rstrip("/")
        if not self.qf_scopes.strip():
            self.qf_scopes = (
                PRELIVE_DEFAULT_SCOPES if self.qf_env is QFEnvironment.PRELIVE else DEFAULT_SCOPES
            )
        if self.qf_contract is None:
            self.qf_contract = QF_DEFAULT_CONTRACTS[self.qf_env]
        declared = self.qf_contract in CONTRACTS_WITH_MUTATION_STAMP
        if self.qf_send_last_mutation_at is None:
            self.qf_send_last_mutation_at = declared
        elif self.qf_send_last_mutation_at and not declared:
            raise ValueError(
                f"QF_SEND_LAST_MUTATION_AT=true, but the {self.qf_contract} contract does not "
                "declare lastMutationAt (every note write would be refused); unset it, or set "
                "QF_CONTRACT=prelive-2026-03-29 for a server on that contract"
            )
        return self

    @property
    def contract(self) -> QFContractName:
        """The User API contract (filled from `QF_ENV` when `QF_CONTRACT` is unset)."""
        return self.qf_contract or QF_DEFAULT_CONTRACTS[self.qf_env]

    @property
    def oauth_redirect_uri(self) -> str:
        return f"{self.public_url}/oauth/callback"

    @property
    def use_webhook(self) -> bool:
        return bool(self.webhook_secret) and self.public_url.startswith("https://")

    @property
    def scopes(self) -> list[str]:
        return self.qf_scopes.split()

    def require_real_mode(self) -> None:
        """Refuse to start for real with something missing, naming the variable to set."""
        missing = [
            (name, hint)
            for name, value, hint in (
                ("TELEGRAM_BOT_TOKEN", self.telegram_bot_token, "the token @BotFather gave you"),
                ("QF_CLIENT_ID", self.qf_client_id, "your Quran Foundation app's client id"),
                ("QF_CLIENT_SECRET", self.qf_client_secret, "your Quran Foundation app's secret"),
                (
                    "TOKEN_ENCRYPTION_KEY",
                    ",".join(self.token_encryption_key),
                    "a Fernet key: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                ),
            )
            if not value
        ]
        if missing:
            lines = [f"  {name}: set it to {hint}" for name, hint in missing]
            raise ConfigurationError(
                "Missing configuration (see .env.example):\n" + "\n".join(lines)
            )
        for position, key in enumerate(self.token_encryption_key, start=1):
            if not _is_fernet_key(key):
                # Never echo the key itself: it is a secret.
                raise ConfigurationError(
                    f"Invalid configuration:\n  TOKEN_ENCRYPTION_KEY: entry {position} is not a "
                    "Fernet key (32 url-safe base64-encoded bytes); generate one with "
                    "`python -m storage generate-key`"
                )


def _is_fernet_key(key: str) -> bool:
    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Load and validate settings, turning pydantic's report into one readable message."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            alias = Settings.model_fields[name].alias if name in Settings.model_fields else None
            lines.append(f"  {alias or name.upper()}: {error['msg']}")
        raise ConfigurationError("Invalid configuration:\n" + "\n".join(lines)) from exc
