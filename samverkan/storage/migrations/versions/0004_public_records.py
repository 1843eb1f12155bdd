"""public records: the registry (diarium) and its documents, the disposal log, reads of personal data

Revision ID: 0004_public_records
Revises: 0003_committee_officials
Create Date: 2026-12-02 02:46:59.682967
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import samverkan.storage.types

revision: str = "0004_public_records"
down_revision: str | None = "0003_committee_officials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("plan", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposal_at"), ["at"], unique=False)

    op.create_table(
        "registration_sequence",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "personal_data_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("who", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("command", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("personal_data_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_read_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_personal_data_read_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "registered_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("doc_seq", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("doc_date", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("counterpart", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("secrecy_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("secrecy_at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "registered_at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "doc_seq"),
        sa.UniqueConstraint("source", "source_id"),
    )
    with op.batch_alter_table("registered_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registered_document_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registered_document_doc_date"), ["doc_date"], unique=False
        )

    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "registered_at", samverkan.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
        sa.UniqueConstraint("number"),
    )


def downgrade() -> None:
    op.drop_table("registration")
    with op.batch_alter_table("registered_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registered_document_doc_date"))
        batch_op.drop_index(batch_op.f("ix_registered_document_case_id"))

    op.drop_table("registered_document")
    with op.batch_alter_table("personal_data_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_read_case_id"))
        batch_op.drop_index(batch_op.f("ix_personal_data_read_at"))

    op.drop_table("personal_data_read")
    op.drop_table("registration_sequence")
    with op.batch_alter_table("disposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disposal_at"))

    op.drop_table("disposal")
