"""Erasing a case's personal details from every text it holds, for disposal (gallring).

A case's rows are the case itself and every row of a table with a ``case_id`` (and the
attachments of its messages). :func:`erase_case_text` rewrites every text and JSON column of
them with :func:`~samverkan.rules.personal.erase_personal`: the details it is told about (the
applicant's name, address and phone, the senders' addresses) and every e-mail address, identity
number, phone number and street address, wherever an official or the extraction wrote them
(a title, a follow-up's text, a reason, a registered subject, the application's evidence). A
table added later is covered without change. What is no personal detail stays: phases, areas,
amounts and dates (the statistics), the identifiers of mail (Message-ID, digest), which keep
threading and deduplication working, and which official did what.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import JSON, Connection, String, Table, TypeDecorator, select, update
from sqlmodel import SQLModel

from samverkan.rules.personal import erase_data
from samverkan.storage.models import AttachmentRow, MessageRow

__all__ = ["KEPT_COLUMNS", "case_tables", "erase_case_text", "text_columns"]

KEPT_COLUMNS = frozenset(
    {"message_id", "digest", "in_reply_to", "references", "ref", "number"}
    | {"by", "who", "assigned_to", "claimed_by", "secrecy_by"}
)
"""Identifiers, whose erasure would break threading and uniqueness, and the officials who
acted (the authority's own record of who decided, not the applicant's details)."""

_MESSAGE = MessageRow.__table__  # type: ignore[attr-defined]
_ATTACHMENT = AttachmentRow.__table__  # type: ignore[attr-defined]


def _holds_text(kind: Any) -> bool:
    stored = kind.impl_instance if isinstance(kind, TypeDecorator) else kind  # AutoString
    return isinstance(stored, String | JSON)


def text_columns(table: Table) -> list[Any]:
    """The columns of ``table`` that hold text or JSON, but not its keys or identifiers."""
    return [
        c
        for c in table.c
        if _holds_text(c.type) and not c.primary_key and c.name not in KEPT_COLUMNS
    ]


def case_tables(case_id: int) -> Iterator[tuple[Table, Any]]:
    """Every table that holds rows of a case, with the condition that picks them."""
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "cases":
            yield table, table.c.id == case_id
        elif "case_id" in table.c:
            yield table, table.c.case_id == case_id
    mail = select(_MESSAGE.c.id).where(_MESSAGE.c.case_id == case_id)
    yield _ATTACHMENT, _ATTACHMENT.c.message_row_id.in_(mail)


def erase_case_text(conn: Connection, case_id: int, known: Iterable[str]) -> int:
    """Erase personal details from every text of the case's rows; returns how many rows
    changed. The caller commits."""
    known = [k for k in known if k]
    changed = 0
    for table, picks in case_tables(case_id):
        columns = text_columns(table)
        keys = list(table.primary_key.columns)
        if not columns or not keys:
            continue
        for row in conn.execute(select(*keys, *columns).where(picks)).all():
            values = dict(zip((c.name for c in columns), row[len(keys) :], strict=True))
            erased = {name: erase_data(value, known) for name, value in values.items()}
            new = {name: value for name, value in erased.items() if value != values[name]}
            if new:
                where = [k == row[i] for i, k in enumerate(keys)]
                conn.execute(update(table).where(*where).values(**new))
                changed += 1
    return changed
