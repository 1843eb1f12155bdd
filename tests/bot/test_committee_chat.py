"""The committee path in chat: approval, the officials' registry and the meeting calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from samverkan.bot.reply import ReplyStatus
from samverkan.rules.committee import CommitteeMeeting
from samverkan.storage import committee, officials
from tests.helpers.chat import ANNA, APPLICATION, KARIN, REF, Chat, snapshot, text_of

NOBODY = APPLICATION.replace("Organisation: Sevedsföreningen\n", "").replace(
    "Organisationsnummer: 802457-3167\n", ""
)


def test_approval_needs_a_reason_when_a_blocking_criterion_is_not_met(chat: Chat) -> None:
    chat.apply()
    assert chat(f"ändra {REF} aktörer=boende").ok  # one kind of actor
    before = snapshot(chat.engine)
    refused = chat(f"godkänn {REF}")
    assert refused.status is ReplyStatus.REFUSED
    assert "Flera slags aktörer samverkar (ej uppfyllt)" in text_of(refused)
    assert f"godkänn {REF} override: skäl" in text_of(refused)
    assert refused.attachments == ()
    assert snapshot(chat.engine) == before

    answer = chat(f"godkänn {REF} override: stadens eget initiativ i Seved")
    assert answer.ok, text_of(answer)
    view = chat.case()
    assert view["phase"] == "namnd"
    assert view["override_reason"] == "stadens eget initiativ i Seved"


def test_an_application_naming_no_actors_needs_a_reason_too(chat: Chat) -> None:
    # Zero actors is `missing` on a blocking criterion: it used to pass without a word.
    assert chat(
        "ny Trygga Seved; område=Seved; organisation=Sevedsföreningen; orgnr=802457-3167; "
        "epost=lina@seved.example; stödform=processtöd"
    ).ok
    assert chat(f"bedöm {REF}").ok
    refused = chat(f"godkänn {REF}")
    assert refused.status is ReplyStatus.REFUSED
    assert "Flera slags aktörer samverkar (uppgift saknas)" in text_of(refused)
    assert chat(f"godkänn {REF} override: aktörerna redovisas i bilagan").ok


def test_an_unidentified_applicant_cannot_go_to_the_committee(chat: Chat) -> None:
    chat.apply(NOBODY)
    assert chat(f"bedöm {REF}").ok
    before = snapshot(chat.engine)
    for text in (f"godkänn {REF}", f"godkänn {REF} override: viktigt"):
        refused = chat(text)
        assert refused.status is ReplyStatus.REFUSED
        assert "sökande är inte identifierad" in text_of(refused)
        assert "organisationens namn, organisationsnummer" in text_of(refused)
    assert snapshot(chat.engine) == before
    assert chat(f"ändra {REF} organisation=Sevedsföreningen orgnr=802457-3167").ok
    assert chat(f"godkänn {REF}").ok


def test_the_approver_becomes_contact_person_when_none_is_assigned(chat: Chat) -> None:
    chat.apply()
    assert chat.case()["assigned_to"] is None
    answer = chat(f"godkänn {REF}")
    assert answer.ok
    assert chat.case()["assigned_to"] == KARIN
    assert "Du är nu kontaktperson" in text_of(answer)
    assert "inget namn i handläggarregistret" in text_of(answer)  # KARIN has only an id


def test_an_assigned_contact_person_stays(chat: Chat) -> None:
    chat.apply()
    assert chat(f"tilldela {REF} @U0PER", who=ANNA).ok
    assert chat('handläggare lägg-till @U0PER kontaktperson "Per Ek" "Planerare"', who=ANNA).ok
    answer = chat(f"godkänn {REF}")
    assert answer.ok
    assert chat.case()["assigned_to"] == "U0PER"
    assert "kontaktperson" not in text_of(answer).split("Fas:")[1]
    assert "handläggarregistret" not in text_of(answer)


def test_coordinators_keep_the_officials_registry_from_chat(chat: Chat) -> None:
    added = chat(
        'handläggare lägg-till @U0KARIN kontaktperson "Karin Holm" "Stadsutvecklare" '
        "epost=karin.holm@malmo.se",
        who=ANNA,
    )
    assert added.ok, text_of(added)
    assert "Karin Holm, Stadsutvecklare" in text_of(added)
    with Session(chat.engine) as session:
        karin = officials.find(session, "karin.holm@malmo.se")
    assert karin is not None
    assert (karin.ident, karin.name, karin.title) == (KARIN, "Karin Holm", "Stadsutvecklare")

    assert chat('handläggare ändra @U0KARIN titel="Planeringssekreterare"', who=ANNA).ok
    assert chat("handläggare ändra @U0KARIN samordnare", who=ANNA).ok
    listed = text_of(chat("handläggare lista"))
    assert "samordnare: Karin Holm, Planeringssekreterare (U0KARIN, karin.holm@malmo.se)" in listed
    assert chat("handläggare ta-bort @U0KARIN", who=ANNA).ok
    assert "Karin Holm" not in text_of(chat("handläggare lista", who=ANNA))
    assert chat("visa SAM-2026-0001", who=KARIN).status is ReplyStatus.REFUSED  # removed


def test_only_coordinators_change_the_registry_and_the_calendar(chat: Chat) -> None:
    before = snapshot(chat.engine)
    for text in (
        'handläggare lägg-till @U0PER kontaktperson "Per Ek" "Planerare"',
        'handläggare ändra @U0KARIN "Karin"',
        "handläggare ta-bort @anna.berg@malmo.se",
        "nämnd lägg-till 2026-04-21 sista-dag 2026-03-31",
    ):
        refused = chat(text, who=KARIN)
        assert refused.status is ReplyStatus.REFUSED, text
        assert "Endast en samordnare" in text_of(refused)
    assert snapshot(chat.engine) == before
    assert chat("handläggare lista", who=KARIN).ok  # reading is for every official
    assert chat("nämnd lista", who=KARIN).ok


def test_registry_mistakes_are_answered_in_swedish(chat: Chat) -> None:
    missing_role = chat('handläggare lägg-till @U0PER "Per Ek"', who=ANNA)
    assert missing_role.status is ReplyStatus.USAGE
    assert "Ange rollen" in text_of(missing_role)
    assert "handläggare lägg-till @vem" in text_of(missing_role)  # the usage comes along
    last = chat("handläggare ta-bort @anna.berg@malmo.se", who=ANNA)
    assert last.status is ReplyStatus.REFUSED
    assert "enda samordnaren" in text_of(last)
    unknown = chat("handläggare ändra @U0NOBODY kontaktperson", who=ANNA)
    assert unknown.status is ReplyStatus.REFUSED
    assert "finns inte i handläggarregistret" in text_of(unknown)


def test_coordinators_keep_the_committee_calendar_from_chat(chat: Chat) -> None:
    added = chat("nämnd lägg-till 2026-04-21 sista-dag 2026-03-31", who=ANNA)
    assert added.ok, text_of(added)
    assert chat("nämnd lägg-till 2026-05-19 sista-dag 2026-04-28", who=ANNA).ok
    moved = chat("nämnd lägg-till 2026-05-19 sista-dag 2026-04-27", who=ANNA)
    assert "ändrat" in text_of(moved)
    with Session(chat.engine) as session:
        assert committee.meetings(session) == [
            CommitteeMeeting(date(2026, 4, 21), date(2026, 3, 31)),
            CommitteeMeeting(date(2026, 5, 19), date(2026, 4, 27)),
        ]
    listed = text_of(chat("nämnd lista"))
    assert "2026-04-21: sista dag för tjänsteskrivelser 2026-03-31" in listed
    assert chat("nämnd ta-bort 2026-04-21", who=ANNA).ok
    assert "2026-04-21" not in text_of(chat("nämnd lista"))
    gone = chat("nämnd ta-bort 2026-04-21", who=ANNA)
    assert gone.status is ReplyStatus.REFUSED
    backwards = chat("nämnd lägg-till 2026-04-21 sista-dag 2026-04-22", who=ANNA)
    assert backwards.status is ReplyStatus.USAGE
    assert "ligger efter sammanträdet" in text_of(backwards)
    no_deadline = chat("nämnd lägg-till 2026-04-21", who=ANNA)
    assert "sista dag för tjänsteskrivelser" in text_of(no_deadline)


def test_a_moved_meeting_moves_the_memo_deadline_reminder(chat: Chat, now: datetime) -> None:
    assert chat("nämnd lägg-till 2026-04-21 sista-dag 2026-03-31", who=ANNA).ok
    chat.apply()
    assert chat(f"godkänn {REF}").ok
    due = [(k, d.date(), s) for k, d, s in chat.reminders() if k == "namnd"]
    assert due == [("namnd", date(2026, 3, 31), "pending")]
    chat.clock[0] = now + timedelta(hours=1)
    assert chat("nämnd lägg-till 2026-04-21 sista-dag 2026-04-07", who=ANNA).ok
    due = [(d.date(), s) for k, d, s in chat.reminders() if k == "namnd"]
    assert due == [(date(2026, 3, 31), "cancelled"), (date(2026, 4, 7), "pending")]
