"""officials registry, committee calendar, the meeting and paragraph of a decision

Revision ID: 0003_committee_officials
Revises: 0002_mailbox_cursor
Create Date: 2026-12-02 02:20:07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import samverkan.storage.types

revision: str = "0003_committee_officials"
down_revision: str | None = "0002_mailbox_cursor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNIQUE = {
    "uq_official_email": "email",
    "uq_official_slack_id": "slack_id",
    "uq_official_teams_id": "teams_id",
}


def upgrade() -> None:
    op.create_table(
        "committee_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=False),
        sa.Column("memo_deadline", sa.Date(), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("added_at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_meeting_meeting_on"), ["meeting_on"], unique=True
        )

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("paragraph", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )

    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("slack_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("teams_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column(
                "source",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="config",
            )
        )
        batch_op.add_column(
            sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "updated_at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        for name, column in _UNIQUE.items():
            batch_op.create_unique_constraint(name, [column])
    # The defaults only filled the rows that existed; new rows get theirs from the model.
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.alter_column("active", server_default=None)
        batch_op.alter_column("source", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("official", schema=None) as batch_op:
        for name in _UNIQUE:
            batch_op.drop_constraint(name, type_="unique")
        for column in (
            "updated_at", "updated_by", "source", "active", "teams_id", "slack_id", "email",
            "title",
        ):  # fmt: skip
            batch_op.drop_column(column)

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_column("paragraph")
        batch_op.drop_column("meeting_on")

    with op.batch_alter_table("committee_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_meeting_meeting_on"))
    op.drop_table("committee_meeting")
