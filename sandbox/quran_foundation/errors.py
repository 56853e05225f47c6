"""The error envelopes Quran Foundation answers: the User API's, the OAuth server's, and 409.

Route handlers raise `ApiError`; the dispatch and the fault injection turn statuses into the
documented bodies, so a client meets the same shapes from a real failure and an injected one.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.responses import JSONResponse

_ERROR_TYPES: Final = {
    400: ("invalid_request", "The request is missing required headers or is invalid"),
    401: ("unauthorized", "The request requires user authentication"),
    403: ("forbidden", "The server understood the request, but refuses to authorize it"),
    404: ("not_found", "The requested resource could not be found"),
    422: (
        "unprocessable_entity",
        "The request was well-formed but was unable to be followed due to semantic errors",
    ),
    429: ("rate_limit_exceeded", "Too many requests, please try again later"),
    500: (
        "internal_server_error",
        "The server encountered an internal error and was unable to complete your request",
    ),
    502: (
        "bad_gateway",
        "The server was acting as a gateway or proxy and received an invalid response from the "
        "upstream server",
    ),
    503: (
        "service_unavailable",
        "The server is currently unable to handle the request due to a temporary overload or "
        "scheduled maintenance",
    ),
    504: (
        "gateway_timeout",
        "The server was acting as a gateway or proxy and did not receive a timely response from "
        "the upstream server",
    ),
}
_OAUTH_ERRORS: Final = {
    400: ("invalid_request", "The request is missing a required parameter."),
    401: ("invalid_client", "Client authentication failed."),
    403: ("access_denied", "The resource owner or authorization server denied the request."),
    429: ("too_many_requests", "Too many requests, please try again later."),
    503: ("temporarily_unavailable", "The authorization server is temporarily unavailable."),
}
OUT_OF_SYNC_STALE: Final = "Invalid lastMutationAt, please re-sync your data and try again."
OUT_OF_SYNC_FIRST: Final = "First sync detected. Please use lastMutationAt=-1 for initial sync."


class ApiError(Exception):
    """A User API failure raised by a route handler; answered as `{success: false, ...}`."""

    def __init__(self, status: int, message: str | None = None) -> None:
        error_type, default = _ERROR_TYPES.get(status, ("error", "Request failed"))
        super().__init__(message or default)
        self.status = status
        self.message = message or default
        self.type = error_type


def default_error(status: int, oauth: bool) -> dict[str, Any]:
    """The documented body for `status` (OAuth or User API), for injected failures."""
    if oauth:
        error, description = _OAUTH_ERRORS.get(
            status, ("server_error", "The authorization server encountered an error.")
        )
        return {"error": error, "error_description": description, "status_code": status}
    if status == 409:
        return {"success": False, "error": {"code": "OutOfSyncError", "message": OUT_OF_SYNC_STALE}}
    error_type, message = _ERROR_TYPES.get(status, ("error", "Request failed"))
    return {"success": False, "message": message, "type": error_type}


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description, "status_code": status},
        status,
        {"cache-control": "no-store"},
    )


def api_error(status: int, message: str | None = None) -> JSONResponse:
    error = ApiError(status, message)
    return JSONResponse({"success": False, "message": error.message, "type": error.type}, status)


def out_of_sync(message: str) -> JSONResponse:
    return JSONResponse(
        {"success": False, "error": {"code": "OutOfSyncError", "message": message}}, 409
    )
