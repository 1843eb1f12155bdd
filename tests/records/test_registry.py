"""The registry: a year of cases, their registration numbers and their registered documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from samverkan.bot.tick import run_tick
from samverkan.intake.pipeline import Intake
from samverkan.storage import cases as case_store
from samverkan.storage.models import (
    AttachmentRow,
    DecisionRow,
    MessageRow,
    PhaseChangeRow,
    RegisteredDocumentRow,
)
from samverkan.storage.registry import (
    documents_of,
    register_documents,
    registration_number,
    set_secrecy,
)
from tests.helpers.chat import Chat
from tests.records.year import build_year

END = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)


def _sources(session: Session) -> set[tuple[str, int]]:
    """What the registry must hold, read from the tables themselves."""
    mails = session.exec(
        select(MessageRow.id).where(
            col(MessageRow.case_id).is_not(None), MessageRow.channel == "email"
        )
    ).all()
    attachments = session.exec(
        select(AttachmentRow.id)
        .join(MessageRow, col(MessageRow.id) == col(AttachmentRow.message_row_id))
        .where(col(MessageRow.case_id).is_not(None))
    ).all()
    memos = session.exec(select(PhaseChangeRow.id).where(PhaseChangeRow.to_phase == "namnd")).all()
    decisions = session.exec(select(DecisionRow.id)).all()
    return (
        {("message", i or 0) for i in mails}
        | {("attachment", i or 0) for i in attachments}
        | {("memo", i or 0) for i in memos}
        | {("decision", i or 0) for i in decisions}
    )


def test_a_year_of_cases_is_registered_as_it_arrives_in_order_and_once(chat: Chat) -> None:
    made = build_year(chat)  # no tick: intake and the commands register what they store
    with Session(chat.engine) as session:
        for number, case in enumerate(made, start=1):
            row = case_store.get_case(session, case.ref)
            assert registration_number(session, row) == f"TN-2026-{number:04d}"
        registered = session.exec(select(RegisteredDocumentRow)).all()
        assert {(d.source, d.source_id) for d in registered} == _sources(session)
        assert len(registered) == len(_sources(session))
        first = case_store.get_case(session, made[0].ref)
        assert first.id is not None
        docs = documents_of(session, first.id)
    # the decided case: application and its budget in, the acknowledgement out, memo, decision
    kinds = [(d.doc_seq, d.kind, d.direction) for d in docs]
    assert kinds[:3] == [(1, "e-post", "in"), (2, "bilaga", "in"), (3, "brev", "ut")]
    assert {"tjänsteskrivelse", "beslut", "brev"} <= {d.kind for d in docs}
    assert [d.doc_seq for d in docs] == list(range(1, len(docs) + 1))
    assert all(d.number.startswith("TN-2026-0001:") for d in docs)
    assert [d.doc_date for d in docs] == sorted(d.doc_date for d in docs)
    # the tick's letters are registered as they are queued; a further pass finds nothing
    run_tick(chat.engine, chat.settings, END)
    with Session(chat.engine) as session:
        assert register_documents(session, now=END) == 0
        registered = session.exec(select(RegisteredDocumentRow)).all()
        assert {(d.source, d.source_id) for d in registered} == _sources(session)
        assert len(registered) == len(_sources(session))


def test_every_letter_shows_its_case_number(chat: Chat) -> None:
    made = build_year(chat)
    chat.clock[0] = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert chat(f"komplettera {made[10].ref} Skicka budgeten, tack.").ok
    assert chat(f"avslå {made[9].ref} området är redan täckt", who="anna.berg@malmo.se").ok
    run_tick(chat.engine, chat.settings, END)  # follow-ups and reminders go out too
    with Session(chat.engine) as session:
        numbers = {
            c.id: registration_number(session, c)
            for c in (case_store.get_case(session, m.ref) for m in made)
        }
        letters = session.exec(
            select(MessageRow).where(
                MessageRow.direction == "out",
                MessageRow.channel == "email",
                col(MessageRow.case_id).is_not(None),
            )
        ).all()
    kinds = {m.kind for m in letters}
    assert {"ack", "request_info", "avslag"} <= kinds
    assert kinds & {"resultatmatning", "effektmatning", "komplettering"}  # from the tick
    for letter in letters:
        number = numbers[letter.case_id or 0]
        assert f"diarienummer {number}" in (letter.body_text or ""), letter.kind
        assert number in (letter.body_html or ""), letter.kind


def test_a_late_document_gets_the_next_number_and_secrecy_is_kept(chat: Chat) -> None:
    made = build_year(chat)
    with Session(chat.engine) as session:
        case = case_store.get_case(session, made[3].ref)
        assert case.id is not None
        before = documents_of(session, case.id)
    chat.clock[0] = END
    assert chat(f"komplettera {made[3].ref} Skicka budgeten, tack.").ok
    with Session(chat.engine) as session:
        assert len(documents_of(session, case.id)) == len(before) + 1  # with the command
        assert register_documents(session, now=END) == 0
        doc = set_secrecy(session, case.id, 1, secret=True, by="U0KARIN", now=END)
        session.commit()
        after = documents_of(session, case.id)
    assert doc.secret
    assert [d.number for d in after[: len(before)]] == [d.number for d in before]
    assert after[-1].doc_seq == len(before) + 1
    assert after[-1].kind == "brev"
    assert after[-1].direction == "ut"
    assert after[-1].doc_date == END
    assert after[0].secret


def test_the_series_is_configurable(chat: Chat) -> None:
    chat.settings = chat.settings.model_copy(update={"diarie_series": "FGK {seq}/{year}"})
    chat.intake = Intake(chat.engine, chat.settings, clock=lambda: chat.clock[0])
    ref = chat.apply()
    with Session(chat.engine) as session:
        row = case_store.get_case(session, ref)
        assert registration_number(session, row, series="ignored once numbered") == "FGK 1/2026"
    (ack,) = chat.outbox("ack")
    assert "diarienummer FGK 1/2026" in (ack.body_text or "")


def test_a_series_without_year_and_number_is_refused() -> None:
    from pydantic import ValidationError

    from samverkan.config import Settings

    assert Settings(_env_file=None, diarie_series="FGK-{year}-{seq:05d}").diarie_series
    for bad in ("TN-{year}", "TN-{seq}", "TN-{nummer}", "TN-{year"):
        with pytest.raises(ValidationError, match=r"nummerserie|måste innehålla"):
            Settings(_env_file=None, diarie_series=bad)
