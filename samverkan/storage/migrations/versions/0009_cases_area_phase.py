"""cases: an index on (area_name, phase), so a list's bounded count for an area reads the index
alone

``lista <område>`` counts the area's cases not in a terminal phase, up to its bound; with the
phase in the index no case row is read for it.

Revision ID: 0009_cases_area_phase
Revises: 0008_case_tally
"""

from alembic import op

revision: str = "0009_cases_area_phase"
down_revision: str | None = "0008_case_tally"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_area_phase", "cases", ["area_name", "phase"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_area_phase", table_name="cases")
