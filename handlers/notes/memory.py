"""What the notes flow remembers per user between updates, in PTB's user_data.

user_data is persisted as JSON together with the conversation state, so only JSON values are
kept, and the keys and shapes stay as they are: data written before an upgrade must still read.
Everything that must survive a crash (the note text) lives in the draft rows instead; this is
only which draft, which message and which list the next update is about.
"""

from __future__ import annotations

from typing import Any, Final

from telegram.ext import ContextTypes

from handlers.notes.buttons import CARRIED_NOTE_ID

_DRAFT_KEY: Final = "note_draft"  # int: the draft the next text message belongs to
_STATUS_KEY: Final = "note_status_message"  # int: the live "1,234 / 10,000" message
_EDITS_KEY: Final = "note_edits"  # {str(draft id): note id} for drafts that replace a note
_PAGES_KEY: Final = "note_pages"  # [cursor | None, ...]: /notes page i starts at pages[i]
_QUERY_KEY: Final = "note_query"  # [range key, ...] of the last `/notes 2:255`
_REFS_KEY: Final = "note_refs"  # {"--n": note id} for ids a button cannot carry
_SHARED_KEY: Final = "note_shared"  # [note id, ...] shared to QuranReflect from this bot
#: Marks a reference to a note id; carried ids never start with it (see CARRIED_NOTE_ID).
_REF_MARK: Final = "--"
#: Shared ids remembered per user; the oldest are forgotten first (a re-share of a note that
#: old is then possible again, which is far better than growing user_data without bound).
MAX_REMEMBERED_SHARES: Final = 500


class NotesMemory:
    """The notes flow's part of one user's user_data."""

    def __init__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        data = context.user_data
        if data is None:  # only updates without a user lack it; every notes handler has one
            raise RuntimeError("notes handlers need user_data")
        self._data: dict[Any, Any] = data

    # -- the draft being written ---------------------------------------------------------------

    @property
    def current_draft_id(self) -> int | None:
        """The draft the next text message belongs to.

        Only user_data says which: it is persisted together with the conversation state, so
        when a text step runs at all, the key is there. Guessing "the latest draft" could pick
        up an unrelated older one.
        """
        stored = self._data.get(_DRAFT_KEY)
        return stored if isinstance(stored, int) else None

    @current_draft_id.setter
    def current_draft_id(self, draft_id: int | None) -> None:
        self._data[_DRAFT_KEY] = draft_id

    def stop_writing(self) -> None:
        """No draft takes the next text, and no status message is live any more."""
        self._data.pop(_DRAFT_KEY, None)
        self._data.pop(_STATUS_KEY, None)

    @property
    def status_message_id(self) -> int | None:
        stored = self._data.get(_STATUS_KEY)
        return stored if isinstance(stored, int) else None

    @status_message_id.setter
    def status_message_id(self, message_id: int | None) -> None:
        if message_id is None:
            self._data.pop(_STATUS_KEY, None)
        else:
            self._data[_STATUS_KEY] = message_id

    def edited_note_id(self, draft_id: int) -> str | None:
        """The note whose text draft `draft_id` replaces, if it is an edit."""
        value = self._data.get(_EDITS_KEY, {}).get(str(draft_id))
        return value if isinstance(value, str) else None

    def start_edit(self, draft_id: int, note_id: str) -> None:
        self._data.setdefault(_EDITS_KEY, {})[str(draft_id)] = note_id

    def forget_draft(self, draft_id: int) -> None:
        """Draft `draft_id` was saved or discarded."""
        if self._data.get(_DRAFT_KEY) == draft_id:
            self._data.pop(_DRAFT_KEY, None)
        edits = self._data.get(_EDITS_KEY)
        if isinstance(edits, dict):
            edits.pop(str(draft_id), None)

    # -- lists -----------------------------------------------------------------------------------

    def restart_pages(self) -> list[str | None]:
        """A new /notes: only its first page's cursor is known."""
        pages: list[str | None] = [None]
        self._data[_PAGES_KEY] = pages
        return pages

    def pages(self) -> list[str | None]:
        """Cursors of /notes pages (they may exceed 64 bytes, so buttons carry the index)."""
        pages: list[str | None] = self._data.setdefault(_PAGES_KEY, [None])
        return pages

    @property
    def verse_query(self) -> list[str]:
        """The range keys of the last `/notes 2:255`; empty when there was none."""
        keys = self._data.get(_QUERY_KEY)
        return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []

    @verse_query.setter
    def verse_query(self, keys: list[str]) -> None:
        self._data[_QUERY_KEY] = keys

    # -- note ids on buttons ---------------------------------------------------------------------

    def note_ref(self, note_id: str) -> str:
        """What a button carries for `note_id`: the id itself, or a short reference.

        QF ids are cuids today (25 characters), but callback_data is capped at 64 bytes and
        takes only a safe alphabet; an id outside it must not make the whole keyboard fail.
        """
        if CARRIED_NOTE_ID.fullmatch(note_id):
            return note_id
        refs: dict[str, str] = self._data.setdefault(_REFS_KEY, {})
        for key, value in refs.items():
            if value == note_id and key.startswith(_REF_MARK):
                return key
        key = f"{_REF_MARK}{len(refs)}"
        refs[key] = note_id
        return key

    def resolve_ref(self, ref: str) -> str | None:
        """The note id a button's `note_ref` stands for; None for an unknown reference."""
        if not ref.startswith(_REF_MARK):
            return ref or None
        value = self._data.get(_REFS_KEY, {}).get(ref)
        return value if isinstance(value, str) else None

    # -- notes shared to QuranReflect --------------------------------------------------------

    def shared_ids(self) -> list[str]:
        """Notes shared from here (the API does not say whether a note was published)."""
        value = self._data.get(_SHARED_KEY)
        return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []

    def remember_shared(self, note_id: str) -> None:
        shared = [item for item in self.shared_ids() if item != note_id]
        shared.append(note_id)
        self._data[_SHARED_KEY] = shared[-MAX_REMEMBERED_SHARES:]

    def forget_shared(self, note_id: str) -> None:
        if note_id in self.shared_ids():
            self._data[_SHARED_KEY] = [item for item in self.shared_ids() if item != note_id]
