"""Shared pieces of the QuranReflect tests: the contracts that declare the posts operations, and
the check that every recorded request carries only query parameters its contract declares."""

from __future__ import annotations

from typing import Any

from sandbox.spec_validation import SpecValidator, ValidationIssue

#: Every contract declares GET /v1/posts/feed, /v1/posts/{id}, /v1/posts/by-verse/{verseKey}
#: and GET /v1/notes/by-attached-entity.
CONTRACTS = ("production", "prelive", "2026-03-29")

AYAT_AL_KURSI = "Allah! There is no god except Him, the Ever-Living, All-Sustaining."


def undeclared_query(contract: str, requests: list[Any]) -> list[str]:
    """Query parameters of recorded requests that `contract`'s spec does not declare."""
    validator = SpecValidator.for_contract(contract)  # type: ignore[arg-type]
    problems: list[str] = []
    for request in requests:
        if request.api_path is None:
            continue
        base = "/quran-reflect" if request.path.startswith("/quran-reflect/") else "/auth"
        query = {name: [value] for name, value in request.query.items()}
        issues = validator.check_request(
            request.method, request.api_path, query, {}, None, base=base
        )
        problems.extend(
            f"{request.method} {request.api_path}: {issue}"
            for issue in issues
            if isinstance(issue, ValidationIssue)
            and issue.kind in ("unknown_parameter", "wrong_base")
        )
    return problems
