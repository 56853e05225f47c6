"""Due reminders found through the database: an indexed next-due instant per reminder, and the
next instant its group follow-ups (nudge, weekly summary) may be due.

Before this, every instance kept one in-memory timer per reminder and time, rebuilt at start and
every few minutes, which blocked the event loop for seconds with 100,000 reminders stored. Now a
tick once a minute claims what is due through these indexes (see `bot.services.reminder_delivery`).
Existing rows start with NULL: the bot fills them in small batches at start (`Reminders.backfill`),
so the upgrade needs no Python in the migration.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("follow_up_at", sa.DateTime(timezone=True)))
        batch.create_index("ix_reminders_next_due_at", ["next_due_at"])
        batch.create_index("ix_reminders_follow_up_at", ["follow_up_at"])
    # Departed groups are looked for every few minutes among a million chats.
    op.create_index("ix_chats_active_updated_at", "chats", ["active", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_chats_active_updated_at", table_name="chats")
    # Dropping columns rebuilds the table on SQLite: it must keep AUTOINCREMENT, or the ids of
    # deleted reminders could come back and old buttons would reach a new reminder.
    with op.batch_alter_table("reminders", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_index("ix_reminders_follow_up_at")
        batch.drop_index("ix_reminders_next_due_at")
        batch.drop_column("follow_up_at")
        batch.drop_column("next_due_at")
