"""Kill -9 a writer 20 times at random moments: the file stays sound, no acknowledged write
is lost."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from storage_helpers import open_sqlite

from storage import DraftRepository
from storage.schema import reading_credits

REPO_ROOT = Path(__file__).resolve().parents[1]
WRITER = Path(__file__).with_name("storage_write_loop.py")
KILLS = 20


def _run_and_kill(path: Path, run_id: int, rng: random.Random) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(path), str(run_id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    # Most kills land mid-write; a few land during start-up and migration.
    if rng.random() < 0.15:
        time.sleep(rng.uniform(0.0, 0.3))
    else:
        first = process.stdout.readline()
        assert first == b"ready\n", first + (process.stderr.read() if process.stderr else b"")
        time.sleep(rng.uniform(0.0, 0.25))
    os.kill(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL, err.decode()
    return [line for line in out.decode().splitlines() if line.count(":") == 2]


async def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "durable.sqlite3"
    rng = random.Random(20250301)
    acknowledged: list[str] = []
    started = time.monotonic()
    for run_id in range(1, KILLS + 1):
        acknowledged += await asyncio.to_thread(_run_and_kill, path, run_id, rng)
    assert time.monotonic() - started < 60
    assert len(acknowledged) > KILLS  # the kills really interrupted a busy writer

    database = await open_sqlite(path)
    try:
        async with database.read() as connection:
            integrity = (await connection.exec_driver_sql("PRAGMA integrity_check")).scalar()
            foreign = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            credits = {
                (row.user_id, row.key)
                for row in await connection.execute(
                    select(reading_credits.c.user_id, reading_credits.c.key)
                )
            }
        drafts = DraftRepository(database)
        for line in acknowledged:
            run_id, number, draft_id = (int(part) for part in line.split(":"))
            assert (run_id, f"write-{number}") in credits, line
            draft = await drafts.get(draft_id)
            assert draft is not None, line
            assert draft.body.startswith(f"run {run_id} write {number} "), line
    finally:
        await database.close()
    assert integrity == "ok"
    assert foreign == []
