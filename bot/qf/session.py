"""`UserSession`: the User API on behalf of one linked Telegram user, in their timezone.

Callers get one from `QuranFoundationClient.for_user` and use it as one object; its operations
live with their resource: goals (`bot.qf.goals_api`), notes and the sync head
(`bot.qf.notes_api`), activity days and streaks (`bot.qf.activity_api`), the "continue
reading" position (`bot.qf.reading_sessions_api`), QuranReflect posts (`bot.qf.reflect_api`),
all standing on the
authenticated plumbing of `bot.qf.user_api`. The profile, a single QuranReflect read, is here.
"""

from __future__ import annotations

from bot.qf.activity_api import ActivityApi
from bot.qf.goals_api import GoalsApi
from bot.qf.models import Profile
from bot.qf.notes_api import NotesApi
from bot.qf.reading_sessions_api import ReadingSessionsApi
from bot.qf.reflect_api import ReflectApi
from bot.qf.wire import envelope_data, parse_json, parse_model


class UserSession(GoalsApi, NotesApi, ActivityApi, ReadingSessionsApi, ReflectApi):
    """The User API on behalf of one linked Telegram user, in their timezone."""

    async def profile(self) -> Profile:
        """The user's profile, served by QuranReflect beside the User API."""
        response = await self._client.user_request(
            self.telegram_user_id, "GET", "/v1/users/profile",
            base_url=self._client.reflect_base_url,
        )
        return parse_model(Profile, envelope_data(parse_json(response)))
