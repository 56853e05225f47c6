"""The real `python -m bot` process on the paths issue 18 added: metrics over HTTP, hostile
webhook bodies, /forget while Quran.com refuses revocations. The whole output, at
LOG_LEVEL=DEBUG, is then scanned for every secret the process knows and every token it holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from e2e_support import PrivateChat, link_before_start, running_bot

from bot.app.web import SECURITY_HEADERS
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.telegram import FakeUser

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

USER = FakeUser(5301, "Hafsa", username="hafsa", language_code="en")
SUB = "qf-hafsa"
METRICS_TOKEN = "metrics-token-e2e-0123456789"
WEBHOOK_SECRET = "webhook-secret-e2e-0123456789"


def _tokens_of(fake: FakeQuranFoundation) -> list[str]:
    return [*fake._access_tokens, *fake._refresh_tokens]


async def test_metrics_count_updates_and_qf_calls(tmp_path: Path) -> None:
    fake = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key, timezone="UTC")
    env = {"TOKEN_ENCRYPTION_KEY": key, "METRICS_TOKEN": METRICS_TOKEN}
    async with running_bot(tmp_path, fake_qf=fake, extra_env=env) as bot:
        chat = PrivateChat(bot.world, USER)
        await chat.say("/help", "/goal")
        await chat.say("/goal 10min", "Goal set: 10 minutes a day")

        refused = await bot.get("/metrics")
        scraped = await bot.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    assert refused.status_code == 404
    assert scraped.status_code == 200
    text = scraped.text
    assert 'quran_companion_updates_total{kind="command",outcome="ok"} 2.0' in text
    assert 'quran_companion_update_seconds_count{kind="command"} 2.0' in text
    created = 'quran_companion_qf_requests_total{operation="POST /auth/v1/goals",status="200"}'
    assert f"{created} 1.0" in text
    assert "quran_companion_qf_request_seconds_bucket" in text
    assert "quran_companion_telegram_retry_after_total 0.0" in text
    assert "# TYPE quran_companion_reminders_total counter" in text
    assert "quran_companion_qf_revocations_queued" in text
    for name, value in SECURITY_HEADERS.items():
        assert scraped.headers[name] == value


async def test_new_paths_log_no_secret_even_at_debug(tmp_path: Path) -> None:
    fake = FakeQuranFoundation()
    key = Fernet.generate_key().decode()
    await link_before_start(tmp_path, fake, USER, sub=SUB, encryption_key=key, timezone="UTC")
    held = _tokens_of(fake)
    env = {
        "TOKEN_ENCRYPTION_KEY": key,
        "METRICS_TOKEN": METRICS_TOKEN,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PUBLIC_URL": "https://bot.example.org",
    }
    webhook = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with running_bot(tmp_path, fake_qf=fake, extra_env=env) as bot:
        assert bot.world.webhook is not None
        # Hostile bodies: 400 or 413, never 500, and the bot keeps serving.
        for body in (b"[]", b"{}", b"null", b"\xff\xfe", b'{"update_id": "1"}'):
            answer = await bot.post("/telegram", content=body, headers=webhook)
            assert answer.status_code == 400, body
        huge = await bot.post("/telegram", content=b"{" + b" " * (1024 * 1024) + b"}",
                              headers=webhook)
        assert huge.status_code == 413

        # /forget while Quran.com refuses every revocation: the grant stays queued.
        fake.fail_next(503, path="/oauth2/revoke", times=1000)
        chat = PrivateChat(bot.world, USER)
        await bot.world.user_sends(USER.id, USER, "/forget")
        await bot.post("/telegram", json=bot.world.next_update_dict(), headers=webhook)
        await bot.world.wait_for_message(USER.id, "Erase it all?", timeout=15)
        target = chat._with_button("Erase everything")
        await bot.world.user_presses_label(
            USER.id, USER, target["message_id"], "Erase everything"
        )
        await bot.post("/telegram", json=bot.world.next_update_dict(), headers=webhook)
        await bot.world.wait_for_message(USER.id, "erased", timeout=30)

        assert (await bot.get("/metrics", headers={"Authorization": "Bearer wrong"})
                ).status_code == 404
        scraped = await bot.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert scraped.status_code == 200
        code, _ = await bot.stop()
        log = bot.log

    assert code == 0, log
    assert "Traceback" not in log
    assert "revocation" in log  # the queued revocation was logged, without its token
    secrets = [
        bot.env["TELEGRAM_BOT_TOKEN"],
        bot.env["QF_CLIENT_SECRET"],
        key,
        METRICS_TOKEN,
        WEBHOOK_SECRET,
        *held,
    ]
    leaks = [line[:200] for line in log.splitlines() if any(s in line for s in secrets)]
    assert leaks == [], "\n".join(leaks[:5])
