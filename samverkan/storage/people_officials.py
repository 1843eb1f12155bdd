"""What is stored about an official, and why it is kept: the officials' part of a registry
extract (``person export``) and of an erasure request (``person erase``).

An official's name is in the history of every case they handled, in the decisions and
follow-ups they recorded, the secrecy markings they set and the audit log of their reads.
Those are kept: the case history is part of the public records (allmänna handlingar) that the
archives act (arkivlagen, 1990:782) tells the city to keep until a disposal decision says
otherwise, and the audit log is how the city accounts for access to personal data under the
GDPR (artikel 5.2 och 32 dataskyddsförordningen). Removing an official makes their registry
entry inactive, which ends their access; it is not deleted, so the history keeps a name.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from samverkan.storage import officials
from samverkan.storage.models import (
    CaseRow,
    DecisionRow,
    MeasurementRow,
    PersonalDataReadRow,
    PhaseChangeRow,
    RegisteredDocumentRow,
)

__all__ = ["official_extract", "official_kept"]

KEPT_HISTORY = (
    "{n} åtgärder som handläggare i ärendenas historik, beslut och uppföljningar: en del av "
    "allmänna handlingar som bevaras enligt arkivlagen (1990:782) tills ett gallringsbeslut "
    "medger annat"
)
KEPT_AUDIT = (
    "{n} loggade läsningar av personuppgifter: loggen visar vem som har tagit del av "
    "uppgifterna och bevaras enligt dataskyddsförordningen (artikel 5.2 och 32)"
)
KEPT_REGISTRY = (
    "posten i handläggarregistret ({state}): historiken ska kunna visa vem som handlade; "
    "ta bort behörigheten med samverkan officials remove"
)


def _ids(session: Session, email: str) -> tuple[str, ...]:
    found = officials.find(session, email)
    return found.ids if found else ()


def official_extract(session: Session, email: str) -> dict[str, Any]:
    """The official's entry and everything recorded under any of their ids (empty if none)."""
    found = officials.find(session, email)
    if found is None:
        return {}
    ids = found.ids
    refs = dict(session.exec(select(CaseRow.id, CaseRow.ref)).all())

    def by(rows: Any, what: str) -> list[dict[str, Any]]:
        return [{"case": refs.get(r.case_id), "at": r.at.isoformat(), "what": what} for r in rows]

    decisions = session.exec(select(DecisionRow).where(col(DecisionRow.by).in_(ids))).all()
    follow_ups = session.exec(select(MeasurementRow).where(col(MeasurementRow.by).in_(ids))).all()
    reads = session.exec(
        select(PersonalDataReadRow)
        .where(col(PersonalDataReadRow.who).in_(ids))
        .order_by(col(PersonalDataReadRow.at))
    ).all()
    secrecy = session.exec(
        select(RegisteredDocumentRow).where(col(RegisteredDocumentRow.secrecy_by).in_(ids))
    ).all()
    assigned = session.exec(select(CaseRow.ref).where(col(CaseRow.assigned_to).in_(ids))).all()
    return {
        "registry_entry": {
            "ident": found.ident, "role": found.role.value, "name": found.name,
            "title": found.title, "email": found.email, "slack_id": found.slack_id,
            "teams_id": found.teams_id, "active": found.active,
        },
        "contact_person_for": sorted(assigned),
        "decisions_recorded": by(decisions, "beslut"),
        "follow_ups_recorded": by(follow_ups, "uppföljning"),
        "secrecy_markings": [
            {"case": refs.get(d.case_id), "document": d.doc_seq, "secret": d.secret}
            for d in secrecy
        ],
        "reads_of_personal_data": [
            {"case": refs.get(r.case_id), "at": r.at.isoformat(), "command": r.command}
            for r in reads
        ],
    }  # fmt: skip


def official_kept(session: Session, email: str) -> list[str]:
    """What an erasure keeps of an official, each with the law that keeps it."""
    found = officials.find(session, email)
    if found is None:
        return []
    ids = found.ids
    acts = sum(
        len(session.exec(select(model.id).where(col(model.by).in_(ids))).all())
        for model in (PhaseChangeRow, DecisionRow, MeasurementRow)
    )
    reads = len(
        session.exec(
            select(PersonalDataReadRow.id).where(col(PersonalDataReadRow.who).in_(ids))
        ).all()
    )
    kept = [KEPT_REGISTRY.format(state="aktiv" if found.active else "inaktiv")]
    if acts:
        kept.append(KEPT_HISTORY.format(n=acts))
    if reads:
        kept.append(KEPT_AUDIT.format(n=reads))
    return kept
