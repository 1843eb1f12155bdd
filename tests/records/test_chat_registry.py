"""The registry in chat (handlingar, sekretess) and the audit log of reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from samverkan.bot.postlista import postlista_entries
from samverkan.bot.reply import ReplyStatus
from samverkan.storage import cases as case_store
from samverkan.storage.audit import reads_of
from tests.helpers.chat import ANNA, KARIN, STRANGER, Chat, snapshot, text_of
from tests.records.year import PNR, build_year


def test_documents_are_listed_and_one_is_made_secret(chat: Chat) -> None:
    made = build_year(chat)
    private = next(c for c in made if c.private)
    listing = chat(f"handlingar {private.ref}")
    assert listing.ok
    text = text_of(listing)
    assert "diarienummer TN-2026-0003" in text
    assert "1. " in text
    assert "Inkommen e-post" in text
    assert PNR not in text
    assert chat(f"sekretess {private.ref} 1 på", who=ANNA).ok
    assert "(sekretess)" in text_of(chat(f"handlingar {private.ref}"))
    entries = postlista_entries(
        chat.engine, chat.settings, date(2026, 3, 1), date(2026, 3, 31), now=chat.clock[0]
    )
    secret = [e for e in entries if e.number == "TN-2026-0003:1"]
    assert [e.secret for e in secret] == [True]
    answer = chat(f"sekretess {private.ref} 1 av")
    assert answer.ok
    assert "inte längre" in text_of(answer)


def test_secrecy_mistakes_and_strangers_change_nothing(chat: Chat) -> None:
    ref = build_year(chat)[0].ref
    chat(f"handlingar {ref}")  # registers what there is
    before = snapshot(chat.engine)
    missing = chat(f"sekretess {ref} 99 på")
    assert missing.status is ReplyStatus.REFUSED
    assert f"handlingar {ref}" in text_of(missing)
    assert chat(f"sekretess {ref} två på").status is ReplyStatus.USAGE
    assert chat(f"sekretess {ref} 1 på", who=STRANGER).status is ReplyStatus.REFUSED
    assert chat(f"handlingar {ref}", who=STRANGER).status is ReplyStatus.REFUSED
    assert snapshot(chat.engine) == before


def test_every_read_of_personal_data_in_chat_is_logged(chat: Chat) -> None:
    ref = build_year(chat)[1].ref
    first = datetime(2027, 1, 4, 8, 15, tzinfo=UTC)
    chat.clock[0] = first
    assert chat(f"visa {ref}").ok
    chat.clock[0] = first + timedelta(hours=2)
    assert chat(f"handlingar {ref}", who=ANNA).ok
    assert chat(f"visa {ref}", who=STRANGER).status is ReplyStatus.REFUSED  # saw nothing
    assert chat("lista").ok  # a list shows no personal data
    with Session(chat.engine) as session:
        case = case_store.get_case(session, ref)
        reads = reads_of(session, case.id)
        other = case_store.get_case(session, "SAM-2026-0001")
        assert reads_of(session, other.id) == []
    assert [(r.who, r.command, r.at) for r in reads] == [
        (KARIN, "visa", first),
        (ANNA, "handlingar", first + timedelta(hours=2)),
    ]
