"""Logging for the running bot: one format, library noise capped, and no secret in any line.

Redaction happens on the *formatted* record, so a secret inside an exception message, a
traceback, a stack dump or a library's own log call is cleaned like any other text. A filter on
`record.msg` (what this module did before) never saw tracebacks: `InvalidToken: The token
`123:ABC…` was rejected by the server` went out in clear.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from urllib.parse import quote

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
#: Shorter values are not secrets worth the false positives (and would redact ordinary words).
MIN_SECRET_LENGTH = 6


class Redactor:
    """Replaces every known secret, and its URL-encoded spelling, in a text."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        spellings: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < MIN_SECRET_LENGTH:
                continue
            spellings.add(secret)
            # A bot token's ":" becomes "%3A" in URLs that libraries log.
            spellings.add(quote(secret, safe=""))
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted(spellings, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def __bool__(self) -> bool:
        return bool(self._secrets)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose whole output (message, traceback, stack) goes through a `Redactor`."""

    def __init__(self, redactor: Redactor, fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        self._redact = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class SkippedWhileRunningFilter(logging.Filter):
    """Drops APScheduler's warning that a job's run was skipped because it is still running.

    The reminder tick runs one at a time on purpose: a fan-out longer than a minute goes on
    claiming batches, and the next minute's run has nothing left to do. APScheduler would say
    so as a WARNING every minute of every long fan-out, burying the warnings that matter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in str(record.msg)


def configure_logging(level: str, *, secrets: Iterable[str | None] = ()) -> Redactor:
    """Log to stderr through a `RedactingFormatter`; returns the redactor for other output."""
    redactor = Redactor(secrets)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for handler in root.handlers:
        handler.setFormatter(RedactingFormatter(redactor))
    root.setLevel(level)
    # Library warnings (PTB's among them) reach stderr through logging, hence redacted too.
    logging.captureWarnings(True)
    # The bot token is part of every Bot API URL that httpx logs at INFO, and QF tokens travel in
    # headers: these loggers stay at WARNING whatever LOG_LEVEL says.
    # SQLAlchemy logs statements with their parameters at INFO: login states, note drafts.
    for noisy in ("httpx", "httpcore", "apscheduler", "uvicorn.access", "sqlalchemy.engine"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, SkippedWhileRunningFilter) for f in scheduler_log.filters):
        scheduler_log.addFilter(SkippedWhileRunningFilter())
    # At DEBUG, PTB logs every request's parameters, i.e. users' notes and messages: cap it.
    # Database drivers log statement parameters at DEBUG: login states, drafts of notes.
    # PTB's Application logs every incoming update (users' notes) at DEBUG.
    for chatty in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application",
                   "aiosqlite", "asyncpg"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, logging.getLevelName(level)))
    return redactor
