"""Which Quran Foundation contract the bot talks to, and what that contract declares.

The User API is not one contract: production, the current pre-live and the pre-live of 29 March
2026 differ exactly where a write could be refused (see `sandbox/specs/SOURCE.md`). The bot
sends only what its contract declares, so each difference is a property here, never an
environment check scattered through the adapter:

- `lastMutationAt` on note writes: only the 2026-03-29 contract declares it (as required).
  Today's pre-live and production forbid it; a server that nevertheless demands it is obeyed
  for the rest of the process (`bot.qf.notes_api.MutationPolicy`).
- `clientCreatedAt` / `clientUpdatedAt` (the client's own clock on a write): only the current
  pre-live declares them, on note and reading-session writes.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any


class QFContract(StrEnum):
    PRODUCTION = "production"
    PRELIVE = "prelive"
    PRELIVE_2026_03_29 = "prelive-2026-03-29"

    @property
    def declares_mutation_stamp(self) -> bool:
        """Note writes carry the required `lastMutationAt` query parameter."""
        return self is QFContract.PRELIVE_2026_03_29

    @property
    def declares_client_timestamps(self) -> bool:
        """Note and reading-session writes accept `clientCreatedAt` / `clientUpdatedAt`."""
        return self is QFContract.PRELIVE

    def client_timestamps(self, now: dt.datetime, *, created: bool) -> dict[str, Any]:
        """The client-clock fields for one write (empty where the contract has none).

        A create says when it was created and updated (the same moment); an update only when
        it was updated, so Quran.com keeps the original creation time.
        """
        if not self.declares_client_timestamps:
            return {}
        stamp = _iso_millis(now)
        fields = {"clientUpdatedAt": stamp}
        if created:
            fields["clientCreatedAt"] = stamp
        return fields


def _iso_millis(moment: dt.datetime) -> str:
    """`2026-05-19T10:15:30.000Z`: the ISO form the spec's examples use, always in UTC."""
    utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
