"""cases: an index in reference order, so a page of a list reads only that page

Revision ID: 0005_cases_year_seq
Revises: 0004_public_records
"""

from alembic import op

revision: str = "0005_cases_year_seq"
down_revision: str | None = "0004_public_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_year_seq", "cases", ["year", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_year_seq", table_name="cases")
