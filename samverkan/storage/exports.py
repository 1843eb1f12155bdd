"""Cases, decisions and follow-ups as tables, for the registrar's and the committee's exports.

Each table is a header and rows of plain values (text, numbers, dates), so a CSV writer and a
spreadsheet writer can take them as they are. What leaves storage here is masked like every
other channel: identity numbers as ``811218-XXXX``, and a sole trader's number (a personnummer)
is not an organisation number. The applicant's contact person is left out: the export is about
the cases, and the registry extract (``person export``) is where a person's details are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from samverkan.rules.personal import is_legal_person, mask_identity_numbers
from samverkan.rules.phases import Phase
from samverkan.storage.models import (
    ApplicantRow,
    CaseRow,
    DecisionRow,
    MeasurementRow,
    RegistrationRow,
    SupportRequestRow,
)

__all__ = ["Table", "export_tables"]

Cell = str | int | date | None


@dataclass(frozen=True)
class Table:
    name: str
    """The sheet's (and the CSV file's) name."""
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def _text(value: str | None) -> str | None:
    return mask_identity_numbers(value) if value else value


def _day(at: datetime | None, zone: ZoneInfo) -> date | None:
    return at.astimezone(zone).date() if at else None


def _cases(session: Session, numbers: dict[int, str], zone: ZoneInfo) -> Table:
    applicants = {a.case_id: a for a in session.exec(select(ApplicantRow)).all()}
    asked: dict[int, int] = {}
    for case_id, amount in session.exec(
        select(SupportRequestRow.case_id, SupportRequestRow.amount_sek)
    ).all():
        asked[case_id] = asked.get(case_id, 0) + int(amount or 0)
    rows: list[tuple[Cell, ...]] = []
    for case in session.exec(select(CaseRow).order_by(col(CaseRow.year), col(CaseRow.seq))):
        cid = case.id or 0
        applicant = applicants.get(cid)
        legal = applicant is not None and is_legal_person(applicant.orgnr, applicant.orgnr_valid)
        rows.append((
            case.ref, numbers.get(cid), _text(case.title), Phase(case.phase).label,
            case.area_name, _text(applicant.organisation) if applicant else None,
            applicant.orgnr if applicant and legal else None, case.assigned_to,
            asked.get(cid) or None, _day(case.created_at, zone), _day(case.updated_at, zone),
        ))  # fmt: skip
    header = (
        "Ärende", "Diarienummer", "Titel", "Fas", "Område", "Organisation", "Org.nr",
        "Kontaktperson (FGK)", "Sökt belopp (kr)", "Inkom", "Senast ändrat",
    )  # fmt: skip
    return Table("Ärenden", header, rows)


def _decisions(
    session: Session, refs: dict[int, str], numbers: dict[int, str], zone: ZoneInfo
) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for d in session.exec(select(DecisionRow).order_by(col(DecisionRow.at), col(DecisionRow.id))):
        forms = ", ".join(str(s.get("form")) for s in d.support if s.get("form"))
        amount = sum(int(s.get("amount_sek") or 0) for s in d.support)
        rows.append((
            refs.get(d.case_id), numbers.get(d.case_id), _day(d.at, zone), d.outcome,
            forms or None, amount or None, d.meeting_on, d.paragraph, d.by, _text(d.note),
        ))  # fmt: skip
    header = (
        "Ärende", "Diarienummer", "Datum", "Beslut", "Stödformer", "Belopp (kr)",
        "Sammanträde", "Paragraf", "Registrerat av", "Kommentar",
    )  # fmt: skip
    return Table("Beslut", header, rows)


def _follow_ups(
    session: Session, refs: dict[int, str], numbers: dict[int, str], zone: ZoneInfo
) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (refs.get(m.case_id), numbers.get(m.case_id), _day(m.at, zone), m.kind, _text(m.text), m.by)
        for m in session.exec(
            select(MeasurementRow).order_by(col(MeasurementRow.at), col(MeasurementRow.id))
        )
    ]  # fmt: skip
    header = ("Ärende", "Diarienummer", "Datum", "Mätning", "Text", "Registrerat av")
    return Table("Uppföljning", header, rows)


def export_tables(session: Session, timezone: str) -> list[Table]:
    """The cases, the committee's decisions and the follow-up measurements, oldest first."""
    zone = ZoneInfo(timezone)
    numbers = dict(session.exec(select(RegistrationRow.case_id, RegistrationRow.number)).all())
    refs = {cid or 0: ref for cid, ref in session.exec(select(CaseRow.id, CaseRow.ref)).all()}
    return [
        _cases(session, numbers, zone),
        _decisions(session, refs, numbers, zone),
        _follow_ups(session, refs, numbers, zone),
    ]
