"""Ending at Quran.com every grant the bot stops holding: at once if Quran.com answers, later
(and across restarts) if it does not.

Storage queues a grant in the same transaction that drops it (`storage.revocations`), so the
use cases here only have to ask for the revocation: `revoke_due` right after a drop, for the
user who is waiting, and from a background job (`bot.app.application`) for everything a failure
left behind. A grant the bot held only in memory (a refused or expired confirmation) goes
through `end_grant`, which queues it when Quran.com cannot be reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.qf import BadRequest, QFError
from bot.services.deps import Deps
from storage import forget_user

logger = logging.getLogger(__name__)

#: How often the background job looks for due revocations, in seconds.
DRAIN_INTERVAL_SECONDS = 60.0
#: Revocations one drain attempts; the rest wait for the next run.
DRAIN_BATCH = 20
#: A claimed revocation is skipped by other drains this long (a crash mid-call delays it only
#: this much).
CLAIM_LEASE = timedelta(minutes=5)
#: Retry delays double from the first to the last, then stay there.
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class DrainReport:
    revoked: int = 0
    postponed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Delay after the `attempts`-th failure (0-based): 1 min, 2, 4 … capped at 6 h."""
    return min(FIRST_RETRY * (1 << min(attempts, 16)), LAST_RETRY)


async def revoke_due(
    deps: Deps, *, limit: int = DRAIN_BATCH, newest_first: bool = False
) -> DrainReport:
    """Revoke up to `limit` due grants; a failure stays queued for a later attempt.

    `newest_first` is for the caller that has just queued what it dropped and wants that
    revoked while the user waits; the background job takes the oldest first.
    """
    claimed = await deps.revocations.claim_due(
        limit=limit, lease=CLAIM_LEASE, newest_first=newest_first
    )
    revoked = postponed = 0
    for item in claimed:
        try:
            await deps.qf.revoke(item.token)
        except BadRequest as failure:
            # RFC 7009: a token Quran.com does not know is answered with 200; a 400 means this
            # very request cannot succeed, so asking again would only repeat it.
            logger.warning(
                "Quran.com refused revocation %s for good: %s %s", item.id, failure.status,
                failure.code,
            )
            await deps.revocations.done(item.id)
        except QFError as failure:
            delay = retry_delay(item.attempts)
            logger.info(
                "revocation %s (%s) failed: %s %s; next attempt in %s", item.id, item.reason,
                failure.status, failure.code, delay,
            )
            await deps.revocations.retry_later(
                item.id,
                at=deps.clock() + delay,
                error=failure.code or str(failure.status or "error"),
            )
            postponed += 1
        else:
            await deps.revocations.done(item.id)
            revoked += 1
    if claimed:
        logger.info("revoked %d grant(s) at Quran.com, %d left for later", revoked, postponed)
    return DrainReport(revoked, postponed)


async def end_grant(deps: Deps, token: str | None, *, reason: str) -> bool:
    """Revoke a grant the bot holds only in memory; queue it when Quran.com cannot say yes.

    True when Quran.com confirmed. The outcome for the user is the same either way.
    """
    if not token:
        return True
    try:
        await deps.qf.revoke(token)
    except BadRequest as failure:
        logger.warning("Quran.com refused a revocation: %s %s", failure.status, failure.code)
        return False
    except QFError as failure:
        logger.info(
            "revoking a %s grant failed (%s %s); queued for a retry", reason, failure.status,
            failure.code,
        )
        await deps.revocations.add(token, reason=reason)
        return False
    return True


async def forget_everything(deps: Deps, user_id: int) -> None:
    """/forget: erase what the bot stores about the user, then revoke the grants they gave.

    Storage queues the grants in the erasing transaction, so they are revoked even if Quran.com
    is down now or the bot stops right after.
    """
    removed = await forget_user(deps.database, user_id, now=deps.clock())
    if removed["revocations"]:
        await revoke_due(deps, limit=removed["revocations"], newest_first=True)


async def unlink_account(deps: Deps, user_id: int) -> bool | None:
    """/logout: drop the link and revoke its grant. None when the user was not linked, else
    whether Quran.com confirmed the revocation now (if not, the queue keeps trying)."""
    if not await deps.accounts.unlink(user_id):
        return None
    report = await revoke_due(deps, limit=1, newest_first=True)
    return report.revoked == 1
