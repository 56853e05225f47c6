"""Notes: the use cases behind /note and /notes, so the handlers only do Telegram.

Two stores take part. The draft row (storage.DraftRepository) is the source of truth while a
note is being written: every collected message is written at once, because PTB persistence is
batched and a crash must not lose a reflection, and a draft is deleted only once Quran.com
confirmed the save. Saved notes live on Quran.com (bot.qf), reached through the user's session.

Saving is the delicate part: an attempt whose answer was lost may have created the note, so a
draft that reached "saving" before is looked up on Quran.com first (`save_note`), and a retry
can never create a second copy.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.verses import VerseRange
from bot.qf import (
    AttachedEntity,
    Note,
    NoteInput,
    NotePage,
    NoteSaved,
    PublishResult,
    QFError,
    UserSession,
)
from storage import DraftRepository, NoteDraft
from storage.replay import is_replay

logger = logging.getLogger(__name__)


class DraftStatus(StrEnum):
    """The step a draft reached, stored with it so a press after a restart knows where it is."""

    RANGES = "ranges"
    BODY = "body"
    SHARE = "share"
    CONFIRM = "confirm"
    #: Sent to Quran.com, answer not yet known: the next attempt looks before re-sending.
    SAVING = "saving"
    FAILED = "failed"
    #: New text for a note already on Quran.com.
    EDIT = "edit"


# ---------------------------------------------------------------------------------------------
# Drafts


async def own_draft(
    drafts: DraftRepository, user_id: int, draft_id: int | None
) -> NoteDraft | None:
    """The draft, if it exists and belongs to `user_id` (buttons can be forged)."""
    if draft_id is None:
        return None
    draft = await drafts.get(draft_id)
    return draft if draft is not None and draft.telegram_user_id == user_id else None


async def latest_draft(drafts: DraftRepository, user_id: int) -> NoteDraft | None:
    """The draft the user touched last: what a bare /note offers to continue."""
    return await drafts.latest_for_user(user_id)


async def write_draft(
    drafts: DraftRepository,
    user_id: int,
    draft: NoteDraft | None = None,
    *,
    ranges: Sequence[str] | None = None,
    body: str | None = None,
    save_to_qr: bool | None = None,
    status: str | None = None,
    attached_entity: dict[str, Any] | None = None,
) -> NoteDraft:
    """Write `draft` (or a new one) with the given changes now, not at the next flush.
    A draft keeps the reflection it is about unless another is given.

    Notes are written in the private chat, whose id is the user's.
    """
    return await drafts.save(
        telegram_user_id=user_id,
        chat_id=user_id,
        ranges=ranges if ranges is not None else (draft.ranges if draft else ()),
        body=body if body is not None else (draft.body if draft else ""),
        save_to_qr=save_to_qr if save_to_qr is not None else (draft.save_to_qr if draft else False),
        status=status if status is not None else (draft.status if draft else DraftStatus.BODY),
        draft_id=draft.id if draft else None,
        attached_entity=attached_entity if attached_entity is not None
        else (draft.attached_entity if draft else None),
    )


async def discard_draft(drafts: DraftRepository, draft_id: int) -> None:
    await drafts.delete(draft_id)


@dataclass(frozen=True)
class UnsavedDraft:
    """The user's latest draft that holds text, and the empty ones dropped on the way."""

    draft: NoteDraft | None
    dropped: tuple[int, ...]


async def unsaved_draft(drafts: DraftRepository, user_id: int) -> UnsavedDraft:
    """The user's latest draft that holds text: what a new note must not push aside unasked.

    Drafts without text (verses chosen, nothing written yet) hold nothing worth a question;
    they are dropped here, as Cancel drops them.
    """
    dropped: list[int] = []
    for _ in range(10):  # bounded: each round deletes one row
        draft = await drafts.latest_for_user(user_id)
        if draft is None or draft.body.strip():
            return UnsavedDraft(draft, tuple(dropped))
        await drafts.delete(draft.id)
        dropped.append(draft.id)
    return UnsavedDraft(await drafts.latest_for_user(user_id), tuple(dropped))


# ---------------------------------------------------------------------------------------------
# Saving and changing notes on Quran.com


async def save_note(drafts: DraftRepository, session: UserSession, draft: NoteDraft) -> NoteSaved:
    """Create the note from `draft`, never twice; the draft is deleted once Quran.com confirmed.

    Raises QFError when it failed (the draft is then marked failed, for Retry).
    """
    maybe_sent = draft.status in (DraftStatus.SAVING, DraftStatus.FAILED)
    await drafts.set_status(draft.id, DraftStatus.SAVING)
    try:
        saved = await _create(session, draft, maybe_sent=maybe_sent)
    except QFError:
        await drafts.set_status(draft.id, DraftStatus.FAILED)
        raise
    await drafts.delete(draft.id)
    return saved


async def _create(session: UserSession, draft: NoteDraft, *, maybe_sent: bool) -> NoteSaved:
    """Create the note; if an earlier attempt may have reached Quran.com, look first.

    `create_note` reconciles a lost answer within one call. Across calls (the retry button, a
    restart mid-request) only the draft knows an attempt happened, so the lookup is done here.
    """
    # A replayed update (its first run cut off by a crash) wrote a fresh draft, but its first
    # run may have saved the note already.
    if (maybe_sent or is_replay()) and draft.ranges:
        start, _, end = draft.ranges[0].partition("-")
        existing = find_saved_copy(
            await session.notes_by_range(start, end or start), draft.body, draft.ranges
        )
        if existing is not None:
            logger.info("draft %s had been saved already; not sending it again", draft.id)
            return NoteSaved(note=existing)
    return await session.create_note(
        NoteInput(
            body=draft.body, ranges=list(draft.ranges), save_to_qr=draft.save_to_qr,
            attached_entity=(
                AttachedEntity.model_validate(draft.attached_entity)
                if draft.attached_entity else None
            ),
        )
    )


async def update_note(
    drafts: DraftRepository, session: UserSession, draft: NoteDraft, note_id: str
) -> Note:
    """Replace note `note_id`'s text with the draft's (a PATCH: idempotent, so a retry simply
    sends it again); the draft is deleted once Quran.com confirmed.

    Raises NotFound when the note was deleted elsewhere meanwhile (the draft stays), and
    QFError for other failures.
    """
    note = await session.update_note(note_id, draft.body)
    await drafts.delete(draft.id)
    return note


#: What a note version looks like on a button (`note_version`).
NOTE_VERSION_PATTERN = r"[0-9a-f]{8}"


def note_version(note: Note) -> str:
    """A short fingerprint of the note as shown: its id, Quran.com's `updatedAt`, text and
    verses. Edit, Delete and Share buttons carry it, so a press after the note changed (on
    Quran.com, on another device, by an edit here) says so instead of acting on a note the
    person never saw."""
    text = "|".join((note.id, note.updated_at.isoformat(), note.body, ",".join(note.ranges)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


async def get_note(session: UserSession, note_id: str) -> Note:
    return await session.get_note(note_id)


async def delete_note(session: UserSession, note_id: str) -> None:
    await session.delete_note(note_id)


async def publish_note(session: UserSession, note: Note) -> PublishResult:
    """Post the note's text and verses to QuranReflect (public)."""
    return await session.publish_note(note.id, note.body, note.ranges or None)


# ---------------------------------------------------------------------------------------------
# Listing notes


async def list_notes(session: UserSession, cursor: str | None, limit: int) -> NotePage:
    """One page of all the user's notes, newest first."""
    return await session.list_notes(cursor=cursor, limit=limit)


async def notes_on(session: UserSession, keys: Sequence[str]) -> list[Note]:
    """The user's notes on any of the ranges `keys`, each once, newest first."""
    groups: list[list[Note]] = []
    for verse_range in (VerseRange.from_key(key) for key in keys):
        if verse_range.is_single_verse:
            groups.append(await session.notes_by_verse(verse_range.start_key))
        else:
            groups.append(await session.notes_by_range(verse_range.start_key,
                                                        verse_range.end_key))
    return newest_first(groups)


def newest_first(groups: Iterable[Iterable[Note]]) -> list[Note]:
    """Notes from several lookups (one per range asked), each once, newest first."""
    seen: dict[str, Note] = {}
    for group in groups:
        for note in group:
            seen.setdefault(note.id, note)
    return sorted(seen.values(), key=lambda note: note.created_at, reverse=True)


def find_saved_copy(notes: Iterable[Note], body: str, ranges: Sequence[str]) -> Note | None:
    """A note already on Quran.com with exactly this body and these ranges.

    Before re-sending a draft whose last attempt may have reached the server (the answer was
    lost, or the bot restarted mid-request), this tells "saved after all" from "never arrived",
    so a retry cannot create a second copy.
    """
    wanted = sorted(ranges)
    matches = [
        note
        for note in notes
        if note.body == body and (not note.ranges or sorted(note.ranges) == wanted)
    ]
    return max(matches, key=lambda note: note.created_at, default=None)
