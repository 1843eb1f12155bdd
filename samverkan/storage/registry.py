"""The registry (diariet): registration numbers for cases and the documents of each case.

A mail to the committee is an official document (allmän handling) the moment it arrives, and
the city must register it. Every case gets a registration number (diarienummer) from the series
``SAMVERKAN_DIARIE_SERIES`` (default ``TN-{year}-{seq:04d}``), numbered per year by one atomic
upsert, as the case reference is, so two processes never take the same number and a rolled-back
transaction gives its number back (no gaps). Its documents (mail in, letters out, attachments,
the memo, the committee's decision) are registered with their date, direction, sender or
recipient, subject and a secrecy flag an official sets.

When it happens: a case is numbered in the transaction that creates it
(:func:`registration_number`, which intake and ``ny`` call), so its acknowledgement already
carries the number; the documents of a case are registered in the transaction that stored or
queued them (intake after its rows are written, every chat command, the tick's reminders), by
:func:`register_documents` restricted to those cases. The tick also runs it over everything,
which registers what a database from before held unregistered.

Registration reads what the other tables hold, so no write path has to list its documents, and
it is idempotent (each document names the row it came from, unique). Several processes may run
it at once: each takes the case's registration row lock, then looks again at what is
registered, so a document another process registered meanwhile is skipped rather than
inserted twice, and a case's documents are numbered 1, 2, 3… without gaps. Cases are taken in
id order, so two registrars never wait for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, and_, bindparam, exists, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from samverkan.storage.case_read import connection
from samverkan.storage.models import (
    AttachmentRow,
    CaseRow,
    DecisionRow,
    MessageRow,
    PhaseChangeRow,
    RegisteredDocumentRow,
    RegistrationRow,
    RegistrationSequenceRow,
)
from samverkan.storage.registry_read import (
    DocumentNotFound,
    RegisteredDocument,
    documents_between,
    documents_of,
    parties,
    set_secrecy,
)

__all__ = [
    "DEFAULT_SERIES",
    "DocumentNotFound",
    "RegisteredDocument",
    "documents_between",
    "documents_of",
    "parties",
    "register_documents",
    "registration_number",
    "registration_numbers",
    "set_secrecy",
]

DEFAULT_SERIES = "TN-{year}-{seq:04d}"
OFFICE = "Fastighets- och gatukontoret"
COMMITTEE = "Tekniska nämnden"

_CASE = CaseRow.__table__  # type: ignore[attr-defined]
_REG = RegistrationRow.__table__  # type: ignore[attr-defined]
_SEQ = RegistrationSequenceRow.__table__  # type: ignore[attr-defined]
_DOC = RegisteredDocumentRow.__table__  # type: ignore[attr-defined]
_MSG = MessageRow.__table__  # type: ignore[attr-defined]
_ATT = AttachmentRow.__table__  # type: ignore[attr-defined]
_HISTORY = PhaseChangeRow.__table__  # type: ignore[attr-defined]
_DECISION = DecisionRow.__table__  # type: ignore[attr-defined]


class Numbered(Protocol):
    """What numbering needs of a case (``cases.Case`` has it)."""

    @property
    def id(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...


# --- numbers ---------------------------------------------------------------------------------

_NEXT: dict[str, Any] = {}
_NUMBER_OF = select(_REG.c.number).where(_REG.c.case_id == bindparam("case_id"))
_LOCK_REGISTRATION = _NUMBER_OF.with_for_update()
_LOCK_CASE = select(_CASE.c.created_at).where(_CASE.c.id == bindparam("case_id")).with_for_update()
_LOCK_REGISTRATIONS = (
    select(_REG.c.case_id)
    .where(_REG.c.case_id.in_(bindparam("ids", expanding=True)))
    .order_by(_REG.c.case_id)
    .with_for_update()
)
_LAST_DOC = (
    select(_DOC.c.case_id, func.max(_DOC.c.doc_seq))
    .where(_DOC.c.case_id.in_(bindparam("ids", expanding=True)))
    .group_by(_DOC.c.case_id)
)
_CHUNK = 200  # cases registered per round of statements (bound parameters stay few)


def _next_seq(conn: Connection, year: int) -> int:
    """The next number of ``year``: the upsert's row lock serialises concurrent takers."""
    dialect = conn.dialect.name
    if dialect not in _NEXT:
        insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _NEXT[dialect] = (
            insert_for(_SEQ)
            .values(year=bindparam("year"), last=1)
            .on_conflict_do_update(index_elements=[_SEQ.c.year], set_={"last": _SEQ.c.last + 1})
            .returning(_SEQ.c.last)
        )
    return int(conn.execute(_NEXT[dialect], {"year": year}).scalar_one())


def _assign(
    conn: Connection, case_id: int, created_at: datetime, series: str, now: datetime
) -> str:
    """The case's registration number, taken now if it had none (the case row is locked)."""
    found = conn.execute(_NUMBER_OF, {"case_id": case_id}).scalar()
    if found is not None:
        return str(found)
    conn.execute(_LOCK_CASE, {"case_id": case_id})
    found = conn.execute(_NUMBER_OF, {"case_id": case_id}).scalar()  # numbered meanwhile?
    if found is not None:
        return str(found)
    year = created_at.year
    seq = _next_seq(conn, year)
    number = series.format(year=year, seq=seq)
    conn.execute(
        insert(_REG),
        {"case_id": case_id, "number": number, "year": year, "seq": seq, "registered_at": now},
    )
    return number


def registration_number(
    session: Session | Connection,
    case: Numbered,
    *,
    series: str = DEFAULT_SERIES,
    now: datetime | None = None,
) -> str:
    """The case's registration number (diarienummer, e.g. ``TN-2026-0001``) for the memo and
    every letter; a case not yet registered is numbered now (``now`` defaults to the time the
    case was created). Pass ``settings.diarie_series`` as ``series``. The caller commits."""
    conn = connection(session)
    return _assign(conn, case.id, case.created_at, series, now or case.created_at)


def registration_numbers(
    session: Session | Connection, case_ids: Collection[int], *, series: str, now: datetime
) -> dict[int, str]:
    """:func:`registration_number` for several cases by id (the tick's reminder letters)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    conn = connection(session)
    rows = conn.execute(
        select(_CASE.c.id, _CASE.c.created_at, _REG.c.number)
        .select_from(_CASE.outerjoin(_REG, _REG.c.case_id == _CASE.c.id))
        .where(_CASE.c.id.in_(ids))
        .order_by(_CASE.c.id)
    ).all()
    return {
        cid: number or _assign(conn, cid, created, series, now) for cid, created, number in rows
    }


# --- documents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    case_id: int
    source: str
    source_id: int
    kind: str
    direction: str
    doc_date: datetime
    counterpart: str | None
    subject: str | None


def _unregistered(source: str, id_column: Any) -> Any:
    return ~exists().where(_DOC.c.source == source, _DOC.c.source_id == id_column)


def _scoped(stmt: Any, column: Any, scope: Sequence[int] | None) -> Any:
    return stmt if scope is None else stmt.where(column.in_(scope))


_CORRESPONDENCE = {
    "email": ("brev", "e-post"),
    "slack": ("Slack-meddelande", "Slack-meddelande"),
    "teams": ("Teams-meddelande", "Teams-meddelande"),
}
"""Channels whose messages are a case's correspondence: the document kind (out, in)."""


def _counterpart(direction: str, channel: str, sender: Any, recipients: Any) -> str | None:
    """Who sent it, or whom a letter went to; an answer in a chat thread names a
    conversation, not a person."""
    if direction == "in":
        return str(sender) if sender is not None else None
    return str(recipients) if channel == "email" and recipients is not None else None


def _mail(conn: Connection, scope: Sequence[int] | None) -> list[_Candidate]:
    m = _MSG.c
    stmt = select(
        m.id, m.case_id, m.direction, m.channel, m.at, m.sender, m.recipients, m.subject
    ).where(
        m.case_id.is_not(None),
        m.channel.in_(tuple(_CORRESPONDENCE)),
        _unregistered("message", m.id),
    )
    return [
        _Candidate(
            case_id, "message", mid, _CORRESPONDENCE[channel][direction == "in"],
            "in" if direction == "in" else "ut", at,
            _counterpart(direction, channel, sender, recipients), subject,
        )
        for mid, case_id, direction, channel, at, sender, recipients, subject
        in conn.execute(_scoped(stmt, m.case_id, scope)).all()
    ]  # fmt: skip


def _attachments(conn: Connection, scope: Sequence[int] | None) -> list[_Candidate]:
    m, a = _MSG.c, _ATT.c
    stmt = (
        select(a.id, a.filename, m.case_id, m.direction, m.channel, m.at, m.sender, m.recipients)
        .select_from(_ATT.join(_MSG, m.id == a.message_row_id))
        .where(
            m.case_id.is_not(None),
            m.channel.in_(tuple(_CORRESPONDENCE)),
            _unregistered("attachment", a.id),
        )
    )
    return [
        _Candidate(
            case_id, "attachment", aid, "bilaga", "in" if direction == "in" else "ut", at,
            _counterpart(direction, channel, sender, recipients),
            filename or "bilaga utan namn",
        )
        for aid, filename, case_id, direction, channel, at, sender, recipients
        in conn.execute(_scoped(stmt, m.case_id, scope)).all()
    ]  # fmt: skip


def _internal(conn: Connection, scope: Sequence[int] | None) -> list[_Candidate]:
    h, d = _HISTORY.c, _DECISION.c
    memos = select(h.id, h.case_id, h.at).where(h.to_phase == "namnd", _unregistered("memo", h.id))
    decisions = select(d.id, d.case_id, d.at, d.outcome).where(_unregistered("decision", d.id))
    return [
        _Candidate(case_id, "memo", pid, "tjänsteskrivelse", "upprättad", at, OFFICE,
                   "Tjänsteskrivelse till tekniska nämnden")
        for pid, case_id, at in conn.execute(_scoped(memos, h.case_id, scope)).all()
    ] + [
        _Candidate(case_id, "decision", did, "beslut", "upprättad", at, COMMITTEE,
                   f"Beslut: {'beviljat stöd' if outcome == 'beviljad' else 'avslag'}")
        for did, case_id, at, outcome in conn.execute(_scoped(decisions, d.case_id, scope)).all()
    ]  # fmt: skip


_RANK = {"message": 0, "attachment": 1, "memo": 3, "decision": 4}


def _order(c: _Candidate) -> tuple[datetime, int, int]:
    """By date; at the same moment a mail, then its attachments, then the answer to it."""
    rank = 2 if c.source == "message" and c.direction == "ut" else _RANK[c.source]
    return c.doc_date, rank, c.source_id


def register_documents(
    session: Session | Connection,
    *,
    now: datetime,
    series: str = DEFAULT_SERIES,
    case_ids: Collection[int] | None = None,
) -> int:
    """Number every case and register every document not yet registered, of ``case_ids``
    only when given; returns how many documents this call registered. Idempotent and safe
    to run in several processes at once; the caller commits."""
    conn = connection(session)
    scope = None if case_ids is None else sorted(set(case_ids))
    if scope == []:
        return 0
    unnumbered = select(_CASE.c.id, _CASE.c.created_at).where(
        ~exists().where(_REG.c.case_id == _CASE.c.id)
    )
    for case_id, created_at in conn.execute(
        _scoped(unnumbered, _CASE.c.id, scope).order_by(_CASE.c.id)
    ).all():
        _assign(conn, case_id, created_at, series, now)
    found = _mail(conn, scope) + _attachments(conn, scope) + _internal(conn, scope)
    by_case: dict[int, list[_Candidate]] = {}
    for candidate in sorted(found, key=_order):
        by_case.setdefault(candidate.case_id, []).append(candidate)
    ids = sorted(by_case)  # one order for every registrar: no two wait for each other
    return sum(
        _register(conn, {cid: by_case[cid] for cid in ids[i : i + _CHUNK]}, series, now)
        for i in range(0, len(ids), _CHUNK)
    )


def _register(
    conn: Connection, by_case: dict[int, list[_Candidate]], series: str, now: datetime
) -> int:
    """Register what no other process registered while this one waited for the cases."""
    ids = list(by_case)
    locked = set(conn.execute(_LOCK_REGISTRATIONS, {"ids": ids}).scalars())
    for case_id in (i for i in ids if i not in locked):  # a case from outside the write paths
        created_at = conn.execute(_LOCK_CASE, {"case_id": case_id}).scalar_one()
        _assign(conn, case_id, created_at, series, now)
    by_source: dict[str, list[int]] = {}
    for c in (c for candidates in by_case.values() for c in candidates):
        by_source.setdefault(c.source, []).append(c.source_id)
    taken = set(
        conn.execute(
            select(_DOC.c.source, _DOC.c.source_id).where(
                or_(*(and_(_DOC.c.source == s, _DOC.c.source_id.in_(v))
                      for s, v in by_source.items()))
            )
        ).all()
    )  # fmt: skip
    last: dict[int, int | None] = dict(conn.execute(_LAST_DOC, {"ids": ids}).all())
    rows = []
    for case_id, candidates in by_case.items():
        fresh = [c for c in candidates if (c.source, c.source_id) not in taken]
        rows += [
            {
                "case_id": case_id, "doc_seq": seq, "source": c.source, "source_id": c.source_id,
                "kind": c.kind, "direction": c.direction, "doc_date": c.doc_date,
                "counterpart": c.counterpart, "subject": c.subject, "secret": False,
                "secrecy_by": None, "secrecy_at": None, "registered_at": now,
            }
            for seq, c in enumerate(fresh, start=int(last.get(case_id) or 0) + 1)
        ]  # fmt: skip
    if rows:
        conn.execute(insert(_DOC), rows)
    return len(rows)
