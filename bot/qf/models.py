"""Wire models for the Quran Foundation User API and OAuth server.

Python code uses snake_case; the User API speaks camelCase, so every model derives its aliases
with `to_camel`. QF's three spec files disagree in places (docs "Drift"), and the live service may
drift again, so response models ignore unknown keys, make everything optional that one of the
files leaves out, and normalise the shapes that differ (dates vs. datetimes, `{days}` vs.
`[{days}]`) here, once, instead of in every handler.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


class QFModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body QF expects: camelCase keys, unset optionals left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _calendar_date(value: Any) -> Any:
    # Production writes streak bounds as ISO datetimes ("2023-09-01T00:00:00.000Z"), the
    # 2026-03-29 contract as plain dates. The calendar day is what users mean either way, and it
    # is the date QF wrote (already in the user's x-timezone), so no zone conversion here.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and len(value) > 10 and value[4:5] == "-":
        return value[:10]
    return value


#: A calendar day that QF may send as a date or as a datetime.
CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class GoalType(StrEnum):
    QURAN_TIME = "QURAN_TIME"
    QURAN_PAGES = "QURAN_PAGES"
    QURAN_RANGE = "QURAN_RANGE"
    COURSE = "COURSE"
    QURAN_READING_PROGRAM = "QURAN_READING_PROGRAM"
    RAMADAN_CHALLENGE = "RAMADAN_CHALLENGE"


#: The goal types a Quran reader sets up; `find_todays_plan` probes them in this order.
QURAN_GOAL_TYPES: tuple[GoalType, ...] = (
    GoalType.QURAN_TIME,
    GoalType.QURAN_PAGES,
    GoalType.QURAN_RANGE,
)


class GoalInput(QFModel):
    """Body of `POST /v1/goals` and `PUT /v1/goals/{id}`.

    `amount` is seconds per day for QURAN_TIME, pages for QURAN_PAGES and a `"c:v-c:v"` range
    for QURAN_RANGE; `duration` (days) turns a daily goal into "finish in N days".
    """

    type: GoalType
    amount: int | str
    category: str = "QURAN"
    duration: int | None = None


class TodaysPlan(QFModel):
    """`GET /v1/goals/get-todays-plan`.

    `goal_id` is the goal (what PUT/DELETE need); `id` is today's activity-day record. The
    2026-03-29 contract sends neither `hasGoal` nor `goalId`, so `has_active_goal` falls back to
    "an activity record came back".
    """

    has_goal: bool | None = None
    goal_id: str | None = None
    id: str | None = None
    date: CalendarDate | None = None
    progress: float | None = None
    type: str | None = None
    ranges: list[str] = Field(default_factory=list)
    pages_read: float | None = None
    seconds_read: int | None = None
    verses_read: int | None = None
    manually_added_seconds: int | None = None
    daily_target_pages: float | None = None
    daily_target_seconds: int | None = None
    daily_target_ranges: list[str] | None = None
    remaining_daily_target_ranges: list[str] | None = None
    mushaf_id: int | None = None
    #: Not on the wire: the goal type this plan was asked for.
    goal_type: GoalType | None = Field(default=None, exclude=True)

    @property
    def has_active_goal(self) -> bool:
        if self.has_goal is not None:
            return self.has_goal
        return self.id is not None


class GoalEstimateDay(QFModel):
    date: CalendarDate
    amount: int | str


class GoalEstimate(QFModel):
    week: list[GoalEstimateDay] = Field(default_factory=list)


class AttachedEntity(QFModel):
    entity_id: str
    entity_type: str
    entity_metadata: dict[str, Any] | None = None


class Note(QFModel):
    id: str
    created_at: datetime
    updated_at: datetime
    body: str
    source: str | None = None
    attached_entities: list[AttachedEntity] = Field(default_factory=list)
    ranges: list[str] = Field(default_factory=list)


class NoteInput(QFModel):
    """The portable create body: accepted by all three contracts (body, saveToQR, ≥ 1 range).

    One verse is the range `"2:255-2:255"`.
    """

    body: str
    ranges: list[str]
    save_to_qr: bool = Field(
        default=False,
        serialization_alias="saveToQR",
        validation_alias=AliasChoices("saveToQR", "save_to_qr"),
    )
    #: The QuranReflect post the note is about (every contract declares `attachedEntity`).
    attached_entity: AttachedEntity | None = None


class NoteSaved(QFModel):
    """A created note. `shared_failed` means it was saved but sharing to QuranReflect failed:
    the note is safe and the handler may offer `publish_note` later."""

    note: Note
    shared_failed: bool = False


class Pagination(QFModel):
    start_cursor: str | None = None
    end_cursor: str | None = None
    has_next_page: bool = False
    has_previous_page: bool = False


class NotePage(QFModel):
    notes: list[Note]
    pagination: Pagination = Field(default_factory=Pagination)

    @property
    def next_cursor(self) -> str | None:
        """Cursor for the following page, or None on the last page."""
        return self.pagination.end_cursor if self.pagination.has_next_page else None


class PublishResult(QFModel):
    success: bool = True
    post_id: int | None = None


class ActivityDay(QFModel):
    id: str | None = None
    date: CalendarDate
    progress: float | None = None
    type: str | None = None
    ranges: list[str] = Field(default_factory=list)
    pages_read: float | None = None
    seconds_read: int | None = None
    verses_read: int | None = None
    manually_added_seconds: int | None = None
    daily_target_pages: float | None = None
    daily_target_seconds: int | None = None
    daily_target_ranges: list[str] | None = None
    remaining_daily_target_ranges: list[str] | None = None
    mushaf_id: int | None = None


class Streak(QFModel):
    id: str | None = None
    start_date: CalendarDate
    end_date: CalendarDate | None = None
    #: Absent in the 2026-03-29 contract.
    type: str | None = None
    status: str | None = None
    days: int = 0

    @property
    def active(self) -> bool:
        return (self.status or "").upper() == "ACTIVE"


class Profile(QFModel):
    """`GET /v1/users/profile` (a bare object, no `{success, data}` envelope)."""

    id: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    photo_url: str | None = None
    language_iso_code: str | None = None
    country: str | None = None

    @property
    def display_name(self) -> str | None:
        full = " ".join(part for part in (self.first_name, self.last_name) if part).strip()
        return full or self.username or None


def current_streak_days_from(data: Any) -> int:
    """`{days}` (production) or `[{days}]` (2026-03-29) or nothing at all → a day count."""
    if isinstance(data, list):
        data = data[0] if data else {}
    if isinstance(data, dict):
        days = data.get("days")
        if isinstance(days, int | float) and not isinstance(days, bool):
            return int(days)
    return 0


def seconds_from(value: Any) -> int:
    """The reading-time estimate is typed integer but documented as `66.8`: round up, since
    crediting less than was read would understate the user's reading."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(0, math.ceil(value))
    return 0


class TokenSet(BaseModel):
    """What the OAuth token endpoint returned, with the expiry made absolute.

    OAuth speaks snake_case already, so no aliasing here. `refresh_token` is None when the
    server did not rotate it (the caller keeps the old one) or `offline_access` was not granted.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    access_token: str = Field(repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    id_token: str | None = Field(default=None, repr=False)
    expires_at: datetime
    scopes: tuple[str, ...] = ()
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type name, not a secret
