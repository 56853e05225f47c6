"""Mutation sync (2026-03-29 contract): note writes guarded by `lastMutationAt`, answered with
`X-Mutation-At`, and logged for `GET /v1/sync`.

Part of `FakeQuranFoundation`. A write whose `lastMutationAt` is not the account's latest
answers 409 OutOfSync (-1 is the only accepted value before the first mutation), so a client
must keep the value it was last given, or sync to learn it.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.responses import Response

from sandbox.quran_foundation.errors import (
    OUT_OF_SYNC_FIRST,
    OUT_OF_SYNC_STALE,
    api_error,
    out_of_sync,
)
from sandbox.quran_foundation.model import Answer, Call, Mutation, UserState
from sandbox.quran_foundation.state import FakeState

#: The writes the 2026-03-29 contract guards with `lastMutationAt`.
NOTE_WRITES: Final = frozenset(
    {
        ("POST", "/v1/notes"),
        ("PATCH", "/v1/notes/{noteId}"),
        ("DELETE", "/v1/notes/{noteId}"),
        ("POST", "/v1/notes/{noteId}/publish"),
    }
)


class MutationSync(FakeState):
    def _check_mutation_base(self, user: UserState, given: str) -> Response | None:
        try:
            value = float(given)
        except ValueError:
            return api_error(400, "lastMutationAt must be a number")
        if user.last_mutation_at is None:
            if value != -1:
                return out_of_sync(OUT_OF_SYNC_FIRST)
            return None
        if value != user.last_mutation_at:
            return out_of_sync(OUT_OF_SYNC_STALE)
        return None

    def _bump_mutation(self, user: UserState, mutation: Mutation | None) -> int:
        stamp = int(self.now().timestamp() * 1000)
        if user.last_mutation_at is not None:
            stamp = max(stamp, user.last_mutation_at + 1)
        user.last_mutation_at = stamp
        if mutation is not None:
            mutation.timestamp = stamp
            user.mutations.append(mutation)
        return stamp

    def _sync_head(self, call: Call) -> Answer:
        user = call.user
        head = user.last_mutation_at or 0
        data: dict[str, Any] = {"lastMutationAt": head}
        if call.query.get("metadataOnly") != "true":
            since = float(call.query["mutationsSince"])
            limit = int(float(call.query.get("limit", "100")))
            page = int(float(call.query.get("page", "1")))
            newer = [m for m in user.mutations if m.timestamp > since]
            chunk = newer[(page - 1) * limit : page * limit]
            data = {
                "mutations": [
                    {
                        "type": m.type,
                        "resource": m.resource,
                        "resourceId": m.resource_id,
                        "timestamp": m.timestamp,
                        **({"data": m.data} if m.data is not None else {}),
                    }
                    for m in chunk
                ],
                "page": page,
                "limit": limit,
                "total": len(newer),
                "hasMore": page * limit < len(newer),
                "lastMutationAt": head,
            }
        return Answer({"success": True, "data": data}, headers={"X-Mutation-At": str(head)})
