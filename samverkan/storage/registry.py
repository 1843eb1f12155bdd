"""The registry (diariet): registration numbers for cases and the documents of each case.

A mail to the committee is an official document (allmän handling) the moment it arrives, and
the city must register it. Every case gets a registration number (diarienummer) from the series
``SAMVERKAN_DIARIE_SERIES`` (default ``TN-{year}-{seq:04d}``), numbered per year by one atomic
upsert, as the case reference is, so two processes never take the same number. Its documents
(mail in, letters out, attachments, the memo, the committee's decision) are registered with
their date, direction, sender or recipient, subject and a secrecy flag an official sets.

Registration reads what the other tables already hold, so no write path has to remember it:
:func:`register_documents` registers everything not yet registered and is idempotent (each
document names the row it came from, unique). The tick runs it, and so does everything that
shows the registry (the postlista, the memo through :func:`registration_number`), so what they
show is never behind what arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from samverkan.rules.personal import is_legal_person
from samverkan.rules.postlista import Party
from samverkan.storage.cases import Case
from samverkan.storage.models import (
    ApplicantRow,
    AttachmentRow,
    CaseRow,
    DecisionRow,
    MessageRow,
    PhaseChangeRow,
    RegisteredDocumentRow,
    RegistrationRow,
    RegistrationSequenceRow,
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
    "set_secrecy",
]

DEFAULT_SERIES = "TN-{year}-{seq:04d}"
OFFICE = "Fastighets- och gatukontoret"
COMMITTEE = "Tekniska nämnden"


class DocumentNotFound(LookupError):
    """The case has no registered document with that number."""


@dataclass(frozen=True)
class RegisteredDocument:
    """A registered document as the registry shows it (``number`` is ``TN-2026-0001:3``)."""

    case_ref: str
    registration: str
    doc_seq: int
    kind: str
    direction: str
    doc_date: datetime
    counterpart: str | None
    subject: str | None
    secret: bool
    case_id: int

    @property
    def number(self) -> str:
        return f"{self.registration}:{self.doc_seq}"


_NEXT: dict[str, Any] = {}


def _next_seq(conn: Connection, year: int) -> int:
    """The next number of ``year``: the upsert's row lock serialises concurrent takers."""
    dialect = conn.dialect.name
    if dialect not in _NEXT:
        table = RegistrationSequenceRow.__table__  # type: ignore[attr-defined]
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _NEXT[dialect] = (
            insert(table)
            .values(year=bindparam("year"), last=1)
            .on_conflict_do_update(index_elements=[table.c.year], set_={"last": table.c.last + 1})
            .returning(table.c.last)
        )
    return int(conn.execute(_NEXT[dialect], {"year": year}).scalar_one())


def _registration(session: Session, case_id: int, *, lock: bool = False) -> RegistrationRow | None:
    query = select(RegistrationRow).where(RegistrationRow.case_id == case_id)
    return session.exec(query.with_for_update() if lock else query).first()


def _assign(
    session: Session, case_id: int, created_at: datetime, series: str, now: datetime
) -> RegistrationRow:
    """The case's registration row, numbered now if it had none (the case row is locked)."""
    found = _registration(session, case_id)
    if found is not None:
        return found
    session.exec(select(CaseRow.id).where(CaseRow.id == case_id).with_for_update()).first()
    found = _registration(session, case_id)  # another process may have numbered it meanwhile
    if found is not None:
        return found
    year = created_at.year
    seq = _next_seq(session.connection(), year)
    row = RegistrationRow(
        case_id=case_id,
        number=series.format(year=year, seq=seq),
        year=year,
        seq=seq,
        registered_at=now,
    )
    session.add(row)
    session.flush()
    return row


def registration_number(
    session: Session, case: Case, *, series: str = DEFAULT_SERIES, now: datetime | None = None
) -> str:
    """The case's registration number (diarienummer, e.g. ``TN-2026-0001``) for the memo and
    every letter; a case not yet registered is numbered now (``now`` defaults to the time the
    case was created). Pass ``settings.diarie_series`` as ``series``. The caller commits."""
    return _assign(session, case.id, case.created_at, series, now or case.created_at).number


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
    return ~exists().where(
        col(RegisteredDocumentRow.source) == source,
        col(RegisteredDocumentRow.source_id) == id_column,
    )


_CORRESPONDENCE = {
    "email": ("brev", "e-post"),
    "slack": ("Slack-meddelande", "Slack-meddelande"),
    "teams": ("Teams-meddelande", "Teams-meddelande"),
}
"""Channels whose messages are a case's correspondence: the document kind (out, in)."""


def _addressee(m: MessageRow) -> str | None:
    """Whom a letter went to; an answer in a chat thread names a conversation, not a person."""
    return m.recipients if m.channel == "email" else None


def _mail(session: Session) -> list[_Candidate]:
    rows = session.exec(
        select(MessageRow).where(
            col(MessageRow.case_id).is_not(None),
            col(MessageRow.channel).in_(tuple(_CORRESPONDENCE)),
            _unregistered("message", MessageRow.id),
        )
    ).all()
    return [
        _Candidate(
            case_id=m.case_id or 0,
            source="message",
            source_id=m.id or 0,
            kind=_CORRESPONDENCE[m.channel][m.direction == "in"],
            direction="in" if m.direction == "in" else "ut",
            doc_date=m.at,
            counterpart=m.sender if m.direction == "in" else _addressee(m),
            subject=m.subject,
        )
        for m in rows
    ]


def _attachments(session: Session) -> list[_Candidate]:
    rows = session.exec(
        select(AttachmentRow, MessageRow)
        .join(MessageRow, col(MessageRow.id) == col(AttachmentRow.message_row_id))
        .where(
            col(MessageRow.case_id).is_not(None),
            col(MessageRow.channel).in_(tuple(_CORRESPONDENCE)),
            _unregistered("attachment", AttachmentRow.id),
        )
    ).all()
    return [
        _Candidate(
            case_id=m.case_id or 0,
            source="attachment",
            source_id=a.id or 0,
            kind="bilaga",
            direction="in" if m.direction == "in" else "ut",
            doc_date=m.at,
            counterpart=m.sender if m.direction == "in" else _addressee(m),
            subject=a.filename or "bilaga utan namn",
        )
        for a, m in rows
    ]


def _internal(session: Session) -> list[_Candidate]:
    memos = session.exec(
        select(PhaseChangeRow).where(
            PhaseChangeRow.to_phase == "namnd", _unregistered("memo", PhaseChangeRow.id)
        )
    ).all()
    decisions = session.exec(
        select(DecisionRow).where(_unregistered("decision", DecisionRow.id))
    ).all()
    return [
        _Candidate(p.case_id, "memo", p.id or 0, "tjänsteskrivelse", "upprättad", p.at, OFFICE,
                   "Tjänsteskrivelse till tekniska nämnden")
        for p in memos
    ] + [
        _Candidate(d.case_id, "decision", d.id or 0, "beslut", "upprättad", d.at, COMMITTEE,
                   f"Beslut: {'beviljat stöd' if d.outcome == 'beviljad' else 'avslag'}")
        for d in decisions
    ]  # fmt: skip


_RANK = {"message": 0, "attachment": 1, "memo": 3, "decision": 4}


def _order(c: _Candidate) -> tuple[datetime, int, int]:
    """By date; at the same moment a mail, then its attachments, then the answer to it."""
    rank = 2 if c.source == "message" and c.direction == "ut" else _RANK[c.source]
    return c.doc_date, rank, c.source_id


def register_documents(session: Session, *, now: datetime, series: str = DEFAULT_SERIES) -> int:
    """Number every case and register every document not yet registered; returns how many
    documents were registered. Idempotent; the caller commits."""
    unnumbered = session.exec(
        select(CaseRow)
        .where(~exists().where(col(RegistrationRow.case_id) == col(CaseRow.id)))
        .order_by(col(CaseRow.id))
    ).all()
    for row in unnumbered:
        _assign(session, row.id or 0, row.created_at, series, now)
    found = _mail(session) + _attachments(session) + _internal(session)
    by_case: dict[int, list[_Candidate]] = {}
    for candidate in sorted(found, key=_order):
        by_case.setdefault(candidate.case_id, []).append(candidate)
    for case_id, candidates in by_case.items():
        _register_for_case(session, case_id, candidates, now)
    return len(found)


def _register_for_case(
    session: Session, case_id: int, candidates: Sequence[_Candidate], now: datetime
) -> None:
    _registration(session, case_id, lock=True)  # one numbering of this case's documents at once
    last = session.exec(
        select(func.max(RegisteredDocumentRow.doc_seq)).where(
            RegisteredDocumentRow.case_id == case_id
        )
    ).one()
    seq = int(last or 0)
    for c in candidates:
        seq += 1
        session.add(
            RegisteredDocumentRow(
                case_id=case_id, doc_seq=seq, source=c.source, source_id=c.source_id,
                kind=c.kind, direction=c.direction, doc_date=c.doc_date,
                counterpart=c.counterpart, subject=c.subject, registered_at=now,
            )
        )  # fmt: skip
    session.flush()


# --- reading and secrecy ---------------------------------------------------------------------


def _query() -> Any:
    return (
        select(RegisteredDocumentRow, RegistrationRow.number, CaseRow.ref)
        .join(RegistrationRow, col(RegistrationRow.case_id) == col(RegisteredDocumentRow.case_id))
        .join(CaseRow, col(CaseRow.id) == col(RegisteredDocumentRow.case_id))
    )


def _view(row: RegisteredDocumentRow, number: str, ref: str) -> RegisteredDocument:
    return RegisteredDocument(
        case_ref=ref,
        registration=number,
        doc_seq=row.doc_seq,
        kind=row.kind,
        direction=row.direction,
        doc_date=row.doc_date,
        counterpart=row.counterpart,
        subject=row.subject,
        secret=row.secret,
        case_id=row.case_id,
    )


def documents_between(session: Session, start: datetime, end: datetime) -> list[RegisteredDocument]:
    """The registered documents dated in ``[start, end)``, in registry order."""
    rows = session.exec(
        _query()
        .where(col(RegisteredDocumentRow.doc_date) >= start)
        .where(col(RegisteredDocumentRow.doc_date) < end)
        .order_by(col(RegisteredDocumentRow.doc_date), col(RegisteredDocumentRow.id))
    ).all()
    return [_view(*row) for row in rows]


def documents_of(session: Session, case_id: int) -> list[RegisteredDocument]:
    """One case's registered documents, in the order they were numbered."""
    rows = session.exec(
        _query()
        .where(RegisteredDocumentRow.case_id == case_id)
        .order_by(col(RegisteredDocumentRow.doc_seq))
    ).all()
    return [_view(*row) for row in rows]


def set_secrecy(
    session: Session, case_id: int, doc_seq: int, *, secret: bool, by: str, now: datetime
) -> RegisteredDocument:
    """Mark one document secret or public again (who and when are kept); the caller commits."""
    row = session.exec(
        select(RegisteredDocumentRow).where(
            RegisteredDocumentRow.case_id == case_id, RegisteredDocumentRow.doc_seq == doc_seq
        )
    ).first()
    if row is None:
        raise DocumentNotFound(doc_seq)
    row.secret, row.secrecy_by, row.secrecy_at = secret, by, now
    session.add(row)
    session.flush()
    registration = _registration(session, case_id)
    case = session.get(CaseRow, case_id)
    if registration is None or case is None:
        raise DocumentNotFound(doc_seq)
    return _view(row, registration.number, case.ref)


def parties(session: Session, case_ids: Sequence[int]) -> dict[int, Party]:
    """Per case, who its documents come from or go to, for the postlista's masking."""
    if not case_ids:
        return {}
    rows = session.exec(select(ApplicantRow).where(col(ApplicantRow.case_id).in_(case_ids))).all()
    found: dict[int, Party] = {}
    for row in rows:
        legal = is_legal_person(row.orgnr, row.orgnr_valid)
        names = tuple(n for n in (row.contact_name, row.email) if n)
        found[row.case_id] = Party(row.organisation, legal, names)
    return {cid: found.get(cid, Party(None, False)) for cid in case_ids}
