"""Every button of the notes flow, one press type per action (see handlers.callbacks).

Wizard buttons carry the draft id: the draft row alone says what to do, so they keep working
after a restart that lost the conversation. Buttons on saved notes carry the Quran.com note id
as a `NoteId`, whose alphabet has no '.', '/' or ':', so a forged id never reaches a URL path.
Ownership needs no field: notes open only in the private chat, every draft is checked against
the presser, and every note is fetched with the presser's own Quran.com session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Final, TypeAlias

from bot.services.notes import NOTE_VERSION_PATTERN
from handlers.callbacks import Between, CallbackData, Count, Matches, NoteId

#: A draft row's id; 0 stands for "no draft yet" (Cancel before anything was written).
DraftId: TypeAlias = Annotated[int, Between(0, 2**63 - 1)]

#: The note as a button showed it (`bot.services.notes.note_version`).
NoteVersion: TypeAlias = Annotated[str, Matches(NOTE_VERSION_PATTERN)]

#: Note ids put on buttons as they are: NoteId's alphabet, not starting with '-' (that marks a
#: short reference to a longer id, see handlers.notes.memory), and short enough that the
#: longest button (`OpenListedNote`) stays under Telegram's 64 bytes.
CARRIED_NOTE_ID: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,39}")


class Listing(StrEnum):
    """Which list a page or an opened note belongs to."""

    #: All notes, newest first, in cursor pages (the position is the page index).
    ALL = "p"
    #: The notes on the verses of the last `/notes 2:255` (the position is an offset).
    VERSES = "v"


# ---------------------------------------------------------------------------------------------
# Drafts (the wizard)


@dataclass(frozen=True)
class ContinueDraft(CallbackData, prefix="note.resume"):
    draft_id: DraftId


@dataclass(frozen=True)
class DiscardAndStartNew(CallbackData, prefix="note.fresh"):
    draft_id: DraftId


@dataclass(frozen=True)
class StartNewNote(CallbackData, prefix="note.new"):
    """At "Continue your draft … or start a new note?": a new note; that draft stays kept."""

    draft_id: DraftId


@dataclass(frozen=True)
class DropEarlierDraft(CallbackData, prefix="note.swap"):
    """Two unsaved drafts: discard the earlier one and go on with the new one."""

    earlier_id: DraftId
    new_id: DraftId


@dataclass(frozen=True)
class FinishText(CallbackData, prefix="note.done"):
    draft_id: DraftId


@dataclass(frozen=True)
class ChooseSharing(CallbackData, prefix="note.share"):
    draft_id: DraftId
    share: bool


@dataclass(frozen=True)
class AddMoreText(CallbackData, prefix="note.more"):
    draft_id: DraftId


@dataclass(frozen=True)
class SaveDraft(CallbackData, prefix="note.save"):
    draft_id: DraftId


@dataclass(frozen=True)
class CancelDraft(CallbackData, prefix="note.cancel"):
    draft_id: DraftId


@dataclass(frozen=True)
class DiscardDraft(CallbackData, prefix="note.discard"):
    draft_id: DraftId


@dataclass(frozen=True)
class RetrySave(CallbackData, prefix="note.retry"):
    """Send a draft again after Quran.com failed (a new note, or an edit's new text)."""

    draft_id: DraftId


# ---------------------------------------------------------------------------------------------
# Saved notes (/notes)


@dataclass(frozen=True)
class TurnPage(CallbackData, prefix="note.page"):
    listing: Listing
    position: Count


@dataclass(frozen=True)
class BackToList(CallbackData, prefix="note.back"):
    listing: Listing
    position: Count


@dataclass(frozen=True)
class OpenNote(CallbackData, prefix="note.open"):
    """Open a note from a message about it (no list to go back to)."""

    note: NoteId


@dataclass(frozen=True)
class OpenListedNote(CallbackData, prefix="note.openl"):
    """Open a note from a list, which its "« Back to list" button shows again."""

    note: NoteId
    listing: Listing
    position: Count


@dataclass(frozen=True)
class EditNote(CallbackData, prefix="note.edit"):
    """✏️ Edit the note as it was shown (`version`)."""

    note: NoteId
    version: NoteVersion


@dataclass(frozen=True)
class AskDelete(CallbackData, prefix="note.del"):
    note: NoteId


@dataclass(frozen=True)
class ConfirmDelete(CallbackData, prefix="note.delok"):
    """"Yes, delete it": the note as the question showed it (`version`)."""

    note: NoteId
    version: NoteVersion


@dataclass(frozen=True)
class KeepNote(CallbackData, prefix="note.keep"):
    """"Keep it" under the delete question."""


@dataclass(frozen=True)
class AskPublish(CallbackData, prefix="note.pub"):
    note: NoteId


@dataclass(frozen=True)
class ConfirmPublish(CallbackData, prefix="note.pubok"):
    """"Yes, share it": the note as the question showed it (`version`)."""

    note: NoteId
    version: NoteVersion


@dataclass(frozen=True)
class DeclinePublish(CallbackData, prefix="note.pubno"):
    """"No, keep it private" under the publish question."""
