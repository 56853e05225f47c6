"""Initial schema: chats, accounts, OAuth logins, reminders, drafts, credits, PTB persistence.

Revision ID: 0001
Revises:
Create Date: 2025-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "chats",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("timezone", sa.String(64)),
        sa.Column("language", sa.String(16)),
        sa.Column("mushaf_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_chats"),
    )
    op.create_table(
        "accounts",
        sa.Column("telegram_user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("qf_sub", sa.String(255), nullable=False),
        sa.Column("display_name", sa.Text()),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text()),
        sa.Column("key_id", sa.String(16), nullable=False),
        _timestamp("expires_at"),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("last_mutation_at", sa.BigInteger()),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("telegram_user_id", name="pk_accounts"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("state", sa.String(255), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16)),
        _timestamp("created_at"),
        _timestamp("used_at", nullable=True),
        sa.Column("confirm_code", sa.String(64)),
        sa.Column("pending_grant", sa.Text()),
        _timestamp("confirm_expires_at", nullable=True),
        _timestamp("confirmed_at", nullable=True),
        sa.PrimaryKeyConstraint("state", name="pk_login_attempts"),
        sa.UniqueConstraint("confirm_code", name="uq_login_attempts_confirm_code"),
    )
    op.create_index("ix_login_attempts_telegram_user_id", "login_attempts", ["telegram_user_id"])
    op.create_index("ix_login_attempts_created_at", "login_attempts", ["created_at"])

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_id", sa.BigInteger()),
        sa.Column("times", sa.Text(), nullable=False),
        sa.Column("weekdays", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("portion", sa.Text()),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _timestamp("snoozed_until", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name="fk_reminders_chat_id_chats",
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminders"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reminders_chat_id", "reminders", ["chat_id"])
    op.create_index("ix_reminders_user_id", "reminders", ["user_id"])

    op.create_table(
        "reminder_sends",
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(64), nullable=False),
        sa.Column("message_id", sa.BigInteger()),
        _timestamp("sent_at"),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["reminders.id"],
            name="fk_reminder_sends_reminder_id_reminders",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reminder_id", "slot", name="pk_reminder_sends"),
    )
    op.create_table(
        "check_ins",
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["reminder_id"],
            ["reminders.id"],
            name="fk_check_ins_reminder_id_reminders",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reminder_id", "slot", "user_id", name="pk_check_ins"),
    )
    op.create_index("ix_check_ins_user_id", "check_ins", ["user_id"])

    op.create_table(
        "note_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("ranges", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("save_to_qr", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_note_drafts"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_note_drafts_user_updated", "note_drafts", ["telegram_user_id", "updated_at"]
    )

    op.create_table(
        "reading_credits",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_reading_credits"),
    )
    op.create_index("ix_reading_credits_created_at", "reading_credits", ["created_at"])

    op.create_table(
        "ptb_conversations",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("state", sa.Text()),
        sa.PrimaryKeyConstraint("name", "key", name="pk_ptb_conversations"),
    )
    op.create_table(
        "ptb_user_data",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_ptb_user_data"),
    )
    op.create_table(
        "ptb_chat_data",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name="pk_ptb_chat_data"),
    )
    op.create_table(
        "ptb_bot_store",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_ptb_bot_store"),
    )


def downgrade() -> None:
    for table in (
        "ptb_bot_store",
        "ptb_chat_data",
        "ptb_user_data",
        "ptb_conversations",
        "reading_credits",
        "note_drafts",
        "check_ins",
        "reminder_sends",
        "reminders",
        "login_attempts",
        "accounts",
        "chats",
    ):
        op.drop_table(table)
