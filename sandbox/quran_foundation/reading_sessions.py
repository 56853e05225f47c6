"""Reading sessions: where the reader stopped, for Quran.com's "continue reading".

Part of `FakeQuranFoundation`. Assumption (QF documents only the two answers "reading session
created" / "reading session updated"): a position recorded within `SESSION_GAP` of the latest
one moves that session; a later one starts a new session. The 2026-03-29 contract knows only
"created", so there every position is a new session.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from sandbox.quran_foundation.formats import iso_z, new_id, relay_page
from sandbox.quran_foundation.model import Answer, Call, ReadingSession
from sandbox.quran_foundation.state import FakeState

SESSION_GAP: Final = timedelta(minutes=30)


class ReadingSessions(FakeState):
    def _record_reading_session(self, call: Call) -> Answer:
        chapter, verse = int(call.body["chapterNumber"]), int(call.body["verseNumber"])
        sessions = call.user.reading_sessions
        latest = sessions[0] if sessions else None
        if (
            self.contract != "2026-03-29"
            and latest is not None
            and call.now - latest.updated_at < SESSION_GAP
        ):
            latest.chapter, latest.verse, latest.updated_at = chapter, verse, call.now
            message = "reading session updated"
        else:
            sessions.insert(0, ReadingSession(new_id(), chapter, verse, call.now))
            message = "reading session created"
        return Answer({"success": True, "data": {"message": message}})

    def _list_reading_sessions(self, call: Call) -> Answer:
        page, pagination = relay_page(
            call.user.reading_sessions, lambda session: session.id, call.query
        )
        data: list[dict[str, Any]] = [
            {
                "id": session.id,
                "updatedAt": iso_z(session.updated_at),
                "chapterNumber": session.chapter,
                "verseNumber": session.verse,
            }
            for session in page
        ]
        return Answer({"success": True, "data": data, "pagination": pagination})
