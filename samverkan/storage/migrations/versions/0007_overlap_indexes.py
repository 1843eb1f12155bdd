"""cases and phase_change: indexes for the overlap check and statistik

The overlap check reads the newest open cases of each related area along (area_name, year,
seq), and statistik finds the cases that reached the committee by phase_change.to_phase, so
neither reads every case.

Revision ID: 0007_overlap_indexes
Revises: 0006_deadlines
"""

from alembic import op

revision: str = "0007_overlap_indexes"
down_revision: str | None = "0006_deadlines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_area_year_seq", "cases", ["area_name", "year", "seq"], unique=False)
    op.create_index("ix_phase_change_to_phase", "phase_change", ["to_phase"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_phase_change_to_phase", table_name="phase_change")
    op.drop_index("ix_cases_area_year_seq", table_name="cases")
