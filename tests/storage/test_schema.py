"""The quick schema check every command makes agrees with Alembic's own answer."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from samverkan.storage import migrate, schema
from samverkan.storage.db import make_engine


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert schema.head_revision() == migrate.head_revision()


def test_the_current_revision_is_alembics_and_none_before_init(
    engine: Engine, tmp_path: object
) -> None:
    assert schema.current_revision(engine) == migrate.current_revision(engine)
    assert schema.current_revision(engine) == schema.head_revision()
    empty = make_engine(f"sqlite:///{tmp_path}/empty.db")
    try:
        assert schema.current_revision(empty) is None
    finally:
        empty.dispose()
