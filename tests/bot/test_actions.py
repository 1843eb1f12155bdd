"""The command core on real databases: whole process, refusals, e-mail, reminders, history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from samverkan.bot.reply import Actions, FactList, Paragraph, ReplyStatus, Text
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.rules.deadline_policy import BUNDLED_POLICY
from samverkan.storage.models import (
    ProcessRow,
    ReminderRow,
)
from tests.helpers.chat import (
    ANNA,
    KARIN,
    REF,
    STRANGER,
    WITHOUT_ORGNR,
    Chat,
    moves,
    snapshot,
    text_of,
)

# -- the whole process --------------------------------------------------------------------


def test_a_case_walks_the_whole_process_through_commands(chat: Chat, now: datetime) -> None:
    assert chat.apply(WITHOUT_ORGNR) == REF
    assert chat.case()["phase"] == "komplettering"  # intake asked for the number

    steps = [
        ("ändra SAM-2026-0001 orgnr=802457-3167", "bedomning"),
        ("komplettera SAM-2026-0001 Skicka gärna en budget för första året.", "komplettering"),
        ("bedöm SAM-2026-0001 budgeten kom per telefon", "bedomning"),
        ("möte SAM-2026-0001 2026-03-10 10:00", "mote"),
        ("godkänn SAM-2026-0001", "namnd"),
        (
            "beslut SAM-2026-0001 beviljad § 7 sammanträde=2026-03-08 stödform=finansiering "
            "belopp=300000",
            "genomforande",
        ),
        ("uppföljning SAM-2026-0001 resultat 12 trygghetsvandringar", "uppfoljning"),
        ("uppföljning SAM-2026-0001 effekt tryggare enligt enkät", "avslutad"),
    ]
    for text, phase in steps:
        chat.clock[0] += timedelta(days=1)
        answer = chat(text)
        assert answer.status is ReplyStatus.OK, text_of(answer)
        assert chat.case()["phase"] == phase, text

    assert moves(chat) == [
        ("system", None, "inkommen"),
        ("system", "inkommen", "komplettering"),
        (KARIN, "komplettering", "komplettering"),  # the correction itself
        (KARIN, "komplettering", "bedomning"),
        (KARIN, "bedomning", "komplettering"),
        (KARIN, "komplettering", "bedomning"),
        (KARIN, "bedomning", "mote"),
        (KARIN, "mote", "mote"),  # the approver becomes the contact person
        (KARIN, "mote", "namnd"),
        (KARIN, "namnd", "genomforande"),
        (KARIN, "genomforande", "uppfoljning"),
        (KARIN, "uppfoljning", "uppfoljning"),
        (KARIN, "uppfoljning", "avslutad"),
    ]
    history = chat.case()["history"]
    whys = [h["why"] for h in history]
    assert "rättelse: orgnr=802457-3167" in whys
    assert "komplettering begärd: Skicka gärna en budget för första året." in whys
    assert "möte bokat 2026-03-10 kl. 10:00" in whys
    assert any("beviljade finansiering (300" in w for w in whys)
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    view = chat.case()
    assert view["decisions"][0]["outcome"] == "beviljad"
    assert view["decisions"][0]["support"] == [{"form": "finansiering", "amount_sek": 300_000}]
    assert [(f["kind"], f["text"]) for f in view["followups"]] == [
        ("resultat", "12 trygghetsvandringar"),
        ("effekt", "tryggare enligt enkät"),
    ]
    assert {r["state"] for r in view["reminders"]} <= {"done", "cancelled"}


def test_approval_attaches_the_committee_memo(chat: Chat) -> None:
    chat.apply()
    answer = chat("approve SAM-2026-0001")
    assert answer.status is ReplyStatus.OK
    memo, word = answer.attachments
    assert word.filename == "tjansteskrivelse-SAM-2026-0001.docx"
    assert memo.filename == "tjansteskrivelse-SAM-2026-0001.md"
    assert memo.content_type == "text/markdown"
    assert "SAM-2026-0001" in memo.content
    assert "Tjänsteskrivelse" in memo.content


# -- who may do what ----------------------------------------------------------------------

CHANGING = [
    "tilldela SAM-2026-0001 @U0KARIN",
    "komplettera SAM-2026-0001 mer tack",
    "bedöm SAM-2026-0001",
    "möte SAM-2026-0001 2026-03-10 10:00",
    "godkänn SAM-2026-0001",
    "avslå SAM-2026-0001 nej",
    "beslut SAM-2026-0001 avslag § 2 sammanträde=2026-03-02 medel saknas",
    "uppföljning SAM-2026-0001 resultat x",
    "återkalla SAM-2026-0001 x",
    "avsluta SAM-2026-0001",
    "ändra SAM-2026-0001 orgnr=802457-3167",
    "ny Ett nytt ärende; område=Seved",
    'process lägg-till "BID Seved" Seved',
]


def test_someone_who_is_not_an_official_changes_nothing(chat: Chat) -> None:
    chat.apply()
    before = snapshot(chat.engine)
    for text in [*CHANGING, "visa SAM-2026-0001", "lista", "påminnelser", "statistik"]:
        answer = chat(text, who=STRANGER)
        assert answer.status is ReplyStatus.REFUSED, text
        assert "inte registrerad som handläggare" in text_of(answer)
        assert snapshot(chat.engine) == before, text


def test_only_a_coordinator_assigns_and_adds_processes(chat: Chat) -> None:
    chat.apply()
    before = snapshot(chat.engine)
    for text in ("tilldela SAM-2026-0001 @U0KARIN", 'process lägg-till "BID Seved" Seved'):
        answer = chat(text, who=KARIN)
        assert answer.status is ReplyStatus.REFUSED
        assert "Endast en samordnare" in text_of(answer)
    assert snapshot(chat.engine) == before

    assert chat("tilldela SAM-2026-0001 @U0KARIN", who=ANNA).ok
    assert chat.case()["assigned_to"] == KARIN
    assert chat.case()["history"][-1]["by"] == ANNA
    assert chat('process lägg-till "BID Seved 2" Seved kontakt=a@b.example', who=ANNA).ok
    with Session(chat.engine) as session:
        row = session.exec(select(ProcessRow).where(ProcessRow.name == "BID Seved 2")).one()
    assert (row.areas, row.contact, row.added_by) == (["Seved"], "a@b.example", ANNA)


def test_an_illegal_transition_is_refused_naming_the_next_steps(chat: Chat) -> None:
    chat.apply()  # complete: bedömning
    before = snapshot(chat.engine)
    answer = chat("beslut SAM-2026-0001 beviljad § 1 sammanträde=2026-03-02 belopp=100000")
    assert answer.status is ReplyStatus.REFUSED
    assert text_of(answer) == (  # the steps named as the commands that take them
        "Ett ärende i fas bedömning kan inte flyttas till genomförande.\n"
        "Det du kan göra nu: komplettera SAM-2026-0001 …, möte SAM-2026-0001 ÅÅÅÅ-MM-DD TT:MM, "
        "godkänn SAM-2026-0001, avslå SAM-2026-0001 skäl, återkalla SAM-2026-0001 skäl."
    )
    assert chat("uppföljning SAM-2026-0001 resultat x").status is ReplyStatus.REFUSED
    assert snapshot(chat.engine) == before


def test_a_not_eligible_application_is_approved_only_with_a_reason(chat: Chat) -> None:
    chat.apply()
    assert chat("ändra SAM-2026-0001 aktörer=boende").ok  # one kind of actor: blocks
    assert chat.case()["criteria"]["outcome"] == "not_eligible"
    before = snapshot(chat.engine)

    refused = chat("godkänn SAM-2026-0001")
    assert refused.status is ReplyStatus.REFUSED
    assert "Flera slags aktörer samverkar (ej uppfyllt)" in text_of(refused)
    assert "override: skäl" in text_of(refused)
    assert refused.attachments == ()
    assert snapshot(chat.engine) == before

    answer = chat("godkänn SAM-2026-0001 override: stadens eget initiativ i Seved")
    assert answer.ok
    view = chat.case()
    assert view["phase"] == "namnd"
    assert view["override_reason"] == "stadens eget initiativ i Seved"
    assert "stadens eget initiativ i Seved" in view["history"][-1]["why"]


def test_bad_dates_are_refused_with_the_usage(chat: Chat) -> None:
    chat.apply()
    before = snapshot(chat.engine)
    wrong = chat("möte SAM-2026-0001 2026-02-30 10:00")
    assert wrong.status is ReplyStatus.USAGE
    assert "inget giltigt datum" in text_of(wrong)
    assert "möte|meeting REF ÅÅÅÅ-MM-DD TT:MM" in text_of(wrong)
    past = chat("möte SAM-2026-0001 2026-03-01 10:00")
    assert past.status is ReplyStatus.USAGE
    assert "redan passerat" in text_of(past)
    assert snapshot(chat.engine) == before


def test_unknown_cases_and_commands_are_answered_not_raised(chat: Chat) -> None:
    missing = chat("visa SAM-2026-0042")
    assert missing.status is ReplyStatus.NOT_FOUND
    assert "SAM-2026-0042" in text_of(missing)
    unknown = chat("godkänna allt")
    assert unknown.status is ReplyStatus.USAGE
    assert "Okänt kommando" in text_of(unknown)
    assert "godkänn|approve REF [override: skäl]" in text_of(unknown)  # the help list


# -- e-mail to the applicant --------------------------------------------------------------


def test_request_info_queues_an_email_with_the_ref_the_text_and_what_is_missing(
    chat: Chat,
) -> None:
    chat.apply(WITHOUT_ORGNR)
    answer = chat("komplettera SAM-2026-0001 Skicka också en budget. <b>Tack</b>")
    assert answer.ok
    (sent,) = chat.outbox("request_info")
    assert sent.recipients == "lina@seved.example"
    assert sent.subject is not None
    assert "[SAM-2026-0001]" in sent.subject
    assert sent.send_state == "pending"
    body = sent.body_text or ""
    assert "Skicka också en budget." in body
    assert "organisationsnummer" in body  # the missing item, worded by the rule set
    assert sent.body_html is not None
    assert "&lt;b&gt;Tack&lt;/b&gt;" in sent.body_html  # typed text never becomes markup
    assert "<b>" not in sent.body_html
    assert chat.case()["phase"] == "komplettering"


def test_request_info_without_an_address_changes_nothing(chat: Chat) -> None:
    assert chat("ny Lindängen; område=Lindängen; organisation=BID Lindängen").ok
    before = snapshot(chat.engine)
    answer = chat("komplettera SAM-2026-0001 Skicka budget.")
    assert answer.status is ReplyStatus.REFUSED
    assert "epost=" in text_of(answer)
    assert snapshot(chat.engine) == before


def test_rejection_tells_the_applicant_and_cancels_reminders(chat: Chat) -> None:
    chat.apply()
    assert chat("möte SAM-2026-0001 2026-03-10 10:00").ok
    answer = chat("avslå SAM-2026-0001 Området överlappar BID Sofielund helt.")
    assert answer.ok
    assert chat.case()["phase"] == "avslag"
    (sent,) = chat.outbox("avslag")
    assert "[SAM-2026-0001]" in (sent.subject or "")
    assert "Området överlappar BID Sofielund helt." in (sent.body_text or "")
    assert [state for _, _, state in chat.reminders()] == ["cancelled"]


# -- reminders ------------------------------------------------------------------------------


def test_the_meeting_reminder_falls_on_the_working_day_before(chat: Chat) -> None:
    chat.apply()
    # Tuesday after Easter: Monday is annandag påsk, Friday långfredagen -> Thursday.
    assert chat("möte SAM-2026-0001 2026-04-07 10:00").ok
    assert chat.case()["meeting_at"] == "2026-04-07T08:00:00+00:00"
    assert chat.reminders() == [
        ("mote", datetime(2026, 4, 2, 6, 0, tzinfo=UTC), "pending")  # 08:00 in Stockholm
    ]
    # Moved to the next week: the old reminder is cancelled, never sent.
    assert chat("mote SAM-2026-0001 2026-04-13 13:30").ok
    assert chat.reminders() == [
        ("mote", datetime(2026, 4, 2, 6, 0, tzinfo=UTC), "cancelled"),
        ("mote", datetime(2026, 4, 10, 6, 0, tzinfo=UTC), "pending"),
    ]


def test_a_grant_schedules_follow_ups_and_a_measurement_completes_its_own(chat: Chat) -> None:
    chat.apply()
    assert chat("godkänn SAM-2026-0001").ok
    chat.clock[0] = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)  # a Thursday
    assert chat("beslut SAM-2026-0001 beviljad § 1 sammanträde=2026-03-02 stödform=processtöd").ok
    assert chat.reminders() == [
        # 2026-09-05 is a Saturday: the reminder waits for Monday.
        ("resultatmatning", datetime(2026, 9, 7, 6, 0, tzinfo=UTC), "pending"),
        ("effektmatning", datetime(2027, 3, 5, 7, 0, tzinfo=UTC), "pending"),
    ]
    listed = chat("påminnelser")
    lines = [
        f.value.value for block in listed.blocks if isinstance(block, FactList) for f in block.items
    ]
    assert [line.split(":")[0] for line in lines] == [
        "SAM-2026-0001 resultatmätning",
        "SAM-2026-0001 effektmätning",
    ]
    chat.clock[0] = datetime(2026, 9, 8, 9, 0, tzinfo=UTC)
    assert chat("uppföljning SAM-2026-0001 resultat 40 möten hölls").ok
    assert [state for _, _, state in chat.reminders()] == ["done", "pending"]


def test_follow_up_offsets_come_from_the_deadline_policy_file(
    engine: Engine, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    bundled = resources.files("samverkan.rules").joinpath("rulesets", BUNDLED_POLICY)
    text = bundled.read_text(encoding="utf-8").replace('id = "frister-2026-12-01.1"', 'id = "x.1"')
    text = text.replace('"6 månader"', '"3 månader"').replace('"12 månader"', '"9 månader"')
    policy = tmp_path / "frister.toml"
    policy.write_text(text, encoding="utf-8")
    custom = settings.model_copy(update={"deadlines_file": policy})
    clock = [now]
    chat = Chat(engine, custom, Intake(engine, custom, clock=lambda: clock[0]), clock)
    chat.apply()
    assert chat("godkänn SAM-2026-0001").ok
    assert chat("beslut SAM-2026-0001 beviljad § 1 sammanträde=2026-03-02 belopp=50000").ok
    assert [due.date().isoformat() for _, due, _ in chat.reminders()] == [
        "2026-06-02",
        "2026-12-02",
    ]
    with Session(engine) as session:
        policies = session.exec(select(ReminderRow.policy)).all()
    assert set(policies) == {"x.1"}  # every reminder records the policy that scheduled it


# -- opening, reading, statistics -----------------------------------------------------------


def test_a_case_opened_from_chat_is_evaluated_and_recorded(chat: Chat) -> None:
    answer = chat(
        "ny Samverkan Lindängen; område=Lindängen; organisation=BID Lindängen; "
        "orgnr=802457-3167; epost=info@lindangen.example; aktörer=fastighetsägare, boende"
    )
    assert answer.ok
    view = chat.case()
    assert view["origin"] == "chat"
    assert view["title"] == "Samverkan Lindängen"
    assert view["area"] == {"name": "Lindängen", "in_malmo": True}
    assert view["actors"] == ["fastighetsagare", "boende"]
    assert view["criteria"]["outcome"] == "incomplete"
    # Incomplete waits for the actor, by the rule intake follows (rules.assessment).
    assert moves(chat) == [(KARIN, None, "inkommen"), (KARIN, "inkommen", "komplettering")]
    assert "Uppgifter som saknas" in text_of(answer)

    unknown = chat("ny Test; område=Atlantis")
    assert unknown.status is ReplyStatus.USAGE
    assert "Atlantis" in text_of(unknown)


def test_a_correction_in_chat_moves_the_case_as_a_reply_by_e_mail_would(chat: Chat) -> None:
    """One rule for what follows an evaluation: incomplete waits for the actor, complete goes
    to the contact person, not eligible stays; chat follows it as intake does."""
    opened = chat("ny Samverkan Lindängen; område=Lindängen; aktörer=boende")
    assert opened.ok, text_of(opened)
    assert chat.case()["criteria"]["outcome"] == "not_eligible"
    assert chat.case()["phase"] == "inkommen"  # not eligible: an official decides

    chat.clock[0] += timedelta(hours=1)
    assert chat("ändra SAM-2026-0001 aktörer=boende, fastighetsägare").ok
    assert chat.case()["criteria"]["outcome"] == "incomplete"
    assert chat.case()["phase"] == "komplettering"  # as intake moves an incomplete application

    chat.clock[0] += timedelta(hours=1)
    edit = chat(
        "ändra SAM-2026-0001 organisation=BID Lindängen; orgnr=802457-3167; "
        "kontakt=Lina Ek; epost=lina@lindangen.example; "
        "syfte=Otrygghet kring torget och tomma lokaler som kan fyllas med liv; "
        "mål=Fler besökare i butikerna och tryggare kvällar; egen_insats=200 000 kr; "
        "stödform=finansiering; belopp=300000; månader=24"
    )
    assert edit.ok, text_of(edit)
    assert chat.case()["criteria"]["outcome"] == "complete"
    assert moves(chat) == [
        (KARIN, None, "inkommen"),
        (KARIN, "inkommen", "inkommen"),  # the first correction itself
        (KARIN, "inkommen", "komplettering"),
        (KARIN, "komplettering", "komplettering"),  # the second correction
        (KARIN, "komplettering", "bedomning"),
    ]


def test_show_marks_actor_text_and_offers_the_next_steps(chat: Chat) -> None:
    chat.apply(subject="Ansökan <!channel> om stöd")
    answer = chat("visa SAM-2026-0001")
    assert answer.ok
    texts = [
        t
        for block in answer.blocks
        for t in (
            block.parts
            if isinstance(block, Paragraph)
            else tuple(f.value for f in block.items)
            if isinstance(block, FactList)
            else ()
        )
    ]
    marked = [t for t in texts if "<!channel>" in t.value]
    assert marked
    assert all(t.from_actor for t in marked)
    assert Text("bedömning") in texts  # our own words stay unmarked
    facts = {f.label: f.value for b in answer.blocks if isinstance(b, FactList) for f in b.items}
    assert facts["Diarienummer"] == Text("TN-2026-0001")  # numbered by intake, our own words
    (actions,) = [b for b in answer.blocks if isinstance(b, Actions)]
    assert [b.action_id for b in actions.buttons] == [
        "komplettera", "mote", "godkann", "avsla", "aterkalla",
    ]  # fmt: skip
    assert all(b.value == REF for b in actions.buttons)
    coordinator = chat("visa SAM-2026-0001", who=ANNA)
    assert "tilldela SAM-2026-0001 @vem" in text_of(coordinator)


def test_list_filters_by_phase_and_area(chat: Chat) -> None:
    chat.apply()
    assert chat("ny Lindängen; område=Lindängen").ok
    assert "SAM-2026-0001" in text_of(chat("lista bedömning"))
    assert "SAM-2026-0002" not in text_of(chat("lista bedömning"))
    assert "SAM-2026-0001" in text_of(chat("lista Sofielund"))  # Seved lies in Sofielund
    assert "SAM-2026-0002" not in text_of(chat("lista Sofielund"))
    assert "Inga ärenden" in text_of(chat("lista avslutad"))


def test_statistics_count_phases_areas_and_granted_money(chat: Chat) -> None:
    chat.apply()
    assert chat("godkänn SAM-2026-0001").ok
    assert chat(
        "beslut SAM-2026-0001 beviljad § 1 sammanträde=2026-03-02 "
        "stödform=finansiering,processtöd belopp=350 tkr"
    ).ok
    assert chat("ny Lindängen; område=Lindängen").ok
    stats = text_of(chat("statistik"))
    assert "2 ärenden totalt." in stats
    assert "genomförande: 1" in stats
    assert "komplettering: 1" in stats  # incomplete: it waits for the facts (rules.assessment)
    assert "Lindängen: 1" in stats
    assert "Beviljat stöd: 1 ärende, 350 000 kr i finansiering." in stats.replace("\u00a0", " ")
