"""The bot's web server against hostile requests: the webhook takes only Telegram updates of a
sane size, every page sends the protective headers, and the metrics need their token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app.inbox import inbox_worker_of
from bot.app.metrics import Metrics, mark_update_failed, metrics_of, update_kind
from bot.app.processor import KeyedUpdateProcessor
from bot.app.web import MAX_WEBHOOK_BODY, SECURITY_HEADERS, create_web_app
from sandbox.harness import DEMO_USER, BotHarness

SECRET = "webhook-secret-for-tests"
METRICS_TOKEN = "metrics-token-for-tests"
WEBHOOK = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    overrides = {"WEBHOOK_SECRET": SECRET, "METRICS_TOKEN": METRICS_TOKEN}
    async with BotHarness(tmp_path, settings_overrides=overrides) as harness:
        yield harness


@pytest.fixture
async def web(bot: BotHarness) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_web_app(bot.app))
    async with httpx.AsyncClient(transport=transport, base_url="https://bot.test") as client:
        yield client


@pytest.mark.parametrize(
    "body",
    [b"[]", b"{}", b"null", b"\xff\xfe not utf-8", b"{not json", b'"text"', b"42",
     b'{"update_id": "7"}', b'{"update_id": true}', b'{"update_id": 1.5}',
     b'{"update_id": 7, "message": "not an object"}'],
    ids=["list", "empty-object", "null", "invalid-utf8", "broken-json", "string", "number",
         "string-id", "bool-id", "float-id", "unreadable-update"],
)
async def test_webhook_answers_400_to_non_updates(
    bot: BotHarness, web: httpx.AsyncClient, body: bytes
) -> None:
    response = await web.post(
        "/telegram", content=body, headers={**WEBHOOK, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert bot.app.update_queue.empty()


async def test_webhook_still_takes_a_real_update(
    bot: BotHarness, web: httpx.AsyncClient
) -> None:
    await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/start")
    update = bot.world.next_update_dict()
    response = await web.post("/telegram", json=update, headers=WEBHOOK)
    assert response.status_code == 200
    # 200 means "stored in the inbox": it is there, and it gets answered from there.
    worker = inbox_worker_of(bot.app)
    assert update["update_id"] in await worker.inbox.outcomes()
    await worker.idle()
    assert (await worker.inbox.outcomes())[update["update_id"]] == "handled"
    assert "Quran Companion" in bot.world.last_sent(DEMO_USER.id)["text"]


async def test_webhook_answers_503_when_the_update_cannot_be_stored(
    bot: BotHarness, web: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram retries a webhook delivery that did not get a 2xx: nothing is lost."""
    worker = inbox_worker_of(bot.app)

    async def database_down(*args: object, **kwargs: object) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(worker.inbox, "accept", database_down)
    await bot.world.user_sends(DEMO_USER.id, DEMO_USER, "/start")
    update = bot.world.next_update_dict()
    response = await web.post("/telegram", json=update, headers=WEBHOOK)
    assert response.status_code == 503


async def test_webhook_refuses_bodies_over_1mb(bot: BotHarness, web: httpx.AsyncClient) -> None:
    too_big = b'{"update_id": 1, "padding": "' + b"x" * MAX_WEBHOOK_BODY + b'"}'
    declared = await web.post("/telegram", content=too_big, headers=WEBHOOK)
    assert declared.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(too_big), 64 * 1024):
            yield too_big[start : start + 64 * 1024]

    streamed = await web.post("/telegram", content=chunks(), headers=WEBHOOK)
    assert streamed.status_code == 413
    assert bot.app.update_queue.empty()


async def test_webhook_checks_the_secret_before_reading_the_body(
    web: httpx.AsyncClient,
) -> None:
    response = await web.post("/telegram", content=b"x" * (MAX_WEBHOOK_BODY + 1))
    assert response.status_code == 403


async def test_every_page_sends_security_headers(web: httpx.AsyncClient) -> None:
    answers = [
        await web.get("/healthz"),
        await web.get("/oauth/callback", params={"code": "c", "state": "unknown"}),
        await web.get("/oauth/callback"),
        await web.post("/telegram", content=b"[]", headers=WEBHOOK),
        await web.post("/telegram", content=b"{}"),
        await web.get("/metrics"),
        await web.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}),
        await web.get("/no-such-page"),
    ]
    for response in answers:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.url, name)
        assert response.headers.get_list("content-security-policy") == [
            SECURITY_HEADERS["Content-Security-Policy"]
        ]
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["Content-Security-Policy"]
    assert answers[1].headers["cache-control"] == "no-store"


async def test_metrics_require_the_token(web: httpx.AsyncClient) -> None:
    assert (await web.get("/metrics")).status_code == 404
    wrong = await web.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
    basic = await web.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"})
    assert basic.status_code == 404
    right = await web.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain")
    assert "quran_companion_updates_total" in right.text


async def test_metrics_do_not_exist_without_a_token(tmp_path: Path) -> None:
    async with BotHarness(tmp_path) as bot:
        transport = httpx.ASGITransport(app=create_web_app(bot.app))
        async with httpx.AsyncClient(transport=transport, base_url="https://bot.test") as web:
            for headers in ({}, {"Authorization": "Bearer "}):
                assert (await web.get("/metrics", headers=headers)).status_code == 404


async def test_metrics_count_qf_calls_and_refreshes_per_application(
    tmp_path: Path, bot: BotHarness
) -> None:
    await bot.link_account()
    await bot.set_timezone("Asia/Riyadh")
    await bot.send("/today")
    text = metrics_of(bot.app).render().decode()
    assert 'quran_companion_qf_requests_total{operation="GET /auth/v1/' in text
    assert 'status="200"' in text
    assert "quran_companion_qf_request_seconds_bucket" in text
    # A second Application in the same process starts from zero: registries are not shared.
    async with BotHarness(tmp_path / "other") as other:
        assert "quran_companion_qf_requests_total{" not in (
            metrics_of(other.app).render().decode()
        )


async def test_processor_counts_updates_by_kind_and_outcome() -> None:
    metrics = Metrics()
    processor = KeyedUpdateProcessor(4, metrics=metrics)

    async def handled() -> None:
        return None

    async def failed_in_a_handler() -> None:
        await mark_update_failed(None, None)  # type: ignore[arg-type]

    class Event:
        chat_id = 5

    await processor.do_process_update(Event(), handled())
    await processor.do_process_update(Event(), failed_in_a_handler())
    text = metrics.render().decode()
    assert 'quran_companion_updates_total{kind="Event",outcome="ok"} 1.0' in text
    assert 'quran_companion_updates_total{kind="Event",outcome="error"} 1.0' in text
    assert 'quran_companion_update_seconds_count{kind="Event"} 2.0' in text
    assert update_kind(object()) == "object"
