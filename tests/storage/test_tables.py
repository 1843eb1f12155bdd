"""The light tables of the read paths (``storage.tables``) are the real tables, column by column."""

from __future__ import annotations

import subprocess
import sys

from sqlmodel import SQLModel

import samverkan.storage.models  # noqa: F401 - registers every table in SQLModel.metadata
from samverkan.storage.tables import LIGHT_TABLES
from samverkan.storage.types import UTCDateTime


def test_every_light_column_is_a_real_column_of_the_same_type() -> None:
    """Same table, same column names, the same kind of type; a time is a UTC time in both."""
    real_tables = SQLModel.metadata.tables
    assert len({t.name for t in LIGHT_TABLES}) == len(LIGHT_TABLES)
    for light in LIGHT_TABLES:
        assert light.name in real_tables, light.name
        real = real_tables[light.name].c
        for c in light.c:
            where = f"{light.name}.{c.name}"
            assert c.name in real, where
            assert c.type._type_affinity is real[c.name].type._type_affinity, where
            utc = isinstance(real[c.name].type, UTCDateTime)
            assert isinstance(c.type, UTCDateTime) is utc, where


def test_reading_one_case_builds_no_orm_model() -> None:
    """``show`` reads through the light tables: neither the models nor the criteria are loaded
    by the modules it uses (checked in a fresh interpreter)."""
    code = (
        "import sys\n"
        "import samverkan.storage.case_view, samverkan.storage.case_read\n"
        "import samverkan.storage.listing\n"
        "print(sorted(m for m in ('samverkan.storage.models', 'samverkan.rules.criteria')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
