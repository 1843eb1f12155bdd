"""Reading the registry: a case's registered documents, a period's, the secrecy flag an
official sets, and who a case's documents come from (for the postlista's masking)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from samverkan.rules.personal import is_legal_person
from samverkan.rules.postlista import Party
from samverkan.storage.models import (
    ApplicantRow,
    CaseRow,
    RegisteredDocumentRow,
    RegistrationRow,
)

__all__ = [
    "DocumentNotFound",
    "RegisteredDocument",
    "documents_between",
    "documents_of",
    "parties",
    "set_secrecy",
]


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
    registration = session.exec(
        select(RegistrationRow).where(RegistrationRow.case_id == case_id)
    ).first()
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
