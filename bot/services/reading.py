"""Crediting reading to Quran.com exactly once.

QF has no idempotency keys and `POST /v1/activity-days` adds to the day's totals, so a retried
request, a double-tapped button or a redelivered update could credit the same reading twice.
Every credit first claims a key in `storage.ReadingCreditRepository`; the claim is released only
when the upstream call *definitely* failed. After an ambiguous timeout the claim stays and the
user is told it may already be credited.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.qf import (
    QFConnectionError,
    QFError,
    QFTimeout,
    UserSession,
)
from storage import ReadingCreditRepository

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Crediting reading once


class CreditOutcome(StrEnum):
    CREDITED = "credited"
    #: The key was claimed before: this reading was credited (or is being credited) already.
    DUPLICATE = "duplicate"
    #: No answer in time after the request may have arrived: it may or may not be credited.
    UNCERTAIN = "uncertain"
    #: Definitely not credited; the claim was released so the user can try again.
    FAILED = "failed"


@dataclass(frozen=True)
class CreditResult:
    outcome: CreditOutcome
    seconds: int = 0
    error: QFError | None = None


async def credit_once(
    credits: ReadingCreditRepository,
    session: UserSession,
    user_id: int,
    key: str,
    *,
    ranges: Sequence[str],
    seconds: int | None,
    mushaf_id: int,
) -> CreditResult:
    """Credit `ranges` (and `seconds`, estimated from the ranges when None) at most once per key.

    The claim is released only for failures that prove nothing was recorded (an error answer,
    a connection that never reached QF, or a failed estimate before anything was sent).
    """
    if not await credits.claim(user_id, key):
        return CreditResult(CreditOutcome.DUPLICATE)
    try:
        if seconds is None:
            seconds = await session.estimate_reading_time(ranges) if ranges else 0
        seconds = max(int(seconds), 1)
        await session.add_activity_day(ranges, seconds, mushaf_id)
    except (QFTimeout, QFConnectionError) as error:
        if error.ambiguous:
            logger.warning("reading credit %s: no answer, keeping the claim", key)
            return CreditResult(CreditOutcome.UNCERTAIN, error=error)
        await credits.release(user_id, key)
        return CreditResult(CreditOutcome.FAILED, error=error)
    except QFError as error:
        await credits.release(user_id, key)
        return CreditResult(CreditOutcome.FAILED, error=error)
    return CreditResult(CreditOutcome.CREDITED, seconds=seconds)
