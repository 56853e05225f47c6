"""A fake Quran Foundation (OAuth2 server + User API) for tests, demo mode and manual runs.

Every User API request is validated against the official OpenAPI file of the chosen contract
(`sandbox.spec_validation`), so the bot is tested against what the real server accepts.
The fake is stateful per user (goals, notes, activity days, streaks, mutation timestamps) and
can inject faults (error statuses, late answers, dropped connections).

URL layout, with `<origin>` the server's address (`http://qf.test` under ASGITransport):

* User API base: `<origin>/auth` (operations at `/auth/v1/...`).
* Quran Reflect base: `<origin>/quran-reflect` (`GET /v1/users/profile` lives there, as in the
  spec's per-operation `servers`).
* OAuth2 base: `<origin>` (`/oauth2/auth`, `/oauth2/token`, `/oauth2/revoke`, `/userinfo`).

Assumptions where QF documents nothing (docs/quran-foundation-api.md §10); tests should not
treat them as facts about the real server:

* One goal per category: a second `POST /v1/goals` of the same category answers 422 (update it
  with PUT or delete it first). Rejecting is the safer model: a bot that checks today's plan
  before creating works whether the real server replaces or rejects.
* `POST /v1/activity-days` adds to the day's totals (seconds add up, verse ranges unite).
* Today's plan asked with a type other than the goal's answers `{hasGoal: false}`.
* Reusing a rotated refresh token answers `invalid_grant` and revokes the whole token family,
  as Ory Hydra (QF's OAuth server) does; reusing an authorization code does the same.
* A streak stays current through the day after its last reading day (it breaks only when a whole
  local day passes without reading).
* Pages are estimated from verses (604 pages / 6,236 verses) whatever the mushaf.
* Contracts: "production", "prelive" (today's pre-live: no `lastMutationAt`, client timestamps
  on writes, answers shaped as production's) and "2026-03-29" (the earlier pre-live).
* An undeclared parameter is refused (strict mode) as QF's validation pipe words it:
  "property <name> should not exist".
* A reading position within 30 minutes of the latest moves that session (see
  `reading_sessions`).
* 2026-03-29 contract: `GET /v1/sync` reports `lastMutationAt: 0` for an account without
  mutations, and a note write without `lastMutationAt` answers 400 naming the parameter.
* An expired or revoked access token answers 401 `unauthorized` (configurable: the spec's 403
  description also mentions expired tokens).

One concern per module, put together in `app.FakeQuranFoundation`:

* `model`: the records tests read and arrange (`UserState`, `Goal`, `Note`, ...); `state`: the
  fake's configuration, clock, accounts and request log.
* `app`: the ASGI routes and the User API dispatch (validation, authentication, scopes).
* `oauth`, `goals`, `activity`, `notes`, `reflect`, `sync`, `reading_sessions`: the
  endpoints, by subject.
* `faults`: fault injection and the recording layer; `errors`: the documented error bodies.
* `verses`, `formats`: verse keys and ranges, and the small wire formats.
* `__main__`: `python -m sandbox.quran_foundation --port 8765 --contract 2026-03-29`.
"""

from sandbox.quran_foundation.activity import SECONDS_PER_VERSE
from sandbox.quran_foundation.app import FakeQuranFoundation
from sandbox.quran_foundation.errors import OUT_OF_SYNC_FIRST, OUT_OF_SYNC_STALE
from sandbox.quran_foundation.model import (
    DEMO_EMAIL,
    DEMO_NAME,
    DEMO_SUB,
    PRELIVE_SCOPES,
    PRODUCTION_SCOPES,
    ActivityDay,
    FakeContract,
    FaultKind,
    Goal,
    Mutation,
    Note,
    OAuthCall,
    ReadingSession,
    RecordedRequest,
    UserState,
)

__all__ = [
    "DEMO_EMAIL",
    "DEMO_NAME",
    "DEMO_SUB",
    "OUT_OF_SYNC_FIRST",
    "OUT_OF_SYNC_STALE",
    "PRELIVE_SCOPES",
    "PRODUCTION_SCOPES",
    "SECONDS_PER_VERSE",
    "ActivityDay",
    "FakeContract",
    "FakeQuranFoundation",
    "FaultKind",
    "Goal",
    "Mutation",
    "Note",
    "OAuthCall",
    "ReadingSession",
    "RecordedRequest",
    "UserState",
]
