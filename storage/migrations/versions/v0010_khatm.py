"""Collective khatm boards: a group's rounds and the 30 juz of each.

Revision ID: 0010
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "khatm_boards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("deadline", sa.Date()),
        sa.Column("message_id", sa.BigInteger()),
        sa.Column("started_by", sa.BigInteger()),
        _timestamp("finished_at", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name="fk_khatm_boards_chat_id_chats",
            ondelete="CASCADE", onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_khatm_boards"),
        sa.UniqueConstraint("chat_id", "round", name="uq_khatm_boards_chat_round"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_khatm_boards_started_by", "khatm_boards", ["started_by"])
    op.create_table(
        "khatm_parts",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("juz", sa.Integer(), nullable=False),
        sa.Column("taker_id", sa.BigInteger()),
        sa.Column("taker_name", sa.String(64)),
        _timestamp("taken_at", nullable=True),
        _timestamp("finished_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["board_id"], ["khatm_boards.id"], name="fk_khatm_parts_board_id_khatm_boards",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("board_id", "juz", name="pk_khatm_parts"),
    )
    op.create_index("ix_khatm_parts_taker_id", "khatm_parts", ["taker_id"])


def downgrade() -> None:
    op.drop_index("ix_khatm_parts_taker_id", table_name="khatm_parts")
    op.drop_table("khatm_parts")
    op.drop_index("ix_khatm_boards_started_by", table_name="khatm_boards")
    op.drop_table("khatm_boards")
