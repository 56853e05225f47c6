"""Serve an ASGI app on a real socket inside the running event loop, for e2e tests and demos.

The fakes (Quran Foundation, Telegram) are ASGI apps. In-process tests reach them through
`httpx.ASGITransport`; end-to-end tests and manual runs need a real port, which `serve_asgi`
provides with uvicorn without taking over the process (no signal handlers, no logging config).

Simulated transport faults: a fake that wants its client to see a broken connection raises one
of the `SimulatedTransportFault` exceptions below *after* sending the response head. Through
`httpx.ASGITransport` the exception reaches the client unchanged, so it is the very httpx error a
real socket would give; over uvicorn the server closes the connection mid-response and httpx
raises `httpx.RemoteProtocolError` on its own. Either way the client sees an `httpx.TransportError`,
and uvicorn's "Exception in ASGI application" log line is suppressed for these deliberate faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.types import ASGIApp

__all__ = [
    "RunningServer",
    "SimulatedDisconnect",
    "SimulatedReadTimeout",
    "SimulatedTransportFault",
    "serve_asgi",
]


class SimulatedTransportFault(Exception):
    """Marks an exception a fake raises on purpose to break the connection."""


class SimulatedDisconnect(SimulatedTransportFault, httpx.RemoteProtocolError):
    """The server went away mid-request (what httpx raises when a peer closes the socket)."""


class SimulatedReadTimeout(SimulatedTransportFault, httpx.ReadTimeout):
    """The answer never came in time. Only meaningful in-process: ASGITransport has no timeouts."""


class _HideSimulatedFaults(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        raised = record.exc_info[1] if record.exc_info else None
        return not isinstance(raised, SimulatedTransportFault)


_LOG_FILTER = _HideSimulatedFaults()


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process hosting it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class RunningServer:
    """A server started by `serve_asgi`; `url` is its origin, e.g. "http://127.0.0.1:38211"."""

    url: str
    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _task: asyncio.Task[None] = field(repr=False)
    _socket: socket.socket = field(repr=False)

    async def stop(self, grace: float = 5.0) -> None:
        """Stop accepting, let in-flight requests finish for up to `grace` s, release the port."""
        self._server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._server.force_exit = True
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        finally:
            self._socket.close()

    async def __aenter__(self) -> RunningServer:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


async def serve_asgi(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log_level: str = "warning",
    startup_timeout: float = 10.0,
) -> RunningServer:
    """Start uvicorn for `app` in the current loop; port 0 picks a free port.

    The socket is bound here rather than by uvicorn so that a busy port raises `OSError` in the
    caller instead of uvicorn's `sys.exit`, which would tear down the event loop.
    """
    logging.getLogger("uvicorn.error").addFilter(_LOG_FILTER)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    bound_port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app,
        log_config=None,
        log_level=log_level,
        access_log=False,
        lifespan="auto",
        timeout_graceful_shutdown=1,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"uvicorn:{bound_port}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + startup_timeout
    while not server.started:
        if task.done():
            sock.close()
            task.result()  # re-raise the startup failure
            raise RuntimeError("uvicorn stopped before it started")
        if loop.time() > deadline:
            server.should_exit = True
            sock.close()
            raise TimeoutError(f"uvicorn did not start within {startup_timeout}s")
        await asyncio.sleep(0.01)
    url_host = f"[{host}]" if ":" in host else host
    return RunningServer(
        url=f"http://{url_host}:{bound_port}",
        host=host,
        port=bound_port,
        _server=server,
        _task=task,
        _socket=sock,
    )
