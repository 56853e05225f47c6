"""Fault injection: error statuses, late answers, cut connections and timeouts on demand.

`FaultInjection` (part of `FakeQuranFoundation`) arms faults for the next matching requests;
`RecordingAndFaults`, the app's outermost layer, records every request and applies the armed
fault to it, so a client meets injected failures exactly where real ones would reach it.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, Final

import httpx
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.quran_foundation.errors import default_error
from sandbox.quran_foundation.model import Fault, RecordedRequest
from sandbox.quran_foundation.state import FakeState
from sandbox.serving import SimulatedDisconnect, SimulatedReadTimeout

_PROXY_PAGE: Final = (
    "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}"
    "</h1></center><hr><center>nginx</center></body></html>"
)


class FaultInjection(FakeState):
    def fail_next(
        self,
        status: int,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        retry_after: float | str | None = None,
        body: Any = None,
        non_json: bool = False,
    ) -> None:
        """Answer the next `times` matching requests with `status`, without applying them.

        `path` is a regex searched in the full path ("/auth/v1/notes", "/oauth2/token"). The body
        defaults to the documented envelope for that status (OAuth or User API, 409 included);
        `non_json=True` sends a proxy's HTML page instead.
        """
        self._faults.append(
            Fault(
                "fail",
                method,
                re.compile(path) if path else None,
                times,
                status=status,
                retry_after=None if retry_after is None else str(retry_after),
                body=body,
                non_json=non_json,
            )
        )

    def delay_next(
        self,
        seconds: float,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        apply: bool = True,
    ) -> None:
        """Make the next matching requests slow.

        apply=True: the request is applied at once and the answer leaves `seconds` later (the
        ambiguous timeout: the client gives up, the server did it). apply=False: the server waits
        first and skips the work if the client has hung up by then.

        httpx.ASGITransport enforces no timeouts: in-process the client just waits. Use
        `timeout_next` in-process, or serve the app over real HTTP for genuine client timeouts.
        """
        self._faults.append(
            Fault(
                "delay",
                method,
                re.compile(path) if path else None,
                times,
                seconds=seconds,
                apply=apply,
            )
        )

    def drop_next(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        apply: bool = False,
    ) -> None:
        """Cut the connection on the next matching requests (applied first when `apply`).

        The client sees `httpx.RemoteProtocolError` both through ASGITransport (the exception is
        raised in the app and reaches the client as is) and over real HTTP (uvicorn closes the
        socket after the response head).
        """
        self._faults.append(
            Fault("drop", method, re.compile(path) if path else None, times, apply=apply)
        )

    def timeout_next(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        apply: bool = True,
    ) -> None:
        """In-process stand-in for a client read timeout: the client gets `httpx.ReadTimeout`.

        Over real HTTP this behaves like `drop_next` (a server cannot time out a client).
        """
        self._faults.append(
            Fault("timeout", method, re.compile(path) if path else None, times, apply=apply)
        )

    def clear_faults(self) -> None:
        self._faults.clear()
        self._share_failures = 0
        self._deny_next.clear()

    def deny_next_authorization(self, error: str = "access_denied") -> None:
        """The next `/oauth2/auth` redirects back with `error` (the user pressed "Deny")."""
        self._deny_next.append(error)

    def fail_quranreflect_share_next(self, times: int = 1) -> None:
        """The next note saves with saveToQR answer 200 `{error: true, note}`: saved, not shared.

        That is how Quran.com's web client sees a failed QuranReflect publish; no spec has it.
        """
        self._share_failures += times

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None


# --------------------------------------------------------------------------------------------
# The app's outermost layer


class RecordingAndFaults:
    """Records each request, then lets it through or applies the next matching fault."""

    def __init__(self, app: ASGIApp, fake: FaultInjection) -> None:
        self.app = app
        self.fake = fake

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        record = self.fake._record(scope, body)
        record.started = time.monotonic()

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = int(message["status"])
                record.finished = time.monotonic()
            await send(message)

        if self.fake.latency and record.api_path is not None:
            await asyncio.sleep(self.fake.latency)
        fault = self.fake._take_fault(record.method, record.path)
        if fault is None:
            await self.app(scope, replay, recording_send)
            return
        record.fault = fault.kind
        if fault.kind == "fail":
            await self._send_failure(fault, record, recording_send)
        elif fault.kind == "delay":
            await self._delay(fault, scope, replay, receive, recording_send)
        else:
            await self._cut(fault, scope, replay, send)

    async def _send_failure(self, fault: Fault, record: RecordedRequest, send: Send) -> None:
        oauth = not record.path.startswith(("/auth/", "/quran-reflect/"))
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["retry-after"] = fault.retry_after
        response: Response
        if fault.non_json:
            reason = httpx.codes.get_reason_phrase(fault.status) or "Error"
            page = _PROXY_PAGE.format(status=fault.status, reason=reason)
            response = Response(page, fault.status, headers, media_type="text/html")
        elif isinstance(fault.body, bytes | str):
            response = Response(fault.body, fault.status, headers, media_type="text/plain")
        else:
            body = fault.body if fault.body is not None else default_error(fault.status, oauth)
            response = JSONResponse(body, fault.status, headers)
        await response({"type": "http"}, _never_receive, send)

    async def _delay(
        self, fault: Fault, scope: Scope, replay: Receive, receive: Receive, send: Send
    ) -> None:
        if not fault.apply:
            await asyncio.sleep(fault.seconds)
            if await _client_gone(receive):
                return
            await self.app(scope, replay, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, replay, hold)
        await asyncio.sleep(fault.seconds)
        for message in held:
            await send(message)

    async def _cut(self, fault: Fault, scope: Scope, replay: Receive, send: Send) -> None:
        if fault.apply:

            async def discard(message: Message) -> None:
                return None

            await self.app(scope, replay, discard)
        # The head goes out first so that uvicorn closes the socket mid-response (a client-side
        # transport error) instead of answering 500 on our behalf.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"http://{_host_of(scope)}{scope['path']}" + (f"?{query}" if query else "")
        request = httpx.Request(scope["method"], url)
        if fault.kind == "timeout":
            raise SimulatedReadTimeout("timed out (simulated by the fake)", request=request)
        raise SimulatedDisconnect(
            "Server disconnected without sending a response (simulated by the fake).",
            request=request,
        )


async def _never_receive() -> Message:
    return {"type": "http.disconnect"}


def _host_of(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return str(value.decode("latin-1"))
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else "fake-qf"


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _client_gone(receive: Receive) -> bool:
    """True if the client already hung up (uvicorn reports it; ASGITransport never does)."""
    try:
        async with asyncio.timeout(0.01):
            message = await receive()
    except TimeoutError:
        return False
    return bool(message.get("type") == "http.disconnect")
