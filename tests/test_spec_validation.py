"""The spec validator accepts what the bot sends and rejects what the real QF server refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft7Validator

from sandbox.spec_validation import CORRECTIONS, SPEC_DIR, SpecValidator, ValidationIssue

AUTH = {"x-auth-token": "token", "x-client-id": "client", "x-timezone": "Asia/Riyadh"}
NOTE = {"body": "A reflection on the Throne Verse", "saveToQR": False, "ranges": ["2:255-2:255"]}
ACTIVITY = {"type": "QURAN", "seconds": 120, "ranges": ["2:1-2:20"], "mushafId": 4}

Query = dict[str, str | list[str]]

#: (method, path, query, body) for every User API call the bot makes, valid in every contract
#: except where a contract-specific case below says otherwise.
BOT_REQUESTS: list[tuple[str, str, Query, Any]] = [
    (
        "POST",
        "/v1/goals",
        {"mushafId": "4"},
        {"type": "QURAN_TIME", "amount": 600, "category": "QURAN"},
    ),
    (
        "POST",
        "/v1/goals",
        {"mushafId": "4"},
        {"type": "QURAN_RANGE", "amount": "1:1-114:6", "category": "QURAN", "duration": 30},
    ),
    (
        "PUT",
        "/v1/goals/cmt1ovfu3000g0mkwgvia368p",
        {"mushafId": "4"},
        {"type": "QURAN_PAGES", "amount": 2},
    ),
    ("DELETE", "/v1/goals/cmt1ovfu3000g0mkwgvia368p", {"category": "QURAN"}, None),
    ("GET", "/v1/goals/estimate", {"type": "QURAN_TIME", "amount": "600", "mushafId": "4"}, None),
    (
        "GET",
        "/v1/goals/estimate",
        {"type": "QURAN_RANGE", "amount": "1:1-2:5", "duration": "3", "mushafId": "1"},
        None,
    ),
    ("POST", "/v1/activity-days", {}, ACTIVITY),
    ("POST", "/v1/activity-days", {}, {**ACTIVITY, "date": "2026-04-01"}),
    ("GET", "/v1/activity-days", {"from": "2026-03-01", "to": "2026-04-01", "first": "20"}, None),
    ("GET", "/v1/activity-days/estimate-reading-time", {"ranges": "1:1-1:7,2:1-2:5"}, None),
    ("GET", "/v1/streaks", {"type": "QURAN", "status": "ACTIVE", "first": "1"}, None),
    ("GET", "/v1/streaks/current-streak-days", {"type": "QURAN"}, None),
    ("GET", "/v1/notes", {"limit": "20", "sortBy": "newest", "cursor": "abc"}, None),
    ("GET", "/v1/notes/by-verse/2:255", {"verseKey": "2:255"}, None),
    ("GET", "/v1/notes/by-range", {"from": "2:255", "to": "2:257"}, None),
    ("GET", "/v1/notes/count-within-range", {"from": "2:1", "to": "2:286"}, None),
    ("GET", "/v1/notes/cmt1ovfu3000g0mkwgvia368p", {"withAttachedEntities": "true"}, None),
]

NOTE_WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/v1/notes", NOTE),
    ("PATCH", "/v1/notes/abc", {"body": "An edited reflection", "saveToQR": True}),
    ("DELETE", "/v1/notes/abc", None),
    ("POST", "/v1/notes/abc/publish", {"body": "Shared reflection", "ranges": ["1:1-1:7"]}),
]


@pytest.mark.parametrize(("method", "path", "query", "body"), BOT_REQUESTS)
@pytest.mark.parametrize("contract", ["production", "2026-03-29", "prelive"])
def test_every_bot_request_is_valid_in_every_contract(
    contract: str, method: str, path: str, query: Query, body: Any
) -> None:
    validator = SpecValidator.for_contract(contract)  # type: ignore[arg-type]
    assert validator.validate_request(method, path, query, AUTH, body) == []


@pytest.mark.parametrize(("method", "path", "body"), NOTE_WRITES)
def test_note_writes_take_last_mutation_at_only_in_the_2026_03_29_contract(
    method: str, path: str, body: Any
) -> None:
    production = SpecValidator.for_contract("production")
    dated = SpecValidator.for_contract("2026-03-29")
    stamp: Query = {"lastMutationAt": "1731636500303"}

    assert production.validate_request(method, path, {}, AUTH, body) == []
    assert dated.validate_request(method, path, stamp, AUTH, body) == []
    assert dated.validate_request(method, path, {"lastMutationAt": "-1"}, AUTH, body) == []

    assert production.validate_request(method, path, stamp, AUTH, body) == [
        f"query parameter 'lastMutationAt' is not declared by {method} "
        f"{path.replace('abc', '{noteId}')} in the production contract"
    ]
    missing = dated.check_request(method, path, {}, AUTH, body)
    assert [(i.kind, i.name) for i in missing] == [("missing_parameter", "lastMutationAt")]


def test_portable_note_is_valid_everywhere_but_prelive_needs_ranges() -> None:
    for contract in ("production", "prelive"):
        validator = SpecValidator.for_contract(contract)
        assert validator.validate_request("POST", "/v1/notes", {}, AUTH, NOTE) == []
    without_ranges = {"body": NOTE["body"], "saveToQR": False}
    assert (
        SpecValidator.for_contract("production").validate_request(
            "POST", "/v1/notes", {}, AUTH, without_ranges
        )
        == []
    )
    assert SpecValidator.for_contract("prelive").validate_request(
        "POST", "/v1/notes", {}, AUTH, without_ranges
    ) == ["body: 'ranges' is a required property"]


def test_todays_plan_takes_mushaf_id_everywhere_it_exists() -> None:
    query: Query = {"type": "QURAN_PAGES", "mushafId": "4"}
    for contract in ("production", "prelive", "2026-03-29"):
        validator = SpecValidator.for_contract(contract)
        assert (
            validator.validate_request("GET", "/v1/goals/get-todays-plan", query, AUTH, None) == []
        )
    without_mushaf = SpecValidator.for_contract("production").validate_request(
        "GET", "/v1/goals/get-todays-plan", {"type": "QURAN_PAGES"}, AUTH, None
    )
    assert without_mushaf == ["query parameter 'mushafId' is required"]


def test_sync_head_exists_only_on_pre_live_contracts() -> None:
    query: Query = {"mutationsSince": "0", "metadataOnly": "true"}
    assert (
        SpecValidator.for_contract("2026-03-29").validate_request(
            "GET", "/v1/sync", query, AUTH, None
        )
        == []
    )
    assert (
        SpecValidator.for_contract("prelive").validate_request("GET", "/v1/sync", query, AUTH, None)
        == []
    )
    assert SpecValidator.for_contract("production").validate_request(
        "GET", "/v1/sync", query, AUTH, None
    ) == ["GET /v1/sync is not an operation of the production contract"]


def test_profile_is_a_quran_reflect_operation() -> None:
    validator = SpecValidator.for_contract("production")
    assert (
        validator.validate_request(
            "GET", "/v1/users/profile", {}, AUTH, None, base="/quran-reflect"
        )
        == []
    )
    assert validator.validate_request("GET", "/v1/users/profile", {}, AUTH, None, base="/auth") == [
        "GET /v1/users/profile is served under /quran-reflect, not /auth"
    ]
    assert validator.validate_request("GET", "/v1/notes", {}, AUTH, None, base="/auth") == []


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body", "expected"),
    [
        pytest.param(
            "GET",
            "/v1/streaks/current-streak-days",
            {"type": "QURAN"},
            {"x-client-id": "client"},
            None,
            ["header 'x-auth-token' is required (x-auth-token)"],
            id="missing-auth-header",
        ),
        pytest.param(
            "GET",
            "/v1/streaks/current-streak-days",
            {"type": "LESSON"},
            AUTH,
            None,
            ["query parameter 'type': 'LESSON' is not one of ['QURAN']"],
            id="bad-enum",
        ),
        pytest.param(
            "POST",
            "/v1/goals",
            {"mushafId": "8"},
            AUTH,
            {"type": "QURAN_TIME", "amount": 600, "category": "QURAN"},
            ["query parameter 'mushafId': 8 is not one of [1, 2, 3, 4, 5, 6, 7, 11, 19]"],
            id="unknown-mushaf",
        ),
        pytest.param(
            "POST",
            "/v1/goals",
            {"mushafId": "four"},
            AUTH,
            {"type": "QURAN_TIME", "amount": 600, "category": "QURAN"},
            ["query parameter 'mushafId': 'four' is not of type 'integer'"],
            id="mushaf-not-a-number",
        ),
        pytest.param(
            "POST",
            "/v1/notes",
            {},
            AUTH,
            {**NOTE, "body": "short"},
            ["body.body: 5 characters, fewer than the minimum 6"],
            id="note-too-short",
        ),
        pytest.param(
            "POST",
            "/v1/notes",
            {},
            AUTH,
            {**NOTE, "body": "x" * 10_001},
            ["body.body: 10001 characters, more than the maximum 10000"],
            id="note-too-long",
        ),
        pytest.param(
            "POST",
            "/v1/notes",
            {},
            AUTH,
            {**NOTE, "tags": ["ramadan"]},
            ["body: Additional properties are not allowed ('tags' was unexpected)"],
            id="extra-property",
        ),
        pytest.param(
            "POST",
            "/v1/notes",
            {},
            AUTH,
            {**NOTE, "ranges": ["2:255"]},
            ["body.ranges[0]: '2:255' does not match '^(\\\\d+):(\\\\d+)-(\\\\d+):(\\\\d+)$'"],
            id="range-pattern",
        ),
        pytest.param(
            "POST",
            "/v1/notes",
            {},
            AUTH,
            {"body": "A reflection without the flag"},
            ["body: 'saveToQR' is a required property"],
            id="missing-required-field",
        ),
        pytest.param(
            "POST",
            "/v1/notes",
            {},
            AUTH,
            None,
            ["a request body is required"],
            id="missing-body",
        ),
        pytest.param(
            "DELETE",
            "/v1/goals/abc",
            {"category": "QURAN"},
            AUTH,
            {"category": "QURAN"},
            ["DELETE /v1/goals/{id} takes no request body"],
            id="unexpected-body",
        ),
        pytest.param(
            "POST",
            "/v1/activity-days",
            {},
            AUTH,
            {**ACTIVITY, "seconds": 0},
            ["body.seconds: 0 is less than the minimum of 1"],
            id="zero-seconds",
        ),
        pytest.param(
            "POST",
            "/v1/activity-days",
            {},
            AUTH,
            {**ACTIVITY, "type": "LESSON"},
            ["body.type: 'LESSON' is not one of ['QURAN']"],
            id="activity-type-outside-the-quran-shape",
        ),
        pytest.param(
            "POST",
            "/v1/activity-days",
            {},
            AUTH,
            {key: value for key, value in ACTIVITY.items() if key != "mushafId"},
            ["body: 'mushafId' is a required property"],
            id="activity-without-mushaf",
        ),
        pytest.param(
            "GET",
            "/v1/activity-days/estimate-reading-time",
            {"ranges": "1:1-1:7;2:1-2:5"},
            AUTH,
            None,
            [
                "query parameter 'ranges': '1:1-1:7;2:1-2:5' does not match "
                "'^(\\\\d+:\\\\d+-\\\\d+:\\\\d+(?:,\\\\d+:\\\\d+-\\\\d+:\\\\d+)*)$'"
            ],
            id="estimate-ranges-separator",
        ),
        pytest.param(
            "GET",
            "/v1/goals/estimate",
            {"type": "QURAN_TIME", "amount": "0", "mushafId": "4"},
            AUTH,
            None,
            [
                "query parameter 'amount': 0 matches none of the allowed forms "
                "(0 is less than the minimum of 1)"
            ],
            id="estimate-amount-zero",
        ),
        pytest.param(
            "GET",
            "/v1/notes",
            {"limit": "51"},
            AUTH,
            None,
            ["query parameter 'limit': 51 is greater than the maximum of 50"],
            id="notes-limit-too-big",
        ),
        pytest.param(
            "GET",
            "/v1/notes",
            {"limit": ["10", "20"]},
            AUTH,
            None,
            ["query parameter 'limit' is given 2 times but takes one value"],
            id="repeated-parameter",
        ),
        pytest.param(
            "GET",
            "/v1/notes/by-verse/ayat-al-kursi",
            {"verseKey": "2:255"},
            AUTH,
            None,
            ["path parameter 'verseKey': 'ayat-al-kursi' does not match '^(\\\\d+):(\\\\d+)$'"],
            id="verse-key-pattern",
        ),
        pytest.param(
            "GET",
            "/v1/notes/by-verse/2:255",
            {},
            AUTH,
            None,
            ["query parameter 'verseKey' is required"],
            id="by-verse-needs-the-query-too",
        ),
        pytest.param(
            "GET",
            "/v1/goals",
            {},
            AUTH,
            None,
            ["GET /v1/goals is not an operation of the production contract; the path allows POST"],
            id="wrong-method",
        ),
        pytest.param(
            "GET",
            "/v1/reading-goals",
            {},
            AUTH,
            None,
            ["GET /v1/reading-goals is not an operation of the production contract"],
            id="unknown-path",
        ),
    ],
)
def test_production_contract_rejects_what_the_server_would_refuse(
    method: str,
    path: str,
    query: Query,
    headers: dict[str, str],
    body: Any,
    expected: list[str],
) -> None:
    validator = SpecValidator.for_contract("production")
    assert validator.validate_request(method, path, query, headers, body) == expected


def test_header_names_are_case_insensitive() -> None:
    headers = {"X-Auth-Token": "token", "X-Client-Id": "client"}
    validator = SpecValidator.for_contract("production")
    assert validator.validate_request("GET", "/v1/streaks", {}, headers, None) == []


def test_issues_say_where_the_problem_is() -> None:
    validator = SpecValidator.for_contract("production")
    issues = validator.check_request("POST", "/v1/notes", {"x": "1"}, {}, {"saveToQR": "yes"})
    assert {(i.kind, i.location, i.name) for i in issues} == {
        ("security", "security", None),
        ("unknown_parameter", "query", "x"),
        ("invalid_body", "body", "body"),
        ("invalid_body", "body", "saveToQR"),
    }
    assert all(isinstance(issue, ValidationIssue) and str(issue) for issue in issues)


def test_find_operation_prefers_concrete_paths_and_decodes_parameters() -> None:
    validator = SpecValidator.for_contract("2026-03-29")
    by_range = validator.find_operation("GET", "/v1/notes/by-range")
    assert by_range is not None and by_range.template == "/v1/notes/by-range"
    note = validator.find_operation("PATCH", "/v1/notes/abc%20def")
    assert note is not None
    assert (note.template, note.path_params) == ("/v1/notes/{noteId}", {"noteId": "abc def"})
    assert validator.find_operation("GET", "/v1/goals") is None


def test_published_activity_day_schema_rejects_its_own_example() -> None:
    """Why the activity-day correction exists: the file as published accepts no body at all."""
    with (SPEC_DIR / "user-api.production.json").open(encoding="utf-8") as handle:
        document = json.load(handle)
    media = document["paths"]["/v1/activity-days"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    assert list(Draft7Validator(media["schema"]).iter_errors(media["example"])) != []
    corrected = SpecValidator.for_contract("production")
    assert corrected.validate_request("POST", "/v1/activity-days", {}, AUTH, media["example"]) == []


def test_every_correction_applies_to_the_documents_it_names() -> None:
    for name in ("production", "2026-03-29", "prelive"):
        validator = SpecValidator.for_contract(name)
        assert validator.find_operation("GET", "/v1/notes/by-verse/1:1") is not None
    assert SpecValidator.for_oauth().find_operation("GET", "/oauth2/auth") is not None
    assert all(correction.reason for correction in CORRECTIONS)


def test_validators_are_cached_and_names_are_checked() -> None:
    assert SpecValidator.for_contract("production") is SpecValidator.for_contract("production")
    with pytest.raises(ValueError, match="unknown contract"):
        SpecValidator.for_contract("staging")  # type: ignore[arg-type]


# -- OAuth ----------------------------------------------------------------------------------


def test_oauth_token_request_needs_basic_auth_and_a_known_grant() -> None:
    oauth = SpecValidator.for_oauth()
    basic = {"Authorization": "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ="}
    exchange = {
        "grant_type": "authorization_code",
        "code": "c",
        "code_verifier": "v",
        "redirect_uri": "u",
    }
    assert oauth.validate_request("POST", "/oauth2/token", {}, basic, exchange) == []
    assert (
        oauth.validate_request("POST", "/oauth2/token", {}, basic, {"grant_type": "refresh_token"})
        == []
    )
    assert oauth.validate_request("POST", "/oauth2/token", {}, {}, {"grant_type": "password"}) == [
        "an 'Authorization: Basic …' header is required (basicAuth)",
        "form.grant_type: 'password' is not one of "
        "['client_credentials', 'authorization_code', 'refresh_token']",
    ]
    assert oauth.validate_request("POST", "/oauth2/revoke", {}, basic, {}) == [
        "form: 'token' is a required property"
    ]


def test_oauth_authorize_accepts_pkce_and_nonce_but_not_unknown_parameters() -> None:
    oauth = SpecValidator.for_oauth()
    query: Query = {
        "response_type": "code",
        "client_id": "demo-client",
        "redirect_uri": "https://bot.example/oauth/callback",
        "scope": "openid offline_access goal",
        "state": "0123456789",
        "nonce": "n-0S6_WzA2Mj",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    assert oauth.validate_request("GET", "/oauth2/auth", query, {}, None) == []
    assert oauth.validate_request(
        "GET", "/oauth2/auth", {**query, "code_challenge_method": "plain"}, {}, None
    ) == ["query parameter 'code_challenge_method': 'plain' is not one of ['S256']"]
    assert oauth.validate_request("GET", "/oauth2/auth", {**query, "prompt": "none"}, {}, None) == [
        "query parameter 'prompt' is not declared by GET /oauth2/auth in the oauth2 contract"
    ]


# -- Responses ------------------------------------------------------------------------------


def _example(document: str, path: str, method: str) -> Any:
    with (SPEC_DIR / document).open(encoding="utf-8") as handle:
        spec = json.load(handle)
    media = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return media["example"]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/goals/get-todays-plan", "get"),
        ("/v1/notes", "get"),
        ("/v1/notes", "post"),
        ("/v1/streaks", "get"),
        ("/v1/activity-days", "get"),
        ("/v1/notes/count-within-range", "get"),
        ("/v1/streaks/current-streak-days", "get"),
        ("/v1/users/profile", "get"),
    ],
)
def test_documented_production_examples_validate_as_responses(path: str, method: str) -> None:
    example = _example("user-api.production.json", path, method)
    validator = SpecValidator.for_contract("production")
    assert validator.validate_response(method.upper(), path, 200, example) == []


def test_response_with_an_undocumented_key_or_status_is_reported() -> None:
    validator = SpecValidator.for_contract("production")
    answer = {"success": True, "data": {"days": 3, "best": 10}}
    assert validator.validate_response("GET", "/v1/streaks/current-streak-days", 200, answer) == [
        "response.data: Additional properties are not allowed ('best' was unexpected)"
    ]
    assert validator.validate_response("POST", "/v1/notes", 409, {}) == [
        "status 409 is not documented for POST /v1/notes"
    ]


def test_2026_03_29_todays_plan_answer_has_no_goal_id() -> None:
    validator = SpecValidator.for_contract("2026-03-29")
    plan = {
        "hasGoal": True,
        "id": "cmnaibph000046is02tkjewe2",
        "date": "2026-04-05",
        "progress": 0.5,
        "type": "QURAN",
        "mushafId": 4,
    }
    path = "/v1/goals/get-todays-plan"
    assert validator.validate_response("GET", path, 200, {"success": True, "data": plan}) == []
    assert (
        validator.validate_response("GET", path, 200, {"success": True, "data": {"hasGoal": False}})
        == []
    )
    with_goal_id = {"success": True, "data": {**plan, "goalId": "x"}}
    assert validator.validate_response("GET", path, 200, with_goal_id) != []
