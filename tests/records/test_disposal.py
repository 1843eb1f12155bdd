"""Disposal by the retention plan over a year of cases: what must go goes, what must stay stays."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import Session, SQLModel, col, select

from samverkan.rules.retention_plan import parse_plan
from samverkan.storage import cases as case_store
from samverkan.storage.disposal import disposal_log, dispose, due_for_disposal
from samverkan.storage.models import (
    ApplicantRow,
    AttachmentRow,
    DecisionRow,
    MeasurementRow,
    MessageRow,
    PhaseChangeRow,
    RegisteredDocumentRow,
)
from samverkan.storage.registry import register_documents
from samverkan.storage.statistics import statistics
from tests.helpers.chat import Chat
from tests.records.year import PNR, arrive, build_year, noise_mail

PLAN = parse_plan("""id = "test.1"
beslut = "Testplan"

[[regel]]
id = "brus"
beskrivning = "Reklam och nyhetsbrev"
vad = "meddelande"
utfall = ["ignored", "duplicate"]
efter_manader = 3

[[regel]]
id = "karantan"
beskrivning = "Karantän"
vad = "meddelande"
utfall = ["quarantined"]
efter_manader = 12

[[regel]]
id = "pu"
beskrivning = "Personuppgifter i avslutade ärenden"
vad = "personuppgifter"
faser = ["avslutad", "avslag", "aterkallad"]
efter_manader = 9
""")
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def _d(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def _build(chat: Chat) -> dict[str, Any]:
    made = build_year(chat)
    arrive(chat, noise_mail("bulk", 1), _d(1, 10))  # due 2026-04-10
    arrive(chat, noise_mail("bulk", 2), _d(12, 15))  # due 2027-03-15: not yet
    arrive(chat, noise_mail("junk", 1), _d(2, 1))  # due 2027-02-01
    arrive(chat, noise_mail("junk", 2), _d(12, 15))  # due 2027-12-15: not yet
    rejected, withdrawn = made[3].ref, made[5].ref
    chat.clock[0] = _d(4, 20)
    assert chat(f"avslå {rejected} området är redan täckt", who="anna.berg@malmo.se").ok
    chat.clock[0] = _d(6, 10)  # closed 2026-06-10: due 2027-03-10, not yet
    assert chat(f"återkalla {withdrawn} sökande drar tillbaka", who="anna.berg@malmo.se").ok
    with Session(chat.engine) as session:
        register_documents(session, now=_d(12, 31))
        session.commit()
    return {"made": made, "rejected": rejected, "withdrawn": withdrawn}


def _state(chat: Chat) -> dict[str, Any]:
    with Session(chat.engine) as session:
        return {
            "messages": sorted(
                (m.id, m.outcome, m.raw is not None, m.body_text, m.sender)
                for m in session.exec(select(MessageRow)).all()
            ),
            "attachments": sorted(
                (a.id, a.data is not None) for a in session.exec(select(AttachmentRow)).all()
            ),
            "applicants": sorted(
                (a.case_id, a.contact_name, a.email, a.phone, a.organisation)
                for a in session.exec(select(ApplicantRow)).all()
            ),
            "registry": sorted(
                (d.id, d.counterpart) for d in session.exec(select(RegisteredDocumentRow)).all()
            ),
            "history": len(session.exec(select(PhaseChangeRow)).all()),
            "decisions": len(session.exec(select(DecisionRow)).all()),
            "log": disposal_log(session),
        }


def _dump(chat: Chat) -> dict[str, list[str]]:
    """Every row of every table, as text."""
    with chat.engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(core_select(table)))
            for table in SQLModel.metadata.sorted_tables
        }


def _texts_of_case(chat: Chat, ref: str) -> str:
    """Every value the database holds in the rows of one case (the case, every row of a
    table with its case_id, its mail's attachments), each column, as one text."""
    values: list[str] = []
    with chat.engine.connect() as conn:
        case_id = case_store.get_case(conn, ref).id
        mail = [
            m
            for (m,) in conn.execute(
                core_select(MessageRow.id).where(MessageRow.case_id == case_id)
            )
        ]
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "cases":
                picks = table.c.id == case_id
            elif "case_id" in table.c:
                picks = table.c.case_id == case_id
            elif "message_row_id" in table.c:
                picks = table.c.message_row_id.in_(mail)
            else:
                continue
            for row in conn.execute(core_select(table).where(picks)):
                values += [json.dumps(v, ensure_ascii=False, default=str) for v in row]
    return "\n".join(values)


def test_a_dry_run_names_what_is_due_and_changes_nothing(chat: Chat) -> None:
    built = _build(chat)
    before, everything = _state(chat), _dump(chat)
    with Session(chat.engine) as session:
        due = due_for_disposal(session, PLAN, NOW)
    assert _state(chat) == before
    assert _dump(chat) == everything  # not a row of any table changed
    assert [(d.rule, d.target) for d in due] == [
        ("brus", "meddelande"),
        ("karantan", "meddelande"),
        ("pu", "personuppgifter"),
    ]
    assert due[2].what.startswith(f"{built['rejected']}: ")
    assert "Veckans erbjudanden 1" in due[0].what


def test_disposal_removes_what_must_go_and_keeps_what_must_stay(chat: Chat) -> None:
    built = _build(chat)
    before = _state(chat)
    with Session(chat.engine) as session:
        stats_before = statistics(session).to_dict()
        done = dispose(session, PLAN, NOW)
        session.commit()
    after = _state(chat)
    gone = {m[0] for m in before["messages"]} - {m[0] for m in after["messages"]}
    assert len(gone) == 2  # the old newsletter and the old junk; nothing else deleted
    outcomes = {m[0]: m[1] for m in before["messages"]}
    assert sorted(outcomes[i] for i in gone) == ["ignored", "quarantined"]
    assert [m[1] for m in after["messages"] if m[1] in ("ignored", "quarantined")] == [
        "ignored",
        "quarantined",
    ]  # the December ones stay
    with Session(chat.engine) as session:
        rejected = case_store.get_case(session, built["rejected"])
        withdrawn = case_store.get_case(session, built["withdrawn"])
        person = session.exec(select(ApplicantRow).where(ApplicantRow.case_id == rejected.id)).one()
        kept = session.exec(select(ApplicantRow).where(ApplicantRow.case_id == withdrawn.id)).one()
        mail = session.exec(select(MessageRow).where(MessageRow.case_id == rejected.id)).all()
        docs = session.exec(
            select(RegisteredDocumentRow).where(RegisteredDocumentRow.case_id == rejected.id)
        ).all()
        stats_after = statistics(session).to_dict()
        files = session.exec(
            select(AttachmentRow)
            .join(MessageRow, col(MessageRow.id) == col(AttachmentRow.message_row_id))
            .where(MessageRow.case_id == rejected.id)
        ).all()
    assert (person.contact_name, person.email, person.phone) == (None, None, None)
    assert person.organisation == "Sevedsföreningen"  # a legal person is no personal data
    assert rejected.phase == "avslag"
    assert rejected.application.email is None
    assert kept.email == "olle6@ek.example"  # closed too recently to be anonymised
    assert mail
    assert all(m.raw is None and m.body_text is None and m.sender == "[gallrad]" for m in mail)
    assert files
    assert all(f.data is None for f in files)
    assert docs
    assert all(d.counterpart is None for d in docs)  # the registry entries stay, anonymised
    assert after["history"] == before["history"]
    assert after["decisions"] == before["decisions"]
    assert stats_after == stats_before  # the statistics are kept
    log = after["log"]
    assert [(e.rule, e.target, e.plan, e.at) for e in log] == [
        (d.rule, d.target, "test.1", NOW) for d in done
    ]
    with Session(chat.engine) as session:  # a second night finds nothing new
        assert dispose(session, PLAN, NOW) == []


def test_after_gallring_no_personal_detail_of_the_case_is_left(chat: Chat) -> None:
    built = _build(chat)
    made = built["made"]
    private, decided = made[2].ref, made[0].ref  # Olle Ek (a private person), Sevedsföreningen
    chat.clock[0] = _d(4, 21)
    anna = "anna.berg@malmo.se"
    assert chat(f"ändra {private} titel=Gården hos Olle Ek {PNR}").ok
    assert chat(f"avslå {private} Olle Ek ({PNR}, 070-765 43 21) bor på Rönngatan 7", who=anna).ok
    follow_up = "resultat 12 vandringar, kontakt Lina Ek 070-123 45 67 lina1@seved.example"
    assert chat(f"uppföljning {decided} {follow_up}").ok
    chat.clock[0] = _d(5, 1)
    assert chat(f"avsluta {decided} uppföljningen är klar", who=anna).ok
    details = {
        private: [
            "Olle",
            "olle3@ek.example",
            "765 43 21",
            "7654321",
            "9876",
            "811218",
            "Rönngatan",
        ],
        decided: ["Lina", "lina1@seved.example", "123 45 67", "1234567"],
        built["rejected"]: ["Lina", "lina4@seved.example", "123 45 67", "1234567"],
    }
    for ref, words in details.items():  # the scan sees them before
        assert all(w in _texts_of_case(chat, ref) for w in words[:2]), ref
    with Session(chat.engine) as session:
        stats_before = statistics(session).to_dict()
        done = dispose(session, PLAN, NOW)
        session.commit()
        stats_after = statistics(session).to_dict()
    assert {d.what.split(":")[0] for d in done if d.target == "personuppgifter"} == set(details)
    for ref, words in details.items():
        texts = _texts_of_case(chat, ref)
        left = [w for w in words if w in texts]
        assert left == [], (ref, left)
    assert stats_after == stats_before
    with Session(chat.engine) as session:
        titled = case_store.get_case(session, private)
        measured = session.exec(
            select(MeasurementRow).where(
                MeasurementRow.case_id == case_store.get_case(session, decided).id
            )
        ).one()
    assert titled.title == "Gården hos [gallrad] [personnummer]"  # what it was about stays
    assert "12 vandringar" in measured.text
    assert measured.kind == "resultat"
    withdrawn = _texts_of_case(chat, built["withdrawn"])  # closed too recently: kept whole
    assert "olle6@ek.example" in withdrawn
    assert "9876" in withdrawn
