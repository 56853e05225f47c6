"""Group reading: a moving wird, the portion each reminder showed, who checked in, /quiet.

`reminders` gets the wird (unit:first:size), its position (index shown on a local date), the
admin-enabled nudge and the weekly summary switches with the day/week they were last done;
`reminder_sends` keeps the portion and verse ranges each message showed (check-ins credit
exactly that); `check_ins` keeps the member's name for "who has read"; `group_quiet` lists the
members who asked never to be mentioned by a group's nudge.

Revision ID: 0009
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): on SQLite a batch rebuild of `reminders` would drop
    # its AUTOINCREMENT, and reminder ids must never be reused.
    for column in (
        sa.Column("wird", sa.String(32)),
        sa.Column("wird_index", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("wird_day", sa.String(10)),
        sa.Column("nudge_enabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("nudged_on", sa.String(10)),
        sa.Column("summary_enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("summary_week", sa.String(10)),
    ):
        op.add_column("reminders", column)
    op.add_column("reminder_sends", sa.Column("portion", sa.Text()))
    op.add_column("reminder_sends", sa.Column("ranges", sa.Text()))
    op.add_column("check_ins", sa.Column("name", sa.String(64)))
    op.create_table(
        "group_quiet",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "user_id", name="pk_group_quiet"),
    )
    op.create_index("ix_group_quiet_user_id", "group_quiet", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_group_quiet_user_id", table_name="group_quiet")
    op.drop_table("group_quiet")
    with op.batch_alter_table("check_ins") as batch:
        batch.drop_column("name")
    with op.batch_alter_table("reminder_sends") as batch:
        batch.drop_column("ranges")
        batch.drop_column("portion")
    with op.batch_alter_table(
        "reminders", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        for name in (
            "summary_week", "summary_enabled", "nudged_on", "nudge_enabled", "wird_day",
            "wird_index", "wird",
        ):
            batch.drop_column(name)
