"""Flat as users grow: the real `python -m bot` over a database of a million chats.

Seeds the database in bulk (`bench/scale_seed.py`: chats, linked accounts with encrypted tokens,
reminders with their due times, PTB user/chat data), then starts the real process over HTTP
against the project's fakes (fake Telegram with its rolling 30/s flood control) and reports:

* time to first poll: from starting the process to its first `getUpdates`;
* `/help` latency: one sent before the start, then one every 250 ms for 10 s (each from another
  user, so no chat waits behind itself); the worst is counted from the start for the first;
* the longest event-loop stall (`quran_companion_event_loop_lag_max_seconds` from /metrics, and
  the probe's log lines of 50 ms or more, by phase: start, fan-out, the 5-minute follow-up job);
* peak RSS (`VmHWM` of the process) after the start phase and at the end;
* the fan-out of 2,000 reminders due in the same minute: msgs/s (mean 1 s window, as Telegram
  counts) against 30/s, 429s, duplicates.

Targets: every /help answered < 3 s after start, no stall > 100 ms, RSS < 250 MB, fan-out
≥ 95 % of 30/s with 0 × 429. Each scale runs after a "small" baseline (3,000 chats) in the same
run, on the same backend, and the ratio scale/small is printed: start-up time and memory should
not grow with the number of stored chats.

PostgreSQL: 127.0.0.1:5432 (trust), database `test`; everything goes into a schema `scalebench`
owned by a role of that name (whose search_path points there), dropped afterwards.

    python bench/bench_scale.py [--scale small|100k|full] [--backend sqlite|postgres|both]
                                [--json out.json] [--no-follow-up]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_reminders import busiest_second, is_reminder, per_second_windows
from e2e_support import _bot_environment, _start_process, free_port
from scale_seed import (
    SCALES,
    Rows,
    Scale,
    Seeded,
    make_due_postgres,
    make_due_sqlite,
    seed_postgres,
    seed_sqlite,
)

from sandbox.fake_telegram import FakeTelegramServer
from sandbox.quran_foundation import FakeQuranFoundation
from sandbox.serving import serve_asgi
from sandbox.telegram import FakeUser, TelegramWorld
from storage import Database, TokenCipher

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_ROLE = "scalebench"
PG_DSN = f"postgresql://{PG_ROLE}@127.0.0.1:5432/test"
METRICS_TOKEN = "bench-scale-metrics-token-0123456789"  # noqa: S105 (the fake run only)
HELP_EVERY = 0.25
HELP_FOR = 10.0
#: The 5-minute follow-up job first runs this long after the start (bot.app.scheduler).
FOLLOW_UP_AT = 300.0
STALL_LINE = "event loop stalled for "


@dataclass
class Run:
    """One process's life, with the time each line of its output arrived."""

    process: asyncio.subprocess.Process
    started: float
    lines: list[tuple[float, str]] = field(default_factory=list)

    def stalls(self, since: float, until: float) -> list[float]:
        found = []
        for moment, line in self.lines:
            if since <= moment <= until and STALL_LINE in line:
                found.append(float(line.split(STALL_LINE, 1)[1].split()[0]))
        return found

    def rss_mb(self, field_name: str) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")


def save_log(run: Run, path: Path) -> None:
    """Each line with its second since the start, so a stall can be lined up with the log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{moment - run.started:9.3f} {line}" for moment, line in run.lines))


async def _pump(run: Run) -> None:
    assert run.process.stdout is not None
    while line := await run.process.stdout.readline():
        run.lines.append((time.monotonic(), line.decode(errors="replace")))


# -- the database ----------------------------------------------------------------------------------


async def prepare_postgres() -> None:
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await _drop_postgres(admin)
        await admin.execute(f"CREATE ROLE {PG_ROLE} LOGIN")
        await admin.execute(f"CREATE SCHEMA {PG_ROLE} AUTHORIZATION {PG_ROLE}")
        await admin.execute(f"ALTER ROLE {PG_ROLE} SET search_path = {PG_ROLE}")
    finally:
        await admin.close()


async def _drop_postgres(admin: asyncpg.Connection) -> None:
    await admin.execute(f"DROP SCHEMA IF EXISTS {PG_ROLE} CASCADE")
    exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", PG_ROLE)
    if exists:
        await admin.execute(f"DROP ROLE {PG_ROLE}")


async def drop_postgres() -> None:
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await _drop_postgres(admin)
    finally:
        await admin.close()


async def seed(backend: str, data_dir: Path, rows: Rows) -> tuple[str, Seeded]:
    """Migrate like the bot does, then bulk-insert; returns the bot's DATABASE_URL."""
    if backend == "postgres":
        await prepare_postgres()
        url = PG_DSN.replace("postgresql://", "postgresql+asyncpg://")
    else:
        url = f"sqlite+aiosqlite:///{data_dir / 'bot.sqlite3'}"
    database = Database.connect(url)
    try:
        await database.migrate()
    finally:
        await database.close()
    if backend == "postgres":
        return url, await seed_postgres(PG_DSN, rows)
    return url, await asyncio.to_thread(seed_sqlite, str(data_dir / "bot.sqlite3"), rows)


async def make_due(backend: str, data_dir: Path, seeded: Seeded, due: datetime) -> None:
    if backend == "postgres":
        await make_due_postgres(PG_DSN, seeded.fan_out, due)
    else:
        await asyncio.to_thread(make_due_sqlite, str(data_dir / "bot.sqlite3"), seeded.fan_out,
                                due)


# -- measuring -------------------------------------------------------------------------------------


async def scrape_lag(url: str) -> dict[str, float]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url + "/metrics",
                                    headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "quran_companion_event_loop_lag_max_seconds":
                found["max"] = sample.value
            elif (sample.name == "quran_companion_event_loop_lag_seconds_bucket"
                  and sample.labels.get("le") == "0.05"):
                found["le_50ms"] = sample.value
            elif sample.name == "quran_companion_event_loop_lag_seconds_count":
                found["count"] = sample.value
    return found


def first_answer(world: TelegramWorld, chat_id: int, after: float) -> float | None:
    for call in world.calls:
        if (call.method == "sendMessage" and call.status == 200 and call.time >= after
                and int(call.params.get("chat_id", 0)) == chat_id):
            return call.time
    return None


async def sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


async def send_helps(world: TelegramWorld, users: list[FakeUser], began: float,
                     sent: list[tuple[int, float]]) -> None:
    for index, user in enumerate(users):
        await sleep_until(began + index * HELP_EVERY)
        sent.append((user.id, time.monotonic()))
        await world.user_sends(user.id, user, "/help")


def fan_out_figures(world: TelegramWorld, first_call: int, due: datetime) -> dict[str, Any]:
    calls = [call for call in world.calls[first_call:] if is_reminder(call)]
    times = sorted(call.time for call in calls)
    per_chat = Counter(int(call.params["chat_id"]) for call in calls)
    windows = per_second_windows(times)
    rate = sum(windows) / len(windows) if windows else float("nan")
    return {
        "sent": len(calls),
        "chats_reached": len(per_chat),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "rate_msgs_per_s": rate,
        "rate_vs_30": rate / 30,
        "busiest_1s": busiest_second(times) if times else 0,
        "seconds": times[-1] - times[0] if len(times) > 1 else 0.0,
        "last_after_due_s": (max(call.response["result"]["date"] for call in calls)
                             - due.timestamp()) if calls else float("nan"),
    }


async def wait_for_fan_out(world: TelegramWorld, first_call: int, expected: int,
                           due: datetime) -> None:
    await asyncio.sleep(max(0.0, due.timestamp() - time.time()))
    deadline = time.monotonic() + 60 + expected / 30 * 2
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = sum(1 for call in world.calls[first_call:] if is_reminder(call))
        if count >= expected:
            return
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif count and time.monotonic() - last_change > 20:
            return  # stuck: report what went out
        await asyncio.sleep(0.5)


# -- one run ---------------------------------------------------------------------------------------


async def run_once(backend: str, scale_name: str, *, follow_up: bool,
                   log_dir: Path | None = None) -> dict[str, Any]:
    scale: Scale = SCALES[scale_name]
    key = Fernet.generate_key().decode()
    fake_qf = FakeQuranFoundation(check_responses=False)
    now = datetime.now(UTC)
    rows = Rows(scale, TokenCipher([key]), now, {})
    for user_id in rows.linked_due_users:
        sub = f"qf-{user_id}"
        fake_qf.seed_user(sub, name=f"Reader {user_id}")
        tokens = fake_qf.issue_tokens(sub)
        rows.tokens[user_id] = (tokens["access_token"], str(tokens.get("refresh_token")))
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        began_seed = time.monotonic()
        url, seeded = await seed(backend, data_dir, rows)
        seed_seconds = time.monotonic() - began_seed
        print(f"  [{backend} {scale_name}] seeded {scale.chats:,} chats, {scale.accounts:,} "
              f"accounts, {scale.reminders:,} reminders in {seed_seconds:.1f} s", flush=True)
        try:
            return await _measure(backend, scale_name, scale, data_dir, url, key, seeded,
                                  fake_qf, seed_seconds, follow_up=follow_up, log_dir=log_dir)
        finally:
            if backend == "postgres":
                await drop_postgres()


async def _measure(backend: str, scale_name: str, scale: Scale, data_dir: Path, url: str,
                   key: str, seeded: Seeded, fake_qf: FakeQuranFoundation,
                   seed_seconds: float, *, follow_up: bool,
                   log_dir: Path | None) -> dict[str, Any]:
    world = TelegramWorld()
    world.flood_control = True
    admin = FakeUser(7_000_000, "Admin")
    for row in seeded.fan_out:
        if row.kind == "group":
            world.add_group(row.chat_id, f"Circle {-row.chat_id}", admins=[admin])
        else:
            world.add_private_chat(FakeUser(row.chat_id, f"Reader {row.chat_id}"))
    helpers = [FakeUser(user_id, f"Reader {user_id}")
               for user_id in seeded.quiet_users[:1 + int(HELP_FOR / HELP_EVERY)]]
    for user in helpers:
        world.add_private_chat(user)
    # The fan-out minute: after the start phase, with room for a slow start.
    due = (datetime.now(UTC) + timedelta(seconds=HELP_FOR + 35)).replace(second=0,
                                                                         microsecond=0)
    due += timedelta(minutes=1)
    await make_due(backend, data_dir, seeded, due)

    telegram = await FakeTelegramServer(world).start()
    qf_server = await serve_asgi(fake_qf.app)
    port = free_port()
    env = _bot_environment(data_dir, world, telegram, fake_qf, qf_server, port=port,
                           contract="production")
    env.update({"DATABASE_URL": url, "TOKEN_ENCRYPTION_KEY": key, "LOG_LEVEL": "INFO",
                "METRICS_TOKEN": METRICS_TOKEN})
    local_url = f"http://127.0.0.1:{port}"
    await world.user_sends(helpers[0].id, helpers[0], "/help")  # waiting before the start
    process = await _start_process(data_dir, env)
    run = Run(process, time.monotonic())
    pump = asyncio.create_task(_pump(run))
    try:
        return await _observe(run, world, local_url, helpers, seeded, due, backend, scale_name,
                              scale, seed_seconds, follow_up=follow_up)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        await asyncio.wait_for(pump, 10)
        if log_dir is not None:
            save_log(run, log_dir / f"{backend}-{scale_name}.log")
        await telegram.stop()
        await qf_server.stop()


async def _observe(run: Run, world: TelegramWorld, local_url: str, helpers: list[FakeUser],
                   seeded: Seeded, due: datetime, backend: str, scale_name: str, scale: Scale,
                   seed_seconds: float, *, follow_up: bool) -> dict[str, Any]:
    t0 = run.started
    sent: list[tuple[int, float]] = [(helpers[0].id, t0)]
    await send_helps(world, helpers[1:], t0, sent)
    deadline = time.monotonic() + 30
    answers: dict[int, float] = {}
    while time.monotonic() < deadline and len(answers) < len(sent):
        for user_id, at in sent:
            if user_id not in answers and (answer := first_answer(world, user_id, at)):
                answers[user_id] = answer
        await asyncio.sleep(0.1)
    polls = world.calls_to("getUpdates")
    first_poll = polls[0].time - t0 if polls else float("nan")
    latencies = [answers[user_id] - at for user_id, at in sent if user_id in answers]
    start_lag = await scrape_lag(local_url)
    start_end = time.monotonic()
    rss_start = run.rss_mb("VmHWM")
    print(f"  [{backend} {scale_name}] first poll {first_poll:.2f} s, /help worst "
          f"{max(latencies, default=float('nan')):.2f} s ({len(answers)}/{len(sent)}), "
          f"max stall {start_lag.get('max', 0) * 1000:.0f} ms, RSS {rss_start:.0f} MB; "
          f"fan-out at {due:%H:%M}", flush=True)

    first_call = len(world.calls)
    await wait_for_fan_out(world, first_call, len(seeded.fan_out), due)
    fan_out_end = time.monotonic()
    await asyncio.sleep(2)
    fan_out = fan_out_figures(world, first_call, due)
    fan_out["429s"] = world.flood_429s
    fan_out_start = fan_out_end - fan_out["seconds"] - 5
    print(f"  [{backend} {scale_name}] fan-out {fan_out['sent']} in {fan_out['seconds']:.1f} s, "
          f"{fan_out['rate_msgs_per_s']:.1f} msg/s, {fan_out['429s']} × 429, "
          f"{fan_out['duplicates']} duplicates", flush=True)

    follow_up_stalls: list[float] | None = None
    if follow_up:
        await sleep_until(t0 + FOLLOW_UP_AT + 20)
        follow_up_stalls = run.stalls(t0 + FOLLOW_UP_AT - 10, time.monotonic())
    end_lag = await scrape_lag(local_url)
    rss_peak = run.rss_mb("VmHWM")
    rss_now = run.rss_mb("VmRSS")
    start_stalls = run.stalls(t0, start_end)
    fan_out_stalls = run.stalls(fan_out_start, fan_out_end)
    return {
        "backend": backend,
        "scale": scale_name,
        "chats": scale.chats,
        "accounts": scale.accounts,
        "reminders": scale.reminders,
        "seed_s": round(seed_seconds, 1),
        "first_poll_s": round(first_poll, 3),
        "help_answered": f"{len(answers)}/{len(sent)}",
        "help_worst_s": round(max(latencies, default=float("nan")), 3),
        "help_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "stall_max_start_ms": round(start_lag.get("max", float("nan")) * 1000, 1),
        "stall_max_ms": round(end_lag.get("max", float("nan")) * 1000, 1),
        "stalls_ge_50ms": int(end_lag.get("count", 0) - end_lag.get("le_50ms", 0)),
        "stalls_start_ms": start_stalls,
        "stalls_fan_out_ms": fan_out_stalls,
        "stalls_follow_up_ms": follow_up_stalls,
        "rss_start_mb": round(rss_start, 1),
        "rss_peak_mb": round(rss_peak, 1),
        "rss_end_mb": round(rss_now, 1),
        "fan_out": {name: (round(value, 3) if isinstance(value, float) else value)
                    for name, value in fan_out.items()},
        "log_warnings": [line.strip() for _, line in run.lines
                         if (" WARNING " in line or " ERROR " in line)
                         and STALL_LINE not in line][:20],
    }


# -- the report ------------------------------------------------------------------------------------

ROWS = (
    ("first poll (s)", "first_poll_s"),
    ("/help worst (s)", "help_worst_s"),
    ("/help p50 (s)", "help_p50_s"),
    ("max stall, start (ms)", "stall_max_start_ms"),
    ("max stall, whole run (ms)", "stall_max_ms"),
    ("stalls >= 50 ms", "stalls_ge_50ms"),
    ("RSS after start (MB)", "rss_start_mb"),
    ("peak RSS (MB)", "rss_peak_mb"),
)


def print_comparison(base: dict[str, Any] | None, result: dict[str, Any]) -> None:
    head = f"{result['backend']}: {result['scale']} ({result['chats']:,} chats)"
    print(f"\n{head}" + (f" vs small ({base['chats']:,} chats)" if base else ""))
    print(f"{'':<28}{'small':>10}{result['scale']:>10}{'ratio':>8}")
    for label, key in ROWS:
        value = result[key]
        small = base[key] if base else None
        ratio = (value / small if isinstance(value, (int, float)) and small
                 and not math.isnan(small) else None)
        shown_small = "" if small is None else f"{small:>10}"
        print(f"{label:<28}{shown_small:>10}{value:>10}"
              f"{'' if ratio is None else f'{ratio:>8.2f}'}")
    for source in ([base] if base else []) + [result]:
        fan = source["fan_out"]
        print(f"fan-out ({source['scale']}): {fan['sent']} sent, {fan['rate_msgs_per_s']} msg/s "
              f"= {fan['rate_vs_30']:.1%} of 30/s, busiest second {fan['busiest_1s']}, "
              f"{fan['429s']} × 429, {fan['duplicates']} duplicates; stalls {source['scale']}: "
              f"start {source['stalls_start_ms']}, fan-out {source['stalls_fan_out_ms']}, "
              f"follow-up {source['stalls_follow_up_ms']}")
    verdicts = [
        ("every /help < 3 s", result["help_worst_s"] < 3
         and result["help_answered"].split("/")[0] == result["help_answered"].split("/")[1]),
        ("no stall > 100 ms", result["stall_max_ms"] <= 100),
        ("RSS < 250 MB", result["rss_peak_mb"] < 250),
        ("fan-out >= 95 % of 30/s", result["fan_out"]["rate_vs_30"] >= 0.95),
        ("0 x 429", result["fan_out"]["429s"] == 0),
        ("no duplicates", result["fan_out"]["duplicates"] == 0),
    ]
    for label, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-follow-up", action="store_true",
                        help="skip waiting for the 5-minute follow-up job")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the small baseline run")
    parser.add_argument("--log-dir", type=Path, default=None,
                        help="keep each run's process output here (stalls line up with it)")
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results: list[dict[str, Any]] = []
    for backend in backends:
        base = None
        if args.scale != "small" and not args.no_baseline:
            base = await run_once(backend, "small", follow_up=False, log_dir=args.log_dir)
            results.append(base)
        result = await run_once(backend, args.scale, follow_up=not args.no_follow_up,
                                log_dir=args.log_dir)
        results.append(result)
        print_comparison(base, result)
        if args.json is not None:
            args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
