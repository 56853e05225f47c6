"""Notes on Quran.com, written so that a note is never lost or duplicated.

Two things make note writes special:
- `lastMutationAt`: the 2026-03-29 contract demands the user's latest mutation time on every note
  write (docs §6 "Bot rule"); today's pre-live and production forbid it. It is sent when the
  contract declares it, or learned the first time the server asks for it (`MutationPolicy`); a
  conflict costs one re-sync and one retry, never a loop. A server that says the parameter
  "should not exist" is the opposite of asking: the bot stops sending it. The sync head
  (`sync_head`) and every `X-Mutation-At` header keep the stored value fresh. Contracts that
  declare `clientCreatedAt`/`clientUpdatedAt` get the bot's clock on creates and edits.
- QF has no idempotency keys: when a create's answer is lost after sending, the note is looked
  up by its range before it is sent again (`create_note`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from bot.qf.errors import InvalidResponse, OutOfSync, QFConnectionError, QFError, QFTimeout
from bot.qf.models import Note, NoteInput, NotePage, NoteSaved, Pagination, PublishResult
from bot.qf.user_api import UserApi
from bot.qf.wire import envelope_data, list_data, parse_json, parse_model, path_segment

log = logging.getLogger(__name__)

#: A note found by the post-timeout lookup counts as "ours" if QF created it this recently
#: before our request (room for clock skew between us and QF).
NOTE_MATCH_SKEW = dt.timedelta(minutes=5)


class MutationPolicy:
    """Whether note writes carry `lastMutationAt`: configured per environment, or learned the
    first time the server demands it, then kept for the life of the client."""

    def __init__(self, required: bool) -> None:
        self.required = required


class NotesApi(UserApi):
    """The `/v1/notes` operations of one user, and the sync head their writes may need."""

    async def create_note(self, note: NoteInput) -> NoteSaved:
        """Create a note; never twice, even when the first answer is lost.

        If the request may have reached QF (timeout or dropped connection after sending), the
        note is looked up by its range before trying again once. If that lookup fails too, the
        original error is raised and nothing is re-sent: the caller keeps the draft.
        """
        started = self._client.clock()
        # Built once: a re-send after a lost answer is the same note, created at the same time.
        wire = note.to_wire() | self._client.contract.client_timestamps(started, created=True)
        try:
            payload = await self._note_write("POST", "/v1/notes", json=wire)
        except (QFTimeout, QFConnectionError) as error:
            if not error.ambiguous:
                raise
            log.info("note create answer lost (%s); checking whether it was saved", error.code)
            try:
                existing = await self._find_created_note(note, since=started - NOTE_MATCH_SKEW)
            except QFError as lookup_error:
                log.warning("note lookup after lost answer failed: %s", lookup_error)
                raise error from lookup_error
            if existing is not None:
                log.info("note had been saved; not sending it again")
                return NoteSaved(note=existing)
            payload = await self._note_write("POST", "/v1/notes", json=wire)
        return self._note_saved(payload, sharing=note.save_to_qr)

    def _note_saved(self, payload: Any, *, sharing: bool) -> NoteSaved:
        # Quran.com's own client handles `{error: true, note: {...}}`: saved, but sharing to
        # QuranReflect failed. No spec documents it, so accept it wherever it appears.
        for candidate in (payload, envelope_data(payload)):
            if isinstance(candidate, dict) and candidate.get("error") and "note" in candidate:
                log.info("note saved but QuranReflect sharing failed (sharing asked: %s)", sharing)
                return NoteSaved(note=parse_model(Note, candidate["note"]), shared_failed=True)
        return NoteSaved(note=parse_model(Note, envelope_data(payload)))

    async def _find_created_note(self, note: NoteInput, *, since: dt.datetime) -> Note | None:
        if not note.ranges:
            return None
        start, end = _split_range(note.ranges[0])
        wanted = sorted(note.ranges)
        matches = [
            candidate
            for candidate in await self.notes_by_range(start, end)
            if candidate.body == note.body
            and (not candidate.ranges or sorted(candidate.ranges) == wanted)
            and candidate.created_at >= since
        ]
        return max(matches, key=lambda candidate: candidate.created_at, default=None)

    async def list_notes(
        self, cursor: str | None = None, limit: int = 20, sort_by: str = "newest"
    ) -> NotePage:
        params: dict[str, Any] = {"limit": max(1, min(limit, 50)), "sortBy": sort_by}
        if cursor:
            params["cursor"] = cursor
        payload = await self._get("/v1/notes", params)
        notes = [parse_model(Note, item) for item in list_data(payload)]
        pagination = payload.get("pagination") if isinstance(payload, dict) else None
        return NotePage(notes=notes, pagination=parse_model(Pagination, pagination or {}))

    async def notes_by_verse(self, verse_key: str) -> list[Note]:
        # The path has a `{verseKey}` segment (what Quran.com's own client fills in), and every
        # contract declares `verseKey` as a *required query* parameter: send it in both places,
        # so neither a router reading the path nor a validator checking the query refuses it.
        payload = await self._get(
            f"/v1/notes/by-verse/{path_segment(verse_key, safe=':')}", {"verseKey": verse_key}
        )
        return [parse_model(Note, item) for item in list_data(payload)]

    async def notes_by_range(self, from_key: str, to_key: str) -> list[Note]:
        payload = await self._get("/v1/notes/by-range", {"from": from_key, "to": to_key})
        return [parse_model(Note, item) for item in list_data(payload)]

    async def count_notes_in_range(self, from_key: str, to_key: str) -> dict[str, int]:
        payload = await self._get(
            "/v1/notes/count-within-range", {"from": from_key, "to": to_key}
        )
        data = envelope_data(payload)
        if not isinstance(data, dict):
            return {}
        return {
            str(key): int(value)
            for key, value in data.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }

    async def get_note(self, note_id: str) -> Note:
        payload = await self._get(f"/v1/notes/{path_segment(note_id)}")
        return parse_model(Note, envelope_data(payload))

    async def update_note(self, note_id: str, body: str, save_to_qr: bool | None = None) -> Note:
        wire: dict[str, Any] = {"body": body}
        if save_to_qr is not None:
            wire["saveToQR"] = save_to_qr
        wire |= self._client.contract.client_timestamps(self._client.clock(), created=False)
        payload = await self._note_write("PATCH", f"/v1/notes/{path_segment(note_id)}",
                                         json=wire)
        return self._note_saved(payload, sharing=bool(save_to_qr)).note

    async def delete_note(self, note_id: str) -> None:
        await self._note_write("DELETE", f"/v1/notes/{path_segment(note_id)}")

    async def publish_note(
        self, note_id: str, body: str, ranges: Sequence[str] | None = None
    ) -> PublishResult:
        wire: dict[str, Any] = {"body": body}
        if ranges:
            wire["ranges"] = list(ranges)
        payload = await self._note_write(
            "POST", f"/v1/notes/{path_segment(note_id)}/publish", json=wire
        )
        return parse_model(PublishResult, envelope_data(payload) or {})

    async def _note_write(self, method: str, path: str, *, json: Any = None) -> Any:
        """A note mutation, with `lastMutationAt` when the server wants it (docs §6 "Bot rule").

        Bounded, never a loop: a server that first reveals it wants the stamp (400/422 naming
        it) costs one request, then the write runs as if configured; a conflict (409, or a
        400/422 about the stamp we sent) costs one retry. Every refusal here means "not
        applied", so no retry can duplicate anything.
        """
        policy = self._client.mutations
        learning = not policy.required
        params: dict[str, Any] = {}
        if policy.required:
            params["lastMutationAt"] = await self._mutation_base()
        try:
            return await self._write(method, path, params=params or None, json=json)
        except QFError as error:
            if params and _refuses_mutation_stamp(error):
                # Configured or learned, but this server's contract has no such parameter:
                # stop sending it (for every session) and send this write once without it.
                log.warning("QF refuses lastMutationAt on note writes; no longer sending it")
                policy.required = False
                return await self._write(method, path, json=json)
            if not _demands_mutation_stamp(error):
                raise
            if learning:
                log.info("QF demands lastMutationAt on note writes; sending it from now on")
                policy.required = True
                return await self._note_write(method, path, json=json)
            if isinstance(error, OutOfSync) and error.first_sync:
                params["lastMutationAt"] = -1
            else:
                params["lastMutationAt"] = await self._head_or_first_sync()
            log.info("retrying note %s once with a fresh lastMutationAt", method)
            return await self._write(method, path, params=params, json=json)

    async def _mutation_base(self) -> int:
        stored = await self._client.vault.last_mutation_at(self.telegram_user_id)
        if stored is not None:
            return stored
        return await self._head_or_first_sync()

    async def _head_or_first_sync(self) -> int:
        try:
            return await self.sync_head()
        except (QFTimeout, QFConnectionError, InvalidResponse) as error:
            log.info("sync head unavailable (%s); sending lastMutationAt=-1", error.code)
        except QFError as error:
            if error.status is None or error.status == 401:
                raise  # NotLinked / LinkExpired: no write can succeed
            log.info("sync head refused (%s %s); sending lastMutationAt=-1", error.status,
                     error.code)
        return -1

    # --- sync head: the base `lastMutationAt` is taken from --------------------------------

    async def sync_head(self) -> int:
        """QF's latest mutation time (ms) for this user; stored for the next note write."""
        stored = await self._client.vault.last_mutation_at(self.telegram_user_id)
        response = await self._client.user_request(
            self.telegram_user_id, "GET", "/v1/sync",
            params={"mutationsSince": max(stored or 0, 0), "metadataOnly": "true"},
        )
        data = envelope_data(parse_json(response))
        value = data.get("lastMutationAt") if isinstance(data, dict) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            header = response.headers.get("x-mutation-at")
            try:
                value = int(float(header)) if header is not None else None
            except ValueError:
                value = None
        if value is None:
            raise InvalidResponse(response.status_code, "invalid_response", "sync head missing")
        head = int(value)
        await self._client.vault.record_mutation_at(self.telegram_user_id, head)
        return head


def _split_range(verse_range: str) -> tuple[str, str]:
    start, _, end = verse_range.partition("-")
    return start, end or start


#: How validation replies say a parameter is not allowed at all (class-validator's "property X
#: should not exist", and the usual variants): never a demand to send it.
_FORBIDDEN_WORDING = (
    "should not exist", "not allowed", "not permitted", "is not declared", "unknown parameter",
    "unexpected parameter", "not expected",
)


def _refuses_mutation_stamp(error: QFError) -> bool:
    if error.status not in (400, 422) or not error.names("lastmutationat"):
        return False
    return any(error.names(wording) for wording in _FORBIDDEN_WORDING)


def _demands_mutation_stamp(error: QFError) -> bool:
    if isinstance(error, OutOfSync):
        return True
    return (
        error.status in (400, 422)
        and error.names("lastmutationat")
        and not _refuses_mutation_stamp(error)
    )
