"""The tables. Rows never leave ``storage/``: callers get plain values or core dataclasses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from samverkan.storage.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    # Lists are in reference order and stop after a page: the index keeps that flat.
    # The overlap check reads the newest open cases of an area: the second index; a list's
    # bounded count for an area reads the third alone.
    __table_args__ = (
        Index("ix_cases_year_seq", "year", "seq"),
        Index("ix_cases_area_year_seq", "area_name", "year", "seq"),
        Index("ix_cases_area_phase", "area_name", "phase"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, index=True, max_length=20)
    year: int
    seq: int
    title: str | None = None
    phase: str = Field(index=True, max_length=20)
    origin: str = Field(default="email", max_length=20)
    area_name: str | None = Field(default=None, index=True)
    area_in_malmo: bool | None = None
    duration_months: int | None = None
    start_date: date | None = None
    application: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    assigned_to: str | None = None
    override_reason: str | None = Field(default=None, sa_type=Text)
    meeting_at: datetime | None = _ts(default=None)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    deadlines_at: datetime | None = _ts(default=None)
    """When its reminders were last reconciled with its facts (``storage/deadlines.py``)."""


class CaseTallyRow(SQLModel, table=True):
    """Cases counted per arrival hour (UTC, ``2026-03-02 09:00:00``), phase and area (``""``:
    none). Kept by triggers on ``cases`` (migration 0008), so every write counts, ORM or not;
    statistik reads these sums, which grow with the hours that had cases, not with the cases."""

    __tablename__ = "case_tally"

    hour: str = Field(primary_key=True, max_length=19)
    phase: str = Field(primary_key=True, max_length=20)
    area_name: str = Field(primary_key=True)
    n: int


class ApplicantRow(SQLModel, table=True):
    __tablename__ = "applicant"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True, ondelete="CASCADE")
    organisation: str | None = None
    orgnr: str | None = Field(default=None, max_length=20)
    orgnr_valid: bool | None = None
    contact_name: str | None = None
    email: str | None = Field(default=None, index=True)
    phone: str | None = Field(default=None, max_length=30)


class CaseActorRow(SQLModel, table=True):
    __tablename__ = "case_actor"
    __table_args__ = (UniqueConstraint("case_id", "category"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    category: str = Field(max_length=20)


class SupportRequestRow(SQLModel, table=True):
    __tablename__ = "support_request"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    form: str = Field(max_length=20)
    amount_sek: int | None = None
    hours: int | None = None
    text: str | None = Field(default=None, sa_type=Text)


class MessageRow(SQLModel, table=True):
    """Every message in or out, e-mail or chat. Inbound mail keeps its raw bytes.

    Unknown or noisy inbound mail is kept too (``case_id`` null, ``outcome`` and ``reason``
    say why), so nothing that reached the mailbox is ever lost. Outbound e-mail doubles as the
    outbox: ``send_state`` is ``pending`` until the sender has handed it to SMTP.
    """

    __tablename__ = "message"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(
        default=None, foreign_key="cases.id", index=True, ondelete="SET NULL"
    )
    direction: str = Field(max_length=3)
    channel: str = Field(default="email", max_length=10)
    message_id: str | None = Field(default=None, unique=True, max_length=998)
    digest: str | None = Field(default=None, unique=True, max_length=64)
    in_reply_to: str | None = Field(default=None, sa_type=Text)
    references: str | None = Field(default=None, sa_type=Text)
    subject: str | None = Field(default=None, sa_type=Text)
    sender: str | None = None
    recipients: str | None = Field(default=None, sa_type=Text, index=True)
    body_text: str | None = Field(default=None, sa_type=Text)
    body_html: str | None = Field(default=None, sa_type=Text)
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    source: str | None = Field(default=None, sa_type=Text)
    outcome: str | None = Field(default=None, max_length=20, index=True)
    reason: str | None = Field(default=None, sa_type=Text)
    kind: str | None = Field(default=None, max_length=30)
    at: datetime = _ts()
    send_state: str | None = Field(default=None, max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = _ts(default=None)
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime | None = _ts(default=None)


class AttachmentRow(SQLModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    message_row_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    filename: str | None = None
    content_type: str = Field(max_length=255)
    claimed_type: str | None = Field(default=None, max_length=255)
    size: int
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    text: str | None = Field(default=None, sa_type=Text)
    skipped_reason: str | None = None


class EvaluationRow(SQLModel, table=True):
    """Each evaluation with the rule-set version it used, so old verdicts stay explainable."""

    __tablename__ = "evaluation"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    ruleset: str = Field(max_length=40)
    outcome: str = Field(max_length=20)
    results: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    trigger: str | None = None
    at: datetime = _ts()


class PhaseChangeRow(SQLModel, table=True):
    __tablename__ = "phase_change"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    at: datetime = _ts()
    by: str
    from_phase: str | None = Field(default=None, max_length=20)
    to_phase: str = Field(max_length=20, index=True)
    why: str = Field(default="", sa_type=Text)


class ReminderRow(SQLModel, table=True):
    """A reminder is due once; ``state`` moves pending -> claimed -> done, never back to pending."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("case_id", "kind", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=30)
    due_at: datetime = _ts(index=True)
    state: str = Field(default="pending", max_length=10, index=True)
    claimed_by: str | None = None
    claimed_at: datetime | None = _ts(default=None)
    done_at: datetime | None = _ts(default=None)
    note: str | None = Field(default=None, sa_type=Text)
    policy: str | None = Field(default=None, max_length=40)
    """The id of the deadline policy that scheduled it."""


class DecisionRow(SQLModel, table=True):
    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    outcome: str = Field(max_length=20)
    support: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    by: str
    at: datetime = _ts()
    note: str | None = Field(default=None, sa_type=Text)
    """The reasons the committee gave (required for a refusal)."""
    meeting_on: date | None = None
    """The committee meeting that decided (the appeal period runs from its minutes)."""
    paragraph: str | None = Field(default=None, max_length=20)
    """The paragraph (§) of the minutes."""


class MeasurementRow(SQLModel, table=True):
    """Follow-up: a result measurement (resultat) or an effect measurement (effekt)."""

    __tablename__ = "measurement"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=10)
    text: str = Field(sa_type=Text)
    by: str
    at: datetime = _ts()


class OfficialRow(SQLModel, table=True):
    """The officials' registry: who may change cases, and how memos and letters name them.

    ``ident`` is the id the official was first registered by (from ``SAMVERKAN_OFFICIALS`` or
    a chat mention); ``email``, ``slack_id`` and ``teams_id`` are the other ids they are known
    by. A removed official stays as an inactive row, so configuration never brings them back.
    """

    __tablename__ = "official"

    id: int | None = Field(default=None, primary_key=True)
    ident: str = Field(unique=True)
    role: str = Field(max_length=20)
    name: str | None = None
    title: str | None = None
    email: str | None = Field(default=None, unique=True)
    slack_id: str | None = Field(default=None, unique=True, max_length=40)
    teams_id: str | None = Field(default=None, unique=True, max_length=100)
    active: bool = True
    source: str = Field(default="config", max_length=10)
    updated_by: str | None = None
    updated_at: datetime | None = _ts(default=None)


class CommitteeMeetingRow(SQLModel, table=True):
    """A meeting of Tekniska nämnden and the last day a memo can be handed in for it."""

    __tablename__ = "committee_meeting"

    id: int | None = Field(default=None, primary_key=True)
    meeting_on: date = Field(unique=True, index=True)
    memo_deadline: date
    added_by: str
    added_at: datetime = _ts()


class AreaRow(SQLModel, table=True):
    """The gazetteer, loaded by ``samverkan init`` for queries and statistics."""

    __tablename__ = "area"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    in_malmo: bool = True
    parents: list[str] = Field(default_factory=list, sa_type=JSON)


class ProcessRow(SQLModel, table=True):
    """An existing collaboration process in an area (criterion ``overlapp``)."""

    __tablename__ = "process"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    areas: list[str] = Field(default_factory=list, sa_type=JSON)
    contact: str | None = None
    active: bool = True
    added_by: str | None = None
    added_at: datetime = _ts()


class CaseSequenceRow(SQLModel, table=True):
    """The last reference number used per year; bumped atomically by an upsert."""

    __tablename__ = "case_sequence"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class LeaseRow(SQLModel, table=True):
    """Who holds a singleton job (the mailbox reader) and until when."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime = _ts()


class MailboxStateRow(SQLModel, table=True):
    """How far the mailbox has been read, by UIDVALIDITY and UID rather than the \\Seen flag."""

    __tablename__ = "mailbox_state"

    mailbox: str = Field(primary_key=True)
    uidvalidity: int = Field(sa_type=BigInteger)  # IMAP numbers are unsigned 32-bit
    last_uid: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = _ts()


class MailboxCursorRow(SQLModel, table=True):
    """How far a Graph mailbox folder has been read: the delta (or next) link to resume from."""

    __tablename__ = "mailbox_cursor"

    mailbox: str = Field(primary_key=True)
    link: str = Field(sa_type=Text)
    updated_at: datetime = _ts()


class RegistrationRow(SQLModel, table=True):
    """A case's registration number (diarienummer) in the registry (diariet)."""

    __tablename__ = "registration"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True, ondelete="CASCADE")
    number: str = Field(unique=True, max_length=60)
    year: int
    seq: int
    registered_at: datetime = _ts()


class RegistrationSequenceRow(SQLModel, table=True):
    """The last registration number used per year; bumped atomically like the case reference."""

    __tablename__ = "registration_sequence"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class RegisteredDocumentRow(SQLModel, table=True):
    """One registered document of a case: a mail, attachment, memo, decision or letter.

    ``source`` and ``source_id`` name the row it was registered from, so a document is
    registered once. ``secret`` is set by an official (sekretessprövning): the postlista then
    shows only that the document exists.
    """

    __tablename__ = "registered_document"
    __table_args__ = (
        UniqueConstraint("case_id", "doc_seq"),
        UniqueConstraint("source", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    doc_seq: int
    source: str = Field(max_length=20)
    source_id: int
    kind: str = Field(max_length=20)
    direction: str = Field(max_length=10)
    doc_date: datetime = _ts(index=True)
    counterpart: str | None = Field(default=None, sa_type=Text)
    subject: str | None = Field(default=None, sa_type=Text)
    secret: bool = False
    secrecy_by: str | None = None
    secrecy_at: datetime | None = _ts(default=None)
    registered_at: datetime = _ts()


class DisposalRow(SQLModel, table=True):
    """The disposal log (gallringslogg): what was disposed of, by which rule, when."""

    __tablename__ = "disposal"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    plan: str = Field(max_length=40)
    rule: str = Field(max_length=60)
    target: str = Field(max_length=30)
    target_id: int
    what: str = Field(sa_type=Text)


class PersonalDataReadRow(SQLModel, table=True):
    """Who read a case's personal data through chat, and when (the audit log)."""

    __tablename__ = "personal_data_read"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True, ondelete="CASCADE")
    who: str
    command: str = Field(max_length=30)
    at: datetime = _ts(index=True)


class DigestSentRow(SQLModel, table=True):
    """The weekly digest went to this official this ISO week (``2027-W05``): sent once."""

    __tablename__ = "digest_sent"

    official: str = Field(primary_key=True)
    week: str = Field(primary_key=True, max_length=10)
    at: datetime = _ts()
