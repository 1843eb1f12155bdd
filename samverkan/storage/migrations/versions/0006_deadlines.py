"""deadlines: the policy id on each reminder, when a case's reminders were reconciled, and
the weekly digests sent

Revision ID: 0006_deadlines
Revises: 0005_cases_year_seq
Create Date: 2026-12-02 02:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import samverkan.storage.types

revision: str = "0006_deadlines"
down_revision: str | Sequence[str] | None = "0005_cases_year_seq"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_sent",
        sa.Column("official", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("week", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("official", "week"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "deadlines_at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("policy", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )


def downgrade() -> None:
    op.drop_table("digest_sent")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_column("policy")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("deadlines_at")
