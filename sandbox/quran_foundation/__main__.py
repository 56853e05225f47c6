"""Command line: `python -m sandbox.quran_foundation --port 8765 --contract 2026-03-29`.

Serves the fake over real HTTP and prints the settings that point the bot at it; on exit it
prints every spec violation the bot's requests made.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Sequence

from sandbox.quran_foundation.app import FakeQuranFoundation
from sandbox.serving import serve_asgi


async def _run(arguments: argparse.Namespace) -> None:
    fake = FakeQuranFoundation(
        contract=arguments.contract,
        client_id=arguments.client_id,
        client_secret=arguments.client_secret,
        access_token_ttl=arguments.access_token_ttl,
        strict=not arguments.lenient,
    )
    fake.add_sample_posts()
    server = await serve_asgi(fake.app, arguments.host, arguments.port)
    print(f"Fake Quran Foundation ({arguments.contract}) at {server.url}", flush=True)
    print(f"  QF_API_BASE_URL={server.url}/auth", flush=True)
    print(f"  QF_OAUTH_BASE_URL={server.url}", flush=True)
    print(f"  QF_CLIENT_ID={fake.client_id} QF_CLIENT_SECRET={fake.client_secret}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
        for problem in fake.validation_errors:
            print(f"spec violation: {problem}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake Quran Foundation server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--contract", choices=["production", "prelive", "2026-03-29"], default="production"
    )
    parser.add_argument("--client-id", default="demo-client")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--access-token-ttl", type=float, default=3600)
    parser.add_argument(
        "--lenient", action="store_true", help="record spec violations but still serve them"
    )
    asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
