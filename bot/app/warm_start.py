"""Work done once, before the event loop starts, so that starting does not stall it.

Everything in the process shares one event loop, and the loop probe (bot.app.loop_lag) starts
with it. Two costs of a start used to run on the loop in one piece, 240 ms on a small machine:

* importing the flows (`handlers` imports each flow module only when the Application is built)
  and Alembic (imported when the database is migrated): about 270 ms of plain CPU;
* one CA bundle per HTTP client: httpx loads certifi's bundle into a new SSL context for every
  client it creates, 20-40 ms each, and the process has three (Quran.com, and PTB's two).

`prepare_before_the_loop()` imports what the start needs and builds one SSL context that every
client shares (an `ssl.SSLContext` is safe to share between connections and clients).

Later, the stalls left were all full garbage collections (70-90 ms each on a small machine, a
few a minute under load): CPython's oldest generation holds every object the process keeps,
nearly all of them built at start (modules, classes, the Application, the handlers), and a full
collection walks them all. `gc.freeze()` moves what exists at that moment out of the
collector's sight for good, so a full collection walks only what was made since. Freezing is
done twice: before the loop, after one collection, so that start-up garbage is not kept; and
once the bot is running, without a collection (that would be a stall of its own), for the
Application and its clients.
"""

from __future__ import annotations

import functools
import gc
import importlib
import ssl

import httpx

#: Imported by the start inside the loop; importing them first costs the same, but off the loop.
MODULES_THE_START_IMPORTS = ("alembic.command", "storage.migrations.runner")


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """The verifying context every HTTP client of the process uses (httpx's default one: the
    certifi bundle, or SSL_CERT_FILE / SSL_CERT_DIR when set)."""
    return httpx.create_ssl_context()


def prepare_before_the_loop() -> None:
    from handlers import import_flow_modules

    for name in MODULES_THE_START_IMPORTS:
        importlib.import_module(name)
    import_flow_modules()
    shared_tls_context()
    gc.collect()
    gc.freeze()


def freeze_what_the_start_built() -> None:
    """Once the Application is running: what exists now lasts as long as the process."""
    gc.freeze()
