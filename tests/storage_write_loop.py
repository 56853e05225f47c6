"""Child process for the durability test: writes forever, printing each write once committed.

Usage: python tests/storage_write_loop.py DB_PATH RUN_ID
Each iteration claims a reading-credit key and saves a note draft (two separate transactions),
then prints "RUN_ID:N:DRAFT_ID". Anything printed was acknowledged and must survive a kill -9.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from storage import Database, DraftRepository, ReadingCreditRepository


async def write_forever(path: Path, run_id: int) -> None:
    database = Database.connect(f"sqlite+aiosqlite:///{path}")
    await database.migrate()
    credits, drafts = ReadingCreditRepository(database), DraftRepository(database)
    print("ready", flush=True)
    number = 0
    while True:
        await credits.claim(run_id, f"write-{number}")
        draft = await drafts.save(
            telegram_user_id=run_id,
            chat_id=run_id,
            ranges=[f"1:{number % 7 + 1}"],
            body=f"run {run_id} write {number} " + "x" * (number % 200),
        )
        print(f"{run_id}:{number}:{draft.id}", flush=True)
        number += 1


if __name__ == "__main__":
    asyncio.run(write_forever(Path(sys.argv[1]), int(sys.argv[2])))
