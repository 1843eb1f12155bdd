"""Parsing chat text into commands: Swedish and English words, with and without å, ä and ö."""

from __future__ import annotations

from datetime import date, time

import pytest

from samverkan.bot.commands import (
    SPECS,
    AddProcess,
    ApplicationEdit,
    Approve,
    Assess,
    Assign,
    Close,
    Command,
    Decide,
    EditFields,
    FollowUp,
    Help,
    Invalid,
    ListCases,
    ListProcesses,
    Meeting,
    NewCase,
    Reject,
    Reminders,
    RequestInfo,
    Show,
    Stats,
    Withdraw,
    parse,
)
from samverkan.rules.model import ActorCategory, SupportForm, SupportRequest
from samverkan.rules.phases import Phase

REF = "SAM-2026-0001"

PARSED: list[tuple[str, Command]] = [
    ("", Help()),
    ("/samverkan", Help()),
    ("hjälp", Help()),
    ("hjalp", Help()),
    ("help", Help()),
    ("HJÄLP godkänn", Help("godkann")),
    ("lista", ListCases()),
    ("list", ListCases()),
    ("lista bedömning", ListCases(phase=Phase.BEDOMNING)),
    ("lista bedomning Norra Sofielund", ListCases(Phase.BEDOMNING, "Norra Sofielund")),
    ("lista Seved", ListCases(area="Seved")),
    ("visa SAM-2026-0001", Show(REF)),
    ("/samverkan show sam-2026-1", Show(REF)),
    ("visa 2026-0001", Show(REF)),
    ("tilldela SAM-2026-0001 Anna.Berg@Malmo.se", Assign(REF, "anna.berg@malmo.se")),
    ("tilldela SAM-2026-0001 @U0KARIN", Assign(REF, "U0KARIN")),
    ("komplettera SAM-2026-0001 Skicka en budget.", RequestInfo(REF, "Skicka en budget.")),
    ("komplettera SAM-2026-0001", RequestInfo(REF, "")),
    ("request-info SAM-2026-0001 Budget,\ntack", RequestInfo(REF, "Budget,\ntack")),
    ("möte SAM-2026-0001 2026-03-10 10:00", Meeting(REF, date(2026, 3, 10), time(10, 0))),
    ("mote SAM-2026-0001 2026-03-10 kl. 9.30", Meeting(REF, date(2026, 3, 10), time(9, 30))),
    ("meeting SAM-2026-0001 2026-03-10 10:00", Meeting(REF, date(2026, 3, 10), time(10, 0))),
    ("godkänn SAM-2026-0001", Approve(REF)),
    ("godkann SAM-2026-0001", Approve(REF)),
    ("approve SAM-2026-0001", Approve(REF)),
    ("godkänn SAM-2026-0001 override: stadens initiativ", Approve(REF, "stadens initiativ")),
    ("approve SAM-2026-0001 Override = ok", Approve(REF, "ok")),
    ("avslå SAM-2026-0001 utanför Malmö", Reject(REF, "utanför Malmö")),
    ("avsla SAM-2026-0001 utanför Malmö", Reject(REF, "utanför Malmö")),
    ("reject SAM-2026-0001 outside", Reject(REF, "outside")),
    (
        "beslut SAM-2026-0001 beviljad § 45 stödform=finansiering belopp=350 000",
        Decide(REF, True, (SupportRequest(SupportForm.FINANSIERING, 350_000),), paragraph="45"),
    ),
    (
        "decision SAM-2026-0001 granted §12a sammanträde=2026-05-20 "
        "stodform=finansiering,processtod belopp=350 tkr",
        Decide(
            REF,
            True,
            (
                SupportRequest(SupportForm.FINANSIERING, 350_000),
                SupportRequest(SupportForm.PROCESSTOD),
            ),
            meeting_on=date(2026, 5, 20),
            paragraph="12a",
        ),
    ),
    (
        "beslut SAM-2026-0001 beviljad paragraf=3 enligt förslaget stödform=personal timmar=200",
        Decide(
            REF, True, (SupportRequest(SupportForm.PERSONAL, hours=200),), "enligt förslaget",
            paragraph="3",
        ),
    ),
    (
        "beslut SAM-2026-0001 beviljad § 9 belopp=100000",
        Decide(REF, True, (SupportRequest(SupportForm.FINANSIERING, 100_000),), paragraph="9"),
    ),
    (
        "beslut SAM-2026-0001 avslag § 4 medel saknas",
        Decide(REF, False, note="medel saknas", paragraph="4"),
    ),
    ("uppföljning SAM-2026-0001 resultat 12 st", FollowUp(REF, "resultat", "12 st")),
    ("uppfoljning SAM-2026-0001 effekt tryggare", FollowUp(REF, "effekt", "tryggare")),
    ("followup SAM-2026-0001 result done", FollowUp(REF, "resultat", "done")),
    ("återkalla SAM-2026-0001 föreningen avstår", Withdraw(REF, "föreningen avstår")),
    ("aterkalla SAM-2026-0001 x", Withdraw(REF, "x")),
    ("withdraw SAM-2026-0001 x", Withdraw(REF, "x")),
    ("bedöm SAM-2026-0001", Assess(REF)),
    ("assess SAM-2026-0001 per telefon", Assess(REF, "per telefon")),
    ("avsluta SAM-2026-0001", Close(REF)),
    ("close SAM-2026-0001 klart", Close(REF, "klart")),
    ("påminnelser", Reminders()),
    ("paminnelser", Reminders()),
    ("reminders", Reminders()),
    ("statistik", Stats()),
    ("stats", Stats()),
    ("process lista", ListProcesses()),
    (
        'process lägg-till "BID Lindängen" Lindängen, Holma kontakt=bid@lindangen.example',
        AddProcess("BID Lindängen", ("Lindängen", "Holma"), "bid@lindangen.example"),
    ),
    ("process lagg-till “City 2” Gamla staden", AddProcess("City 2", ("Gamla staden",))),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse(text: str, expected: Command) -> None:
    assert parse(text) == expected


def test_new_case_reads_title_and_fields() -> None:
    command = parse(
        "ny Samverkan Lindängen; område=Lindängen; organisation=Lindängens BID; "
        "aktörer=boende, fastighetsägare; orgnr=802457 3167; epost=Info@Lindangen.example; "
        "belopp=200 000 kr; månader=2 år; start=2026-09-01"
    )
    assert isinstance(command, NewCase)
    assert command.title == "Samverkan Lindängen"
    edit = command.edit
    assert edit.area == "Lindängen"
    assert edit.organisation == "Lindängens BID"
    assert edit.actors == (ActorCategory.BOENDE, ActorCategory.FASTIGHETSAGARE)
    assert edit.orgnr == "802457-3167"
    assert edit.email == "info@lindangen.example"
    assert edit.amount_sek == 200_000
    assert edit.duration_months == 24
    assert edit.start == date(2026, 9, 1)
    assert edit.written["area"] == "Lindängen"


def test_set_fields_with_and_without_diacritics() -> None:
    one = parse("ändra SAM-2026-0001 område=Seved aktörer=näringsliv,boende")
    two = parse("andra SAM-2026-0001 omrade=Seved aktorer=naringsliv,boende")
    three = parse("set SAM-2026-0001 area=Seved actors=näringsliv, boende")
    expected = ApplicationEdit(
        area="Seved", actors=(ActorCategory.NARINGSLIV, ActorCategory.BOENDE)
    )
    assert one == two == three == EditFields(REF, expected)


INVALID: list[tuple[str, str | None, str]] = [
    ("blaha SAM-2026-0001", None, "Okänt kommando 'blaha'"),
    ("visa", "visa", "referens"),
    ("visa ärende-1", "visa", "ingen ärendereferens"),
    ("tilldela SAM-2026-0001", "tilldela", "vem"),
    ("tilldela SAM-2026-0001 <!channel>", "tilldela", "varken"),
    ("möte SAM-2026-0001 2026-02-30 10:00", "mote", "inget giltigt datum"),
    ("möte SAM-2026-0001 2026-03-10 25:00", "mote", "ingen giltig tid"),
    ("möte SAM-2026-0001 2026-03-10", "mote", "datum och tid"),
    ("godkänn SAM-2026-0001 det ser bra ut", "godkann", "override: skäl"),
    ("godkänn SAM-2026-0001 override:", "godkann", "skäl"),
    ("avslå SAM-2026-0001", "avsla", "skäl"),
    ("beslut SAM-2026-0001", "beslut", "beviljad eller avslag"),
    ("beslut SAM-2026-0001 kanske", "beslut", "beviljad eller avslag"),
    ("beslut SAM-2026-0001 avslag § 4", "beslut", "skäl till avslaget"),
    ("beslut SAM-2026-0001 avslag medel saknas", "beslut", "paragrafen"),
    ("beslut SAM-2026-0001 beviljad stödform=processtöd", "beslut", "paragrafen"),
    ("beslut SAM-2026-0001 beviljad § 1 sammanträde=igår", "beslut", "inget giltigt datum"),
    ("beslut SAM-2026-0001 beviljad § 1", "beslut", "stödform"),
    ("beslut SAM-2026-0001 beviljad § 1 stödform=finansiering", "beslut", "belopp"),
    ("beslut SAM-2026-0001 beviljad § 1 stödform=pengaregn", "beslut", "Okänd stödform"),
    ("beslut SAM-2026-0001 beviljad § 1 belopp=mycket", "beslut", "beloppet"),
    ("beslut SAM-2026-0001 beviljad § 1 stödform=personal belopp=5", "beslut", "finansiering"),
    ("beslut SAM-2026-0001 beviljad § 1 orgnr=802457-3167", "beslut", "inte orgnr"),
    ("uppföljning SAM-2026-0001 resultat", "uppfoljning", "vad mätningen visade"),
    ("uppföljning SAM-2026-0001 nöjdhet bra", "uppfoljning", "resultat eller effekt"),
    ("återkalla SAM-2026-0001", "aterkalla", "varför"),
    ("ny", "ny", "titel"),
    ("ny Titel; färg=blå", "ny", "Okänt fält 'färg'"),
    ("ändra SAM-2026-0001", "andra", "fält=värde"),
    ("ändra SAM-2026-0001 orgnr=802457-3168", "andra", "fel kontrollsiffra"),
    ("ändra SAM-2026-0001 orgnr=12", "andra", "inget organisationsnummer"),
    ("ändra SAM-2026-0001 aktörer=drakar", "andra", "Okänd aktörskategori"),
    ("ändra SAM-2026-0001 epost=inte-en-adress", "andra", "ingen e-postadress"),
    ("ändra SAM-2026-0001 start=i höst", "andra", "inget giltigt datum"),
    ("process lägg-till BID Lindängen", "process", "citattecken"),
    ('process lägg-till "BID"', "process", "minst ett område"),
    ("process ta-bort x", "process", "Okänd åtgärd"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "command", "problem"), INVALID)
def test_wrong_input_names_the_problem(text: str, command: str | None, problem: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, Invalid)
    assert parsed.command == command
    assert problem in parsed.problem


def test_every_command_word_is_documented_and_its_example_parses() -> None:
    for spec in SPECS:
        example = spec.example(date(2026, 3, 2))
        parsed = parse(example)
        assert not isinstance(parsed, Invalid), (example, parsed)
        for word in spec.words:
            assert not isinstance(parse(f"{word} {example.partition(' ')[2]}"), Invalid)


def test_help_examples_are_dated_in_the_future_and_name_a_case_of_this_year() -> None:
    today = date(2026, 12, 2)  # a Wednesday
    by_name = {spec.name: spec for spec in SPECS}
    meeting = parse(by_name["mote"].example(today))
    assert isinstance(meeting, Meeting)
    assert meeting.day > today
    assert meeting.day.weekday() < 5  # a working day
    assert meeting.ref == "SAM-2026-0001"
    assert by_name["visa"].example(date(2027, 1, 4)) == "visa SAM-2027-0001"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("godkan SAM-2026-0001", "godkann"), ("lsita", "lista"), ("vissa SAM-2026-0001", "visa"),
     ("aprove SAM-2026-0001", "godkann"), ("påminelser", "paminnelser")],
)  # fmt: skip
def test_a_typo_is_answered_with_menade_du(typed: str, meant: str) -> None:
    parsed = parse(typed)
    assert isinstance(parsed, Invalid)
    assert parsed.suggestion == meant
    assert "Menade du" in parsed.problem


def test_a_word_far_from_every_command_gets_no_guess() -> None:
    parsed = parse("flytta SAM-2026-0001")
    assert isinstance(parsed, Invalid)
    assert parsed.suggestion is None
