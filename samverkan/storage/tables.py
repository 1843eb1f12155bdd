"""Light tables for the read paths: the columns a list or one case's page reads, with their types.

Building every ORM model (``storage.models``) and configuring its mappers is most of what a
short command like ``samverkan cases --json`` or ``show REF --json`` would spend before its
first query, so those commands read through these Core ``table()`` definitions instead. They
name only columns the readers use; writers keep the models, which own the schema.
tests/storage/test_tables.py keeps every column here in step with ``models``: same table,
same name, same kind of type.
"""

from __future__ import annotations

from sqlalchemy import JSON, Date, Integer, String, column, table
from sqlalchemy.sql.expression import TableClause

from samverkan.storage.types import UTCDateTime

CASES: TableClause = table(
    "cases",
    column("id", Integer),
    column("ref", String),
    column("year", Integer),
    column("seq", Integer),
    column("phase", String),
    column("title", String),
    column("application", JSON),
    column("area_name", String),
    column("origin", String),
    column("assigned_to", String),
    column("override_reason", String),
    column("meeting_at", UTCDateTime),
    column("created_at", UTCDateTime),
    column("updated_at", UTCDateTime),
)

EVALUATION: TableClause = table(
    "evaluation",
    column("id", Integer),
    column("case_id", Integer),
    column("ruleset", String),
    column("outcome", String),
    column("results", JSON),
    column("at", UTCDateTime),
)

PHASE_CHANGE: TableClause = table(
    "phase_change",
    column("id", Integer),
    column("case_id", Integer),
    column("at", UTCDateTime),
    column("by", String),
    column("from_phase", String),
    column("to_phase", String),
    column("why", String),
)

MESSAGE: TableClause = table(
    "message",
    column("id", Integer),
    column("case_id", Integer),
    column("direction", String),
    column("channel", String),
    column("message_id", String),
    column("subject", String),
    column("sender", String),
    column("at", UTCDateTime),
    column("send_state", String),
)

REMINDER: TableClause = table(
    "reminder",
    column("id", Integer),
    column("case_id", Integer),
    column("kind", String),
    column("due_at", UTCDateTime),
    column("state", String),
)

DECISION: TableClause = table(
    "decision",
    column("id", Integer),
    column("case_id", Integer),
    column("outcome", String),
    column("support", JSON),
    column("by", String),
    column("at", UTCDateTime),
    column("note", String),
    column("meeting_on", Date),
    column("paragraph", String),
)

MEASUREMENT: TableClause = table(
    "measurement",
    column("id", Integer),
    column("case_id", Integer),
    column("kind", String),
    column("text", String),
    column("by", String),
    column("at", UTCDateTime),
)

REGISTRATION: TableClause = table(
    "registration",
    column("id", Integer),
    column("case_id", Integer),
    column("number", String),
)

LIGHT_TABLES: tuple[TableClause, ...] = (
    CASES, EVALUATION, PHASE_CHANGE, MESSAGE, REMINDER, DECISION, MEASUREMENT, REGISTRATION,
)  # fmt: skip
