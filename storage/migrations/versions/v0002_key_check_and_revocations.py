"""Key check value and the queue of grants to revoke at Quran.com.

`key_check` holds one Fernet token of a known constant: a TOKEN_ENCRYPTION_KEY that cannot open
it is the wrong key, and the bot refuses to start instead of treating every user as unlinked.
`revocations` keeps grants the bot stopped holding (/forget, /logout, relink, expired
confirmations) until Quran.com has confirmed their revocation, across restarts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-04-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "key_check",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_key_check"),
    )
    op.create_table(
        "revocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("next_attempt_at"),
        sa.Column("last_error", sa.String(64)),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_revocations"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_revocations_next_attempt_at", "revocations", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_revocations_next_attempt_at", table_name="revocations")
    op.drop_table("revocations")
    op.drop_table("key_check")
