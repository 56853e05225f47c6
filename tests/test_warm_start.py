"""Starting does not stall the event loop: what the start needs is done before the loop runs."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from bot.app.warm_start import (
    freeze_what_the_start_built,
    prepare_before_the_loop,
    shared_tls_context,
)
from handlers import HANDLER_MODULES


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_the_flows_and_alembic_are_imported_and_the_heap_frozen_before_the_loop() -> None:
    prepare_before_the_loop()

    assert all(name in sys.modules for name in HANDLER_MODULES)
    assert "storage.migrations.runner" in sys.modules
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("unfrozen")
def test_what_the_start_built_is_kept_out_of_full_collections() -> None:
    built = [[index] for index in range(1_000)]
    before = gc.get_freeze_count()
    freeze_what_the_start_built()

    assert gc.get_freeze_count() >= before + len(built)


def test_every_client_shares_one_tls_context_that_verifies() -> None:
    import ssl

    context = shared_tls_context()

    assert shared_tls_context() is context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
