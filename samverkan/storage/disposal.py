"""Disposal (gallring) by the retention plan, and its log.

Nothing that arrived is deleted except here, by a rule of the plan, and every disposal leaves a
line in the disposal log (``disposal``): what, by which rule of which plan version, when. A dry
run finds exactly what a real run would dispose of and changes nothing.

- A ``meddelande`` rule deletes mail that never became part of a case (noise, duplicates,
  quarantined junk) once it is old enough: the row, its raw bytes and its attachments.
- A ``personuppgifter`` rule anonymises a case that has been closed long enough: the case, its
  phases, area, support, decisions and follow-ups stay (the statistics), its registry entries
  stay with their dates and subjects, but the applicant's name, e-mail address and phone
  number, a sole trader's number, and the text, raw bytes and files of its mail are gone, and
  so are those details (and any e-mail address, identity or phone number, street address)
  wherever else the case holds text: its title, follow-ups, reasons, registered subjects
  (``storage/erasure.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, update
from sqlmodel import Session, col, func, select

from samverkan.rules.personal import is_legal_person, mask_private_contact
from samverkan.rules.retention_plan import MESSAGE, PERSONAL_DATA, RetentionPlan, RetentionRule
from samverkan.storage.erasure import erase_case_text
from samverkan.storage.models import (
    ApplicantRow,
    AttachmentRow,
    CaseRow,
    DisposalRow,
    MessageRow,
    PhaseChangeRow,
    RegisteredDocumentRow,
)

__all__ = ["Disposal", "disposal_log", "dispose", "due_for_disposal"]

ERASED = "[gallrad]"
_PERSONAL_FIELDS = ("contact_name", "email", "phone")


@dataclass(frozen=True)
class Disposal:
    """One thing the plan disposes of (or did): for the dry run, the run and the log."""

    rule: str
    target: str
    """``meddelande`` (the mail is deleted) or ``personuppgifter`` (a case is anonymised)."""
    target_id: int
    what: str
    at: datetime | None = None
    plan: str | None = None


def _mail_due(session: Session, rule: RetentionRule, now: datetime) -> list[Disposal]:
    rows = session.exec(
        select(MessageRow.id, MessageRow.at, MessageRow.outcome, MessageRow.subject)
        .where(
            col(MessageRow.case_id).is_(None),
            MessageRow.direction == "in",
            col(MessageRow.outcome).in_(rule.outcomes),
        )
        .order_by(col(MessageRow.at), col(MessageRow.id))
    ).all()
    return [
        Disposal(
            rule.id, MESSAGE, mid or 0,
            f"e-post ({outcome}) mottagen {at:%Y-%m-%d}: "
            f"{mask_private_contact(subject or '(utan ämne)')}",
        )
        for mid, at, outcome, subject in rows
        if rule.due(at, now)
    ]  # fmt: skip


def _cases_due(session: Session, rule: RetentionRule, now: datetime) -> list[Disposal]:
    closed_at = (
        select(PhaseChangeRow.case_id, func.max(PhaseChangeRow.at).label("at"))
        .group_by(col(PhaseChangeRow.case_id))
        .subquery()
    )
    done = exists().where(
        col(DisposalRow.target) == PERSONAL_DATA, col(DisposalRow.target_id) == col(CaseRow.id)
    )
    rows = session.exec(
        select(CaseRow.id, CaseRow.ref, CaseRow.phase, closed_at.c.at)
        .join(closed_at, closed_at.c.case_id == col(CaseRow.id))
        .where(col(CaseRow.phase).in_([p.value for p in rule.phases]), ~done)
        .order_by(col(CaseRow.id))
    ).all()
    return [
        Disposal(
            rule.id, PERSONAL_DATA, cid or 0,
            f"{ref}: personuppgifter i ärendet ({phase} sedan {at:%Y-%m-%d})",
        )
        for cid, ref, phase, at in rows
        if rule.due(at, now)
    ]  # fmt: skip


def due_for_disposal(session: Session, plan: RetentionPlan, now: datetime) -> list[Disposal]:
    """What the plan disposes of at ``now``, rule by rule; reads only (the dry run)."""
    found: list[Disposal] = []
    claimed: set[tuple[str, int]] = set()
    for rule in plan.rules:
        finder = _mail_due if rule.target == MESSAGE else _cases_due
        for item in finder(session, rule, now):
            if (item.target, item.target_id) not in claimed:  # the first rule that applies
                claimed.add((item.target, item.target_id))
                found.append(item)
    return found


def _delete_mail(session: Session, message_id: int) -> None:
    session.execute(delete(AttachmentRow).where(col(AttachmentRow.message_row_id) == message_id))
    session.execute(delete(MessageRow).where(col(MessageRow.id) == message_id))


def _known(session: Session, case_id: int, fields: tuple[str, ...]) -> list[str]:
    """The case's personal details as stored (``fields`` of the applicant and of the
    application) and the addresses its mail came from."""
    case = session.get(CaseRow, case_id)
    applicant = session.exec(select(ApplicantRow).where(ApplicantRow.case_id == case_id)).first()
    app = case.application if case is not None else {}
    found = [str(app.get(k) or "") for k in fields]
    found += [str(getattr(applicant, k) or "") for k in fields] if applicant is not None else []
    senders = session.exec(
        select(MessageRow.sender).where(MessageRow.case_id == case_id, MessageRow.direction == "in")
    ).all()
    return [k for k in (*found, *senders) if k and k != ERASED]


def _anonymise_case(session: Session, case_id: int) -> None:
    case = session.get(CaseRow, case_id)
    applicant = session.exec(select(ApplicantRow).where(ApplicantRow.case_id == case_id)).first()
    legal = applicant is not None and is_legal_person(applicant.orgnr, applicant.orgnr_valid)
    cleared: dict[str, None] = dict.fromkeys(_PERSONAL_FIELDS)
    if not legal:  # a private person or a sole trader: the name and number are personal too
        cleared |= {"organisation": None, "orgnr": None}
    known = _known(session, case_id, tuple(cleared))
    if applicant is not None:
        for key, value in cleared.items():
            setattr(applicant, key, value)
        session.add(applicant)
    if case is not None:
        case.application = {**case.application, **cleared, "evidence": {}}
        session.add(case)
    mail = select(MessageRow.id).where(MessageRow.case_id == case_id)
    session.execute(
        update(AttachmentRow)
        .where(col(AttachmentRow.message_row_id).in_(mail))
        .values(data=None, text=None, filename=ERASED, skipped_reason="gallrad")
    )
    session.execute(
        update(MessageRow)
        .where(col(MessageRow.case_id) == case_id)
        .values(raw=None, body_text=None, body_html=None, sender=ERASED, recipients=ERASED)
    )
    session.execute(
        update(RegisteredDocumentRow)
        .where(col(RegisteredDocumentRow.case_id) == case_id)
        .values(counterpart=None)
    )
    session.flush()  # the rows above, before every text of the case is erased below
    erase_case_text(session.connection(), case_id, known)
    session.expire_all()  # what the session holds of the case is stale now


def dispose(session: Session, plan: RetentionPlan, now: datetime) -> list[Disposal]:
    """Dispose of what is due and log each item; the caller commits (all of it or nothing)."""
    done = due_for_disposal(session, plan, now)
    for item in done:
        if item.target == MESSAGE:
            _delete_mail(session, item.target_id)
        else:
            _anonymise_case(session, item.target_id)
        session.add(
            DisposalRow(
                at=now, plan=plan.id, rule=item.rule, target=item.target,
                target_id=item.target_id, what=item.what,
            )
        )  # fmt: skip
    session.flush()
    return done


def disposal_log(session: Session) -> list[Disposal]:
    """The disposal log, oldest first."""
    rows = session.exec(select(DisposalRow).order_by(col(DisposalRow.id))).all()
    return [Disposal(r.rule, r.target, r.target_id, r.what, r.at, r.plan) for r in rows]
