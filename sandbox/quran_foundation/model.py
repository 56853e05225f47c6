"""What the fake Quran Foundation remembers: accounts and their data, tokens, recorded requests.

Tests read and arrange the public records (`UserState` with its goals, notes and activity days;
`RecordedRequest`, `OAuthCall`); the private ones are the OAuth server's grants and the shapes
the route handlers pass around (`Call` in, `Answer` out).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

#: The User API contracts the fake speaks: production, today's pre-live ("prelive"), and the
#: pre-live of 29 March 2026 (note writes guarded by `lastMutationAt`).
FakeContract = Literal["production", "prelive", "2026-03-29"]

DEMO_SUB: Final = "demo-user"
DEMO_NAME: Final = "Demo Reader"
DEMO_EMAIL: Final = "demo.reader@example.com"

#: Scopes a client may ask for per contract; `sync` exists on pre-live only (docs §2).
PRODUCTION_SCOPES: Final = frozenset(
    {
        "openid",
        "offline_access",
        "user",
        "goal",
        "note",
        "streak",
        "activity_day",
        "reading_session",
        "bookmark",
        "collection",
        "preference",
    }
)
PRELIVE_SCOPES: Final = PRODUCTION_SCOPES | {"sync"}


@dataclass
class Goal:
    id: str
    type: str
    amount: int | str
    duration: int | None
    category: str
    mushaf_id: int
    start_date: date


@dataclass
class ReadingSession:
    """Where the reader stopped (Quran.com's "continue reading"), newest first in `UserState`."""

    id: str
    chapter: int
    verse: int
    updated_at: datetime


@dataclass
class Note:
    id: str
    sequence: int
    body: str
    ranges: list[str]
    created_at: datetime
    updated_at: datetime
    save_to_qr: bool = False
    post_id: int | None = None
    attached_entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ActivityDay:
    id: str
    date: date
    type: str
    mushaf_id: int
    seconds: int = 0
    manually_added_seconds: int = 0
    verses: set[int] = field(default_factory=set)


@dataclass
class Mutation:
    type: Literal["CREATE", "UPDATE", "DELETE"]
    resource: str
    resource_id: str
    timestamp: int
    data: dict[str, Any] | None = None


@dataclass
class UserState:
    """Everything the fake knows about one Quran.com account; tests read and arrange it."""

    sub: str
    name: str
    email: str
    created_at: datetime
    goals: dict[str, Goal] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)
    activity_days: dict[date, ActivityDay] = field(default_factory=dict)
    #: Unix ms of the latest note mutation (2026-03-29 contract); None until the first one.
    last_mutation_at: int | None = None
    mutations: list[Mutation] = field(default_factory=list)
    #: Reflections published to QuranReflect: {"postId", "noteId", "body", "ranges"}.
    posts: list[dict[str, Any]] = field(default_factory=list)
    #: Reading positions, newest first (`POST /v1/reading-sessions`).
    reading_sessions: list[ReadingSession] = field(default_factory=list)

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def last_name(self) -> str:
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""


@dataclass
class RecordedRequest:
    """One request as the fake received it; `status` is None when the connection was cut."""

    method: str
    path: str
    api_path: str | None
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    form: dict[str, str] | None
    status: int | None = None
    fault: str | None = None
    #: time.monotonic() when the request arrived and when its answer left (None: no answer),
    #: so a test can tell which calls a client made one after another and which side by side.
    started: float = 0.0
    finished: float | None = None


@dataclass
class OAuthCall:
    """One call to `/oauth2/token` or `/oauth2/revoke`, for assertions on client behaviour."""

    grant_type: str | None
    had_basic_auth: bool
    client_id: str | None
    status: int
    error: str | None


@dataclass
class Grant:
    """One consent: every token issued from it is revoked with it (a token family)."""

    id: str
    sub: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: datetime
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    grant: Grant
    expires_at: datetime | None
    used: bool = False


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    sub: str
    nonce: str | None
    code_challenge: str
    expires_at: datetime
    used: bool = False
    grant: Grant | None = None


FaultKind = Literal["fail", "delay", "drop", "timeout"]


@dataclass
class Fault:
    """A fault armed by `fail_next` & co. for the next `remaining` matching requests."""

    kind: FaultKind
    method: str | None
    path: re.Pattern[str] | None
    remaining: int
    status: int = 500
    retry_after: str | None = None
    body: Any = None
    non_json: bool = False
    seconds: float = 0.0
    apply: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None


@dataclass
class Answer:
    """What a User API route handler answers; the dispatch checks it against the spec."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: False for shapes no spec documents (the QuranReflect share failure).
    documented: bool = True
    mutation: Mutation | None = None


@dataclass
class Call:
    """One authenticated, validated User API request, as the route handlers see it."""

    user: UserState
    method: str
    template: str
    path_params: dict[str, str]
    query: dict[str, str]
    body: Any
    zone: ZoneInfo
    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()


Handler = Callable[[Call], Answer]
