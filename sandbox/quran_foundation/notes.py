"""Notes: a reader's notes on verse ranges, listed, looked up by verse or range, counted,
edited and deleted.

Part of `FakeQuranFoundation`. A note saved with `saveToQR` is also published to QuranReflect
(see `reflect` for explicit publishing); on the 2026-03-29 contract every write is a mutation
that the sync log (`sync`) records.
"""

from __future__ import annotations

from typing import Any

from sandbox.quran_foundation.errors import ApiError
from sandbox.quran_foundation.formats import decode_cursor, encode_cursor, iso_z, new_id
from sandbox.quran_foundation.model import Answer, Call, Mutation, Note, UserState
from sandbox.quran_foundation.state import FakeState
from sandbox.quran_foundation.verses import parse_key, parse_ranges, verse_key, verses_in


class Notes(FakeState):
    @staticmethod
    def _note_json(note: Note, *, with_entities: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": note.id,
            "createdAt": iso_z(note.created_at),
            "updatedAt": iso_z(note.updated_at),
            "body": note.body,
            "ranges": list(note.ranges),
        }
        if with_entities and note.attached_entities:
            data["attachedEntities"] = note.attached_entities
        return data

    def _user_note(self, call: Call) -> Note:
        note = call.user.notes.get(call.path_params["noteId"])
        if note is None:
            raise ApiError(404, "note not found")
        return note

    def _share(self, call: Call, note: Note) -> Answer | None:
        """Publish to QuranReflect; returns the web client's failure shape if a fault is armed."""
        if self._share_failures > 0:
            self._share_failures -= 1
            return Answer({"error": True, "note": self._note_json(note)}, documented=False)
        note.post_id = next(self._post_ids)
        call.user.posts.append(
            {"postId": note.post_id, "noteId": note.id, "body": note.body, "ranges": note.ranges}
        )
        return None

    def _create_note(self, call: Call) -> Answer:
        body = call.body
        ranges = list(body.get("ranges", []))
        parse_ranges(ranges)
        now = call.now
        note = Note(
            id=new_id(),
            sequence=next(self._note_sequence),
            body=body["body"],
            ranges=ranges,
            created_at=now,
            updated_at=now,
            save_to_qr=bool(body["saveToQR"]),
        )
        if "attachedEntity" in body:
            note.attached_entities.append(body["attachedEntity"])
        call.user.notes[note.id] = note
        mutation = Mutation("CREATE", "NOTE", note.id, 0, self._note_json(note))
        failed = self._share(call, note) if note.save_to_qr else None
        if failed is not None:
            failed.mutation = mutation
            return failed
        return Answer({"success": True, "data": self._note_json(note)}, mutation=mutation)

    def _list_notes(self, call: Call) -> Answer:
        query = call.query
        newest = query.get("sortBy", "newest") == "newest"
        notes = sorted(call.user.notes.values(), key=lambda n: n.sequence, reverse=newest)
        limit = int(float(query.get("limit", "20")))
        if "cursor" in query:
            raw = decode_cursor(query["cursor"])
            if not raw.isdigit():
                raise ApiError(400, "cursor is not valid")
            after = int(raw)
            notes = [n for n in notes if (n.sequence < after if newest else n.sequence > after)]
        page = notes[:limit]
        pagination: dict[str, Any] = {
            "hasNextPage": len(notes) > limit,
            "hasPreviousPage": "cursor" in query,
        }
        if page:
            pagination["startCursor"] = encode_cursor(str(page[0].sequence))
            pagination["endCursor"] = encode_cursor(str(page[-1].sequence))
        data = [self._note_json(n) for n in page]
        return Answer({"success": True, "data": data, "pagination": pagination})

    def _notes_touching(self, user: UserState, start: int, end: int) -> list[Note]:
        found = [
            note
            for note in user.notes.values()
            if any(s <= end and start <= e for s, e in parse_ranges(note.ranges))
        ]
        return sorted(found, key=lambda n: n.sequence, reverse=True)

    def _notes_by_verse(self, call: Call) -> Answer:
        index = parse_key(call.path_params["verseKey"])
        notes = self._notes_touching(call.user, index, index)
        return Answer({"success": True, "data": [self._note_json(n) for n in notes]})

    def _query_span(self, call: Call) -> tuple[int, int]:
        start, end = parse_key(call.query["from"]), parse_key(call.query["to"])
        if start > end:
            raise ApiError(422, "from must not come after to")
        return start, end

    def _notes_by_range(self, call: Call) -> Answer:
        notes = self._notes_touching(call.user, *self._query_span(call))
        return Answer({"success": True, "data": [self._note_json(n) for n in notes]})

    def _count_notes(self, call: Call) -> Answer:
        start, end = self._query_span(call)
        counts: dict[str, int] = {}
        for note in call.user.notes.values():
            for index in verses_in(parse_ranges(note.ranges)):
                if start <= index <= end:
                    counts[verse_key(index)] = counts.get(verse_key(index), 0) + 1
        return Answer({"success": True, "data": counts})

    def _get_note(self, call: Call) -> Answer:
        note = self._user_note(call)
        with_entities = call.query.get("withAttachedEntities", "true") == "true"
        return Answer({"success": True, "data": self._note_json(note, with_entities=with_entities)})

    def _update_note(self, call: Call) -> Answer:
        note = self._user_note(call)
        note.body = call.body["body"]
        note.updated_at = call.now
        mutation = Mutation("UPDATE", "NOTE", note.id, 0, self._note_json(note))
        if call.body.get("saveToQR") and note.post_id is None:
            note.save_to_qr = True
            failed = self._share(call, note)
            if failed is not None:
                failed.mutation = mutation
                return failed
        return Answer({"success": True, "data": self._note_json(note)}, mutation=mutation)

    def _delete_note(self, call: Call) -> Answer:
        note = self._user_note(call)
        del call.user.notes[note.id]
        mutation = Mutation("DELETE", "NOTE", note.id, 0)
        return Answer({"success": True, "data": {"success": True}}, mutation=mutation)
