"""mailbox_cursor: the Graph delta link a mailbox folder is read from

Revision ID: 0002_mailbox_cursor
Revises: 0001
Create Date: 2026-12-02 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import samverkan.storage.types

revision: str = "0002_mailbox_cursor"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mailbox_cursor",
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("updated_at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mailbox"),
    )


def downgrade() -> None:
    op.drop_table("mailbox_cursor")
