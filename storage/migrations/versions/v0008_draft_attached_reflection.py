"""A note draft remembers the QuranReflect post it is about.

A note written from [📝 Note on this] (or `/note <post link> ...`) is saved with an
`attachedEntity`; the draft row is the source of truth until Quran.com confirmed the save, so the
attachment lives on the row too (JSON text, NULL for a note on verses only).

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("note_drafts") as batch:
        batch.add_column(sa.Column("attached_entity", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("note_drafts") as batch:
        batch.drop_column("attached_entity")
