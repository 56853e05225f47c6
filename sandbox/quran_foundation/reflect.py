"""QuranReflect: publishing a note as a public reflection, and the user profile that lives on
QuranReflect's base URL.

Part of `FakeQuranFoundation`. `fail_quranreflect_share_next` (fault injection) makes a save
with `saveToQR` answer the web client's "saved, not shared" shape, which no spec documents.
"""

from __future__ import annotations

from typing import Any

from sandbox.quran_foundation.model import Answer, Call, Mutation
from sandbox.quran_foundation.notes import Notes
from sandbox.quran_foundation.verses import parse_ranges


class QuranReflect(Notes):
    def _publish_note(self, call: Call) -> Answer:
        note = self._user_note(call)
        ranges = list(call.body.get("ranges", note.ranges))
        parse_ranges(ranges)
        post_id = next(self._post_ids)
        call.user.posts.append(
            {"postId": post_id, "noteId": note.id, "body": call.body["body"], "ranges": ranges}
        )
        note.post_id = post_id
        mutation = Mutation("UPDATE", "NOTE", note.id, 0, self._note_json(note))
        return Answer(
            {"success": True, "data": {"success": True, "postId": post_id}}, mutation=mutation
        )

    def _profile(self, call: Call) -> Answer:
        user = call.user
        avatar = f"https://avatars.example.com/{user.sub}.png"
        profile: dict[str, Any] = {
            "id": user.sub,
            "avatarUrls": {"small": avatar, "medium": avatar, "large": avatar},
            "settings": {"ayahLanguages": [], "reflectionLanguages": []},
            "createdAt": user.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "joiningYear": user.created_at.year,
            "username": user.sub,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "verified": False,
            "postAs": False,
            "postsCount": len(user.posts),
            "followersCount": 0,
            "likesCount": 0,
            "isAdmin": False,
            "languageIsoCode": "en",
        }
        if self.contract == "production" and call.query.get("qdc") == "true":
            profile |= {"email": user.email, "isPasswordSet": True}
        return Answer(profile)
