"""What is stored about a person, and erasing what the law lets us erase.

An application and everything exchanged in its case are public records (allmänna handlingar):
Malmö must keep them under the archives act until a disposal decision (gallringsbeslut) says
otherwise, so they are kept and the erasure report says so. Mail from the person that never
became part of a case (auto-replies, bounces, quarantined messages) is not registered and is
erased, together with its attachments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from samverkan.storage.models import (
    ApplicantRow,
    AttachmentRow,
    CaseRow,
    MessageRow,
    OfficialRow,
    PhaseChangeRow,
)


def _address(email: str) -> str:
    return email.strip().lower()


def _theirs(email: str) -> Any:
    """Messages from or to the address (recipients may list several addresses)."""
    return or_(
        func.lower(MessageRow.sender) == email,
        func.lower(col(MessageRow.recipients)).contains(email),
    )


def export_person(session: Session, email: str) -> dict[str, Any]:
    """Everything stored about ``email``, as one JSON-ready document."""
    email = _address(email)
    applications = session.exec(
        select(CaseRow, ApplicantRow)
        .join(ApplicantRow, col(ApplicantRow.case_id) == col(CaseRow.id))
        .where(func.lower(ApplicantRow.email) == email)
        .order_by(col(CaseRow.id))
    ).all()
    messages = session.exec(select(MessageRow).where(_theirs(email)).order_by(col(MessageRow.id)))
    official = session.exec(select(OfficialRow).where(func.lower(OfficialRow.ident) == email))
    actions = session.exec(
        select(PhaseChangeRow, CaseRow.ref)
        .join(CaseRow, col(CaseRow.id) == col(PhaseChangeRow.case_id))
        .where(func.lower(PhaseChangeRow.by) == email)
        .order_by(col(PhaseChangeRow.at))
    ).all()
    cases_by_id = {case.id: case.ref for case, _ in applications}
    out_messages = [_message_export(session, m, cases_by_id) for m in messages.all()]
    return {
        "email": email,
        "applications": [
            {
                "case": case.ref,
                "phase": case.phase,
                "organisation": applicant.organisation,
                "contact_name": applicant.contact_name,
                "email": applicant.email,
                "phone": applicant.phone,
                "application": case.application,
            }
            for case, applicant in applications
        ],
        "messages": out_messages,
        "official": [{"ident": o.ident, "role": o.role} for o in official.all()],
        "actions_as_official": [
            {"case": ref, "at": h.at.isoformat(), "from": h.from_phase, "to": h.to_phase}
            for h, ref in actions
        ],
    }


def _message_export(session: Session, m: MessageRow, cases_by_id: dict[Any, str]) -> dict[str, Any]:
    """One message of a person's export, with its attachments' names (not their bytes)."""
    attachments = session.exec(
        select(AttachmentRow.filename, AttachmentRow.content_type, AttachmentRow.size).where(
            AttachmentRow.message_row_id == m.id
        )
    ).all()
    ref = cases_by_id.get(m.case_id) or (
        session.get(CaseRow, m.case_id).ref if m.case_id else None  # type: ignore[union-attr]
    )
    return {
        "case": ref,
        "direction": m.direction,
        "channel": m.channel,
        "at": m.at.isoformat(),
        "from": m.sender,
        "to": m.recipients,
        "subject": m.subject,
        "text": m.body_text,
        "outcome": m.outcome,
        "attachments": [
            {"filename": name, "content_type": kind, "size": size}
            for name, kind, size in attachments
        ],
    }


@dataclass
class ErasureReport:
    erased_messages: int = 0
    erased_attachments: int = 0
    kept: list[str] = field(default_factory=list)
    """Why each kept item stays, in Swedish."""


def erase_person(session: Session, email: str) -> ErasureReport:
    """Erase what is not a public record; report what is kept and why."""
    email = _address(email)
    report = ErasureReport()
    loose = session.exec(
        select(MessageRow.id).where(_theirs(email), col(MessageRow.case_id).is_(None))
    ).all()
    if loose:
        report.erased_attachments = len(
            session.exec(
                select(AttachmentRow.id).where(col(AttachmentRow.message_row_id).in_(loose))
            ).all()
        )
        session.execute(delete(AttachmentRow).where(col(AttachmentRow.message_row_id).in_(loose)))
        session.execute(delete(MessageRow).where(col(MessageRow.id).in_(loose)))
        report.erased_messages = len(loose)
    refs = session.exec(
        select(CaseRow.ref)
        .join(ApplicantRow, col(ApplicantRow.case_id) == col(CaseRow.id))
        .where(func.lower(ApplicantRow.email) == email)
        .order_by(col(CaseRow.id))
    ).all()
    refs = sorted(
        set(refs)
        | set(
            session.exec(
                select(CaseRow.ref)
                .join(MessageRow, col(MessageRow.case_id) == col(CaseRow.id))
                .where(_theirs(email))
            ).all()
        )
    )
    report.kept += [
        f"{ref}: ansökan och e-post i ärendet är allmänna handlingar och bevaras enligt "
        "arkivlagen tills ett gallringsbeslut medger annat"
        for ref in refs
    ]
    if session.exec(select(OfficialRow).where(func.lower(OfficialRow.ident) == email)).first():
        report.kept.append(
            "behörighet som handläggare: ta bort personen ur SAMVERKAN_OFFICIALS och kör "
            "samverkan init"
        )
    return report
