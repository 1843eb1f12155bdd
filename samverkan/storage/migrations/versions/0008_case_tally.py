"""case_tally: cases counted per arrival hour, phase and area, kept by triggers on cases

statistik and its chart read sums from this table instead of grouping every case, so what
they read grows with the hours that had new cases rather than with the cases. Triggers (not
ORM hooks) keep it, because bulk Core writes, erasure and disposal bypass the ORM. The hour is
``created_at`` truncated to the UTC hour, written ``2026-03-02 09:00:00``; no area is ``""``.

Revision ID: 0008_case_tally
Revises: 0007_overlap_indexes
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_case_tally"
down_revision: str | None = "0007_overlap_indexes"
branch_labels = None
depends_on = None

_SQLITE_HOUR = "substr({row}.created_at, 1, 13) || ':00:00'"
_PG_HOUR = (
    "to_char(date_trunc('hour', {row}.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:00:00')"
)


def _key(hour: str, row: str) -> str:
    return f"hour = {hour.format(row=row)} AND phase = {row}.phase AND area_name = coalesce({row}.area_name, '')"


def _add(hour: str, row: str, table_n: str) -> str:
    return (
        "INSERT INTO case_tally (hour, phase, area_name, n) "
        f"VALUES ({hour.format(row=row)}, {row}.phase, coalesce({row}.area_name, ''), 1) "
        f"ON CONFLICT (hour, phase, area_name) DO UPDATE SET n = {table_n} + 1;"
    )


def _remove(hour: str, row: str) -> str:
    return (
        f"UPDATE case_tally SET n = n - 1 WHERE {_key(hour, row)};"
        f" DELETE FROM case_tally WHERE {_key(hour, row)} AND n <= 0;"
    )


_CHANGED = (
    "OLD.phase IS DISTINCT FROM NEW.phase OR OLD.area_name IS DISTINCT FROM NEW.area_name"
    " OR OLD.created_at IS DISTINCT FROM NEW.created_at"
)


def _sqlite() -> None:
    h = _SQLITE_HOUR
    changed = _CHANGED.replace("IS DISTINCT FROM", "IS NOT")
    op.execute(
        f"CREATE TRIGGER case_tally_insert AFTER INSERT ON cases BEGIN {_add(h, 'NEW', 'n')} END"
    )
    op.execute(
        f"CREATE TRIGGER case_tally_delete AFTER DELETE ON cases BEGIN {_remove(h, 'OLD')} END"
    )
    op.execute(
        "CREATE TRIGGER case_tally_update AFTER UPDATE OF phase, area_name, created_at ON cases"
        f" WHEN {changed} BEGIN {_remove(h, 'OLD')} {_add(h, 'NEW', 'n')} END"
    )


def _postgresql() -> None:
    h = _PG_HOUR
    op.execute(
        "CREATE FUNCTION case_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF TG_OP IN ('UPDATE', 'DELETE') THEN {_remove(h, 'OLD')} END IF;"
        f" IF TG_OP IN ('UPDATE', 'INSERT') THEN {_add(h, 'NEW', 'case_tally.n')} END IF;"
        " RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER case_tally_insert_delete AFTER INSERT OR DELETE ON cases"
        " FOR EACH ROW EXECUTE FUNCTION case_tally_count()"
    )
    op.execute(
        "CREATE TRIGGER case_tally_update AFTER UPDATE OF phase, area_name, created_at ON cases"
        f" FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION case_tally_count()"
    )


def upgrade() -> None:
    op.create_table(
        "case_tally",
        sa.Column("hour", sqlmodel.sql.sqltypes.AutoString(length=19), nullable=False),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("area_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "phase", "area_name"),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    hour = (_SQLITE_HOUR if sqlite else _PG_HOUR).format(row="cases")
    op.execute(
        "INSERT INTO case_tally (hour, phase, area_name, n)"
        f" SELECT {hour}, phase, coalesce(area_name, ''), count(*) FROM cases"
        f" GROUP BY {hour}, phase, coalesce(area_name, '')"
    )
    if sqlite:
        _sqlite()
    else:
        _postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("case_tally_insert", "case_tally_delete", "case_tally_update"):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER case_tally_update ON cases")
        op.execute("DROP TRIGGER case_tally_insert_delete ON cases")
        op.execute("DROP FUNCTION case_tally_count()")
    op.drop_table("case_tally")
